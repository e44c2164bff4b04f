//! Access tokens of stored connections. Zoho mints at most 10 access tokens
//! per refresh token in 10 minutes, and an access token lives an hour, so a
//! token outlives the process that got it: it is kept with its expiry in
//! the keyring beside the refresh token (shared by the window and every
//! `zbsetup` process) and in memory. A new one is asked for only when the
//! kept one is close to expiry or Zoho refused it (a 401), one refresh at a
//! time per connection across processes (a lock file in the data folder;
//! the process that waited re-reads what the other one kept). A refresh
//! token Zoho no longer accepts (or one missing from the keyring) marks the
//! connection as needing a reconnect. Tokens are `SecretString`s and never
//! reach a log, an error message or SQLite.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use zbs_pull::AccessGrant;
use zbs_zoho::oauth::{OAuthError, TokenSet};

use crate::error::Error;
use crate::secrets::{entry, SecretError};
use crate::Setup;

/// Refresh an access token this long before Zoho says it expires, at
/// most: a tenth of its lifetime when that is shorter, so a short-lived
/// token is not refreshed on every use near the end of its life.
const EXPIRY_MARGIN: Duration = Duration::from_secs(120);

/// The margin before expiry for a token that lives `lifetime`.
fn margin(lifetime: Duration) -> Duration {
    EXPIRY_MARGIN.min(lifetime / 10)
}

struct CachedToken {
    grant: AccessGrant,
    expires_at: Instant,
    margin: Duration,
}

/// The access tokens of one `Setup`'s connections (in memory only).
#[derive(Default)]
pub(crate) struct Tokens {
    cached: Mutex<HashMap<String, CachedToken>>,
    refreshing: Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>,
}

impl std::fmt::Debug for Tokens {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Tokens { .. }")
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// What the keyring keeps of an access token (the entry's value, as JSON).
#[derive(Serialize, Deserialize)]
struct Kept {
    token: String,
    /// Unix seconds.
    expires_at: u64,
    api_domain: String,
    /// Seconds it lives (`expires_in`); absent in entries of earlier versions.
    #[serde(default)]
    lifetime: Option<u64>,
}

fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

impl Tokens {
    /// Keeps an access token in memory until `expires_in` from now; it is
    /// used until `margin` before that.
    fn keep_grant(&self, id: &str, grant: AccessGrant, expires_in: Duration, margin: Duration) {
        lock(&self.cached).insert(
            id.to_owned(),
            CachedToken {
                grant,
                expires_at: Instant::now() + expires_in,
                margin,
            },
        );
    }

    pub(crate) fn forget(&self, id: &str) {
        lock(&self.cached).remove(id);
    }

    fn fresh(&self, id: &str) -> Option<AccessGrant> {
        lock(&self.cached)
            .get(id)
            .filter(|t| t.expires_at > Instant::now() + t.margin)
            .map(|t| t.grant.clone())
    }

    fn gate(&self, id: &str) -> Arc<tokio::sync::Mutex<()>> {
        lock(&self.refreshing)
            .entry(id.to_owned())
            .or_default()
            .clone()
    }
}

impl Setup {
    /// Keeps the access token a sign-in or refresh just got: in memory, and
    /// in the keyring for the other processes (a keyring that refuses costs
    /// only a refresh later, so it is logged, not fatal).
    pub(crate) fn keep_access_token(&self, id: &str, tokens: &TokenSet) {
        let grant = AccessGrant {
            token: tokens.access_token.clone(),
            api_domain: tokens.api_domain.clone(),
        };
        self.tokens
            .keep_grant(id, grant, tokens.expires_in, margin(tokens.expires_in));
        let kept = Kept {
            token: tokens.access_token.expose_secret().to_owned(),
            expires_at: unix_now() + tokens.expires_in.as_secs(),
            api_domain: zbs_zoho::dc::origin_string(&tokens.api_domain),
            lifetime: Some(tokens.expires_in.as_secs()),
        };
        let value = SecretString::from(serde_json::to_string(&kept).unwrap_or_default());
        if let Err(e) = self.secrets().set(&entry::access_token(id), &value) {
            tracing::warn!(code = %e.code(), "the access token could not be kept in the keyring");
        }
    }

    /// The access token another process (or an earlier run) kept, if it is
    /// still good for a while and for an API domain this setup trusts.
    fn kept_access_token(&self, id: &str) -> Option<(AccessGrant, Duration, Duration)> {
        let value = self.secrets().get(&entry::access_token(id)).ok()??;
        let kept: Kept = serde_json::from_str(value.expose_secret()).ok()?;
        let left = kept.expires_at.checked_sub(unix_now())?;
        let margin = kept
            .lifetime
            .map_or(EXPIRY_MARGIN, |l| margin(Duration::from_secs(l)));
        if left <= margin.as_secs() || kept.token.is_empty() {
            return None;
        }
        // Changed outside the app: only a domain of the trusted table is used.
        let api_domain = self
            .data_centers()
            .by_api_domain(&kept.api_domain)?
            .api
            .clone();
        Some((
            AccessGrant {
                token: SecretString::from(kept.token),
                api_domain,
            },
            Duration::from_secs(left),
            margin,
        ))
    }

    /// A fresh token from memory, else from the keyring (then kept in memory).
    fn usable_access_token(&self, id: &str) -> Option<AccessGrant> {
        if let Some(grant) = self.tokens.fresh(id) {
            return Some(grant);
        }
        let (grant, left, margin) = self.kept_access_token(id)?;
        self.tokens.keep_grant(id, grant.clone(), left, margin);
        Some(grant)
    }

