//! Zoho OAuth 2.0: the authorize URL (PKCE S256, CSRF state), the code
//! exchange, refresh and revocation, with the `oauth2` crate.
//!
//! Flow: [`authorize`] builds the consent URL and a [`PendingAuth`] that stays
//! in memory; the redirect comes back through [`crate::callback`] (deep link)
//! or [`crate::loopback`]; [`OAuthClient::exchange_callback`] (or
//! [`OAuthClient::exchange_code`]) trades the code for a [`TokenSet`], sending
//! the client secret only to an accounts server of the [`DataCenters`] table in
//! force. Zoho reports errors as HTTP 200 with `{"error": ...}`; a small HTTP
//! adapter ([`ZohoHttp`]) turns those into what `oauth2` expects (a 400), and
//! classifies 5xx, timeouts and garbage before `oauth2` sees them. Token
//! responses are never logged. The code exchange is never retried (codes are
//! single-use); refresh and revoke are, with full jitter, on transient failures.

use std::future::Future;
use std::pin::Pin;
use std::time::{Duration, Instant};
use zbs_codes::Code;

use oauth2::basic::{
    BasicErrorResponse, BasicRevocationErrorResponse, BasicTokenIntrospectionResponse,
    BasicTokenType,
};
use oauth2::{
    AsyncHttpClient, AuthType, AuthUrl, AuthorizationCode, Client, ClientId, ClientSecret,
    CsrfToken, EndpointNotSet, EndpointSet, ExtraTokenFields, HttpRequest, HttpResponse,
    PkceCodeChallenge, PkceCodeVerifier, RedirectUrl, RefreshToken, RequestTokenError,
    StandardRevocableToken, StandardTokenResponse, TokenResponse, TokenUrl,
};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use url::Url;

use crate::callback::{Callback, CallbackOutcome};
use crate::dc::{DataCenter, DataCenters};

/// How long a started sign-in may take before its code is refused locally.
pub const PENDING_AUTH_TTL: Duration = Duration::from_secs(10 * 60);
/// Connect timeout of the token client.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// Total timeout of one token request.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
/// Largest token-endpoint answer read (a real one is well under 1 KiB).
const MAX_TOKEN_BODY: usize = 64 * 1024;

/// Least-privilege, read-only scopes for every record type a pull reads
/// (each one's module, from its entry in `books/entity.rs`).
///
/// `settings` is needed for `/organizations` (docs/zoho.md) and also covers
/// `/items` (Zoho files items under settings, so there is no `items` scope);
/// `contacts` covers customers and vendors. Which modules are in Zoho's
/// scope docs and which are unverified is noted in `books/entity.rs`.
pub fn default_scopes() -> Vec<String> {
    scopes_for(crate::Entity::all())
}

/// The scope every sign-in asks for whatever it reads: `/organizations`
/// and `/users/me` need it.
pub const SETTINGS_SCOPE: &str = "ZohoBooks.settings.READ";

/// The read-only scopes reading `entities` needs, and no more: settings
/// first (see [`SETTINGS_SCOPE`]), then one per module, in Zoho's order of
/// [`Entity::all`], each once.
pub fn scopes_for(entities: &[crate::Entity]) -> Vec<String> {
    let mut scopes = vec![SETTINGS_SCOPE.to_owned()];
    for e in crate::Entity::all() {
        let scope = format!("ZohoBooks.{}.READ", e.scope_module());
        if entities.contains(e) && !scopes.contains(&scope) {
            scopes.push(scope);
        }
    }
    scopes
}

/// Whether a granted scope list (as the token answer's `scope` says it:
/// separated by commas or spaces) allows reading `entity`: its module's
/// `READ` or `ALL`, or `ZohoBooks.fullaccess.all`, in any letter case.
pub fn scope_covers(granted: &str, entity: crate::Entity) -> bool {
    granted
        .split(|c: char| c == ',' || c.is_whitespace())
        .filter(|s| !s.is_empty())
        .any(|s| {
            let mut parts = s.split('.');
            let (Some(app), Some(module), Some(op), None) =
                (parts.next(), parts.next(), parts.next(), parts.next())
            else {
                return false;
            };
            app.eq_ignore_ascii_case("ZohoBooks")
                && ((module.eq_ignore_ascii_case("fullaccess") && op.eq_ignore_ascii_case("all"))
                    || (module.eq_ignore_ascii_case(entity.scope_module())
                        && (op.eq_ignore_ascii_case("READ") || op.eq_ignore_ascii_case("ALL"))))
        })
}

/// The consent URL to open, and what must be remembered until the redirect.
#[derive(Debug)]
pub struct AuthorizeRequest {
    pub url: Url,
    pub pending: PendingAuth,
}

