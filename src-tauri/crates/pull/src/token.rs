//! Where a pull gets its access token: the [`TokenSource`] trait. The setup
//! crate implements it for a stored connection (refresh token in the
//! keyring, refreshed through `zbs_zoho::OAuthClient`); tests implement it
//! with a real OAuth flow against the simulator. Tokens stay in memory as
//! `SecretString`s and never reach a log, an error message or SQLite.

use futures_util::future::BoxFuture;
use secrecy::SecretString;
use url::Url;

/// An access token and the API domain it is valid for.
#[derive(Debug, Clone)]
pub struct AccessGrant {
    pub token: SecretString,
    /// Origin of the Books API (`https://www.zohoapis.com`), from the
    /// trusted data-center table.
    pub api_domain: Url,
}

/// Why no access token could be had.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    /// The refresh token is gone (revoked, or the 21st connection pushed it
    /// out): only connecting again helps. The text is for a person.
    #[error("{0}")]
    ReconnectNeeded(String),
    /// Anything else (network, keyring, Zoho's token limits). The text is
    /// for a person and must not contain a secret.
    #[error("{0}")]
    Other(String),
}

/// Hands out access tokens for one connection.
pub trait TokenSource: Send + Sync {
    /// The current access token; with `refresh`, a newly minted one (the
    /// current one was refused). Called at the start of a run and at most
    /// once more per run after an HTTP 401.
    fn access_token(&self, refresh: bool) -> BoxFuture<'_, Result<AccessGrant, TokenError>>;
}

/// A fixed grant that cannot be refreshed: for short jobs and tests.
#[derive(Debug, Clone)]
pub struct StaticToken(pub AccessGrant);

impl TokenSource for StaticToken {
    fn access_token(&self, refresh: bool) -> BoxFuture<'_, Result<AccessGrant, TokenError>> {
        let grant = self.0.clone();
        Box::pin(async move {
            if refresh {
                Err(TokenError::ReconnectNeeded(
                    "this access token cannot be renewed".into(),
                ))
            } else {
                Ok(grant)
            }
        })
    }
}
