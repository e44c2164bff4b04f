//! Faults on demand: server errors, latency, dropped connections, malformed
//! JSON and 429 storms on the Books API, switched at runtime through
//! `SimHandle::faults()`. Counted faults ("the next N requests") are
//! deterministic; the error rate draws from an RNG seeded by the config.
//! Token and quota faults act on the OAuth store and limiters directly.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use crate::error::{Result, SimError};
use crate::Shared;

/// The fault knobs. Counted faults apply to the next N Books API requests
/// that reach the point where the fault is checked:
///
/// * `rate_limit_storm_next`: authenticated requests for an organization get
///   HTTP 429 (code 44) before the limiter is consulted; counted in
///   `OrgStats::rejected_429`, not in `accepted`.
/// * `server_error_next` / `server_error_rate`: accepted requests (they do
///   use up the budget) get HTTP 500 `{"code":1000,"message":"Internal error"}`.
/// * `drop_connection_next`: successful responses send their headers and
///   half the body, then the connection is closed.
/// * `malformed_json_next`: successful responses carry truncated JSON.
/// * `latency`: added to every authenticated Books API request, while it
///   holds its concurrency slot (so it also drives the concurrency cap).
/// * `token_latency`: token answers (code exchange and refresh) are sent
///   this late, after the tokens are minted: a slow accounts server, during
///   which the person may do something else (disconnect, say).
/// * `endless_pages`: list answers always say `has_more_page: true`, and a
///   page past the end repeats the last page's rows (a paging bug seen at
///   Zoho: a client that trusts it never stops).
/// * `trickle`: successful answers send their body one byte per this
///   interval (zero: off), like an overloaded server that never stalls
///   long enough to look dead.
/// * `blank_ids_next`: the next N rows of list answers have an empty id
///   (`"invoice_id": ""`), a record a client cannot key.
/// * `churn`: after each list page served, the organization's people go on
///   working in that list: `churn.add` new records are created and
///   `churn.edit` existing ones are edited (renamed, redated, repriced), as
///   in a busy organization during a long pull.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Faults {
    pub server_error_rate: f64,
    pub server_error_next: u32,
    pub latency: Duration,
    pub token_latency: Duration,
    pub drop_connection_next: u32,
    pub malformed_json_next: u32,
    pub rate_limit_storm_next: u32,
    pub endless_pages: bool,
    pub blank_ids_next: u32,
    pub trickle: Duration,
    pub churn: Churn,
    pub role_denies: Vec<String>,
}

/// Records created and edited in a list after each of its pages is served.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Churn {
    pub add: u64,
    pub edit: u64,
}

pub(crate) struct FaultState {
    pub faults: Faults,
    rng: StdRng,
}

/// What to do to a successful response body.
pub(crate) enum BodyFault {
    Drop,
    Malformed,
    Trickle(Duration),
}

fn take(n: &mut u32) -> bool {
    if *n > 0 {
        *n -= 1;
        true
    } else {
        false
    }
}

impl FaultState {
    pub(crate) fn new(seed: u64) -> Self {
        Self {
            faults: Faults::default(),
            rng: StdRng::seed_from_u64(seed ^ 0xFA17),
        }
    }

    /// `n` indices below `count` to edit, drawn from the seeded RNG.
    pub(crate) fn pick(&mut self, n: u64, count: u64) -> Vec<u64> {
        if count == 0 {
            return Vec::new();
        }
        (0..n).map(|_| self.rng.gen_range(0..count)).collect()
    }

    pub(crate) fn take_blank_id(&mut self) -> bool {
        take(&mut self.faults.blank_ids_next)
    }

    pub(crate) fn take_storm(&mut self) -> bool {
        take(&mut self.faults.rate_limit_storm_next)
    }

    pub(crate) fn take_server_error(&mut self) -> bool {
        if take(&mut self.faults.server_error_next) {
            return true;
        }
        let p = self.faults.server_error_rate;
        p > 0.0 && self.rng.gen::<f64>() < p
    }

    pub(crate) fn take_body_fault(&mut self) -> Option<BodyFault> {
        if take(&mut self.faults.drop_connection_next) {
            Some(BodyFault::Drop)
        } else if take(&mut self.faults.malformed_json_next) {
            Some(BodyFault::Malformed)
        } else if !self.faults.trickle.is_zero() {
            Some(BodyFault::Trickle(self.faults.trickle))
        } else {
            None
        }
    }
}

