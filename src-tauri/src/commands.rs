//! The commands the window may call: each one line into the core.

use std::path::Path;

use tauri::{AppHandle, Manager, Runtime, State};
use tauri_plugin_opener::OpenerExt;
use zbs_pull::{
    Entity, ExportFormat, ExportSummary, Forecast, PullOptions, RecordPage, SortColumn, SortDir,
};
use zbs_setup::checkup::ConnectionTest;
use zbs_setup::connect::{ConnectStart, Connection, RedirectMethod};
use zbs_setup::keycheck::KeyCheck;
use zbs_setup::links::{self, Link};
use zbs_setup::platform::{Handoff, PlatformChoice};
use zbs_setup::pulls::PullResults;
use zbs_setup::report::SavedReport;
use zbs_setup::validate::KeyIssue;
use zbs_setup::{CredentialsInput, Profile, SaveOutcome, Status};

use crate::error::ShellError;
use crate::state::{AppState, SetupExt};

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

/// What the window needs at start: the status and whether to show the welcome screen.
#[derive(serde::Serialize, ts_rs::TS)]
#[ts(export)]
pub struct Boot {
    status: Status,
    welcomed: bool,
    demo_keys: Option<zbs_demo::DemoKeys>,
    /// The demo's stories (empty outside demo mode), and the one running.
    demo_stories: Vec<zbs_demo::StoryInfo>,
    demo_story: Option<zbs_demo::StagedStory>,
    /// A sign-in that ended before the window was listening (cold start).
    connect_outcome: Option<crate::connect::Finished>,
}

#[tauri::command]
pub async fn boot<R: Runtime>(app: AppHandle<R>, state: State<'_, AppState>) -> Result<Boot> {
    let status = app.core(|s| s.status()).await?;
    let (demo_stories, demo_story) = match status.profile {
        Profile::Demo => state.demo_stories().await,
        Profile::Real => (Vec::new(), None),
    };
    Ok(Boot {
        status,
        welcomed: state.welcomed(),
        demo_keys: state.demo_keys().await,
        demo_stories,
        demo_story,
        connect_outcome: app.state::<crate::connect::LastOutcome>().take(),
    })
}

#[tauri::command]
pub async fn switch_profile<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    profile: Profile,
) -> Result<Boot> {
    state.switch(profile).await?;
    boot(app, state).await
}

/// Stages a demo story (demo mode only); the window opens the step it plays on.
#[tauri::command]
pub async fn stage_demo_story(
    state: State<'_, AppState>,
    story: zbs_demo::DemoStory,
) -> Result<zbs_demo::StagedStory> {
    state.stage_story(story).await
}

/// Ends the demo story running: the demo's simulator is on the happy path again.
#[tauri::command]
pub async fn end_demo_story(state: State<'_, AppState>) -> Result<()> {
    state.end_story().await
}

#[tauri::command]
pub async fn set_redirect_method<R: Runtime>(
    app: AppHandle<R>,
    method: RedirectMethod,
) -> Result<Status> {
    app.core(move |s| s.set_redirect_method(method)).await
}

/// Starts a sign-in: listens for the redirect, opens the consent page in the
/// system browser, and returns the page's address for the copy-link fallback.
/// Zoho is asked to allow reading `entities` only (a reconnect keeps what
/// its connection could read).
#[tauri::command]
pub async fn start_connect<R: Runtime>(
    app: AppHandle<R>,
    region: Option<String>,
    reconnect: Option<String>,
    entities: Vec<Entity>,
) -> Result<Started> {
    let sign_in = app
        .core(move |s| s.begin_sign_in_to_read(region.as_deref(), reconnect.as_deref(), &entities))
        .await?;
    Ok(crate::connect::open_and_wait(&app, sign_in))
}

/// A started sign-in, and whether the system browser opened its page.
#[derive(serde::Serialize, ts_rs::TS)]
#[ts(export)]
pub struct Started {
    #[serde(flatten)]
    pub start: ConnectStart,
    pub browser_opened: bool,
    /// The consent page waits until the person has read the warning and
    /// chooses to continue (`open_held_sign_in`).
    pub held_for_warning: bool,
}