/// A sign-in in progress. In memory only: it holds the PKCE verifier, is
/// deliberately not `Serialize`, and its `Debug` hides the verifier.
#[derive(Debug, Clone)]
pub struct PendingAuth {
    /// The CSRF `state` sent to Zoho.
    pub state: String,
    verifier: SecretString,
    /// Region whose accounts server the consent URL points at.
    pub region: String,
    /// Exact redirect URI sent (the exchange must repeat it).
    pub redirect_uri: String,
    pub created_at: Instant,
    pub expires_in: Duration,
}

impl PendingAuth {
    /// The PKCE code verifier.
    pub fn verifier(&self) -> &SecretString {
        &self.verifier
    }

    /// Compares a callback's `state` with this sign-in's, in constant time.
    pub fn state_matches(&self, state: &str) -> bool {
        use sha2::{Digest, Sha256};
        Sha256::digest(self.state.as_bytes()) == Sha256::digest(state.as_bytes())
    }

    /// True once [`Self::expires_in`] has passed since creation.
    pub fn is_expired(&self) -> bool {
        self.created_at.elapsed() > self.expires_in
    }
}

/// Builds Zoho's consent URL: `{accounts}/oauth/v2/auth` with `client_id`,
/// `response_type=code`, `redirect_uri`, comma-separated `scope`,
/// `access_type=offline`, `prompt=consent`, a random `state` and PKCE S256.
pub fn authorize(
    dc: &DataCenter,
    client_id: &str,
    redirect_uri: &str,
    scopes: &[String],
) -> Result<AuthorizeRequest, OAuthError> {
    let auth_url = AuthUrl::new(dc.accounts_endpoint("/oauth/v2/auth")).map_err(|_| {
        OAuthError::UnknownRegion {
            region: dc.region.clone(),
        }
    })?;
    let redirect =
        RedirectUrl::new(redirect_uri.to_owned()).map_err(|_| OAuthError::InvalidRedirectUri {
            uri: sanitize(redirect_uri, 200),
        })?;
    let client = oauth2::basic::BasicClient::new(ClientId::new(client_id.to_owned()))
        .set_auth_uri(auth_url)
        .set_redirect_uri(redirect);
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    // Zoho wants comma-separated scopes; oauth2 would join them with spaces.
    let (url, csrf) = client
        .authorize_url(CsrfToken::new_random)
        .add_extra_param("scope", scopes.join(","))
        .add_extra_param("access_type", "offline")
        .add_extra_param("prompt", "consent")
        .set_pkce_challenge(challenge)
        .url();
    Ok(AuthorizeRequest {
        url,
        pending: PendingAuth {
            state: csrf.secret().clone(),
            verifier: SecretString::from(verifier.secret().clone()),
            region: dc.region.clone(),
            redirect_uri: redirect_uri.to_owned(),
            created_at: Instant::now(),
            expires_in: PENDING_AUTH_TTL,
        },
    })
}

/// The S256 PKCE challenge of a verifier (`BASE64URL(SHA256(verifier))`).
/// `None` if the verifier is not 43..=128 characters long.
pub fn pkce_challenge(verifier: &str) -> Option<String> {
    if !(43..=128).contains(&verifier.len()) {
        return None;
    }
    let challenge =
        PkceCodeChallenge::from_code_verifier_sha256(&PkceCodeVerifier::new(verifier.to_owned()));
    Some(challenge.as_str().to_owned())
}

/// Tokens from Zoho. `Debug` hides both tokens; not `Serialize`.
#[derive(Debug, Clone)]
pub struct TokenSet {
    pub access_token: SecretString,
    /// Present after a code exchange; Zoho omits it on refresh.
    pub refresh_token: Option<SecretString>,
    pub expires_in: Duration,
    /// The API domain to call (normalised origin, from the trusted table).
    pub api_domain: Url,
    pub scope: Option<String>,
    /// Region of the accounts server that issued the tokens: refresh and
    /// revoke must go there.
    pub region: String,
}

/// Bounded retries with full jitter, for refresh and revoke.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Total attempts, including the first (at least 1).
    pub max_attempts: u32,
    pub base_delay: Duration,
    pub max_delay: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 3,
            base_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(5),
        }
    }
}

impl RetryPolicy {
    /// Full jitter: uniform in `[0, min(max, base * 2^(attempt-1))]`.
    pub fn delay(&self, attempt: u32) -> Duration {
        crate::retry::backoff(self.base_delay, self.max_delay, attempt)
    }
}

/// Zoho's token limits hold new sign-ins back for 15 to 30 minutes (peers'
/// reports): the message gives the later end as the time to try again.
fn too_many_requests_message() -> String {
    let at = time::OffsetDateTime::now_utc() + time::Duration::minutes(30);
    format!(
        "Zoho is refusing new sign-ins for a while (about 15 to 30 minutes), because too many \
         were asked for in a short time. Try again after {:02}:{:02} UTC.",
        at.hour(),
        at.minute()
    )
}

/// What an accounts server said of the keys (see [`OAuthClient::probe_client`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyProbe {
    /// It knows the client, with this secret.
    Accepted,
    /// It knows the client, but not the redirect URI sent.
    RedirectUriUnknown,
}

