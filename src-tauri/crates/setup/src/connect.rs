//! Connecting Zoho Books organizations, and keeping their tokens fresh.
//!
//! A connection goes: [`Setup::start_connect`] builds the authorize URL (PKCE,
//! a single-use `state`) and keeps the pending sign-in in memory only; the
//! redirect arrives through the loopback listener or a deep link, and either
//! way reaches [`Setup::complete_connect`], which matches and *consumes* the
//! pending sign-in before anything is sent (so a replay sends nothing), then
//! exchanges the code at an allow-listed accounts server (`zbs-zoho`) and
//! lists the organizations; [`Setup::choose_organization`] stores the refresh
//! token in the keyring and the connection row in SQLite (its SQL is in
//! `store/connections.rs`). Access tokens are `tokens`' job.
//!
//! Both fronts start a sign-in the same way: [`Setup::begin_sign_in`] checks
//! the setup, binds the loopback listener when sign-ins come back that way
//! (so a port in use is reported before the browser opens) and returns a
//! [`SignIn`]; the front opens its authorize URL, then hands it to
//! [`Setup::wait_sign_in`], which waits for the answer up to a timeout
//! ([`SIGN_IN_TIMEOUT`] in the window). A deep-link answer reaches
//! [`Setup::complete_connect_url`] from the OS instead.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use secrecy::SecretString;
use serde::{Deserialize, Serialize};
use ts_rs::TS;
use zbs_zoho::books::{BooksClient, Organization};
use zbs_zoho::callback::{self, Callback, CallbackOutcome};
use zbs_zoho::loopback::LoopbackListener;
use zbs_zoho::oauth::{self, OAuthClient, OAuthError, PendingAuth, TokenSet};
use zbs_zoho::Entity;

use crate::error::Error;
use crate::secrets::{entry, SecretError};
use crate::store::NewConnection;
use crate::Setup;

/// Zoho keeps at most this many refresh tokens per user and client.
pub const ZOHO_REFRESH_TOKEN_LIMIT: u32 = 20;

/// How long the window waits for a sign-in to come back from the browser.
pub const SIGN_IN_TIMEOUT: Duration = Duration::from_secs(600);

/// Where Zoho sends the person back after the consent screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum RedirectMethod {
    /// `http://localhost:<port>/oauth/callback`, answered by a listener of
    /// the app on 127.0.0.1 and ::1: the default, the form Zoho is known to
    /// accept for desktop sign-ins.
    Localhost,
    /// `http://127.0.0.1:<port>/oauth/callback`, the same listener; the
    /// default of earlier versions, kept for setups registered with it.
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
    /// What Zoho's consent page will ask to allow, and why, in words.
    pub asking: String,
}

/// "a", "a and b", "a, b, and c".
pub(crate) fn and_list(items: &[&str]) -> String {
    match items {
        [] => String::new(),
        [one] => (*one).to_owned(),
        [a, b] => format!("{a} and {b}"),
        [rest @ .., last] => format!("{}, and {last}", rest.join(", ")),
    }
}

/// "Zoho will ask you to allow reading …": each scope asked for, in words,
/// with why settings is asked for when no chosen record type needs it.
pub fn asking_words(reading: &[Entity]) -> String {
    let mut modules: Vec<&str> = Vec::new();
    for e in Entity::all().iter().filter(|e| reading.contains(e)) {
        let words = match e.scope_module() {
            "contacts" => "contacts (customers and vendors)",
            "settings" => "settings (which hold items)",
            "accountants" => "the chart of accounts",
            _ => e.label(),
        };
        if !modules.contains(&words) {
            modules.push(words);
        }
    }
    let chosen_settings = modules.iter().any(|m| m.starts_with("settings"));
    let list = and_list(&modules);
    let why = "to list your organizations and see who signed in";
    let only = "Only reading: nothing can be changed.";
    if list.is_empty() {
        format!("Zoho will ask you to allow reading settings, {why}. {only}")
    } else if chosen_settings {
        format!("Zoho will ask you to allow reading {list}. Settings are also what the app needs {why}. {only}")
    } else {
        format!("Zoho will ask you to allow reading {list}, for the record types you chose, and settings, {why}. {only}")
    }
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
    /// Whether its data center is among those chosen (the ones "Check my
    /// keys" asks): Zoho sends a sign-in to the organization's own data
    /// center whichever were chosen.
    pub region_chosen: bool,
}

