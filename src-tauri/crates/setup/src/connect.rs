//! Connecting Zoho Books organizations, and keeping their tokens fresh.
//!
//! A connection goes: [`Setup::start_connect`] builds the authorize URL (PKCE,
//! a single-use `state`) and keeps the pending sign-in in memory only; the
//! redirect arrives through the loopback listener or a deep link, and either
//! way reaches [`Setup::complete_connect`], which matches and *consumes* the
//! pending sign-in before anything is sent (so a replay sends nothing), then
//! exchanges the code at an allow-listed accounts server (`zbs-zoho`) and
//! lists the organizations; [`Setup::choose_organization`] stores the refresh
//! token in the keyring and the connection row in SQLite. Access tokens live
//! in memory and are refreshed one at a time per connection.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rusqlite::{params, OptionalExtension};
use secrecy::SecretString;
use serde::{Deserialize, Serialize};
use ts_rs::TS;
use url::Url;
use zbs_zoho::books::{BooksClient, Organization};
use zbs_zoho::callback::{self, Callback, CallbackOutcome};
use zbs_zoho::loopback::LoopbackListener;
use zbs_zoho::oauth::{self, OAuthClient, OAuthError, PendingAuth, TokenSet};

use crate::error::Error;
use crate::secrets::{entry, SecretError};
use crate::store::StoreError;
use crate::Setup;

/// Zoho keeps at most this many refresh tokens per user and client.
pub const ZOHO_REFRESH_TOKEN_LIMIT: u32 = 20;

/// Refresh an access token this long before Zoho says it expires.
const EXPIRY_MARGIN: Duration = Duration::from_secs(120);

/// Where Zoho sends the person back after the consent screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum RedirectMethod {
    /// `http://127.0.0.1:<port>/oauth/callback`, answered by a listener of the app.
    Loopback,
    /// `zbsetup://oauth/callback`, handed to the app by the OS.
    DeepLink,
}

/// A sign-in that was started: what to open in the browser.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct ConnectStart {
    pub authorize_url: String,
    pub redirect_uri: String,
    pub region: String,
    pub method: RedirectMethod,
    /// A warning to show before the person signs in (Zoho's 20-connection limit).
    pub warning: Option<String>,
}

/// An organization the person may connect, as Zoho lists it.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct OrganizationChoice {
    pub organization_id: String,
    pub name: String,
    pub plan: Option<String>,
    pub currency: Option<String>,
    pub region: String,
    pub region_name: String,
    pub is_default: bool,
    /// Connections already made to it with this client.
    pub times_connected: u32,
}

/// The state of a stored connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum ConnectionState {
    Ok,
    /// Zoho no longer accepts its refresh token: connect it again.
    NeedsReconnect,
}

/// A connected organization (the refresh token is in the keyring).
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct Connection {
    pub id: String,
    pub organization_id: String,
    pub organization_name: String,
    pub label: Option<String>,
    pub region: String,
    pub api_domain: String,
    pub accounts_server: String,
    pub plan: Option<String>,
    pub currency: Option<String>,
    pub state: ConnectionState,
    pub connected_at: String,
}

/// The result of "Test connection".
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct ConnectionTest {
    pub ok: bool,
    pub message: String,
}

/// An access token in use, with where to use it.
#[derive(Debug, Clone)]
pub struct AccessGrant {
    pub token: SecretString,
    pub api_domain: Url,
}

struct Pending {
    auth: PendingAuth,
    reconnect: Option<String>,
}

struct Exchanged {
    tokens: TokenSet,
    organizations: Vec<Organization>,
    reconnect: Option<String>,
}

struct CachedToken {
    grant: AccessGrant,
    expires_at: Instant,
}

/// In-memory connect state of one `Setup` (never written anywhere).
#[derive(Default)]
pub(crate) struct ConnectState {
    pending: Arc<Mutex<Option<Pending>>>,
    exchanged: Mutex<Option<Exchanged>>,
    tokens: Mutex<HashMap<String, CachedToken>>,
    refreshing: Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>,
}

