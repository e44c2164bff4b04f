//! "Check my keys": before any customer tries, ask each data center the
//! admin chose whether it accepts the stored Client ID and Secret, without a
//! sign-in (a code exchange with a made-up code: Zoho answers
//! `invalid_code` when it knows the client there, `invalid_client` when the
//! data center is not switched on for it or has another secret). One token
//! request per data center, all at once, never retried, each given at most
//! [`PROBE_TIMEOUT`]: a data center that cannot be reached says so quickly.
//! At most [`PROBES_PER_WINDOW`] per data center in [`PROBE_WINDOW`] across
//! the window and `zbsetup` (the `key_probes` ledger), far inside Zoho's
//! limit of about ten token requests in ten minutes.
//!
//! The window runs it as soon as keys are saved. The last answer is kept in
//! the settings until the keys or the chosen data centers change: the status
//! carries it, and while a data center refuses the keys the keys step is not
//! done (`checklist::Facts::keys_refused`).

/// Probes of one data center allowed in [`PROBE_WINDOW`].
pub const PROBES_PER_WINDOW: u32 = 5;
/// The ledger's window: ten minutes, as Zoho counts token requests.
pub const PROBE_WINDOW: std::time::Duration = std::time::Duration::from_secs(600);

use std::sync::atomic::Ordering;
use std::time::Duration;

use futures_util::future::join_all;
use serde::{Deserialize, Serialize};
use ts_rs::TS;
use zbs_zoho::dc::DataCenter;
use zbs_zoho::oauth::{KeyProbe, OAuthError};

use crate::error::Error;
use crate::Setup;

/// What one data center said.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum KeyCheckStatus {
    /// It accepts the keys.
    Ok,
    /// It does not know the client with this secret.
    Refused,
    /// It could not be asked (network, or Zoho refusing token requests for a while).
    Unreachable,
}

/// One data center's row of the check.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct DataCenterCheck {
    pub region: String,
    pub name: String,
    pub status: KeyCheckStatus,
    /// What happened, for a person.
    pub message: String,
    /// What to do in the API console, when something is wrong.
    pub fix: Option<String>,
    /// False when the data center was not asked this time (the ledger's
    /// limit); its row then says when to check again.
    #[serde(skip, default = "asked")]
    #[ts(skip)]
    pub(crate) asked: bool,
}

/// The check of every chosen data center, as just asked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct KeyCheck {
    pub data_centers: Vec<DataCenterCheck>,
    /// When Zoho was asked (RFC 3339, UTC).
    pub checked_at: String,
    /// Every data center asked refused the keys: Zoho answers
    /// `invalid_client` both for a data center that is off and for a wrong
    /// Client ID or Secret, and a client is on at least where it was made,
    /// so the keys themselves are wrong (a secret cut short when copied, or
    /// another client's), not the console's Settings tab.
    #[serde(default)]
    pub keys_wrong: bool,
}

impl KeyCheck {
    /// True when every data center accepted the keys.
    pub fn all_ok(&self) -> bool {
        self.data_centers
            .iter()
            .all(|d| d.status == KeyCheckStatus::Ok)
    }

    /// Reads the rows together: when every data center asked refused, the
    /// Client ID or Secret is wrong, and each row says so instead of
    /// sending the person to the Settings tab.
    fn reason_across_data_centers(&mut self) {
        let asked: Vec<&DataCenterCheck> = self.data_centers.iter().filter(|d| d.asked).collect();
        self.keys_wrong =
            !asked.is_empty() && asked.iter().all(|d| d.status == KeyCheckStatus::Refused);
        if !self.keys_wrong {
            return;
        }
        let every = if asked.len() == 1 {
            "the only data center asked".to_owned()
        } else {
            format!(
                "none of the {} data centers asked accepts them",
                asked.len()
            )
        };
        for d in &mut self.data_centers {
            if d.status == KeyCheckStatus::Refused {
                d.message = format!(
                    "{} does not accept these keys, and {every}: the Client ID or the Client \
                     Secret is wrong, not the console's settings.",
                    d.name
                );
                d.fix = Some(KEYS_WRONG_FIX.to_owned());
            }
        }
    }

