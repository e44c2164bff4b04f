//! What pulls are tested and measured with: the simulator's set-up, tokens
//! from a real sign-in at it, and the database file as the app makes it.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Mutex;
use std::time::Duration;

use futures_util::future::BoxFuture;
use zbs_pull::{AccessGrant, LimiterRegistry, Puller, RateBudget, TokenError, TokenSource};
use zbs_sim::{accept_consent, ClientSpec, SimConfig, SimHandle, LOCALHOST_REDIRECT};
use zbs_zoho::oauth::{authorize, default_scopes, OAuthClient};
use zbs_zoho::{parse_callback, DataCenter, DataCenters, OAuthError, SecretString};

/// A migrated `zbsetup.sqlite3` in `dir`, made by the setup crate's store
/// (its migrations, with the pull tables, in WAL mode), so the app opens it
/// as its own; returns the file's path.
pub fn create_db(dir: &Path) -> Result<PathBuf, String> {
    let (store, _) = zbs_setup::store::Store::open(dir).map_err(|e| e.to_string())?;
    Ok(store.path().to_owned())
}

/// A [`Puller`] on a new database in `dir` (see [`create_db`]), with the
/// default budget and a limiter registry of its own.
pub fn puller_in(dir: &Path) -> Result<Puller, String> {
    Puller::new(
        &create_db(dir)?,
        LimiterRegistry::new(),
        RateBudget::default(),
    )
    .map_err(|e| e.to_string())
}

/// One organization, one client, the US data center; `records` of each
/// entity; `budget` requests per window; a daily quota that never binds.
pub fn sim_config(records: u64, budget: (u32, Duration)) -> SimConfig {
    SimConfig {
        records_per_entity: records,
        rate_limit: budget,
        daily_quota: Some(1_000_000),
        clients: vec![ClientSpec::generate(7)],
        regions: vec!["us".to_string()],
        ..SimConfig::default()
    }
}

/// Tokens from a real sign-in at the simulator (authorize URL, consent,
/// callback parsing, code exchange); refreshes through
/// `OAuthClient::refresh` and counts them.
pub struct SimTokens {
    oauth: OAuthClient,
    dc: DataCenter,
    refresh: SecretString,
    current: Mutex<AccessGrant>,
    /// Refreshes asked for so far.
    pub refreshes: AtomicU32,
    /// The organization's time zone the engine is told (none by default).
    pub time_zone: Option<String>,
}

impl SimTokens {
    pub async fn connect(sim: &SimHandle) -> Result<SimTokens, String> {
        let client = sim.clients()[0].clone();
        let dcs =
            DataCenters::from_json(&sim.endpoints_json().to_string()).map_err(|e| e.to_string())?;
        let dc = dcs.get("us").ok_or("the simulator serves no us")?.clone();
        let req = authorize(
            &dc,
            &client.client_id,
            LOCALHOST_REDIRECT,
            &default_scopes(),
        )
        .map_err(|e| e.to_string())?;
        let redirect = accept_consent(req.url.as_str())
            .await
            .map_err(|e| e.to_string())?;
        let callback = parse_callback(&redirect).map_err(|e| e.to_string())?;
        let oauth = OAuthClient::new(
            client.client_id.clone(),
            SecretString::from(client.client_secret.clone()),
        )
        .map_err(|e| e.to_string())?;
        let tokens = oauth
            .exchange_callback(&dcs, &req.pending, &callback)
            .await
            .map_err(|e| e.to_string())?;
        Ok(SimTokens {
            oauth,
            dc,
            refresh: tokens.refresh_token.ok_or("no refresh token")?,
            current: Mutex::new(AccessGrant {
                token: tokens.access_token,
                api_domain: tokens.api_domain,
            }),
            refreshes: AtomicU32::new(0),
            time_zone: None,
        })
    }

    /// The access token in use.
    pub fn grant(&self) -> AccessGrant {
        self.current
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }
}

impl TokenSource for SimTokens {
    fn access_token(&self, refresh: bool) -> BoxFuture<'_, Result<AccessGrant, TokenError>> {
        Box::pin(async move {
            if !refresh {
                return Ok(self.grant());
            }
            self.refreshes.fetch_add(1, Ordering::SeqCst);
            match self.oauth.refresh(&self.dc, &self.refresh).await {
                Ok(t) => {
                    let grant = AccessGrant {
                        token: t.access_token,
                        api_domain: t.api_domain,
                    };
                    *self.current.lock().unwrap_or_else(|e| e.into_inner()) = grant.clone();
                    Ok(grant)
                }
                Err(OAuthError::RefreshRevoked) | Err(OAuthError::InvalidCode) => {
                    Err(TokenError::reconnect_needed("the connection was revoked"))
                }
                Err(e) => Err(TokenError::from_cause(e.code(), e)),
            }
        })
    }

    fn api_domain(&self) -> Option<url::Url> {
        Some(self.grant().api_domain)
    }

    fn organization_time_zone(&self) -> Option<String> {
        self.time_zone.clone()
    }
}
