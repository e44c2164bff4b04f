//! Access tokens of stored connections: a cache in memory, refreshed through
//! the refresh token in the keyring when close to expiry or after a 401,
//! one refresh at a time per connection. A refresh token Zoho no longer
//! accepts (or one missing from the keyring) marks the connection as needing
//! a reconnect. Tokens are [`SecretString`]s and never reach a log, an error
//! message or SQLite.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use zbs_pull::AccessGrant;
use zbs_zoho::oauth::{OAuthError, TokenSet};

use crate::error::Error;
use crate::secrets::{entry, SecretError};
use crate::Setup;

/// Refresh an access token this long before Zoho says it expires.
const EXPIRY_MARGIN: Duration = Duration::from_secs(120);

struct CachedToken {
    grant: AccessGrant,
    expires_at: Instant,
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

impl Tokens {
    /// Keeps the access token a sign-in or refresh just got.
    pub(crate) fn keep(&self, id: &str, tokens: &TokenSet) {
        lock(&self.cached).insert(
            id.to_owned(),
            CachedToken {
                grant: AccessGrant {
                    token: tokens.access_token.clone(),
                    api_domain: tokens.api_domain.clone(),
                },
                expires_at: Instant::now() + tokens.expires_in,
            },
        );
    }

    pub(crate) fn forget(&self, id: &str) {
        lock(&self.cached).remove(id);
    }

    fn fresh(&self, id: &str) -> Option<AccessGrant> {
        lock(&self.cached)
            .get(id)
            .filter(|t| t.expires_at > Instant::now() + EXPIRY_MARGIN)
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
    /// A valid access token for a connection, refreshed when close to expiry or
    /// when `force` (after a 401); one refresh at a time per connection.
    pub(crate) async fn access_token(&self, id: &str, force: bool) -> Result<AccessGrant, Error> {
        if !force {
            if let Some(grant) = self.tokens.fresh(id) {
                return Ok(grant);
            }
        }
        let gate = self.tokens.gate(id);
        let _one_at_a_time = gate.lock().await;
        if let Some(grant) = self.tokens.fresh(id) {
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
                self.tokens.keep(id, &tokens);
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
        self.tokens.forget(id);
        Ok(())
    }
}