    /// Forgets a connection's access token everywhere.
    pub(crate) fn forget_access_token(&self, id: &str) {
        self.tokens.forget(id);
        if let Err(e) = self.secrets().delete(&entry::access_token(id)) {
            tracing::warn!(code = %e.code(), "the access token could not be removed from the keyring");
        }
    }

    /// The name of a connection's refresh lock file in the data folder's `locks/`.
    pub(crate) fn refresh_lock_name(id: &str) -> String {
        let safe: String = id
            .chars()
            .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
            .take(64)
            .collect();
        format!("token-{safe}.lock")
    }

    /// Holds the connection's refresh lock file (across processes) until dropped.
    async fn refresh_lock(&self, id: &str) -> Option<std::fs::File> {
        let data_dir = self.data_dir().to_owned();
        let name = Self::refresh_lock_name(id);
        let locked =
            tokio::task::spawn_blocking(move || crate::locks::hold(&data_dir, &name)).await;
        match locked {
            Ok(Ok(file)) => Some(file),
            // Without the lock two processes may both refresh: it costs one token.
            Ok(Err(e)) => {
                tracing::warn!("the token lock could not be taken: {e}");
                None
            }
            Err(_) => None,
        }
    }

    /// Deletes a connection and everything of it: its refresh token, its
    /// row (with its pulled records) and its access token, in memory and in
    /// the keyring. Done under the connection's refresh lock, in this
    /// process and across processes: a refresh in flight keeps its new
    /// access token first and it goes with the rest; one that starts later
    /// finds no connection and keeps nothing. Whatever is left in the
    /// keyring (a keyring that refused, a process that was killed) is noted
    /// and swept at a later start.
    ///
    /// Returns the refresh token found under the lock when it is not
    /// `revoked` (a reconnect replaced it meanwhile), for the caller to
    /// revoke too.
    pub(crate) async fn delete_connection_and_tokens(
        &self,
        id: &str,
        revoked: Option<&SecretString>,
    ) -> Result<Option<SecretString>, Error> {
        let gate = self.tokens.gate(id);
        let _one_at_a_time = gate.lock().await;
        let _across_processes = self.refresh_lock(id).await;
        let departed = format!("{}{id}", crate::keys::DEPARTED_PREFIX);
        self.store.set(&departed, &true)?;
        let replaced = match self.secrets().get(&entry::refresh_token(id)) {
            Ok(Some(now)) if revoked.is_none_or(|r| r.expose_secret() != now.expose_secret()) => {
                Some(now)
            }
            _ => None,
        };
        self.secrets().delete(&entry::refresh_token(id))?;
        self.store.delete_connection(id)?;
        self.tokens.forget(id);
        match self.secrets().delete(&entry::access_token(id)) {
            Ok(()) => self.store.remove(&departed)?,
            Err(e) => {
                tracing::warn!(code = %e.code(), "the access token could not be removed from the keyring; it goes at the next start")
            }
        }
        Ok(replaced)
    }

    /// Removes the keyring entries of connections disconnected earlier whose
    /// removal did not finish (see [`Setup::delete_connection_and_tokens`]).
    /// Never waits: a connection whose lock is held is left for next time.
    pub(crate) fn sweep_departed_connections(&self) {
        let prefix = crate::keys::DEPARTED_PREFIX;
        let Ok(departed) = self.store.keys_starting_with(prefix) else {
            return;
        };
        for key in departed {
            let id = &key[prefix.len()..];
            if matches!(self.store.connection(id), Ok(Some(_))) {
                // The disconnect stopped before deleting it: nothing to sweep.
                let _ = self.store.remove(&key);
                continue;
            }
            let Ok(file) = crate::locks::open(self.data_dir(), &Self::refresh_lock_name(id)) else {
                continue;
            };
            if file.try_lock().is_err() {
                continue;
            }
            let gone = [entry::access_token(id), entry::refresh_token(id)]
                .iter()
                .all(|name| self.secrets().delete(name).is_ok());
            if gone {
                tracing::info!(connection = %id, "a disconnected connection's tokens were swept");
                let _ = self.store.remove(&key);
            }
        }
    }

    /// A valid access token for a connection, refreshed when close to expiry or
    /// when `force` (after a 401); one refresh at a time per connection, in
    /// this process and across processes.
    pub(crate) async fn access_token(&self, id: &str, force: bool) -> Result<AccessGrant, Error> {
        let refused = if force { self.tokens.fresh(id) } else { None };
        if !force {
            if let Some(grant) = self.usable_access_token(id) {
                return Ok(grant);
            }
        }
        let gate = self.tokens.gate(id);
        let _one_at_a_time = gate.lock().await;
        let _across_processes = self.refresh_lock(id).await;
        // Another task or process may have refreshed while this one waited:
        // use its token, unless it is the very one Zoho just refused.
        if let Some(grant) = self.usable_access_token(id) {
            let same_as_refused = refused
                .as_ref()
                .is_some_and(|r| r.token.expose_secret() == grant.token.expose_secret());
            if !force || !same_as_refused {
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
                self.keep_access_token(id, &tokens);
                Ok(AccessGrant {
                    token: tokens.access_token,
                    api_domain: tokens.api_domain,
                })
            }
            Err(OAuthError::RefreshRevoked) => {
                self.mark_needs_reconnect(id)?;
                Err(Error::ReconnectNeeded { name })
            }
            Err(e) => Err(e.into()),
        }
    }

    fn mark_needs_reconnect(&self, id: &str) -> Result<(), Error> {
        self.store.mark_needs_reconnect(id)?;
        self.forget_access_token(id);
        Ok(())
    }
}
