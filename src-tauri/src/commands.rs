//! The commands the window may call: each one line into the core.

use tauri::{AppHandle, Runtime};
use tauri_plugin_opener::OpenerExt;
use zbs_setup::links::{self, Link};
use zbs_setup::validate::KeyIssue;
use zbs_setup::{CredentialsInput, SaveOutcome, Status};

use crate::error::ShellError;
use crate::state::SetupExt;

type Result<T> = std::result::Result<T, ShellError>;

#[tauri::command]
pub async fn get_status<R: Runtime>(app: AppHandle<R>) -> Result<Status> {
    app.core(|s| s.status()).await
}

#[tauri::command]
pub async fn check_keys<R: Runtime>(
    app: AppHandle<R>,
    input: CredentialsInput,
) -> Result<Vec<KeyIssue>> {
    app.core(move |s| Ok(s.check_keys(&input))).await
}

#[tauri::command]
pub async fn save_credentials<R: Runtime>(
    app: AppHandle<R>,
    input: CredentialsInput,
) -> Result<SaveOutcome> {
    app.core(move |s| s.save_credentials(input)).await
}

#[tauri::command]
pub async fn clear_credentials<R: Runtime>(app: AppHandle<R>) -> Result<Status> {
    app.core(|s| s.clear_credentials()).await
}

#[tauri::command]
pub async fn set_regions<R: Runtime>(app: AppHandle<R>, regions: Vec<String>) -> Result<Status> {
    app.core(move |s| s.set_regions(&regions)).await
}

#[tauri::command]
pub async fn set_enabled<R: Runtime>(app: AppHandle<R>, on: bool) -> Result<Status> {
    app.core(move |s| s.set_enabled(on)).await
}

#[tauri::command]
pub async fn set_step<R: Runtime>(app: AppHandle<R>, item: String, done: bool) -> Result<Status> {
    app.core(move |s| s.set_step(&item, done)).await
}

#[tauri::command]
pub async fn set_current_step<R: Runtime>(app: AppHandle<R>, step: String) -> Result<()> {
    app.core(move |s| s.set_current_step(&step)).await
}

#[tauri::command]
pub async fn dismiss_recovery_notice<R: Runtime>(app: AppHandle<R>) -> Result<()> {
    app.core(|s| s.dismiss_recovery_notice()).await
}

/// Opens one of the checklist's known pages in the system browser; returns its address
/// so the window can offer it for copying when no browser opens.
#[tauri::command]
pub async fn open_link<R: Runtime>(
    app: AppHandle<R>,
    link: Link,
    region: Option<String>,
) -> Result<String> {
    let url = app
        .core(move |s| Ok(links::url(link, s.data_centers(), region.as_deref())))
        .await?;
    app.opener()
        .open_url(&url, None::<&str>)
        .map_err(|e| ShellError::Opener(e.to_string()))?;
    Ok(url)
}
