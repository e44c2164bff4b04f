//! The shell's managed state: the open `Setup` of the profile in use.
//!
//! Reached through [`SetupExt::core`] so commands stay one line. Calls into the
//! core block (SQLite, the keyring), so they run on the blocking pool, never
//! on the window's thread.

use std::sync::{Arc, RwLock};

use tauri::{AppHandle, Manager, Runtime};
use zbs_setup::{OpenOptions, Profile, Setup};

use crate::error::ShellError;

/// The open profile, or why it could not be opened.
pub struct AppState {
    setup: RwLock<Result<Arc<Setup>, String>>,
}

impl AppState {
    pub fn open(profile: Profile) -> Self {
        let opened = Setup::open(OpenOptions {
            profile,
            ..OpenOptions::default()
        })
        .map(Arc::new)
        .map_err(|e| {
            tracing::error!(code = e.code(), "could not open the settings");
            e.to_string()
        });
        AppState {
            setup: RwLock::new(opened),
        }
    }

    fn current(&self) -> Result<Arc<Setup>, ShellError> {
        let guard = self.setup.read().unwrap_or_else(|p| p.into_inner());
        guard.clone().map_err(ShellError::NotReady)
    }
}

/// `app.core(|setup| ...)`: runs a core call off the window's thread.
pub trait SetupExt {
    fn core<T, F>(&self, f: F) -> impl std::future::Future<Output = Result<T, ShellError>>
    where
        T: Send + 'static,
        F: FnOnce(&Setup) -> Result<T, zbs_setup::Error> + Send + 'static;
}

impl<R: Runtime> SetupExt for AppHandle<R> {
    async fn core<T, F>(&self, f: F) -> Result<T, ShellError>
    where
        T: Send + 'static,
        F: FnOnce(&Setup) -> Result<T, zbs_setup::Error> + Send + 'static,
    {
        let setup = self.state::<AppState>().current()?;
        tauri::async_runtime::spawn_blocking(move || f(&setup))
            .await
            .map_err(|_| ShellError::Task)?
            .map_err(ShellError::from)
    }
}
