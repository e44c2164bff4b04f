//! "Where should this be saved?": the system's save dialog for exports and
//! the test report, and "Open the folder" afterwards.
//!
//! The dialog is opened from here, never from the page: the place comes from
//! the person's own choice in the system dialog, not from anything the page
//! sends. "Open the folder" opens only a folder this window saved into, so
//! the page cannot have the app open any other path.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use tauri::{AppHandle, Manager, Runtime};
use tauri_plugin_dialog::DialogExt;
use tauri_plugin_opener::OpenerExt;

use crate::error::ShellError;

/// The folders this window saved into, which "Open the folder" may open.
#[derive(Default)]
pub struct SavedPlaces(Mutex<Vec<PathBuf>>);

/// What the save dialog asks.
pub struct Question {
    /// The dialog's title: what is being saved.
    pub title: &'static str,
    /// Where it opens.
    pub folder: PathBuf,
    /// The name it suggests.
    pub name: String,
    /// The file type it offers, as (name, extensions); `None`: any (a folder).
    pub filter: Option<(&'static str, &'static [&'static str])>,
}

/// Shows the system's save dialog over the window and waits for the
/// person's answer: the place chosen, or `None` when they cancelled.
pub async fn ask_where<R: Runtime>(
    app: &AppHandle<R>,
    question: Question,
) -> Result<Option<PathBuf>, ShellError> {
    let mut dialog = app
        .dialog()
        .file()
        .set_title(question.title)
        .set_directory(&question.folder)
        .set_file_name(question.name)
        .set_can_create_directories(true);
    if let Some((name, extensions)) = question.filter {
        dialog = dialog.add_filter(name, extensions);
    }
    if let Some(window) = app.get_webview_window("main") {
        dialog = dialog.set_parent(&window);
    }
    let (tx, rx) = tokio::sync::oneshot::channel();
    dialog.save_file(move |chosen| {
        let _ = tx.send(chosen);
    });
    let chosen = rx.await.map_err(|_| ShellError::Task)?;
    match chosen {
        None => Ok(None),
        Some(path) => path.into_path().map(Some).map_err(|_| ShellError::NotAFile),
    }
}

/// Remembers a folder this window saved into.
pub fn remember<R: Runtime>(app: &AppHandle<R>, folder: &Path) {
    if let Ok(mut places) = app.state::<SavedPlaces>().0.lock() {
        if !places.iter().any(|p| p == folder) {
            places.push(folder.to_owned());
        }
    }
}

/// Opens a folder this window saved into, in the system's file manager.
pub fn open_folder<R: Runtime>(app: &AppHandle<R>, folder: &str) -> Result<(), ShellError> {
    let known = app
        .state::<SavedPlaces>()
        .0
        .lock()
        .map(|places| places.iter().any(|p| p.as_os_str() == folder))
        .unwrap_or(false);
    if !known {
        return Err(ShellError::NotSavedHere);
    }
    app.opener()
        .open_path(folder, None::<&str>)
        .map_err(|e| ShellError::Opener(e.to_string()))
}
