//! Sample pulls from the point of view of a stored connection.
//!
//! The engine, limiter, storage and results are `zbs-pull`'s; this module
//! opens its [`Puller`] on the profile's database (one limiter registry per
//! process, so the window's pulls and a pull started from the same process
//! share an organization's budget), hands it access tokens through
//! [`ConnectionTokens`], and marks the checklist's last step done after a
//! complete pull.

use std::path::Path;
use std::sync::{Arc, OnceLock};

use futures_util::future::BoxFuture;
use zbs_pull::{
    AccessGrant, CancellationToken, Estimate, ExportFormat, ExportSummary, LimiterRegistry,
    Progress, PullOptions, PullReport, Puller, RateBudget, TokenError, TokenSource,
};

use crate::error::Error;
use crate::Setup;

/// One limiter registry per process.
fn registry() -> LimiterRegistry {
    static REGISTRY: OnceLock<LimiterRegistry> = OnceLock::new();
    REGISTRY.get_or_init(LimiterRegistry::new).clone()
}

/// Access tokens of one stored connection, for the pull engine.
pub struct ConnectionTokens {
    setup: Arc<Setup>,
    connection_id: String,
}

impl TokenSource for ConnectionTokens {
    fn access_token(&self, refresh: bool) -> BoxFuture<'_, Result<AccessGrant, TokenError>> {
        Box::pin(async move {
            match self.setup.access_token(&self.connection_id, refresh).await {
                Ok(g) => Ok(AccessGrant {
                    token: g.token,
                    api_domain: g.api_domain,
                }),
                Err(e @ Error::ReconnectNeeded { .. }) => {
                    Err(TokenError::reconnect_needed(e.to_string()))
                }
                Err(e) => Err(TokenError::from_cause(e.code(), e)),
            }
        })
    }
}

impl Setup {
    /// The pull engine on this profile's database.
    pub fn puller(&self) -> Result<&Puller, Error> {
        if let Some(p) = self.puller.get() {
            return Ok(p);
        }
        let puller = Puller::new(self.store().path(), registry(), RateBudget::from_env()?)?;
        Ok(self.puller.get_or_init(|| puller))
    }

    /// Calls, time at the rate limit and quota left for a pull.
    pub fn estimate_pull(
        &self,
        connection_id: &str,
        options: &PullOptions,
    ) -> Result<Estimate, Error> {
        let c = self.connection(connection_id)?;
        Ok(self
            .puller()?
            .estimate(connection_id, &c.organization_id, options, None)?)
    }

    /// Runs (or continues) a pull of a connection; `progress` is called as it goes.
    pub async fn pull(
        self: &Arc<Self>,
        connection_id: &str,
        options: &PullOptions,
        progress: impl Fn(Progress) + Send + Sync,
        cancel: CancellationToken,
    ) -> Result<PullReport, Error> {
        if !self.status()?.enabled {
            return Err(Error::NotEnabled);
        }
        let c = self.connection(connection_id)?;
        let tokens: Arc<dyn TokenSource> = Arc::new(ConnectionTokens {
            setup: Arc::clone(self),
            connection_id: c.id.clone(),
        });
        let report = self
            .puller()?
            .run(&c.id, &c.organization_id, options, tokens, progress, cancel)
            .await?;
        if report.complete {
            self.mark_tested()?;
        }
        Ok(report)
    }

    /// Writes a connection's pulled records to `dir` as CSV or JSON.
    pub fn export_pull(
        &self,
        connection_id: &str,
        format: ExportFormat,
        dir: &Path,
    ) -> Result<ExportSummary, Error> {
        self.connection(connection_id)?;
        Ok(self.puller()?.export(connection_id, format, dir, None)?)
    }
}
