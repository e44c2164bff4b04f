//! Where a pull gets its access token: the [`TokenSource`] trait. The setup
//! crate implements it for a stored connection (refresh token in the
//! keyring, refreshed through `zbs_zoho::OAuthClient`); tests implement it
//! with a real OAuth flow against the simulator. Tokens stay in memory as
//! `SecretString`s and never reach a log, an error message or SQLite.

use futures_util::future::BoxFuture;
use secrecy::SecretString;
use url::Url;
use zbs_codes::Code;

/// An access token and the API domain it is valid for.
#[derive(Debug, Clone)]
pub struct AccessGrant {
    pub token: SecretString,
    /// Origin of the Books API (`https://www.zohoapis.com`), from the
    /// trusted data-center table.
    pub api_domain: Url,
}

/// Why no access token could be had: the cause's own [`Code`] and message
/// (a locked keyring stays `keyring_locked`), and the cause itself as the
/// error's source. The message is for a person and never holds a secret.
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct TokenError {
    code: Code,
    message: String,
    #[source]
    source: Option<Box<dyn std::error::Error + Send + Sync + 'static>>,
}

impl TokenError {
    /// Zoho no longer accepts the refresh token (revoked, or pushed out by
    /// newer sign-ins): only connecting again helps.
    pub fn reconnect_needed(message: impl Into<String>) -> Self {
        TokenError {
            code: Code::ReconnectNeeded,
            message: message.into(),
            source: None,
        }
    }

    /// The connection was disconnected (or is being): no token will come,
    /// and the pull's records go with it.
    pub fn connection_removed() -> Self {
        TokenError {
            code: Code::ConnectionRemoved,
            message: "The connection was disconnected.".into(),
            source: None,
        }
    }

    /// Any other cause, keeping its code, its message and itself.
    pub fn from_cause<E>(code: Code, cause: E) -> Self
    where
        E: std::error::Error + Send + Sync + 'static,
    {
        TokenError {
            code,
            message: cause.to_string(),
            source: Some(Box::new(cause)),
        }
    }

    /// The cause's code.
    pub fn code(&self) -> Code {
        self.code
    }

    /// True when only a new sign-in can help.
    pub fn is_reconnect_needed(&self) -> bool {
        self.code == Code::ReconnectNeeded
    }
}

/// Hands out access tokens for one connection.
pub trait TokenSource: Send + Sync {
    /// The current access token; with `refresh`, a newly minted one (the
    /// current one was refused). Called at the start of a run and again
    /// after each HTTP 401 on a token that was not minted moments ago.
    fn access_token(&self, refresh: bool) -> BoxFuture<'_, Result<AccessGrant, TokenError>>;

    /// The API domain the tokens are for, known without asking Zoho (the
    /// stored connection's). With the organization id it names the
    /// organization on this computer, so that only one pull of it runs at a
    /// time whatever the data folder; `None` when not known (no such lock).
    fn api_domain(&self) -> Option<Url>;

    /// The organization's time zone as Zoho names it (`America/New_York`),
    /// when known: its midnight is when Zoho resets the daily quota, which
    /// a pull stopped by the quota waits for when no header said when.
    fn organization_time_zone(&self) -> Option<String> {
        None
    }
}

/// A fixed grant that cannot be refreshed: for short jobs and tests.
#[derive(Debug, Clone)]
pub struct StaticToken(pub AccessGrant);

impl TokenSource for StaticToken {
    fn access_token(&self, refresh: bool) -> BoxFuture<'_, Result<AccessGrant, TokenError>> {
        let grant = self.0.clone();
        Box::pin(async move {
            if refresh {
                Err(TokenError::reconnect_needed(
                    "this access token cannot be renewed",
                ))
            } else {
                Ok(grant)
            }
        })
    }

    fn api_domain(&self) -> Option<Url> {
        Some(self.0.api_domain.clone())
    }
}