/// The connections holding one Zoho user's sign-ins, oldest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct SignIns {
    /// The user's e-mail address; `None`: connections made before the app
    /// asked Zoho who signed in.
    pub email: Option<String>,
    /// The connections' names (label, else organization), oldest first.
    pub connections: Vec<String>,
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
    /// The Zoho user whose sign-in this connection holds (Books' `GET
    /// /users/me`), when Zoho said: Zoho counts sign-ins per user.
    pub zoho_user_email: Option<String>,
    /// That user's role in the organization, when Zoho said.
    pub zoho_user_role: Option<String>,
    /// The record types its sign-in lets the app read (the scope Zoho
    /// granted); another one needs a reconnect that asks for it.
    pub can_read: Vec<zbs_zoho::Entity>,
}

/// A sign-in that was started: what to open, and how its answer comes back.
#[derive(Debug)]
pub struct SignIn {
    /// The authorize URL and the details the window shows.
    pub start: ConnectStart,
    /// Bound before the browser opens; `None` when the answer comes by deep link.
    listener: Option<LoopbackListener>,
}

impl SignIn {
    /// True when the answer arrives at the loopback listener, so
    /// [`Setup::wait_sign_in`] must be awaited; a deep-link answer reaches
    /// [`Setup::complete_connect_url`] from the OS.
    pub fn waits_for_listener(&self) -> bool {
        self.listener.is_some()
    }
}

struct Pending {
    auth: PendingAuth,
    reconnect: Option<String>,
    /// The scope asked for (comma-separated), kept when Zoho's answer does not say.
    scopes: String,
}

struct Exchanged {
    tokens: TokenSet,
    organizations: Vec<Organization>,
    reconnect: Option<String>,
    /// What the sign-in may read: Zoho's `scope`, else what was asked.
    granted: String,
    /// Who signed in, as `GET /users/me` said in `user_org`.
    user: Option<zbs_zoho::ZohoUser>,
    user_org: String,
}

/// In-memory connect state of one `Setup` (never written anywhere).
#[derive(Default)]
pub(crate) struct ConnectState {
    pending: Arc<Mutex<Option<Pending>>>,
    exchanged: Mutex<Option<Exchanged>>,
    /// Refresh tokens Zoho issued that no connection keeps (a sign-in given
    /// up, no organization chosen, the token a reconnect replaced), with
    /// their data center: revoked at the next chance, because Zoho keeps at
    /// most 20 per user and client and the 21st deletes the oldest.
    discarded: Mutex<Vec<(String, SecretString)>>,
}

/// `departing_connection:<id>`: when (ms since 1970) a disconnect of the
/// connection began, in any process. Its sign-in is revoked first, so a pull
/// of it that asks for a token meanwhile is told the connection is going,
/// not that it needs a reconnect.
const DEPARTING_PREFIX: &str = "departing_connection:";
/// A mark older than this was left by a disconnect that never finished.
const DEPARTING_FOR_MS: i64 = 120_000;

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

/// Zoho gives at most this many authorization codes per Client ID in 10
/// minutes (its "Token Validity" pages), shared with the platform's customers.
pub const ZOHO_GRANTS_PER_CLIENT: u32 = 10;
const GRANT_WINDOW_MS: i64 = 10 * 60 * 1000;

fn now_ms() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp_nanos() as i64 / 1_000_000
}

