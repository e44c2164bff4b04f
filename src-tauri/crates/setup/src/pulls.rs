//! Sample pulls from the point of view of a stored connection.
//!
//! The engine, limiter, storage and results are `zbs-pull`'s; this module
//! opens its [`Puller`] on the profile's database (one limiter registry per
//! process, so the window's pulls and a pull started from the same process
//! share an organization's budget), hands it access tokens through
//! [`ConnectionTokens`], and marks the checklist's last step done after a
//! complete pull.

use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use futures_util::future::BoxFuture;
use serde::Serialize;
use ts_rs::TS;
use zbs_pull::{
    AccessGrant, CancellationToken, EntityCount, ExportFormat, ExportSummary, Forecast, HistoryRow,
    LimiterRegistry, PullControls, PullOptions, PullReport, PullRequest, Puller, QuotaUsage,
    RateBudget, RecordCount, RequestSeries, TokenError, TokenSource,
};

/// What the results view shows for a connection.
#[derive(Debug, Serialize, TS)]
#[ts(export)]
pub struct PullResults {
    pub counts: Vec<EntityCount>,
    pub series: RequestSeries,
    pub quota: Option<QuotaUsage>,
    pub history: Vec<HistoryRow>,
}

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
    /// The connection's API domain, as stored.
    api_domain: Option<url::Url>,
    /// The organization's time zone, as stored.
    time_zone: Option<String>,
}

impl TokenSource for ConnectionTokens {
    fn access_token(&self, refresh: bool) -> BoxFuture<'_, Result<AccessGrant, TokenError>> {
        Box::pin(async move {
            // Being disconnected, or gone: no token, whatever Zoho would say.
            if self.setup.is_departing(&self.connection_id)
                || matches!(
                    self.setup.connection(&self.connection_id),
                    Err(Error::UnknownConnection { .. })
                )
            {
                return Err(TokenError::connection_removed());
            }
            match self.setup.access_token(&self.connection_id, refresh).await {
                Ok(grant) => Ok(grant),
                Err(e @ Error::ReconnectNeeded { .. }) => {
                    Err(TokenError::reconnect_needed(e.to_string()))
                }
                Err(e) => Err(TokenError::from_cause(e.code(), e)),
            }
        })
    }

    fn api_domain(&self) -> Option<url::Url> {
        self.api_domain.clone()
    }

    fn organization_time_zone(&self) -> Option<String> {
        self.time_zone.clone()
    }
}

impl Setup {
    /// The pull engine on this profile's database.
    pub fn puller(&self) -> Result<&Puller, Error> {
        if let Some(p) = self.puller.get() {
            return Ok(p);
        }
        let puller = Puller::new(self.store.path(), registry(), RateBudget::from_env()?)?
            .with_connection_check(crate::store::Store::connection_check());
        Ok(self.puller.get_or_init(|| puller))
    }

    /// Forgets the daily quota Zoho's headers reported for an organization
    /// (the demo's stories give the simulator's quota back).
    pub fn forget_quota_seen(&self, organization_id: &str) -> Result<(), Error> {
        Ok(self.puller()?.forget_quota(organization_id)?)
    }

    /// Calls, time at the rate limit and quota left for a pull.
    pub fn forecast_pull(
        &self,
        connection_id: &str,
        options: &PullOptions,
    ) -> Result<Forecast, Error> {
        let c = self.connection(connection_id)?;
        let mut forecast =
            self.puller()?
                .forecast(connection_id, &c.organization_id, options, None)?;
        if forecast.daily_quota_left.is_none() {
            forecast.daily_quota_guess = c.plan.as_deref().and_then(plan_quota_guess);
        }
        Ok(forecast)
    }

    /// Runs (or continues) a pull of a connection, going as `controls` say
    /// (progress as it goes, cancel, and at most so many API calls in this
    /// run, `zbsetup pull --max-calls`: past it, the pull ends as cancelled
    /// and saved).
    pub async fn pull(
        self: &Arc<Self>,
        connection_id: &str,
        options: &PullOptions,
        controls: PullControls<'_>,
    ) -> Result<PullReport, Error> {
        if !self.status()?.enabled {
            return Err(Error::NotEnabled);
        }
        let c = self.connection(connection_id)?;
        // A record type the sign-in was not allowed to read is named with
        // the fix before any call (Zoho would refuse it with code 57).
        let outside: Vec<&str> = options
            .entities
            .iter()
            .filter(|e| !c.can_read.contains(e))
            .map(|e| e.label())
            .collect();
        if !outside.is_empty() {
            return Err(Error::NotAllowedBySignIn {
                names: crate::connect::and_list(&outside),
            });
        }
        let tokens = self.connection_tokens(&c)?;
        let report = self
            .puller()?
            .run(PullRequest::new(&c.id, &c.organization_id, options, tokens).controls(controls))
            .await?;
        if report.complete {
            self.mark_tested()?;
        }
        Ok(report)
    }

