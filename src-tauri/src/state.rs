//! The shell's managed state: the open `Setup` of the profile in use, and the
//! demo simulator while demo mode is on.
//!
//! Reached through [`SetupExt`] so commands stay one line. Calls into the core
//! that block (SQLite, the keyring) run on the blocking pool, never on the
//! window's thread.

use std::sync::{Arc, RwLock};

use tauri::{AppHandle, Manager, Runtime};
use zbs_demo::Demo;
use zbs_setup::{OpenOptions, Profile, Setup};

use crate::error::ShellError;

pub struct AppState {
    /// The real profile, always open: it also remembers the window's choices.
    real: Result<Arc<Setup>, String>,
    /// The profile in use (the real one, or the demo one).
    current: RwLock<Result<Arc<Setup>, String>>,
    demo: tokio::sync::Mutex<Option<Demo>>,
}

impl AppState {
    pub fn open() -> Self {
        let real = Setup::open(OpenOptions::default())
            .map(Arc::new)
            .map_err(|e| {
                tracing::error!(code = %e.code(), "could not open the settings");
                e.to_string()
            });
        AppState {
            current: RwLock::new(real.clone()),
            real,
            demo: tokio::sync::Mutex::new(None),
        }
    }

    pub fn current(&self) -> Result<Arc<Setup>, ShellError> {
        let guard = self.current.read().unwrap_or_else(|p| p.into_inner());
        guard.clone().map_err(ShellError::NotReady)
    }

    fn real(&self) -> Result<Arc<Setup>, ShellError> {
        self.real.clone().map_err(ShellError::NotReady)
    }

    /// The profile the window should open with (`--demo` forces demo mode).
    pub fn start_profile(&self, force_demo: bool) -> Profile {
        if force_demo {
            return Profile::Demo;
        }
        self.real
            .as_ref()
            .ok()
            .and_then(|s| s.preferences().ok())
            .map_or(Profile::Real, |p| p.start_profile)
    }

    pub fn welcomed(&self) -> bool {
        self.real
            .as_ref()
            .ok()
            .and_then(|s| s.preferences().ok())
            .is_some_and(|p| p.welcomed)
    }

    /// Switches between the real profile and demo mode (starting the
    /// simulator once). Leaving the demo ends its story.
    pub async fn switch(&self, profile: Profile) -> Result<Arc<Setup>, ShellError> {
        if let (Some(demo), Ok(current)) = (self.demo.lock().await.as_ref(), self.current()) {
            if current.status().is_ok_and(|s| s.profile == Profile::Demo) {
                demo.end_story(&current).await?;
            }
        }
        let setup = match profile {
            Profile::Real => self.real()?,
            Profile::Demo => {
                let mut demo = self.demo.lock().await;
                if demo.is_none() {
                    *demo = Some(Demo::start().await?);
                }
                let dir = self.real()?.data_dir().to_owned();
                let options = demo
                    .as_ref()
                    .map(|d| d.options(Some(dir)))
                    .ok_or(ShellError::Task)?;
                let setup = tauri::async_runtime::spawn_blocking(move || Setup::open(options))
                    .await
                    .map_err(|_| ShellError::Task)??;
                if let Some(d) = demo.as_ref() {
                    d.remember_sign_ins(&setup);
                    d.tidy_stories(&setup).await;
                }
                Arc::new(setup)
            }
        };
        if let Ok(real) = self.real() {
            real.remember_start_profile(profile)?;
        }
        *self.current.write().unwrap_or_else(|p| p.into_inner()) = Ok(setup.clone());
        Ok(setup)
    }

    /// Stages a demo story on the demo's simulator and the demo profile.
    pub async fn stage_story(
        &self,
        story: zbs_demo::DemoStory,
    ) -> Result<zbs_demo::StagedStory, ShellError> {
        let setup = self.current()?;
        let demo = self.demo.lock().await;
        let demo = demo.as_ref().ok_or_else(|| {
            ShellError::from(zbs_setup::Error::DemoStory {
                detail: "demo mode is not on".into(),
            })
        })?;
        Ok(demo.stage(story, &setup).await?)
    }

    /// Ends the demo story running, if any: back to the happy path.
    pub async fn end_story(&self) -> Result<(), ShellError> {
        let setup = self.current()?;
        if let Some(demo) = self.demo.lock().await.as_ref() {
            demo.end_story(&setup).await?;
        }
        Ok(())
    }

    /// The demo's stories and the one running, while demo mode is on.
    pub async fn demo_stories(&self) -> (Vec<zbs_demo::StoryInfo>, Option<zbs_demo::StagedStory>) {
        match self.demo.lock().await.as_ref() {
            Some(d) if d.in_process() => (Demo::stories(), d.story()),
            _ => (Vec::new(), None),
        }
    }

    /// The demo's keys while demo mode is on.
    pub async fn demo_keys(&self) -> Option<zbs_demo::DemoKeys> {
        self.demo.lock().await.as_ref().map(Demo::keys)
    }
}

/// `app.core(|setup| ...)` for blocking calls; `app.setup()` for async ones.
pub trait SetupExt {
    fn setup(&self) -> Result<Arc<Setup>, ShellError>;

    fn core<T, F>(&self, f: F) -> impl std::future::Future<Output = Result<T, ShellError>>
    where
        T: Send + 'static,
        F: FnOnce(&Setup) -> Result<T, zbs_setup::Error> + Send + 'static;
}

impl<R: Runtime> SetupExt for AppHandle<R> {
    fn setup(&self) -> Result<Arc<Setup>, ShellError> {
        self.state::<AppState>().current()
    }

    async fn core<T, F>(&self, f: F) -> Result<T, ShellError>
    where
        T: Send + 'static,
        F: FnOnce(&Setup) -> Result<T, zbs_setup::Error> + Send + 'static,
    {
        let setup = self.setup()?;
        tauri::async_runtime::spawn_blocking(move || {
            let result = f(&setup);
            if let Err(e) = &result {
                // Kept for "Copy diagnostics"; messages never hold a secret.
                let _ = setup.record_failure(e);
            }
            result
        })
        .await
        .map_err(|_| ShellError::Task)?
        .map_err(ShellError::from)
    }
}