fn now_text() -> String {
    time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

impl Setup {
    /// The redirect URI for a method, as registered in the API console.
    pub(crate) fn redirect_uri(&self, method: RedirectMethod) -> Result<String, Error> {
        Ok(match method {
            RedirectMethod::Localhost => callback::localhost_redirect_uri(self.loopback_port()?),
            RedirectMethod::Loopback => callback::loopback_redirect_uri(self.loopback_port()?),
            RedirectMethod::DeepLink => callback::deep_link_redirect_uri(),
        })
    }

    /// Starts a sign-in the way this setup receives them (its redirect method
    /// and port): binds the loopback listener first, then builds the
    /// authorize URL. `region` and `reconnect` as for [`Setup::start_connect`].
    pub fn begin_sign_in(
        &self,
        region: Option<&str>,
        reconnect: Option<&str>,
    ) -> Result<SignIn, Error> {
        self.begin_sign_in_to_read(region, reconnect, Entity::all())
    }

    /// [`Setup::begin_sign_in`] asking Zoho only for what reading `entities`
    /// needs (a reconnect also keeps what its connection could read).
    pub fn begin_sign_in_to_read(
        &self,
        region: Option<&str>,
        reconnect: Option<&str>,
        entities: &[Entity],
    ) -> Result<SignIn, Error> {
        let method = self.redirect_method()?;
        let listener = match method {
            RedirectMethod::Localhost | RedirectMethod::Loopback => {
                Some(LoopbackListener::bind(self.loopback_port()?)?)
            }
            RedirectMethod::DeepLink => None,
        };
        let start = self.start_connect_to_read(region, method, reconnect, entities)?;
        Ok(SignIn { start, listener })
    }

    /// Waits up to `timeout` for a started sign-in's answer at its loopback
    /// listener and completes it; the organizations to choose from.
    pub async fn wait_sign_in(
        &self,
        sign_in: SignIn,
        timeout: Duration,
    ) -> Result<Vec<OrganizationChoice>, Error> {
        match sign_in.listener {
            Some(listener) => self.wait_loopback(listener, timeout).await,
            // Answered by a deep link, which the OS hands to `complete_connect_url`.
            None => Err(Error::NoSignInPending),
        }
    }

    /// Starts a sign-in for an organization in `region` (default: the
    /// reconnected connection's, else the first chosen region). As Zoho's
    /// multi-DC pages say, every sign-in starts at accounts.zoho.com (China's
    /// at accounts.zoho.com.cn) and Zoho sends the person on to their home
    /// data center, which the redirect names. `reconnect` names a connection
    /// to renew instead of adding one.
    pub fn start_connect(
        &self,
        region: Option<&str>,
        method: RedirectMethod,
        reconnect: Option<&str>,
    ) -> Result<ConnectStart, Error> {
        self.start_connect_to_read(region, method, reconnect, Entity::all())
    }

    /// [`Setup::start_connect`] asking Zoho to allow reading `entities` only
    /// (plus settings, which listing organizations needs); a reconnect asks
    /// for what its connection could read as well, so nothing is lost.
    pub fn start_connect_to_read(
        &self,
        region: Option<&str>,
        method: RedirectMethod,
        reconnect: Option<&str>,
        entities: &[Entity],
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
        let known = self
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
        let dc = self.data_centers().get(known.sign_in_at()).unwrap_or(known);
        let redirect_uri = self.redirect_uri(method)?;
        let client_id = status.client_id.unwrap_or_default();
        let mut reading: Vec<Entity> = entities.to_vec();
        if let Some(c) = &reconnect_row {
            reading.extend(c.can_read.iter().copied());
        }
        let scopes = oauth::scopes_for(&reading);
        let request = oauth::authorize(dc, &client_id, &redirect_uri, &scopes)?;
        let (started, oldest) = self.count_sign_in_start(&client_id)?;
        let warning = match (
            self.sign_in_limit_warning()?,
            self.grant_limit_warning(started, oldest),
        ) {
            (Some(a), Some(b)) => Some(format!("{b} {a}")),
            (a, b) => b.or(a),
        };
        *lock(&self.connect.pending) = Some(Pending {
            auth: request.pending,
            reconnect: reconnect_row.map(|c| c.id),
            scopes: scopes.join(","),
        });
        self.discard_exchanged();
        tracing::info!(%region, start_at = %dc.region, ?method, "sign-in started");
        Ok(ConnectStart {
            authorize_url: request.url.to_string(),
            redirect_uri,
            region,
            method,
            warning,
            asking: asking_words(&reading),
        })
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
        self.discard_exchanged();
    }

    /// A sign-in that will not be kept: its refresh token is to be revoked.
    fn discard_exchanged(&self) {
        if let Some(e) = lock(&self.connect.exchanged).take() {
            self.discard(&e.tokens);
        }
    }

    fn discard(&self, tokens: &TokenSet) {
        if let Some(refresh) = &tokens.refresh_token {
            lock(&self.connect.discarded).push((tokens.region.clone(), refresh.clone()));
        }
    }

    /// Revokes at Zoho every refresh token no connection keeps (best effort:
    /// one that cannot be revoked now is logged and dropped). Returns how
    /// many Zoho confirmed. The fronts call it after giving up a sign-in and
    /// after choosing an organization; completing a sign-in calls it too.
    pub async fn revoke_discarded(&self) -> usize {
        let tokens = std::mem::take(&mut *lock(&self.connect.discarded));
        if tokens.is_empty() {
            return 0;
        }
        let Ok(client) = self.oauth_client() else {
            return 0;
        };
        let mut revoked = 0;
        for (region, token) in tokens {
            let Some(dc) = self.data_centers().get(&region).cloned() else {
                continue;
            };
            match client.revoke(&dc, &token).await {
                Ok(()) => revoked += 1,
                Err(e) => {
                    tracing::warn!(%region, code = %e.code(), "an unkept sign-in could not be revoked")
                }
            }
        }
        tracing::info!(revoked, "unkept sign-ins revoked");
        revoked
    }

    /// Parses a redirect URL (deep link or loopback) and completes the sign-in.
    pub async fn complete_connect_url(&self, url: &str) -> Result<Vec<OrganizationChoice>, Error> {
        let cb = callback::parse_callback(url)?;
        self.complete_connect(cb).await
    }

    /// Completes the waiting sign-in with its redirect: exchanges the code and
    /// lists the organizations to choose from.
    pub(crate) async fn complete_connect(
        &self,
        cb: Callback,
    ) -> Result<Vec<OrganizationChoice>, Error> {
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
            let detail = description.clone().unwrap_or_else(|| error.clone());
            // Past Zoho's codes per Client ID, a refusal may be Zoho's.
            if let Some(limited) = self.sign_ins_limited(&detail)? {
                return Err(limited);
            }
            return Err(Error::AccessDenied { detail });
        }
        let client = self.oauth_client()?;
        let tokens = client
            .exchange_callback(self.data_centers(), &pending.auth, &cb)
            .await
            .map_err(|e| match e {
                // Always name the data center: it is the one to fix in the console.
                OAuthError::InvalidClient => {
                    let answered = match &cb.outcome {
                        CallbackOutcome::Code {
                            accounts_server: Some(server),
                            ..
                        } => self.data_centers().by_accounts_server(server),
                        _ => None,
                    };
                    let name = answered
                        .or_else(|| self.data_centers().get(&pending.auth.region))
                        .map_or_else(|| pending.auth.region.to_uppercase(), |d| d.name.clone());
                    Error::KeysRefusedAt {
                        fix: crate::keycheck::console_fix(&name),
                        name,
                    }
                }
                other => Error::OAuth(other),
            })?;
        self.revoke_discarded().await;
        let books = BooksClient::new(&tokens.api_domain)?;
        let organizations = match books.organizations(&tokens.access_token).await {
            Ok((orgs, _)) if !orgs.is_empty() => orgs,
            failed => {
                // Nothing to connect: the new sign-in is not kept.
                self.discard(&tokens);
                self.revoke_discarded().await;
                return Err(match failed {
                    Err(e) => e.into(),
                    Ok(_) => Error::NoOrganizations,
                });
            }
        };
        tracing::info!(region = %tokens.region, count = organizations.len(), "signed in");
        // Who signed in: Zoho counts sign-ins per user. One call, in the
        // organization Zoho marks default; a refusal leaves it unknown.
        let user_org = organizations
            .iter()
            .find(|o| o.is_default_org == Some(true))
            .unwrap_or(&organizations[0])
            .organization_id
            .clone();
        let user = match books.current_user(&tokens.access_token, &user_org).await {
            Ok((user, _)) => Some(user),
            Err(e) => {
                tracing::info!(error = %e, "Zoho did not say who signed in");
                None
            }
        };
        let choices = self.choices(&tokens, &organizations)?;
        let granted = tokens.scope.clone().unwrap_or(pending.scopes);
        *lock(&self.connect.exchanged) = Some(Exchanged {
            tokens,
            organizations,
            reconnect: pending.reconnect,
            granted,
            user,
            user_org,
        });
        Ok(choices)
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
        let region_chosen = self.regions()?.contains(&tokens.region);
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
                    region_chosen,
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
        // A reconnect holds the connection's token lock while it replaces the
        // sign-in, as a disconnect does while it deletes: one of them goes
        // first. A connection disconnected meanwhile is not brought back.
        let _reconnecting = match &exchanged.reconnect {
            Some(_) => {
                let held = crate::locks::hold(self.data_dir(), &Self::refresh_lock_name(&id));
                if let Err(e) = &held {
                    tracing::warn!("the token lock could not be taken: {e}");
                }
                if self.store.connection(&id)?.is_none() {
                    self.discard(&tokens);
                    return Err(Error::DisconnectedMeanwhile);
                }
                held.ok()
            }
            None => None,
        };
        // The token a reconnect replaces is revoked, not left to count
        // against Zoho's limit.
        if exchanged.reconnect.is_some() {
            if let (Ok(Some(old)), Ok(Some(row))) = (
                self.secrets().get(&entry::refresh_token(&id)),
                self.store.connection(&id),
            ) {
                lock(&self.connect.discarded).push((row.region, old));
            }
        }
        // The secret first: if the keyring refuses, no connection row points at nothing.
        self.secrets().set(&entry::refresh_token(&id), &refresh)?;
        let accounts = self
            .data_centers()
            .get(&tokens.region)
            .map(|d| zbs_zoho::dc::origin_string(&d.accounts))
            .unwrap_or_default();
        let api_domain = zbs_zoho::dc::origin_string(&tokens.api_domain);
        self.store.save_connection(&NewConnection {
            id: &id,
            organization_id: &org.organization_id,
            organization_name: &org.name,
            region: &tokens.region,
            accounts_server: &accounts,
            api_domain: &api_domain,
            plan: org.plan_name.as_deref(),
            currency: org.currency_code.as_deref(),
            connected_at: &now_text(),
            zoho_user_email: exchanged.user.as_ref().and_then(|u| u.email.as_deref()),
            zoho_user_role: exchanged
                .user
                .as_ref()
                .filter(|_| exchanged.user_org == org.organization_id)
                .and_then(|u| u.role.as_deref()),
            granted_scopes: &exchanged.granted,
            time_zone: org.time_zone.as_deref(),
        })?;
        self.keep_access_token(&id, &tokens);
        tracing::info!(connection = %id, "organization connected");
        if let Some(email) = exchanged.user.as_ref().and_then(|u| u.email.as_deref()) {
            self.mark_dropped_sign_ins(email)?;
        }
        self.connection(&id)
    }

    /// Past Zoho's limit of sign-ins per user and client, Zoho has deleted
    /// the oldest of `email`'s: those connections are marked as needing a
    /// reconnect now, not when a pull fails.
    fn mark_dropped_sign_ins(&self, email: &str) -> Result<(), Error> {
        let mine: Vec<Connection> = self
            .live_sign_ins()?
            .filter(|c| c.zoho_user_email.as_deref() == Some(email))
            .collect();
        let over = mine.len().saturating_sub(ZOHO_REFRESH_TOKEN_LIMIT as usize);
        for c in mine.iter().take(over) {
            tracing::warn!(connection = %c.id, "Zoho dropped this sign-in: over the limit per user");
            self.store.mark_needs_reconnect(&c.id)?;
        }
        Ok(())
    }

    /// Connections per Zoho user (oldest first within each), for Zoho's
    /// limit of sign-ins per user and client. Connections made before the
    /// app asked who signed in are one group of their own.
    pub fn sign_ins_per_user(&self) -> Result<Vec<SignIns>, Error> {
        let mut groups: Vec<SignIns> = Vec::new();
        for c in self.live_sign_ins()? {
            let name = c
                .label
                .clone()
                .unwrap_or_else(|| c.organization_name.clone());
            match groups.iter_mut().find(|g| g.email == c.zoho_user_email) {
                Some(g) => g.connections.push(name),
                None => groups.push(SignIns {
                    email: c.zoho_user_email.clone(),
                    connections: vec![name],
                }),
            }
        }
        Ok(groups)
    }

    /// The connections whose sign-in Zoho still holds, oldest first: one
    /// marked for a reconnect holds no live token any more.
    fn live_sign_ins(&self) -> Result<impl Iterator<Item = Connection>, Error> {
        Ok(self
            .connections()?
            .into_iter()
            .filter(|c| c.state != ConnectionState::NeedsReconnect))
    }

    /// The stored connections, oldest first.
    pub fn connections(&self) -> Result<Vec<Connection>, Error> {
        Ok(self.store.connections()?)
    }

    /// One stored connection.
    pub fn connection(&self, id: &str) -> Result<Connection, Error> {
        self.store
            .connection(id)?
            .ok_or_else(|| Error::UnknownConnection { id: id.to_owned() })
    }

    /// Gives a connection a name of the person's choosing (empty: none).
    pub fn rename_connection(&self, id: &str, label: &str) -> Result<Connection, Error> {
        let label = label.trim();
        let label = (!label.is_empty()).then(|| label.chars().take(80).collect::<String>());
        if !self.store.rename_connection(id, label.as_deref())? {
            return Err(Error::UnknownConnection { id: id.to_owned() });
        }
        self.connection(id)
    }

    /// Revokes the connection's refresh token at Zoho, then forgets it here.
    /// With `force`, forgets it even when Zoho cannot be reached.
    pub async fn disconnect(&self, id: &str, force: bool) -> Result<(), Error> {
        let connection = self.connection(id)?;
        let mark = format!("{DEPARTING_PREFIX}{}", connection.id);
        self.store.set(&mark, &now_ms())?;
        let result = self.disconnect_now(&connection, force).await;
        self.store.remove(&mark)?;
        result
    }

    /// True while a disconnect of the connection runs, in any process.
    pub(crate) fn is_departing(&self, id: &str) -> bool {
        let since: Option<i64> = self
            .store
            .get(&format!("{DEPARTING_PREFIX}{id}"))
            .ok()
            .flatten();
        since.is_some_and(|t| now_ms() - t < DEPARTING_FOR_MS)
    }

    async fn disconnect_now(&self, connection: &Connection, force: bool) -> Result<(), Error> {
        let id = connection.id.as_str();
        // An unreadable token cannot be revoked: it is forgotten all the same.
        let stored = match self.secrets().get(&entry::refresh_token(id)) {
            Err(SecretError::Garbled { .. }) => None,
            other => other?,
        };
        if let Some(refresh) = &stored {
            let dc = self.data_centers().get(&connection.region).cloned();
            if let Some(dc) = dc {
                match self.oauth_client()?.revoke(&dc, refresh).await {
                    Ok(()) => {}
                    Err(e) if force => {
                        tracing::warn!(code = %e.code(), "revoke failed; forgetting anyway")
                    }
                    Err(e) => return Err(Error::RevokeFailed { source: e }),
                }
            }
        }
        let replaced = self
            .delete_connection_and_tokens(&connection.id, stored.as_ref())
            .await?;
        // A reconnect that finished meanwhile left a new sign-in: it goes too.
        if let Some(refresh) = replaced {
            lock(&self.connect.discarded).push((connection.region.clone(), refresh));
            self.revoke_discarded().await;
        }
        tracing::info!(connection = %id, "disconnected");
        Ok(())
    }

    fn times_connected(&self, organization_id: &str) -> Result<u32, Error> {
        Ok(self.store.times_connected(organization_id)?)
    }

    /// Warns, before the 20th sign-in of a Zoho user, that more sign-ins
    /// as that user make Zoho drop the oldest connection, and names it.
    pub(crate) fn sign_in_limit_warning(&self) -> Result<Option<String>, Error> {
        let limit = ZOHO_REFRESH_TOKEN_LIMIT as usize;
        let worst = self
            .sign_ins_per_user()?
            .into_iter()
            .filter(|g| g.connections.len() + 1 >= limit)
            .max_by_key(|g| g.connections.len());
        let platform = self.platform_name();
        Ok(worst.map(|g| {
            let n = g.connections.len();
            let who = g.email.as_deref().map_or_else(
                || "the Zoho user of the connections made with an earlier version".to_owned(),
                |e| e.to_owned(),
            );
            let oldest = &g.connections[0];
            let next = if n + 1 == limit {
                format!(
                    "one more sign-in as {who} is the last that fits; the one after makes Zoho \
                     drop the oldest, \"{oldest}\", without telling it"
                )
            } else {
                format!(
                    "the next sign-in as {who} makes Zoho drop the oldest, \"{oldest}\", \
                     without telling it"
                )
            };
            format!(
                "{who} has {n} connections here, each one a sign-in. Zoho keeps at most {limit} \
                 sign-ins per Zoho user for this Client ID: {next}. Organizations connected \
                 through {platform} as the same Zoho user count too, and this app cannot see \
                 them. Disconnect connections you no longer use first, or sign in as another \
                 Zoho user."
            )
        }))
    }

    /// Counts a sign-in started now with `client_id` (in the shared file,
    /// so the window and every `zbsetup` count together); returns how many
    /// were started with it in the last 10 minutes, this one included, and
    /// when the oldest of them was.
    fn count_sign_in_start(&self, client_id: &str) -> Result<(u32, Option<i64>), Error> {
        Ok(self
            .store
            .count_sign_in_start(client_id, now_ms(), GRANT_WINDOW_MS)?)
    }

    /// Forgets the sign-ins counted as started (the demo's staged stories).
    pub fn forget_sign_in_starts(&self) -> Result<(), Error> {
        Ok(self.store.forget_sign_in_starts()?)
    }

    /// The platform's name for messages ("Codat"; "the platform" when the
    /// keys are only for this app).
    fn platform_name(&self) -> String {
        match self.platform() {
            Ok(crate::platform::PlatformChoice::Codat) => "Codat".to_owned(),
            Ok(crate::platform::PlatformChoice::Other { name, .. }) => name,
            _ => "the integration platform".to_owned(),
        }
    }

    /// Minutes until the oldest of the recent sign-ins leaves the window.
    fn minutes_until_a_sign_in_frees(&self, oldest_ms: Option<i64>) -> i64 {
        let left_ms = oldest_ms.map_or(GRANT_WINDOW_MS, |t| t + GRANT_WINDOW_MS - now_ms());
        ((left_ms + 59_999) / 60_000).clamp(1, 10)
    }

    /// Warns, from the sign-in before the one that reaches Zoho's limit of
    /// authorization codes per Client ID in 10 minutes, that the platform's
    /// customers share it and how long to wait.
    /// `started` sign-ins in the window, the oldest at `oldest` (Unix ms).
    pub(crate) fn grant_limit_warning(&self, started: u32, oldest: Option<i64>) -> Option<String> {
        if started + 1 < ZOHO_GRANTS_PER_CLIENT {
            return None;
        }
        let minutes = self.minutes_until_a_sign_in_frees(oldest);
        let platform = self.platform_name();
        let plural = if minutes == 1 { "" } else { "s" };
        let limit = ZOHO_GRANTS_PER_CLIENT;
        let where_we_are = if started > limit {
            format!(
                "This is sign-in {started} with this Client ID in 10 minutes, past Zoho's limit of \
                 {limit}: Zoho may refuse it."
            )
        } else {
            format!(
                "This is sign-in {started} of the {limit} Zoho allows with this Client ID in 10 \
                 minutes."
            )
        };
        Some(format!(
            "{where_we_are} Your customers connecting through {platform} share this limit, and \
             past it their sign-ins are refused too: wait {minutes} minute{plural} before the \
             next test sign-in."
        ))
    }

    /// The error for a consent answered `access_denied` while Zoho's limit of
    /// codes per Client ID was likely reached; `None` when few sign-ins
    /// were started (the person chose Deny).
    fn sign_ins_limited(&self, detail: &str) -> Result<Option<Error>, Error> {
        let client_id = self.status_client_id()?.unwrap_or_default();
        let (started, oldest) =
            self.store
                .recent_sign_in_starts(&client_id, now_ms(), GRANT_WINDOW_MS)?;
        if started < ZOHO_GRANTS_PER_CLIENT {
            return Ok(None);
        }
        let minutes = self.minutes_until_a_sign_in_frees(oldest);
        Ok(Some(Error::SignInsLimited {
            detail: detail
                .chars()
                .filter(|c| !c.is_control())
                .take(200)
                .collect(),
            started,
            limit: ZOHO_GRANTS_PER_CLIENT,
            platform: self.platform_name(),
            minutes,
            plural: if minutes == 1 { "" } else { "s" },
        }))
    }

    pub(crate) fn oauth_client(&self) -> Result<OAuthClient, Error> {
        let client_id: String = self.status_client_id()?.ok_or(Error::NoCredentials)?;
        let secret = self.client_secret()?.ok_or(Error::NoCredentials)?;
        Ok(OAuthClient::new(client_id, secret)?)
    }
}