/// Why a sign-in step failed. Never contains a secret, code or token.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OAuthError {
    #[error("Zoho did not accept the Client ID and Secret. Check both, and that this data center is enabled in the API console's Settings tab.")]
    InvalidClient,
    #[error("The sign-in took too long or was used twice; try again.")]
    InvalidCode,
    #[error("Zoho no longer accepts this connection's sign-in (it was disconnected, or the organization was connected more than 20 times with this client). Connect it again.")]
    RefreshRevoked,
    #[error("{}", too_many_requests_message())]
    TooManyRequests,
    #[error("The sign-in pointed to {server}, which is not a Zoho server this app trusts, so nothing was sent to it. Start the connection again.")]
    UntrustedServer { server: String },
    #[error("No Zoho data center is configured for region \"{region}\".")]
    UnknownRegion { region: String },
    #[error("This sign-in answer does not belong to the sign-in started here. Start the connection again.")]
    StateMismatch,
    #[error("The sign-in was not completed in time. Start the connection again.")]
    Expired,
    #[error("Access was not granted on Zoho's consent screen ({error}). Start the connection again and choose Accept.")]
    Denied { error: String },
    #[error("Zoho's answer contains no authorization code, so this sign-in cannot finish. Start the connection again.")]
    NoCode,
    #[error("The redirect URI \"{uri}\" is not a valid web address.")]
    InvalidRedirectUri { uri: String },
    #[error("{}", zoho_message(.error))]
    Zoho { error: String },
    #[error("Zoho's sign-in server sent an answer that could not be understood. Try again; if it keeps happening, check the data-center settings.")]
    Malformed,
    #[error(
        "Zoho's sign-in server could not be reached. Check the internet connection and try again."
    )]
    Network,
    #[error("Zoho's sign-in server did not answer in time. Try again.")]
    Timeout,
    #[error("Zoho's sign-in server had a problem (HTTP {status}). Try again in a few minutes.")]
    Server { status: u16 },
    #[error("A secure connection could not be set up on this computer.")]
    HttpSetup,
}

fn zoho_message(error: &str) -> String {
    match error {
        "invalid_redirect_uri" => "Zoho did not accept the redirect URI. Add it under Authorized redirect URIs of this client in the API console.".into(),
        "invalid_scope" | "invalid_oauthscope" => "Zoho did not accept the requested permissions (scopes).".into(),
        other => format!("Zoho refused the sign-in ({other})."),
    }
}

impl OAuthError {
    /// Stable code for the UI and scripts.
    pub fn code(&self) -> Code {
        match self {
            OAuthError::InvalidClient => Code::InvalidClient,
            OAuthError::InvalidCode => Code::InvalidCode,
            OAuthError::RefreshRevoked => Code::ReconnectNeeded,
            OAuthError::TooManyRequests => Code::TooManyRequests,
            OAuthError::UntrustedServer { .. } => Code::UntrustedServer,
            OAuthError::UnknownRegion { .. } => Code::UnknownRegion,
            OAuthError::StateMismatch => Code::StateMismatch,
            OAuthError::Expired => Code::SignInExpired,
            OAuthError::Denied { .. } => Code::AccessDenied,
            OAuthError::NoCode => Code::CallbackMissingCode,
            OAuthError::InvalidRedirectUri { .. } => Code::InvalidRedirectUri,
            OAuthError::Zoho { .. } => Code::ZohoError,
            OAuthError::Malformed => Code::MalformedResponse,
            OAuthError::Network => Code::Network,
            OAuthError::Timeout => Code::Timeout,
            OAuthError::Server { .. } => Code::ServerError,
            OAuthError::HttpSetup => Code::HttpSetup,
        }
    }

    /// Transient: worth trying again later.
    pub fn is_retryable(&self) -> bool {
        matches!(
            self,
            OAuthError::Network | OAuthError::Timeout | OAuthError::Server { .. }
        )
    }
}

/// Keeps outside text printable and short before it reaches a message.
fn sanitize(s: &str, max: usize) -> String {
    s.chars().filter(|c| !c.is_control()).take(max).collect()
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
struct ZohoTokenFields {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    api_domain: Option<String>,
}
impl ExtraTokenFields for ZohoTokenFields {}

type ZohoTokenResponse = StandardTokenResponse<ZohoTokenFields, BasicTokenType>;
type TokenClient = Client<
    BasicErrorResponse,
    ZohoTokenResponse,
    BasicTokenIntrospectionResponse,
    StandardRevocableToken,
    BasicRevocationErrorResponse,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointSet,
>;

/// Confidential client for Zoho's token endpoint.
#[derive(Clone)]
pub struct OAuthClient {
    client_id: String,
    client_secret: SecretString,
    http: reqwest::Client,
    retry: RetryPolicy,
}

impl std::fmt::Debug for OAuthClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OAuthClient")
            .field("client_id", &self.client_id)
            .field("client_secret", &"[redacted]")
            .field("retry", &self.retry)
            .finish()
    }
}

