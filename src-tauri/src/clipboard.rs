//! "Copy the Client Secret" on the hand-off card: the secret goes from the
//! keyring to the system clipboard without ever reaching the window, and is
//! taken off the clipboard again after [`CLEAR_AFTER`] (unless the person
//! has copied something else meanwhile).

use std::time::Duration;

use secrecy::{ExposeSecret, SecretString};
use tauri::{AppHandle, Runtime};
use tauri_plugin_clipboard_manager::ClipboardExt;

use crate::error::ShellError;

/// How long a copied Client Secret stays on the clipboard.
pub const CLEAR_AFTER: Duration = Duration::from_secs(20);

/// Puts `secret` on the clipboard and clears it after [`CLEAR_AFTER`].
pub fn copy_for_a_while<R: Runtime>(
    app: &AppHandle<R>,
    secret: SecretString,
) -> Result<(), ShellError> {
    app.clipboard()
        .write_text(secret.expose_secret().to_owned())
        .map_err(|_| ShellError::Clipboard)?;
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        tokio::time::sleep(CLEAR_AFTER).await;
        let still_ours = app
            .clipboard()
            .read_text()
            .is_ok_and(|text| text == secret.expose_secret());
        if still_ours && app.clipboard().write_text(String::new()).is_err() {
            tracing::warn!("the Client Secret could not be taken off the clipboard");
        }
    });
    Ok(())
}