/// Opens the consent page of the sign-in held for its warning; whether the
/// browser opened.
#[tauri::command]
pub async fn open_held_sign_in<R: Runtime>(app: AppHandle<R>) -> Result<bool> {
    Ok(crate::connect::open_held(&app))
}

#[tauri::command]
pub async fn cancel_connect<R: Runtime>(app: AppHandle<R>) -> Result<()> {
    // A consent page held for its warning never opens after a cancel.
    crate::connect::forget_held(&app);
    app.core(|s| {
        s.cancel_connect();
        Ok(())
    })
    .await?;
    app.setup()?.revoke_discarded().await;
    Ok(())
}

#[tauri::command]
pub async fn choose_organization<R: Runtime>(
    app: AppHandle<R>,
    organization_id: Option<String>,
) -> Result<Connection> {
    let connection = app
        .core(move |s| s.choose_organization(organization_id.as_deref()))
        .await?;
    app.setup()?.revoke_discarded().await;
    Ok(connection)
}

#[tauri::command]
pub async fn list_connections<R: Runtime>(app: AppHandle<R>) -> Result<Vec<Connection>> {
    app.core(|s| s.connections()).await
}

#[tauri::command]
pub async fn rename_connection<R: Runtime>(
    app: AppHandle<R>,
    id: String,
    label: String,
) -> Result<Connection> {
    app.core(move |s| s.rename_connection(&id, &label)).await
}

#[tauri::command]
pub async fn test_connection<R: Runtime>(
    app: AppHandle<R>,
    id: String,
    entities: Vec<Entity>,
) -> Result<ConnectionTest> {
    Ok(app.setup()?.test_connection(&id, &entities).await?)
}

#[tauri::command]
pub async fn disconnect<R: Runtime>(app: AppHandle<R>, id: String, force: bool) -> Result<()> {
    Ok(app.setup()?.disconnect(&id, force).await?)
}

#[tauri::command]
pub async fn forecast_pull<R: Runtime>(
    app: AppHandle<R>,
    connection_id: String,
    options: PullOptions,
) -> Result<Forecast> {
    app.core(move |s| s.forecast_pull(&connection_id, &options))
        .await
}

/// Counts the records of a pull's types (one call per 200 records of each)
/// so its forecast is a figure; the totals are kept for the forecast.
#[tauri::command]
pub async fn count_records<R: Runtime>(
    app: AppHandle<R>,
    connection_id: String,
    options: PullOptions,
) -> Result<zbs_pull::RecordCount> {
    let setup = app.setup()?;
    Ok(setup
        .count_records(&connection_id, &options, zbs_pull::CancellationToken::new())
        .await?)
}

#[tauri::command]
pub async fn start_pull<R: Runtime>(
    app: AppHandle<R>,
    connection_id: String,
    options: PullOptions,
) -> Result<()> {
    crate::pull::start(&app, connection_id, options)
}

#[tauri::command]
pub async fn cancel_pull<R: Runtime>(app: AppHandle<R>, connection_id: String) -> Result<()> {
    crate::pull::cancel(&app, &connection_id);
    Ok(())
}

/// "Stop and close", the answer to closing the window while a pull runs.
#[tauri::command]
pub async fn stop_pulls_and_close<R: Runtime>(window: tauri::Window<R>) -> Result<()> {
    crate::pull::stop_all_and_close(&window).await
}

#[tauri::command]
pub async fn pull_results<R: Runtime>(
    app: AppHandle<R>,
    connection_id: String,
) -> Result<PullResults> {
    app.core(move |s| s.pull_results(&connection_id)).await
}

#[tauri::command]
#[allow(clippy::too_many_arguments)]
pub async fn pull_records<R: Runtime>(
    app: AppHandle<R>,
    connection_id: String,
    entity: Entity,
    offset: u64,
    limit: u32,
    sort: SortColumn,
    dir: SortDir,
    search: Option<String>,
) -> Result<RecordPage> {
    app.core(move |s| {
        Ok(s.puller()?.records(
            &connection_id,
            entity,
            offset,
            limit,
            sort,
            dir,
            search.as_deref(),
        )?)
    })
    .await
}

#[tauri::command]
pub async fn pull_record<R: Runtime>(
    app: AppHandle<R>,
    connection_id: String,
    entity: Entity,
    zoho_id: String,
) -> Result<Option<serde_json::Value>> {
    app.core(move |s| Ok(s.puller()?.record(&connection_id, entity, &zoho_id)?))
        .await
}