    /// True when a data center refused the keys: the keys step is not done.
    pub fn refused(&self) -> bool {
        self.data_centers
            .iter()
            .any(|d| d.status == KeyCheckStatus::Refused)
    }
}

/// The longest one data center is waited for.
pub const PROBE_TIMEOUT: Duration = Duration::from_secs(8);

/// What to do when every data center refuses the keys.
pub const KEYS_WRONG_FIX: &str = "In Zoho's API console, open your client: copy the Client \
     Secret again, all of it (it is about 42 characters), and check that the Client ID is this \
     client's. Then replace the keys here.";

/// The console fix for a data center that refuses the keys.
pub(crate) fn console_fix(name: &str) -> String {
    format!(
        "In Zoho's API console, open your client, then its Settings tab: switch on {name}, and \
         tick \"Use the same OAuth credentials for all data centers\" (or, if {name} has its own \
         Client Secret there, use that one)."
    )
}

fn row(
    dc: &DataCenter,
    result: Result<KeyProbe, OAuthError>,
    redirect_uri: &str,
) -> DataCenterCheck {
    let name = dc.name.clone();
    let (status, message, fix) = match result {
        Ok(KeyProbe::Accepted) => (
            KeyCheckStatus::Ok,
            format!("{name} accepts these keys."),
            None,
        ),
        Ok(KeyProbe::RedirectUriUnknown) => (
            KeyCheckStatus::Ok,
            format!("{name} accepts these keys, but not the redirect URI {redirect_uri}."),
            Some(format!(
                "In the API console, add {redirect_uri} under \"Authorized Redirect URIs\", exactly as shown."
            )),
        ),
        Err(OAuthError::InvalidClient) => (
            KeyCheckStatus::Refused,
            format!(
                "{name} does not accept these keys: it is not switched on for this client, or it \
                 has a different Client Secret."
            ),
            Some(console_fix(&name)),
        ),
        Err(OAuthError::TooManyRequests) => (
            KeyCheckStatus::Unreachable,
            format!(
                "{name} is refusing sign-in requests for a while (Zoho's limit on token \
                 requests; usually 15 to 30 minutes). Check again later."
            ),
            None,
        ),
        Err(e @ (OAuthError::Network | OAuthError::Timeout | OAuthError::Server { .. })) => (
            KeyCheckStatus::Unreachable,
            format!("Could not reach {name}: {e} Check the internet connection, then check again."),
            None,
        ),
        Err(e) => (
            KeyCheckStatus::Refused,
            format!("{name} did not accept the check: {e}"),
            Some(console_fix(&name)),
        ),
    };
    DataCenterCheck {
        region: dc.region.clone(),
        name,
        status,
        message,
        fix,
        asked: true,
    }
}

fn asked() -> bool {
    true
}

/// The row of a data center not asked now, saying why.
fn not_asked(dc: &DataCenter, message: String) -> DataCenterCheck {
    DataCenterCheck {
        region: dc.region.clone(),
        name: dc.name.clone(),
        status: KeyCheckStatus::Unreachable,
        message,
        fix: None,
        asked: false,
    }
}

/// Why a data center asked [`PROBES_PER_WINDOW`] times in the last ten
/// minutes is not asked now, and when it can be.
fn asked_enough(name: &str, free_ms: i64, now_ms: i64) -> String {
    let minutes = ((free_ms - now_ms).max(0) + 59_999) / 60_000;
    format!(
        "{name} was not asked this time: it was asked {PROBES_PER_WINDOW} times in the last 10 \
         minutes, and the app asks no more often so that Zoho never starts refusing sign-ins. \
         Check again in about {minutes} minute{}.",
        if minutes == 1 { "" } else { "s" }
    )
}

