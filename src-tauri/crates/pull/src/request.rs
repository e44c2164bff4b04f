//! What one run of a pull is asked: [`PullRequest`] (whose records, which
//! ones, with which tokens) and [`PullControls`] (who hears its progress,
//! what stops it, how many calls it may make).
//!
//! ```no_run
//! # async fn demo(puller: &zbs_pull::Puller, tokens: std::sync::Arc<dyn zbs_pull::TokenSource>) -> Result<(), zbs_pull::PullError> {
//! use zbs_pull::{PullOptions, PullRequest};
//! let options = PullOptions::default();
//! let report = puller
//!     .run(
//!         PullRequest::new("conn-1", "775501234", &options, tokens)
//!             .progress(|p| println!("{} calls", p.calls))
//!             .at_most(Some(10)),
//!     )
//!     .await?;
//! # let _ = report; Ok(()) }
//! ```

use std::sync::Arc;

use tokio_util::sync::CancellationToken;

use crate::token::TokenSource;
use crate::types::{Progress, PullOptions};

/// Who hears a run's progress, what stops it and how many API calls it may
/// make. The default: nobody listens, nothing stops it but its end, no cap.
pub struct PullControls<'a> {
    /// Called as the run goes (and once at its end).
    pub progress: Box<dyn Fn(Progress) + Send + Sync + 'a>,
    /// Cancelling it ends the run as cancelled, saved to continue.
    pub cancel: CancellationToken,
    /// At most this many API calls in this run: the call past it is never
    /// sent, the answers in flight are stored, and the pull ends as
    /// cancelled, saved to continue.
    pub max_calls: Option<u64>,
}

impl Default for PullControls<'_> {
    fn default() -> Self {
        PullControls {
            progress: Box::new(|_| {}),
            cancel: CancellationToken::new(),
            max_calls: None,
        }
    }
}

impl<'a> PullControls<'a> {
    /// `progress` is called as the run goes.
    pub fn progress(mut self, progress: impl Fn(Progress) + Send + Sync + 'a) -> Self {
        self.progress = Box::new(progress);
        self
    }

    /// Cancelling `cancel` ends the run, saved to continue.
    pub fn cancel(mut self, cancel: CancellationToken) -> Self {
        self.cancel = cancel;
        self
    }

    /// At most `max_calls` API calls in this run (`None`: no cap).
    pub fn at_most(mut self, max_calls: Option<u64>) -> Self {
        self.max_calls = max_calls;
        self
    }
}

/// One run of a pull: `options` of `organization_id` for `connection_id`,
/// signed in by `tokens`, going as its [`PullControls`] say.
pub struct PullRequest<'a> {
    pub connection_id: &'a str,
    pub organization_id: &'a str,
    pub options: &'a PullOptions,
    pub tokens: Arc<dyn TokenSource>,
    pub controls: PullControls<'a>,
}

impl<'a> PullRequest<'a> {
    /// A run with the default [`PullControls`].
    pub fn new(
        connection_id: &'a str,
        organization_id: &'a str,
        options: &'a PullOptions,
        tokens: Arc<dyn TokenSource>,
    ) -> Self {
        PullRequest {
            connection_id,
            organization_id,
            options,
            tokens,
            controls: PullControls::default(),
        }
    }

    /// This run goes as `controls` say.
    pub fn controls(mut self, controls: PullControls<'a>) -> Self {
        self.controls = controls;
        self
    }

    /// [`PullControls::progress`].
    pub fn progress(mut self, progress: impl Fn(Progress) + Send + Sync + 'a) -> Self {
        self.controls = self.controls.progress(progress);
        self
    }

    /// [`PullControls::cancel`].
    pub fn cancel(mut self, cancel: CancellationToken) -> Self {
        self.controls = self.controls.cancel(cancel);
        self
    }

    /// [`PullControls::at_most`].
    pub fn at_most(mut self, max_calls: Option<u64>) -> Self {
        self.controls = self.controls.at_most(max_calls);
        self
    }
}