/// Runtime control over faults; get one from `SimHandle::faults()`.
#[derive(Clone)]
pub struct FaultControl {
    pub(crate) shared: Arc<Shared>,
}

impl FaultControl {
    fn state(&self) -> std::sync::MutexGuard<'_, FaultState> {
        lock(&self.shared.faults)
    }

    /// The knobs as they stand (counted faults show what is left).
    pub fn get(&self) -> Faults {
        self.state().faults.clone()
    }

    /// Replaces every knob.
    pub fn set(&self, faults: Faults) {
        self.state().faults = faults;
    }

    /// Changes knobs in place.
    pub fn update(&self, f: impl FnOnce(&mut Faults)) {
        f(&mut self.state().faults);
    }

    /// Turns every knob off.
    pub fn clear(&self) {
        self.set(Faults::default());
    }

    /// The next `n` accepted requests get HTTP 500.
    pub fn fail_next(&self, n: u32) {
        self.update(|f| f.server_error_next = n);
    }

    /// Each accepted request gets HTTP 500 with probability `p`.
    pub fn set_error_rate(&self, p: f64) {
        self.update(|f| f.server_error_rate = p.clamp(0.0, 1.0));
    }

    /// Adds `d` to every Books API request.
    pub fn set_latency(&self, d: Duration) {
        self.update(|f| f.latency = d);
    }

    /// Sends every token answer `d` late, after minting its tokens.
    pub fn set_token_latency(&self, d: Duration) {
        self.update(|f| f.token_latency = d);
    }

    /// The next `n` successful responses are cut off mid-body.
    pub fn drop_next(&self, n: u32) {
        self.update(|f| f.drop_connection_next = n);
    }

    /// The next `n` successful responses carry malformed JSON.
    pub fn malformed_next(&self, n: u32) {
        self.update(|f| f.malformed_json_next = n);
    }

    /// Lists never end: `has_more_page` stays true and pages past the end
    /// repeat the last one.
    pub fn set_endless_pages(&self, on: bool) {
        self.update(|f| f.endless_pages = on);
    }

    /// Successful answers arrive one byte per `every` (zero: at once).
    pub fn set_trickle(&self, every: Duration) {
        self.update(|f| f.trickle = every);
    }

    /// The next `n` listed rows have an empty id.
    /// After each list page served, `add` new records and `edit` edited
    /// ones in that list (zero and zero: off).
    pub fn set_churn(&self, add: u64, edit: u64) {
        self.state().faults.churn = Churn { add, edit };
    }

    pub fn blank_ids_next(&self, n: u32) {
        self.update(|f| f.blank_ids_next = n);
    }

    /// The next `n` requests for an organization get HTTP 429.
    pub fn rate_limit_storm(&self, n: u32) {
        self.update(|f| f.rate_limit_storm_next = n);
    }

    /// Every access token issued so far expires now.
    pub fn expire_access_tokens(&self) {
        let now = self.shared.clock.now();
        lock(&self.shared.oauth).expire_access_tokens(now);
    }

    /// Every refresh token (and its access tokens) is revoked now.
    pub fn revoke_refresh_tokens(&self) {
        lock(&self.shared.oauth).revoke_all();
    }

    /// The user's role may not read these modules (scope names) from now
    /// on, beside `SimConfig::role_denies`; empty: only those.
    pub fn set_role_denies(&self, modules: &[&str]) {
        self.update(|f| f.role_denies = modules.iter().map(|m| (*m).to_owned()).collect());
    }

    /// Only `left` calls remain of the organization's daily quota until the
    /// next reset (at its midnight), as if the rest were used today.
    pub fn leave_daily_quota(&self, organization_id: &str, left: u32) -> Result<()> {
        self.org(organization_id)?
            .limiter
            .leave_daily(&self.shared.clock, left);
        Ok(())
    }

    /// The organization's daily quota is whole again, as after its midnight.
    pub fn reset_daily_quota(&self, organization_id: &str) -> Result<()> {
        self.org(organization_id)?
            .limiter
            .leave_daily(&self.shared.clock, u32::MAX);
        Ok(())
    }

    fn org(&self, organization_id: &str) -> Result<&crate::Org> {
        self.shared
            .orgs
            .get(organization_id)
            .ok_or_else(|| SimError::UnknownOrganization(organization_id.to_string()))
    }

    /// The organization's daily quota is used up until the next reset.
    pub fn exhaust_daily_quota(&self, organization_id: &str) -> Result<()> {
        self.leave_daily_quota(organization_id, 0)
    }
}

pub(crate) fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}