impl Setup {
    /// Asks one data center whether it accepts the stored keys (one token
    /// request with a made-up code, never retried); `None` for a region
    /// not in the table.
    pub(crate) async fn probe_keys(
        &self,
        client: &zbs_zoho::oauth::OAuthClient,
        region: &str,
        redirect_uri: &str,
    ) -> Option<DataCenterCheck> {
        let dc = self.data_centers().get(region).cloned()?;
        let now_ms = time::OffsetDateTime::now_utc().unix_timestamp() * 1000;
        let window_ms = PROBE_WINDOW.as_millis() as i64;
        match self
            .store
            .take_key_probe(&dc.region, now_ms, window_ms, PROBES_PER_WINDOW)
        {
            Ok(None) => {}
            Ok(Some(free_ms)) => {
                return Some(not_asked(&dc, asked_enough(&dc.name, free_ms, now_ms)));
            }
            Err(e) => {
                tracing::warn!(error = %e, "the key-check ledger could not be read");
                let why = format!(
                    "{} was not asked: the app could not read how often it asked it lately \
                     ({e}). Check again in a moment.",
                    dc.name
                );
                return Some(not_asked(&dc, why));
            }
        }
        let result = tokio::time::timeout(PROBE_TIMEOUT, client.probe_client(&dc, redirect_uri))
            .await
            .unwrap_or(Err(OAuthError::Timeout));
        tracing::info!(region = %dc.region, ok = result.is_ok(), "keys checked");
        Some(row(&dc, result, redirect_uri))
    }

    /// The keys of the check at one data center (see [`Setup::probe_keys`]).
    pub(crate) async fn check_keys_at(
        &self,
        region: &str,
    ) -> Result<Option<DataCenterCheck>, Error> {
        let client = self.oauth_client()?;
        let redirect_uri = self.redirect_uri(self.redirect_method()?)?;
        Ok(self.probe_keys(&client, region, &redirect_uri).await)
    }

    /// Asks each chosen data center, all at once, whether it accepts the
    /// stored keys, and keeps the answer (see [`Setup::last_key_check`]).
    pub async fn check_keys_with_zoho(&self) -> Result<KeyCheck, Error> {
        let asked_about = self.key_changes.load(Ordering::SeqCst);
        let client = self.oauth_client()?;
        let redirect_uri = self.redirect_uri(self.redirect_method()?)?;
        let regions = self.regions()?;
        let probes = regions
            .iter()
            .map(|region| self.probe_keys(&client, region, &redirect_uri));
        let mut check = KeyCheck {
            data_centers: join_all(probes).await.into_iter().flatten().collect(),
            checked_at: time::OffsetDateTime::now_utc()
                .format(&time::format_description::well_known::Rfc3339)
                .unwrap_or_default(),
            keys_wrong: false,
        };
        check.reason_across_data_centers();
        // Kept only while the keys and data centers it asked about are the
        // saved ones, and only when every data center was asked: a row not
        // asked says nothing about the keys, so the last real answer stays.
        let all_asked = check.data_centers.iter().all(|d| d.asked);
        if all_asked && self.key_changes.load(Ordering::SeqCst) == asked_about {
            self.store.set(crate::keys::KEY_CHECK, &check)?;
        }
        Ok(check)
    }

    /// The answer of the last "Check my keys" of the keys and data centers
    /// saved now; `None` once either changed.
    pub fn last_key_check(&self) -> Result<Option<KeyCheck>, Error> {
        // A check kept by another version that no longer reads is no answer.
        Ok(self.store.get(crate::keys::KEY_CHECK).unwrap_or(None))
    }

    /// Forgets the last check (the keys or the data centers changed).
    pub(crate) fn forget_key_check(&self) -> Result<(), Error> {
        self.key_changes.fetch_add(1, Ordering::SeqCst);
        Ok(self.store.remove(crate::keys::KEY_CHECK)?)
    }
}