impl OAuthClient {
    /// A client with redirects disabled and timeouts (connect 10 s, total 30 s).
    pub fn new(
        client_id: impl Into<String>,
        client_secret: SecretString,
    ) -> Result<Self, OAuthError> {
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(CONNECT_TIMEOUT)
            .timeout(REQUEST_TIMEOUT)
            .user_agent(concat!("zoho-books-setup/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|_| OAuthError::HttpSetup)?;
        Ok(OAuthClient {
            client_id: client_id.into(),
            client_secret,
            http,
            retry: RetryPolicy::default(),
        })
    }

    /// Replaces the retry policy of refresh and revoke.
    pub fn with_retry_policy(mut self, retry: RetryPolicy) -> Self {
        self.retry = RetryPolicy {
            max_attempts: retry.max_attempts.max(1),
            ..retry
        };
        self
    }

    /// The Client ID.
    pub fn client_id(&self) -> &str {
        &self.client_id
    }

    fn token_client(&self, dc: &DataCenter) -> Result<TokenClient, OAuthError> {
        let token_url = TokenUrl::new(dc.accounts_endpoint("/oauth/v2/token")).map_err(|_| {
            OAuthError::UnknownRegion {
                region: dc.region.clone(),
            }
        })?;
        Ok(Client::new(ClientId::new(self.client_id.clone()))
            .set_client_secret(ClientSecret::new(
                self.client_secret.expose_secret().to_owned(),
            ))
            .set_auth_type(AuthType::RequestBody)
            .set_token_uri(token_url))
    }

    /// Asks `dc`'s accounts server whether it accepts this Client ID and
    /// Secret, without any sign-in: a code exchange with a made-up code.
    /// Zoho answers `invalid_code` when it knows the client there with this
    /// secret (`Ok`), `invalid_client` when the data center is not switched
    /// on for the client or has another secret. Whether Zoho checks the
    /// redirect URI before the code is not documented: an
    /// `invalid_redirect_uri` answer also means the keys were accepted, and
    /// is returned as [`KeyProbe::RedirectUriUnknown`]. One token request,
    /// never retried (each counts toward Zoho's token limits).
    pub async fn probe_client(
        &self,
        dc: &DataCenter,
        redirect_uri: &str,
    ) -> Result<KeyProbe, OAuthError> {
        let redirect = RedirectUrl::new(redirect_uri.to_owned()).map_err(|_| {
            OAuthError::InvalidRedirectUri {
                uri: sanitize(redirect_uri, 200),
            }
        })?;
        let client = self.token_client(dc)?.set_redirect_uri(redirect);
        let http = ZohoHttp { client: &self.http };
        tracing::debug!(region = %dc.region, "checking the keys with a made-up code");
        let made_up = format!(
            "1000.{}.zbsetup-key-check",
            CsrfToken::new_random().secret()
        );
        match client
            .exchange_code(AuthorizationCode::new(made_up))
            .request_async(&http)
            .await
            .map_err(|e| map_token_error(e, false))
        {
            // No server accepts a made-up code; if one did, it knew the client.
            Ok(_) | Err(OAuthError::InvalidCode) => Ok(KeyProbe::Accepted),
            Err(OAuthError::Zoho { error }) if error == "invalid_redirect_uri" => {
                Ok(KeyProbe::RedirectUriUnknown)
            }
            Err(OAuthError::Zoho { error }) if error == "invalid_client_secret" => {
                Err(OAuthError::InvalidClient)
            }
            Err(e) => Err(e),
        }
    }

    /// Checks a callback against the pending sign-in, then exchanges its code.
    pub async fn exchange_callback(
        &self,
        dcs: &DataCenters,
        pending: &PendingAuth,
        callback: &Callback,
    ) -> Result<TokenSet, OAuthError> {
        if !pending.state_matches(&callback.state) {
            return Err(OAuthError::StateMismatch);
        }
        match &callback.outcome {
            CallbackOutcome::Denied { error, .. } => Err(OAuthError::Denied {
                error: sanitize(error, 60),
            }),
            CallbackOutcome::NoCode => Err(OAuthError::NoCode),
            CallbackOutcome::Code {
                code,
                accounts_server,
                ..
            } => {
                self.exchange_code(dcs, pending, code, accounts_server.as_deref())
                    .await
            }
        }
    }

    /// Exchanges an authorization code (never retried: codes are single-use).
    ///
    /// The accounts server is the callback's `accounts-server` when given, else
    /// the pending region's; either way it must be in `dcs`, or nothing is sent.
    /// The answer's `api_domain` must be in `dcs` too (when Zoho omits it, the
    /// accounts server's data center's API domain is used).
    pub async fn exchange_code(
        &self,
        dcs: &DataCenters,
        pending: &PendingAuth,
        callback_code: &SecretString,
        accounts_server: Option<&str>,
    ) -> Result<TokenSet, OAuthError> {
        if pending.is_expired() {
            return Err(OAuthError::Expired);
        }
        let dc = match accounts_server {
            Some(server) => {
                dcs.by_accounts_server(server)
                    .ok_or_else(|| OAuthError::UntrustedServer {
                        server: sanitize(server, 100),
                    })?
            }
            None => dcs
                .get(&pending.region)
                .ok_or_else(|| OAuthError::UnknownRegion {
                    region: sanitize(&pending.region, 20),
                })?,
        };
        let redirect = RedirectUrl::new(pending.redirect_uri.clone()).map_err(|_| {
            OAuthError::InvalidRedirectUri {
                uri: sanitize(&pending.redirect_uri, 200),
            }
        })?;
        let client = self.token_client(dc)?.set_redirect_uri(redirect);
        let http = ZohoHttp { client: &self.http };
        tracing::debug!(region = %dc.region, "exchanging authorization code");
        let response = client
            .exchange_code(AuthorizationCode::new(
                callback_code.expose_secret().to_owned(),
            ))
            .set_pkce_verifier(PkceCodeVerifier::new(
                pending.verifier.expose_secret().to_owned(),
            ))
            .request_async(&http)
            .await
            .map_err(|e| map_token_error(e, false))
            .inspect_err(
                |e| tracing::info!(region = %dc.region, code = %e.code(), "code exchange failed"),
            )?;
        let api = match response.extra_fields().api_domain.as_deref() {
            Some(domain) => match dcs.by_api_domain(domain) {
                Some(trusted) => trusted.api.clone(),
                None => {
                    self.revoke_unkept(dc, &response).await;
                    return Err(OAuthError::UntrustedServer {
                        server: sanitize(domain, 100),
                    });
                }
            },
            None => dc.api.clone(),
        };
        match token_set(&response, api, &dc.region) {
            Ok(tokens) => Ok(tokens),
            Err(e) => {
                self.revoke_unkept(dc, &response).await;
                Err(e)
            }
        }
    }

    /// Revokes, at the data center that issued it, the refresh token of an
    /// answer the app refuses: Zoho keeps 20 sign-ins per user and client and
    /// silently drops the oldest past that, so a refused sign-in must not use
    /// one up. A failed revoke is logged (without the token) and the refusal
    /// stands.
    async fn revoke_unkept(&self, dc: &DataCenter, response: &ZohoTokenResponse) {
        let Some(refresh) = response.refresh_token() else {
            return;
        };
        if refresh.secret().is_empty() {
            return;
        }
        let token = SecretString::from(refresh.secret().clone());
        match self.revoke(dc, &token).await {
            Ok(()) => tracing::info!(region = %dc.region, "the refused sign-in was revoked"),
            Err(e) => {
                tracing::warn!(region = %dc.region, code = %e.code(), "a refused sign-in could not be revoked")
            }
        }
    }

    /// Gets a new access token (retried on network errors, timeouts and 5xx).
    /// `invalid_code` here means the refresh token is gone: [`OAuthError::RefreshRevoked`].
    /// The answer's `api_domain`, when present, must be `dc`'s API domain.
    pub async fn refresh(
        &self,
        dc: &DataCenter,
        refresh_token: &SecretString,
    ) -> Result<TokenSet, OAuthError> {
        let mut attempt = 1;
        loop {
            match self.refresh_once(dc, refresh_token).await {
                Err(e) if e.is_retryable() && attempt < self.retry.max_attempts => {
                    let wait = self.retry.delay(attempt);
                    tracing::info!(region = %dc.region, code = %e.code(), attempt, ?wait, "token refresh failed; retrying");
                    tokio::time::sleep(wait).await;
                    attempt += 1;
                }
                other => return other,
            }
        }
    }

    async fn refresh_once(
        &self,
        dc: &DataCenter,
        refresh_token: &SecretString,
    ) -> Result<TokenSet, OAuthError> {
        let client = self.token_client(dc)?;
        let http = ZohoHttp { client: &self.http };
        let token = RefreshToken::new(refresh_token.expose_secret().to_owned());
        let response = client
            .exchange_refresh_token(&token)
            .request_async(&http)
            .await
            .map_err(|e| map_token_error(e, true))?;
        if let Some(domain) = response.extra_fields().api_domain.as_deref() {
            let same = DataCenters::single(dc.clone())
                .by_api_domain(domain)
                .is_some();
            if !same {
                return Err(OAuthError::UntrustedServer {
                    server: sanitize(domain, 100),
                });
            }
        }
        token_set(&response, dc.api.clone(), &dc.region)
    }

    /// Revokes a refresh token: `POST {accounts}/oauth/v2/token/revoke?token=...`.
    /// A token Zoho already considers invalid counts as revoked (`Ok`).
    pub async fn revoke(
        &self,
        dc: &DataCenter,
        refresh_token: &SecretString,
    ) -> Result<(), OAuthError> {
        let mut attempt = 1;
        loop {
            match self.revoke_once(dc, refresh_token).await {
                Err(e) if e.is_retryable() && attempt < self.retry.max_attempts => {
                    tokio::time::sleep(self.retry.delay(attempt)).await;
                    attempt += 1;
                }
                other => return other,
            }
        }
    }

    async fn revoke_once(&self, dc: &DataCenter, token: &SecretString) -> Result<(), OAuthError> {
        let mut url =
            Url::parse(&dc.accounts_endpoint("/oauth/v2/token/revoke")).map_err(|_| {
                OAuthError::UnknownRegion {
                    region: dc.region.clone(),
                }
            })?;
        url.query_pairs_mut()
            .append_pair("token", token.expose_secret());
        let response = self
            .http
            .post(url)
            .send()
            .await
            .map_err(|e| classify_reqwest(&e))?;
        let status = response.status().as_u16();
        let body = read_capped(response, MAX_TOKEN_BODY).await?;
        match adapt(status, body) {
            Ok(resp) if resp.status() == 200 => Ok(()),
            Ok(resp) => {
                let error = serde_json::from_slice::<serde_json::Value>(resp.body())
                    .ok()
                    .and_then(|v| v.get("error").and_then(|e| e.as_str()).map(str::to_owned))
                    .unwrap_or_default();
                match error.as_str() {
                    "invalid_code" | "invalid_token" => Ok(()),
                    "invalid_client" => Err(OAuthError::InvalidClient),
                    other => Err(OAuthError::Zoho {
                        error: sanitize(other, 60),
                    }),
                }
            }
            Err(f) => Err(f.into()),
        }
    }
}

impl DataCenters {
    /// A table of one entry (used to compare origins with the same rules).
    pub(crate) fn single(dc: DataCenter) -> Self {
        DataCenters::from_parts(vec![dc], true)
    }
}

fn token_set(response: &ZohoTokenResponse, api: Url, region: &str) -> Result<TokenSet, OAuthError> {
    let access = response.access_token().secret();
    if access.is_empty() {
        return Err(OAuthError::Malformed);
    }
    let expires_in = response.expires_in().ok_or(OAuthError::Malformed)?;
    let scope = response
        .scopes()
        .map(|s| s.iter().map(|x| x.as_str()).collect::<Vec<_>>().join(" "));
    Ok(TokenSet {
        access_token: SecretString::from(access.clone()),
        refresh_token: response
            .refresh_token()
            .map(|r| SecretString::from(r.secret().clone()))
            .filter(|r| !r.expose_secret().is_empty()),
        expires_in,
        api_domain: api,
        scope,
        region: region.to_owned(),
    })
}

fn map_token_error(
    e: RequestTokenError<HttpFailure, BasicErrorResponse>,
    refresh: bool,
) -> OAuthError {
    match e {
        RequestTokenError::ServerResponse(r) => {
            let error = r.error().as_ref();
            match error {
                "invalid_client" => OAuthError::InvalidClient,
                "invalid_code" if refresh => OAuthError::RefreshRevoked,
                "invalid_code" => OAuthError::InvalidCode,
                other if other.to_ascii_lowercase().contains("access denied") => {
                    OAuthError::TooManyRequests
                }
                other => OAuthError::Zoho {
                    error: sanitize(other, 60),
                },
            }
        }
        RequestTokenError::Request(f) => f.into(),
        // Parse errors carry the body: dropped here, never logged.
        RequestTokenError::Parse(..) | RequestTokenError::Other(_) => OAuthError::Malformed,
    }
}

/// What the HTTP adapter reports to `oauth2` as a request failure.
#[derive(Debug, thiserror::Error)]
enum HttpFailure {
    #[error("network failure")]
    Network,
    #[error("timed out")]
    Timeout,
    #[error("server error {0}")]
    Server(u16),
    #[error("too many requests")]
    TooManyRequests,
    #[error("unreadable answer")]
    Malformed,
    #[error("request could not be built")]
    Request,
}

impl From<HttpFailure> for OAuthError {
    fn from(f: HttpFailure) -> Self {
        match f {
            HttpFailure::Network => OAuthError::Network,
            HttpFailure::Timeout => OAuthError::Timeout,
            HttpFailure::Server(status) => OAuthError::Server { status },
            HttpFailure::TooManyRequests => OAuthError::TooManyRequests,
            HttpFailure::Malformed => OAuthError::Malformed,
            HttpFailure::Request => OAuthError::HttpSetup,
        }
    }
}

fn classify_reqwest(e: &reqwest::Error) -> HttpFailure {
    if e.is_timeout() {
        HttpFailure::Timeout
    } else if e.is_builder() {
        HttpFailure::Request
    } else {
        HttpFailure::Network
    }
}

async fn read_capped(mut response: reqwest::Response, max: usize) -> Result<Vec<u8>, HttpFailure> {
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(|e| classify_reqwest(&e))? {
        if body.len() + chunk.len() > max {
            return Err(HttpFailure::Malformed);
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// The `oauth2` HTTP client: reqwest without redirects, plus Zoho's quirks.
struct ZohoHttp<'a> {
    client: &'a reqwest::Client,
}

impl<'c> AsyncHttpClient<'c> for ZohoHttp<'_> {
    type Error = HttpFailure;
    type Future = Pin<Box<dyn Future<Output = Result<HttpResponse, HttpFailure>> + Send + 'c>>;

    fn call(&'c self, request: HttpRequest) -> Self::Future {
        Box::pin(async move {
            let request = reqwest::Request::try_from(request).map_err(|_| HttpFailure::Request)?;
            let response = self
                .client
                .execute(request)
                .await
                .map_err(|e| classify_reqwest(&e))?;
            let status = response.status().as_u16();
            let body = read_capped(response, MAX_TOKEN_BODY).await?;
            adapt(status, body)
        })
    }
}

/// Rewrites a token-endpoint answer into what `oauth2` understands:
/// 5xx and 429 and "Access Denied" become failures, an `{"error": ...}` body
/// becomes a 400, anything that is not a JSON object is malformed, and a
/// missing `token_type` is taken as `Bearer`.
fn adapt(status: u16, body: Vec<u8>) -> Result<HttpResponse, HttpFailure> {
    if status >= 500 {
        return Err(HttpFailure::Server(status));
    }
    if status == 429 {
        return Err(HttpFailure::TooManyRequests);
    }
    let access_denied = contains_ignore_case(&body, b"access denied");
    let mut object = match serde_json::from_slice::<serde_json::Value>(&body) {
        Ok(serde_json::Value::Object(map)) => map,
        _ if access_denied => return Err(HttpFailure::TooManyRequests),
        _ => return Err(HttpFailure::Malformed),
    };
    let (out_status, body) = if let Some(error) = object.get("error") {
        let Some(error) = error.as_str() else {
            return Err(HttpFailure::Malformed);
        };
        // Zoho's OAuth errors are snake_case identifiers (invalid_code,
        // invalid_client, ...). "Access Denied", its localised forms
        // ("拒绝访问") and anything else in words is the token limit.
        let identifier = !error.is_empty()
            && error
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
        if access_denied || !identifier {
            return Err(HttpFailure::TooManyRequests);
        }
        (400, body)
    } else if status == 200 {
        if access_denied && !object.contains_key("access_token") {
            return Err(HttpFailure::TooManyRequests);
        }
        if object.contains_key("access_token") && !object.contains_key("token_type") {
            object.insert("token_type".into(), "Bearer".into());
            let body = serde_json::to_vec(&object).map_err(|_| HttpFailure::Malformed)?;
            (200, body)
        } else {
            (200, body)
        }
    } else {
        return Err(HttpFailure::Malformed);
    };
    http_response(out_status, body)
}

fn http_response(status: u16, body: Vec<u8>) -> Result<HttpResponse, HttpFailure> {
    oauth2::http::Response::builder()
        .status(status)
        .header(oauth2::http::header::CONTENT_TYPE, "application/json")
        .body(body)
        .map_err(|_| HttpFailure::Malformed)
}

fn contains_ignore_case(haystack: &[u8], needle: &[u8]) -> bool {
    haystack
        .windows(needle.len())
        .any(|w| w.eq_ignore_ascii_case(needle))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc7636_appendix_b() {
        // RFC 7636 appendix B; the challenge is BASE64URL(SHA256(verifier)).
        assert_eq!(
            pkce_challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk").as_deref(),
            Some("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM")
        );
        assert_eq!(pkce_challenge("short"), None);
        assert_eq!(pkce_challenge(&"a".repeat(129)), None);
    }

    #[test]
    fn authorize_url_shape() {
        let dcs = DataCenters::builtin();
        let eu = dcs.get("eu").expect("eu");
        let req = authorize(
            eu,
            "1000.CLIENT",
            "http://127.0.0.1:47823/oauth/callback",
            &default_scopes(),
        )
        .expect("url");
        let url = &req.url;
        assert_eq!(
            url.origin().ascii_serialization(),
            "https://accounts.zoho.eu"
        );
        assert_eq!(url.path(), "/oauth/v2/auth");
        let q: std::collections::HashMap<String, String> = url.query_pairs().into_owned().collect();
        assert_eq!(
            q.len(),
            url.query_pairs().count(),
            "no duplicated parameters"
        );
        assert_eq!(q["client_id"], "1000.CLIENT");
        assert_eq!(q["response_type"], "code");
        assert_eq!(q["redirect_uri"], "http://127.0.0.1:47823/oauth/callback");
        assert_eq!(q["scope"], default_scopes().join(","));
        assert!(!q["scope"].contains(' '));
        assert_eq!(q["access_type"], "offline");
        assert_eq!(q["prompt"], "consent");
        assert_eq!(q["code_challenge_method"], "S256");
        assert_eq!(q["state"], req.pending.state);
        assert!(req.pending.state.len() >= 16);
        let verifier = req.pending.verifier().expose_secret();
        assert!((43..=128).contains(&verifier.len()));
        assert_eq!(Some(q["code_challenge"].clone()), pkce_challenge(verifier));
        assert_eq!(req.pending.region, "eu");
        assert!(!req.pending.is_expired());
        assert!(req.pending.state_matches(&q["state"]));
        assert!(!req.pending.state_matches("other"));
        let again = authorize(eu, "1000.CLIENT", "zbsetup://oauth/callback", &[]).expect("url");
        assert_ne!(again.pending.state, req.pending.state);
        assert!(authorize(eu, "x", "not a url", &[]).is_err());
    }

    #[test]
    fn scopes_are_read_only_and_only_what_the_record_types_need() {
        assert_eq!(
            scopes_for(&[
                crate::Entity::Invoices,
                crate::Entity::CreditNotes,
                crate::Entity::Customers
            ]),
            vec![
                "ZohoBooks.settings.READ",
                "ZohoBooks.invoices.READ",
                "ZohoBooks.creditnotes.READ",
                "ZohoBooks.contacts.READ"
            ]
        );
        // Customers and vendors share one scope; items are settings'.
        assert_eq!(
            scopes_for(&[
                crate::Entity::Vendors,
                crate::Entity::Customers,
                crate::Entity::Items
            ]),
            vec!["ZohoBooks.settings.READ", "ZohoBooks.contacts.READ"]
        );
        assert_eq!(scopes_for(crate::Entity::all()), default_scopes());
        let granted = "ZohoBooks.settings.READ ZohoBooks.invoices.READ,zohobooks.CONTACTS.all";
        assert!(scope_covers(granted, crate::Entity::Invoices));
        assert!(scope_covers(granted, crate::Entity::Vendors));
        assert!(scope_covers(granted, crate::Entity::Items));
        assert!(!scope_covers(granted, crate::Entity::Bills));
        assert!(!scope_covers(
            "ZohoBooks.bills.CREATE",
            crate::Entity::Bills
        ));
        assert!(!scope_covers(
            "ZohoBooks.bills.READ.extra",
            crate::Entity::Bills
        ));
        assert!(scope_covers(
            "ZohoBooks.fullaccess.all",
            crate::Entity::Bills
        ));
        let scopes = default_scopes();
        assert!(scopes.contains(&"ZohoBooks.settings.READ".to_owned()));
        assert!(scopes
            .iter()
            .all(|s| s.starts_with("ZohoBooks.") && s.ends_with(".READ")));
    }

    #[test]
    fn adapt_classifies() {
        let ok = |s: u16, b: &str| adapt(s, b.as_bytes().to_vec());
        assert_eq!(
            ok(200, r#"{"error":"invalid_code"}"#)
                .map(|r| r.status().as_u16())
                .ok(),
            Some(400)
        );
        assert!(matches!(
            ok(200, "<html>Access Denied</html>"),
            Err(HttpFailure::TooManyRequests)
        ));
        assert!(matches!(
            ok(200, r#"{"error":"Access Denied"}"#),
            Err(HttpFailure::TooManyRequests)
        ));
        // As recorded (HTTP 400, Zoho's post says 200), and localised.
        for (status, body) in [
            (
                400,
                r#"{"error_description":"You have made too many requests continuously. Please try again after some time.","error":"Access Denied","status":"failure"}"#,
            ),
            (
                400,
                r#"{"error_description":"您连续发出了太多请求。请稍后再试。","error":"拒绝访问","status":"failure"}"#,
            ),
            (200, r#"{"error":"Zugriff verweigert","status":"failure"}"#),
        ] {
            assert!(
                matches!(ok(status, body), Err(HttpFailure::TooManyRequests)),
                "{status} {body}"
            );
        }
        assert!(matches!(
            ok(200, "<html></html>"),
            Err(HttpFailure::Malformed)
        ));
        assert!(matches!(
            ok(200, r#"{"access_token":"#),
            Err(HttpFailure::Malformed)
        ));
        assert!(matches!(ok(502, ""), Err(HttpFailure::Server(502))));
        assert!(matches!(ok(302, ""), Err(HttpFailure::Malformed)));
        assert!(matches!(
            ok(200, r#"{"error":{"x":1}}"#),
            Err(HttpFailure::Malformed)
        ));
        let with_type = ok(200, r#"{"access_token":"a","expires_in":3600}"#).expect("ok");
        assert!(String::from_utf8_lossy(with_type.body()).contains("Bearer"));
    }

    #[test]
    fn retry_delay_is_bounded() {
        let p = RetryPolicy {
            max_attempts: 5,
            base_delay: Duration::from_millis(100),
            max_delay: Duration::from_millis(300),
        };
        for attempt in 1..40 {
            assert!(p.delay(attempt) <= Duration::from_millis(300));
        }
        assert!(p.delay(1) <= Duration::from_millis(100));
    }
}