impl std::fmt::Debug for ConnectState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ConnectState { .. }")
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

fn new_id() -> String {
    use rand::Rng;
    let bytes: [u8; 8] = rand::thread_rng().gen();
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn now_text() -> String {
    time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

impl Setup {
    /// The redirect URI for a method, as registered in the API console.
    pub fn redirect_uri(&self, method: RedirectMethod) -> Result<String, Error> {
        Ok(match method {
            RedirectMethod::Loopback => callback::loopback_redirect_uri(self.loopback_port()?),
            RedirectMethod::DeepLink => callback::deep_link_redirect_uri(),
        })
    }

    /// Starts a sign-in at `region`'s accounts server (default: the first chosen
    /// region). `reconnect` names a connection to renew instead of adding one.
    pub fn start_connect(
        &self,
        region: Option<&str>,
        method: RedirectMethod,
        reconnect: Option<&str>,
    ) -> Result<ConnectStart, Error> {
        let status = self.status()?;
        if status.client_id.is_none() || !status.secret_stored {
            return Err(Error::NoCredentials);
        }
        if !status.enabled {
            return Err(Error::NotEnabled);
        }
        let reconnect_row = match reconnect {
            Some(id) => Some(self.connection(id)?),
            None => None,
        };
        let region = match (region, &reconnect_row) {
            (Some(r), _) => r.to_ascii_lowercase(),
            (None, Some(c)) => c.region.clone(),
            (None, None) => status
                .regions
                .first()
                .cloned()
                .unwrap_or_else(|| "us".into()),
        };
        let dc = self
            .data_centers()
            .get(&region)
            .ok_or_else(|| Error::UnknownRegion {
                region: region.clone(),
                known: self
                    .data_centers()
                    .all()
                    .iter()
                    .map(|d| d.region.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
            })?;
        let redirect_uri = self.redirect_uri(method)?;
        let client_id = status.client_id.unwrap_or_default();
        let request = oauth::authorize(dc, &client_id, &redirect_uri, &oauth::default_scopes())?;
        let warning = self.limit_warning()?;
        *lock(&self.connect.pending) = Some(Pending {
            auth: request.pending,
            reconnect: reconnect_row.map(|c| c.id),
        });
        *lock(&self.connect.exchanged) = None;
        tracing::info!(%region, ?method, "sign-in started");
        Ok(ConnectStart {
            authorize_url: request.url.to_string(),
            redirect_uri,
            region,
            method,
            warning,
        })
    }

    /// True when `state` belongs to the sign-in waiting now (for the listener).
    pub fn is_pending_state(&self, state: &str) -> bool {
        lock(&self.connect.pending)
            .as_ref()
            .is_some_and(|p| p.auth.state_matches(state))
    }

    /// True while a sign-in is waiting for its redirect.
    pub fn has_pending_sign_in(&self) -> bool {
        lock(&self.connect.pending).is_some()
    }

    /// Waits for the sign-in's redirect on the loopback listener and completes
    /// it. Redirects with another `state` are answered with an error page and
    /// ignored; the listener closes after success or `timeout`.
    pub async fn wait_loopback(
        &self,
        listener: LoopbackListener,
        timeout: Duration,
    ) -> Result<Vec<OrganizationChoice>, Error> {
        let pending = Arc::clone(&self.connect.pending);
        let accept = move |cb: &Callback| {
            lock(&pending)
                .as_ref()
                .is_some_and(|p| p.auth.state_matches(&cb.state))
        };
        let cb = listener.wait(accept, timeout).await?;
        self.complete_connect(cb).await
    }

    /// Forgets the waiting sign-in (the person cancelled it).
    pub fn cancel_connect(&self) {
        *lock(&self.connect.pending) = None;
        *lock(&self.connect.exchanged) = None;
    }

    /// Parses a redirect URL (deep link or loopback) and completes the sign-in.
    pub async fn complete_connect_url(&self, url: &str) -> Result<Vec<OrganizationChoice>, Error> {
        let cb = callback::parse_callback(url)?;
        self.complete_connect(cb).await
    }

    /// Completes the waiting sign-in with its redirect: exchanges the code and
    /// lists the organizations to choose from.
    pub async fn complete_connect(&self, cb: Callback) -> Result<Vec<OrganizationChoice>, Error> {
        let pending = {
            let mut slot = lock(&self.connect.pending);
            match slot.as_ref() {
                None => return Err(Error::NoSignInPending),
                // Not ours: ignored, and the genuine one may still arrive.
                Some(p) if !p.auth.state_matches(&cb.state) => return Err(Error::UnknownState),
                Some(_) => {}
            }
            // Consumed before any network call: a replay finds nothing to complete.
            slot.take().ok_or(Error::NoSignInPending)?
        };
        if pending.auth.is_expired() {
            return Err(Error::OAuth(OAuthError::Expired));
        }
        if let CallbackOutcome::NoCode = cb.outcome {
            // The attempt is used up: the person starts again.
            tracing::info!("sign-in answer without a code");
            return Err(Error::Callback(callback::CallbackError::MissingCode));
        }
        if let CallbackOutcome::Denied { error, description } = &cb.outcome {
            tracing::info!(error = %error, "sign-in refused on the consent screen");
            return Err(Error::AccessDenied {
                detail: description.clone().unwrap_or_else(|| error.clone()),
            });
        }
        let client = self.oauth_client()?;
        let tokens = client
            .exchange_callback(self.data_centers(), &pending.auth, &cb)
            .await?;
        let books = BooksClient::new(&tokens.api_domain)?;
        let (organizations, _) = books.organizations(&tokens.access_token).await?;
        if organizations.is_empty() {
            return Err(Error::NoOrganizations);
        }
        tracing::info!(region = %tokens.region, count = organizations.len(), "signed in");
        let choices = self.choices(&tokens, &organizations)?;
        *lock(&self.connect.exchanged) = Some(Exchanged {
            tokens,
            organizations,
            reconnect: pending.reconnect,
        });
        Ok(choices)
    }

    /// The organizations of the completed sign-in, if one awaits a choice.
    pub fn organization_choices(&self) -> Result<Option<Vec<OrganizationChoice>>, Error> {
        let guard = lock(&self.connect.exchanged);
        match guard.as_ref() {
            Some(x) => Ok(Some(self.choices(&x.tokens, &x.organizations)?)),
            None => Ok(None),
        }
    }

    fn choices(
        &self,
        tokens: &TokenSet,
        organizations: &[Organization],
    ) -> Result<Vec<OrganizationChoice>, Error> {
        let region_name = self
            .data_centers()
            .get(&tokens.region)
            .map(|d| d.name.clone())
            .unwrap_or_else(|| tokens.region.to_uppercase());
        organizations
            .iter()
            .map(|o| {
                Ok(OrganizationChoice {
                    organization_id: o.organization_id.clone(),
                    name: o.name.clone(),
                    plan: o.plan_name.clone(),
                    currency: o.currency_code.clone(),
                    region: tokens.region.clone(),
                    region_name: region_name.clone(),
                    is_default: o.is_default_org.unwrap_or(false),
                    times_connected: self.times_connected(&o.organization_id)?,
                })
            })
            .collect()
    }

    /// Stores the connection to the chosen organization (default: Zoho's default one).
    pub fn choose_organization(&self, organization_id: Option<&str>) -> Result<Connection, Error> {
        let exchanged = lock(&self.connect.exchanged)
            .take()
            .ok_or(Error::NoSignInPending)?;
        let org = match organization_id {
            Some(id) => exchanged
                .organizations
                .iter()
                .find(|o| o.organization_id == id),
            None => exchanged
                .organizations
                .iter()
                .find(|o| o.is_default_org == Some(true))
                .or_else(|| exchanged.organizations.first()),
        };
        let Some(org) = org.cloned() else {
            let id = organization_id.unwrap_or_default().to_owned();
            // Keep the sign-in so the person can pick again.
            *lock(&self.connect.exchanged) = Some(exchanged);
            return Err(Error::UnknownOrganization { id });
        };
        let tokens = exchanged.tokens;
        let refresh = tokens
            .refresh_token
            .clone()
            .ok_or(Error::OAuth(OAuthError::Malformed))?;
        let id = match &exchanged.reconnect {
            Some(existing) => existing.clone(),
            None => new_id(),
        };
        // The secret first: if the keyring refuses, no connection row points at nothing.
        self.secrets().set(&entry::refresh_token(&id), &refresh)?;
        let accounts = self
            .data_centers()
            .get(&tokens.region)
            .map(|d| zbs_zoho::dc::origin_string(&d.accounts))
            .unwrap_or_default();
        let api_domain = zbs_zoho::dc::origin_string(&tokens.api_domain);
        {
            let conn = self.store().conn();
            conn.execute(
                "INSERT INTO connections (id, organization_id, organization_name, region,
                     accounts_server, api_domain, plan, currency, state, connected_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 'ok', ?9)
                 ON CONFLICT (id) DO UPDATE SET organization_id = excluded.organization_id,
                     organization_name = excluded.organization_name, region = excluded.region,
                     accounts_server = excluded.accounts_server, api_domain = excluded.api_domain,
                     plan = excluded.plan, currency = excluded.currency, state = 'ok',
                     connected_at = excluded.connected_at",
                params![
                    id,
                    org.organization_id,
                    org.name,
                    tokens.region,
                    accounts,
                    api_domain,
                    org.plan_name,
                    org.currency_code,
                    now_text()
                ],
            )
            .map_err(StoreError::from)?;
            conn.execute(
                "INSERT INTO org_connects (organization_id, times) VALUES (?1, 1)
                 ON CONFLICT (organization_id) DO UPDATE SET times = times + 1",
                [&org.organization_id],
            )
            .map_err(StoreError::from)?;
        }
        lock(&self.connect.tokens).insert(
            id.clone(),
            CachedToken {
                grant: AccessGrant {
                    token: tokens.access_token,
                    api_domain: tokens.api_domain,
                },
                expires_at: Instant::now() + tokens.expires_in,
            },
        );
        tracing::info!(connection = %id, "organization connected");
        self.connection(&id)
    }

    /// The stored connections, oldest first.
    pub fn connections(&self) -> Result<Vec<Connection>, Error> {
        let conn = self.store().conn();
        let mut stmt = conn
            .prepare(&format!("{SELECT_CONNECTION} ORDER BY connected_at, id"))
            .map_err(StoreError::from)?;
        let rows = stmt
            .query_map([], row_to_connection)
            .map_err(StoreError::from)?;
        Ok(rows
            .collect::<Result<Vec<_>, _>>()
            .map_err(StoreError::from)?)
    }

    /// One stored connection.
    pub fn connection(&self, id: &str) -> Result<Connection, Error> {
        self.store()
            .conn()
            .query_row(
                &format!("{SELECT_CONNECTION} WHERE id = ?1"),
                [id],
                row_to_connection,
            )
            .optional()
            .map_err(StoreError::from)?
            .ok_or_else(|| Error::UnknownConnection { id: id.to_owned() })
    }

    /// Gives a connection a name of the person's choosing (empty: none).
    pub fn rename_connection(&self, id: &str, label: &str) -> Result<Connection, Error> {
        let label = label.trim();
        let label = (!label.is_empty()).then(|| label.chars().take(80).collect::<String>());
        let n = self
            .store()
            .conn()
            .execute(
                "UPDATE connections SET label = ?2 WHERE id = ?1",
                params![id, label],
            )
            .map_err(StoreError::from)?;
        if n == 0 {
            return Err(Error::UnknownConnection { id: id.to_owned() });
        }
        self.connection(id)
    }

    /// Checks that the connection still works (one call to `/organizations`).
    pub async fn test_connection(&self, id: &str) -> Result<ConnectionTest, Error> {
        let connection = self.connection(id)?;
        let grant = self.access_token(id, false).await?;
        let books = BooksClient::new(&grant.api_domain)?;
        let result = match books.organizations(&grant.token).await {
            Err(zbs_zoho::books::BooksError::Unauthorized) => {
                let grant = self.access_token(id, true).await?;
                books.organizations(&grant.token).await
            }
            other => other,
        };
        let (orgs, _) = result?;
        Ok(
            if orgs
                .iter()
                .any(|o| o.organization_id == connection.organization_id)
            {
                ConnectionTest {
                    ok: true,
                    message: format!(
                        "{} answers: the connection works.",
                        connection.organization_name
                    ),
                }
            } else {
                ConnectionTest {
                    ok: false,
                    message: format!(
                        "Zoho no longer lists {} for this sign-in. Connect it again.",
                        connection.organization_name
                    ),
                }
            },
        )
    }

    /// Revokes the connection's refresh token at Zoho, then forgets it here.
    /// With `force`, forgets it even when Zoho cannot be reached.
    pub async fn disconnect(&self, id: &str, force: bool) -> Result<(), Error> {
        let connection = self.connection(id)?;
        // An unreadable token cannot be revoked: it is forgotten all the same.
        let stored = match self.secrets().get(&entry::refresh_token(id)) {
            Err(SecretError::Garbled { .. }) => None,
            other => other?,
        };
        if let Some(refresh) = stored {
            let dc = self.data_centers().get(&connection.region).cloned();
            if let Some(dc) = dc {
                match self.oauth_client()?.revoke(&dc, &refresh).await {
                    Ok(()) => {}
                    Err(e) if force => {
                        tracing::warn!(code = %e.code(), "revoke failed; forgetting anyway")
                    }
                    Err(e) => return Err(Error::RevokeFailed { source: e }),
                }
            }
        }
        self.secrets().delete(&entry::refresh_token(id))?;
        self.puller()?.forget(id)?;
        {
            let conn = self.store().conn();
            conn.execute("DELETE FROM connections WHERE id = ?1", [id])
                .map_err(StoreError::from)?;
            conn.execute(
                "UPDATE org_connects SET times = MAX(times - 1, 0) WHERE organization_id = ?1",
                [&connection.organization_id],
            )
            .map_err(StoreError::from)?;
        }
        lock(&self.connect.tokens).remove(id);
        tracing::info!(connection = %id, "disconnected");
        Ok(())
    }

    /// A valid access token for a connection, refreshed when close to expiry or
    /// when `force` (after a 401); one refresh at a time per connection.
    pub async fn access_token(&self, id: &str, force: bool) -> Result<AccessGrant, Error> {
        if !force {
            if let Some(grant) = self.cached_token(id) {
                return Ok(grant);
            }
        }
        let gate = lock(&self.connect.refreshing)
            .entry(id.to_owned())
            .or_default()
            .clone();
        let _one_at_a_time = gate.lock().await;
        if let Some(grant) = self.cached_token(id) {
            if !force {
                return Ok(grant);
            }
        }
        let connection = self.connection(id)?;
        let name = connection
            .label
            .clone()
            .unwrap_or(connection.organization_name.clone());
        // Deleted or changed outside the app: only a new sign-in can mend it.
        let refresh = match self.secrets().get(&entry::refresh_token(id)) {
            Ok(Some(refresh)) => refresh,
            Ok(None) | Err(SecretError::Garbled { .. }) => {
                tracing::warn!(connection = %id, "refresh token missing or unreadable in the keyring");
                self.mark_needs_reconnect(id)?;
                return Err(Error::ReconnectNeeded { name });
            }
            Err(e) => return Err(e.into()),
        };
        let dc = self
            .data_centers()
            .get(&connection.region)
            .cloned()
            .ok_or_else(|| {
                Error::OAuth(OAuthError::UnknownRegion {
                    region: connection.region.clone(),
                })
            })?;
        match self.oauth_client()?.refresh(&dc, &refresh).await {
            Ok(tokens) => {
                if let Some(new_refresh) = &tokens.refresh_token {
                    self.secrets().set(&entry::refresh_token(id), new_refresh)?;
                }
                let grant = AccessGrant {
                    token: tokens.access_token,
                    api_domain: tokens.api_domain,
                };
                lock(&self.connect.tokens).insert(
                    id.to_owned(),
                    CachedToken {
                        grant: grant.clone(),
                        expires_at: Instant::now() + tokens.expires_in,
                    },
                );
                Ok(grant)
            }
            Err(OAuthError::RefreshRevoked) => {
                self.mark_needs_reconnect(id)?;
                Err(Error::ReconnectNeeded { name })
            }
            Err(e) => Err(e.into()),
        }
    }

    fn cached_token(&self, id: &str) -> Option<AccessGrant> {
        let tokens = lock(&self.connect.tokens);
        tokens
            .get(id)
            .filter(|t| t.expires_at > Instant::now() + EXPIRY_MARGIN)
            .map(|t| t.grant.clone())
    }

    /// Drops a cached access token (e.g. Zoho answered 401 with it).
    pub fn forget_access_token(&self, id: &str) {
        lock(&self.connect.tokens).remove(id);
    }

    fn mark_needs_reconnect(&self, id: &str) -> Result<(), Error> {
        self.store()
            .conn()
            .execute(
                "UPDATE connections SET state = 'needs_reconnect' WHERE id = ?1",
                [id],
            )
            .map_err(StoreError::from)?;
        lock(&self.connect.tokens).remove(id);
        Ok(())
    }

    fn times_connected(&self, organization_id: &str) -> Result<u32, Error> {
        let n: Option<u32> = self
            .store()
            .conn()
            .query_row(
                "SELECT times FROM org_connects WHERE organization_id = ?1",
                [organization_id],
                |r| r.get(0),
            )
            .optional()
            .map_err(StoreError::from)?;
        Ok(n.unwrap_or(0))
    }

    /// Warns when another sign-in could silently cut off an older connection.
    fn limit_warning(&self) -> Result<Option<String>, Error> {
        let conn = self.store().conn();
        let at_limit: Option<(String, u32)> = conn
            .query_row(
                "SELECT COALESCE((SELECT organization_name FROM connections c
                                  WHERE c.organization_id = o.organization_id LIMIT 1),
                                 o.organization_id), o.times
                 FROM org_connects o WHERE o.times >= ?1 ORDER BY o.times DESC LIMIT 1",
                [ZOHO_REFRESH_TOKEN_LIMIT],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()
            .map_err(StoreError::from)?;
        Ok(at_limit.map(|(name, times)| {
            format!(
                "{name} has already been connected {times} times with this Client ID. Zoho keeps \
                 only {ZOHO_REFRESH_TOKEN_LIMIT} sign-ins per client: connecting it again will \
                 silently cut off its oldest connection. Disconnect connections you no longer \
                 use first, or go ahead if that is what you want."
            )
        }))
    }

    fn oauth_client(&self) -> Result<OAuthClient, Error> {
        let client_id: String = self.status_client_id()?.ok_or(Error::NoCredentials)?;
        let secret = self.client_secret()?.ok_or(Error::NoCredentials)?;
        Ok(OAuthClient::new(client_id, secret)?)
    }
}

const SELECT_CONNECTION: &str = "SELECT id, organization_id, organization_name, label, region,
    api_domain, accounts_server, plan, currency, state, connected_at FROM connections";

fn row_to_connection(r: &rusqlite::Row<'_>) -> rusqlite::Result<Connection> {
    let state: String = r.get(9)?;
    Ok(Connection {
        id: r.get(0)?,
        organization_id: r.get(1)?,
        organization_name: r.get(2)?,
        label: r.get(3)?,
        region: r.get(4)?,
        api_domain: r.get(5)?,
        accounts_server: r.get(6)?,
        plan: r.get(7)?,
        currency: r.get(8)?,
        state: if state == "needs_reconnect" {
            ConnectionState::NeedsReconnect
        } else {
            ConnectionState::Ok
        },
        connected_at: r.get(10)?,
    })
}