/// An export, where the person chose to save it.
#[derive(serde::Serialize, ts_rs::TS)]
#[ts(export)]
pub struct ExportSaved {
    /// The new folder holding the files.
    pub folder: String,
    pub export: ExportSummary,
}

/// Asks where to save the export (the system's save dialog, in Downloads,
/// suggesting a dated name), then writes the files into that new folder;
/// `None` when the person cancelled.
#[tauri::command]
pub async fn export_pull<R: Runtime>(
    app: AppHandle<R>,
    connection_id: String,
    format: ExportFormat,
) -> Result<Option<ExportSaved>> {
    let (folder, name) = app
        .core(|s| Ok((s.default_save_folder(), s.export_folder_name())))
        .await?;
    let question = crate::saving::Question {
        title: "Export the pulled records: name the new folder for the files",
        folder,
        name,
        filter: None,
    };
    let Some(folder) = crate::saving::ask_where(&app, question).await? else {
        return Ok(None);
    };
    let into = folder.clone();
    let export = app
        .core(move |s| s.export_pull_as(&connection_id, format, &into))
        .await?;
    crate::saving::remember(&app, &folder);
    Ok(Some(ExportSaved {
        folder: folder.display().to_string(),
        export,
    }))
}

/// Opens, in the file manager, a folder this window saved an export or a
/// report into.
#[tauri::command]
pub async fn open_saved_folder<R: Runtime>(app: AppHandle<R>, folder: String) -> Result<()> {
    crate::saving::open_folder(&app, &folder)
}

#[tauri::command]
pub async fn set_platform<R: Runtime>(app: AppHandle<R>, choice: PlatformChoice) -> Result<Status> {
    app.core(move |s| s.set_platform(choice)).await
}

#[tauri::command]
pub async fn handoff<R: Runtime>(app: AppHandle<R>) -> Result<Handoff> {
    app.core(|s| s.handoff()).await
}

/// How long the copied secret stays on the clipboard, for the window to say.
#[derive(serde::Serialize, ts_rs::TS)]
#[ts(export)]
pub struct SecretCopied {
    pub clears_after_seconds: u64,
}

/// Copies the Client Secret from the keyring to the clipboard for a short while.
#[tauri::command]
pub async fn copy_client_secret<R: Runtime>(app: AppHandle<R>) -> Result<SecretCopied> {
    let secret = app
        .core(|s| s.client_secret()?.ok_or(zbs_setup::Error::NoCredentials))
        .await?;
    crate::clipboard::copy_for_a_while(&app, secret)?;
    Ok(SecretCopied {
        clears_after_seconds: crate::clipboard::CLEAR_AFTER.as_secs(),
    })
}

/// Asks each chosen data center whether it accepts the saved keys.
#[tauri::command]
pub async fn check_keys_with_zoho<R: Runtime>(app: AppHandle<R>) -> Result<KeyCheck> {
    Ok(app.setup()?.check_keys_with_zoho().await?)
}

/// Asks where to save the test report (the system's save dialog, in
/// Downloads, suggesting a dated name), then writes it there; `None` when
/// the person cancelled.
#[tauri::command]
pub async fn save_test_report<R: Runtime>(app: AppHandle<R>) -> Result<Option<SavedReport>> {
    let (folder, name) = app
        .core(|s| Ok((s.default_save_folder(), s.test_report_file_name())))
        .await?;
    let question = crate::saving::Question {
        title: "Save the test report",
        folder,
        name,
        filter: Some(("Web page (prints to PDF)", &["html", "htm"])),
    };
    let Some(path) = crate::saving::ask_where(&app, question).await? else {
        return Ok(None);
    };
    let report = app.core(move |s| s.save_test_report_as(&path)).await?;
    crate::saving::remember(&app, Path::new(&report.folder));
    Ok(Some(report))
}

/// The support report (no secrets), for "Copy diagnostics".
#[tauri::command]
pub async fn diagnostics<R: Runtime>(app: AppHandle<R>) -> Result<String> {
    let version = app.package_info().version.to_string();
    Ok(app.setup()?.diagnostics_asking_zoho(&version).await?)
}
