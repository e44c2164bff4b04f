//! The shell's half of a pull: it runs in the background, its progress
//! reaches the window as `pull-progress` events and its end as
//! `pull-finished`; Cancel trips the pull's token. Results are read by
//! commands straight from the core.
//!
//! Closing the window while a pull runs is held ([`on_close_requested`]):
//! the window is asked (`close-question`) whether to keep pulling or to stop
//! and close; "Stop and close" stops every pull, waits until each has
//! recorded where it stopped, and then closes ([`stop_all`]).

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use serde::Serialize;
use tauri::{AppHandle, CloseRequestApi, Emitter, Manager, Runtime, Window};
use zbs_pull::{CancellationToken, PullOptions, PullReport};

use crate::error::{ErrorPayload, ShellError};
use crate::state::SetupExt;

pub const PROGRESS: &str = "pull-progress";
pub const FINISHED: &str = "pull-finished";
/// Sent when the person closes the window while a pull runs.
pub const CLOSE_QUESTION: &str = "close-question";

/// How long "Stop and close" waits for the pulls to record where they
/// stopped; past it the window closes anyway (the pull then shows as
/// interrupted, with "Resume it", at the next start).
const STOP_WAIT: Duration = Duration::from_secs(15);

/// Pulls running in this window, by connection: the one place that knows
/// whether one runs.
#[derive(Default)]
pub struct RunningPulls {
    pulls: Mutex<HashMap<String, CancellationToken>>,
    ended: tokio::sync::Notify,
}

impl RunningPulls {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, CancellationToken>> {
        self.pulls.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Registers a pull of `connection_id`; `None` when one already runs.
    fn begin(&self, connection_id: &str) -> Option<CancellationToken> {
        let mut running = self.lock();
        if running.contains_key(connection_id) {
            return None;
        }
        let cancel = CancellationToken::new();
        running.insert(connection_id.to_owned(), cancel.clone());
        Some(cancel)
    }

    /// The pull of `connection_id` has ended (and recorded how).
    fn end(&self, connection_id: &str) {
        self.lock().remove(connection_id);
        self.ended.notify_waiters();
    }

    /// Whether any pull is running: closing the window asks first then.
    pub fn any(&self) -> bool {
        !self.lock().is_empty()
    }

    /// Stops every running pull and waits, at most `within`, until each has
    /// ended; true when they all did.
    pub async fn stop_all(&self, within: Duration) -> bool {
        for token in self.lock().values() {
            token.cancel();
        }
        let all_ended = async {
            loop {
                let ended = self.ended.notified();
                tokio::pin!(ended);
                ended.as_mut().enable();
                if !self.any() {
                    return;
                }
                ended.await;
            }
        };
        tokio::time::timeout(within, all_ended).await.is_ok()
    }
}

/// How a pull ended, as the window is told.
#[derive(Clone, Serialize, ts_rs::TS)]
#[ts(export)]
pub struct PullFinished {
    pub connection: String,
    pub report: Option<PullReport>,
    pub error: Option<ErrorPayload>,
    /// Another pull of this window is still running (closing still asks).
    pub others_running: bool,
}

/// Starts a pull in the background; a second start of the same connection is refused.
pub fn start<R: Runtime>(
    app: &AppHandle<R>,
    connection_id: String,
    options: PullOptions,
) -> Result<(), ShellError> {
    let setup = app.setup()?;
    let cancel = app
        .state::<RunningPulls>()
        .begin(&connection_id)
        .ok_or_else(|| zbs_setup::Error::from(zbs_pull::PullError::AlreadyRunning))?;
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        let emitter = app.clone();
        let progress = move |p: zbs_pull::Progress| {
            let _ = emitter.emit(PROGRESS, p);
        };
        let controls = zbs_pull::PullControls::default()
            .progress(progress)
            .cancel(cancel);
        let result = setup.pull(&connection_id, &options, controls).await;
        let running = app.state::<RunningPulls>();
        running.end(&connection_id);
        let others_running = running.any();
        let event = match result {
            Ok(report) => PullFinished {
                connection: connection_id,
                report: Some(report),
                error: None,
                others_running,
            },
            Err(e) => PullFinished {
                connection: connection_id,
                report: None,
                error: Some(ShellError::from(e).payload()),
                others_running,
            },
        };
        if let Err(e) = app.emit(FINISHED, event) {
            tracing::error!("could not tell the window a pull ended: {e}");
        }
    });
    Ok(())
}

/// Asks a running pull to stop (it keeps its checkpoint).
pub fn cancel<R: Runtime>(app: &AppHandle<R>, connection_id: &str) {
    if let Some(token) = app.state::<RunningPulls>().lock().get(connection_id) {
        token.cancel();
    }
}

/// The person closes the window: at once when no pull runs; otherwise the
/// close is held and the window asks whether to stop the pull.
pub fn on_close_requested<R: Runtime>(window: &Window<R>, api: &CloseRequestApi) {
    if window.state::<RunningPulls>().any() {
        api.prevent_close();
        if let Err(e) = window.emit(CLOSE_QUESTION, ()) {
            tracing::error!("could not ask the window before closing: {e}");
        }
    }
}

/// "Stop and close": stops every pull, waits until each has recorded where
/// it stopped, then closes the window without asking again.
pub async fn stop_all_and_close<R: Runtime>(window: &Window<R>) -> Result<(), ShellError> {
    if !window.state::<RunningPulls>().stop_all(STOP_WAIT).await {
        tracing::warn!("a pull did not stop in time; closing anyway");
    }
    window.destroy().map_err(|_| ShellError::Task)
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;

    #[tokio::test]
    async fn no_pull_running_means_close_at_once() {
        let pulls = RunningPulls::default();
        assert!(!pulls.any());
        assert!(pulls.stop_all(Duration::from_millis(10)).await);
    }

    #[tokio::test]
    async fn a_running_pull_is_asked_about_and_stopped_before_closing() {
        let pulls = Arc::new(RunningPulls::default());
        let cancel = pulls.begin("c1").expect("first start");
        assert!(pulls.begin("c1").is_none(), "a second start is refused");
        assert!(pulls.any(), "closing now asks first");
        // The pull: ends a moment after it is cancelled, as the engine does
        // once it has saved where it stopped.
        let task = {
            let pulls = Arc::clone(&pulls);
            tokio::spawn(async move {
                cancel.cancelled().await;
                tokio::time::sleep(Duration::from_millis(50)).await;
                pulls.end("c1");
            })
        };
        assert!(
            pulls.stop_all(Duration::from_secs(5)).await,
            "stopped in time"
        );
        assert!(!pulls.any());
        task.await.expect("the pull task");
    }

    #[tokio::test]
    async fn a_pull_that_does_not_stop_in_time_does_not_hold_the_close_forever() {
        let pulls = RunningPulls::default();
        let cancel = pulls.begin("c1").expect("first start");
        assert!(!pulls.stop_all(Duration::from_millis(50)).await);
        assert!(cancel.is_cancelled(), "it was asked to stop");
    }
}
