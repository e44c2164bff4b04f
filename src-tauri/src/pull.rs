//! The shell's half of a pull: it runs in the background, its progress
//! reaches the window as `pull-progress` events and its end as
//! `pull-finished`; Cancel trips the pull's token. Results are read by
//! commands straight from the core.

use std::collections::HashMap;
use std::sync::Mutex;

use serde::Serialize;
use tauri::{AppHandle, Emitter, Manager, Runtime};
use zbs_pull::{CancellationToken, PullOptions, PullReport};

use crate::error::{ErrorPayload, ShellError};
use crate::state::SetupExt;

pub const PROGRESS: &str = "pull-progress";
pub const FINISHED: &str = "pull-finished";

/// Pulls running in this window, by connection.
#[derive(Default)]
pub struct RunningPulls(Mutex<HashMap<String, CancellationToken>>);

impl RunningPulls {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, CancellationToken>> {
        self.0.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// How a pull ended, as the window is told.
#[derive(Clone, Serialize, ts_rs::TS)]
#[ts(export)]
pub struct PullFinished {
    pub connection: String,
    pub report: Option<PullReport>,
    pub error: Option<ErrorPayload>,
}

/// Starts a pull in the background; a second start of the same connection is refused.
pub fn start<R: Runtime>(
    app: &AppHandle<R>,
    connection_id: String,
    options: PullOptions,
) -> Result<(), ShellError> {
    let setup = app.setup()?;
    let cancel = CancellationToken::new();
    {
        let running = app.state::<RunningPulls>();
        let mut running = running.lock();
        if running.contains_key(&connection_id) {
            return Err(zbs_setup::Error::from(zbs_pull::PullError::AlreadyRunning).into());
        }
        running.insert(connection_id.clone(), cancel.clone());
    }
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        let emitter = app.clone();
        let progress = move |p: zbs_pull::Progress| {
            let _ = emitter.emit(PROGRESS, p);
        };
        let result = setup.pull(&connection_id, &options, progress, cancel).await;
        app.state::<RunningPulls>().lock().remove(&connection_id);
        let event = match result {
            Ok(report) => PullFinished {
                connection: connection_id,
                report: Some(report),
                error: None,
            },
            Err(e) => PullFinished {
                connection: connection_id,
                report: None,
                error: Some(ShellError::from(e).payload()),
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
