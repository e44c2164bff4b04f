//! The shell's half of connecting: the loopback listener task and the
//! deep-link handler both hand redirects to the core, and the outcome reaches
//! the window as a `connect-finished` event.

use serde::Serialize;
use tauri::{AppHandle, Emitter, Manager, Runtime};
use tauri_plugin_opener::OpenerExt;
use zbs_setup::connect::{OrganizationChoice, SignIn, SIGN_IN_TIMEOUT};

use crate::commands::Started;
use crate::error::{ErrorPayload, ShellError};
use crate::state::SetupExt;

/// The event the window waits for after opening the consent page.
pub const FINISHED: &str = "connect-finished";

/// What the window is told when a sign-in ends.
#[derive(Clone, Serialize, ts_rs::TS)]
#[ts(export)]
pub struct Finished {
    pub choices: Option<Vec<OrganizationChoice>>,
    pub error: Option<ErrorPayload>,
}

/// Opens a started sign-in's consent page in the system browser and, when
/// its answer comes to the loopback listener, waits for it in the background.
pub fn open_and_wait<R: Runtime>(app: &AppHandle<R>, sign_in: SignIn) -> Started {
    // With a warning, the person reads it first: the page opens when they
    // choose to continue (`open_held_sign_in`).
    let held = sign_in.start.warning.is_some();
    *app.state::<HeldSignIn>()
        .0
        .lock()
        .unwrap_or_else(|p| p.into_inner()) = held.then(|| sign_in.start.authorize_url.clone());
    let browser_opened = !held
        && app
            .opener()
            .open_url(&sign_in.start.authorize_url, None::<&str>)
            .is_ok();
    let started = Started {
        start: sign_in.start.clone(),
        browser_opened,
        held_for_warning: held,
    };
    if sign_in.waits_for_listener() {
        let app = app.clone();
        tauri::async_runtime::spawn(async move {
            let Ok(setup) = app.setup() else { return };
            let result = setup.wait_sign_in(sign_in, SIGN_IN_TIMEOUT).await;
            finish(&app, result.map_err(ShellError::from));
        });
    }
    started
}

/// Handles URLs the OS hands over (deep links, also on a cold start).
pub fn on_deep_link<R: Runtime>(app: &AppHandle<R>, urls: Vec<String>) {
    for url in urls {
        let app = app.clone();
        tauri::async_runtime::spawn(async move {
            let Ok(setup) = app.setup() else { return };
            match setup.complete_connect_url(&url).await {
                Ok(choices) => finish(&app, Ok(choices)),
                // Someone else's or a forged link: ignored, the real sign-in still waits.
                Err(zbs_setup::Error::UnknownState) => {
                    tracing::warn!("a sign-in link with an unknown state was ignored");
                }
                Err(e) => {
                    tracing::warn!(code = %e.code(), "a sign-in link was refused");
                    finish(&app, Err(e.into()));
                }
            }
        });
    }
}

fn finish<R: Runtime>(app: &AppHandle<R>, result: Result<Vec<OrganizationChoice>, ShellError>) {
    let event = match result {
        Ok(choices) => Finished {
            choices: Some(choices),
            error: None,
        },
        Err(e) => Finished {
            choices: None,
            error: Some(e.payload()),
        },
    };
    // Kept until the window has read it: on a cold start the link arrives
    // before the page is listening.
    *app.state::<LastOutcome>()
        .0
        .lock()
        .unwrap_or_else(|p| p.into_inner()) = Some(event.clone());
    if let Err(e) = app.emit(FINISHED, event) {
        tracing::error!("could not tell the window: {e}");
    }
}

/// The consent page of a sign-in that came with a warning, opened only once
/// the person chose to continue; never a page-given address.
#[derive(Default)]
pub struct HeldSignIn(std::sync::Mutex<Option<String>>);

/// Opens the held consent page (see [`HeldSignIn`]); whether the browser opened.
pub fn open_held<R: Runtime>(app: &AppHandle<R>) -> bool {
    forget_held(app).is_some_and(|u| app.opener().open_url(&u, None::<&str>).is_ok())
}

/// Drops the held consent page (the sign-in was cancelled); what was held.
pub fn forget_held<R: Runtime>(app: &AppHandle<R>) -> Option<String> {
    app.state::<HeldSignIn>()
        .0
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .take()
}

/// The last sign-in outcome, until the window takes it.
#[derive(Default)]
pub struct LastOutcome(std::sync::Mutex<Option<Finished>>);

impl LastOutcome {
    pub fn take(&self) -> Option<Finished> {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).take()
    }
}