    /// The pull engine's access to a stored connection's tokens.
    fn connection_tokens(
        self: &Arc<Self>,
        c: &crate::connect::Connection,
    ) -> Result<Arc<dyn TokenSource>, Error> {
        Ok(Arc::new(ConnectionTokens {
            setup: Arc::clone(self),
            connection_id: c.id.clone(),
            api_domain: c.api_domain.parse().ok(),
            time_zone: self.store.connection_time_zone(&c.id)?,
        }))
    }

    /// Counts the records of the pull's record types in the organization
    /// (one API call per 200 records of each type, nothing stored but the
    /// totals) and keeps the totals, so the pull's forecast is a figure
    /// rather than "at least" (`zbsetup pull --dry-run --count`).
    pub async fn count_records(
        self: &Arc<Self>,
        connection_id: &str,
        options: &PullOptions,
        cancel: CancellationToken,
    ) -> Result<RecordCount, Error> {
        let c = self.connection(connection_id)?;
        let readable: Vec<zbs_zoho::Entity> = options
            .entities
            .iter()
            .copied()
            .filter(|e| c.can_read.contains(e))
            .collect();
        let tokens = self.connection_tokens(&c)?;
        Ok(self
            .puller()?
            .count_records(&c.id, &c.organization_id, &readable, tokens, cancel)
            .await?)
    }

    /// Records per entity, requests of the last 30 minutes, the quota and
    /// the last 20 pulls of a connection.
    pub fn pull_results(&self, connection_id: &str) -> Result<PullResults, Error> {
        let c = self.connection(connection_id)?;
        let p = self.puller()?;
        Ok(PullResults {
            counts: p.counts(&c.id)?,
            series: p.request_series(&c.organization_id, 30)?,
            quota: p.quota(&c.organization_id)?,
            history: p.history(Some(&c.id), 20)?,
        })
    }

    /// Where the window's save dialogs open: the person's Downloads folder,
    /// else their home folder (never the app's own data folder, with its
    /// database and lock files).
    pub fn default_save_folder(&self) -> std::path::PathBuf {
        save_folder(dirs::download_dir(), dirs::home_dir(), self.data_dir())
    }

    /// The name the window suggests for an export: "Zoho Books export
    /// 2026-12-01", a folder of one file per record type.
    pub fn export_folder_name(&self) -> String {
        format!("Zoho Books export {}", crate::today())
    }

    /// Writes a connection's pulled records into `folder`, a new folder the
    /// person named in the save dialog, each file named with its record type
    /// and the date ("invoices 2026-12-01.csv"). A folder already there is
    /// left as it is: nothing in it is replaced.
    pub fn export_pull_as(
        &self,
        connection_id: &str,
        format: ExportFormat,
        folder: &Path,
    ) -> Result<ExportSummary, Error> {
        self.connection(connection_id)?;
        // Made here, and only if it is not there yet (a link counts as there).
        let mut builder = std::fs::DirBuilder::new();
        #[cfg(unix)]
        std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
        if let Err(e) = builder.create(folder) {
            if e.kind() != std::io::ErrorKind::AlreadyExists {
                // The export says what is wrong with the place.
                return Ok(self.puller()?.export(connection_id, format, folder, None)?);
            }
            return Err(Error::ExportFolderExists {
                name: folder
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_else(|| folder.display().to_string()),
            });
        }
        let day = crate::today();
        Ok(self
            .puller()?
            .export_named(connection_id, format, folder, None, &|entity| {
                format!("{} {day}", entity.name())
            })?)
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

/// The daily API calls Zoho's plan table gives a plan: Free 1,000, Standard
/// 2,000, Professional 5,000, Premium, Elite and Ultimate 10,000. Only a
/// first guess before Zoho's headers say: a trial organization on
/// Professional was seen with 1,000, and support raises limits on request.
pub fn plan_quota_guess(plan: &str) -> Option<u32> {
    let plan = plan.to_ascii_lowercase();
    [
        ("free", 1_000),
        ("standard", 2_000),
        ("professional", 5_000),
        ("premium", 10_000),
        ("elite", 10_000),
        ("ultimate", 10_000),
    ]
    .into_iter()
    .find(|(name, _)| plan.contains(name))
    .map(|(_, calls)| calls)
}

/// The first of Downloads and home that is a folder on disk; the data folder
/// only when neither is.
fn save_folder(downloads: Option<PathBuf>, home: Option<PathBuf>, data: &Path) -> PathBuf {
    [downloads, home]
        .into_iter()
        .flatten()
        .find(|d| d.is_dir())
        .unwrap_or_else(|| data.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn save_dialogs_open_in_downloads_else_home() {
        let home = tempfile::tempdir().unwrap();
        let data = home.path().join(".local/share/zoho-books-setup");
        let downloads = home.path().join("Downloads");
        // No Downloads folder (named but missing, or not named): the home folder.
        assert_eq!(
            save_folder(Some(downloads.clone()), Some(home.path().to_owned()), &data),
            home.path()
        );
        assert_eq!(
            save_folder(None, Some(home.path().to_owned()), &data),
            home.path()
        );
        std::fs::create_dir(&downloads).unwrap();
        assert_eq!(
            save_folder(Some(downloads.clone()), Some(home.path().to_owned()), &data),
            downloads
        );
        // Neither: the data folder, as the last resort.
        assert_eq!(save_folder(None, None, &data), data);
    }
}
