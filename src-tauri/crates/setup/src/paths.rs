//! Where the app keeps its files.
//!
//! `ZBSETUP_DATA_DIR` wins (the app and `zbsetup` honour it alike, so a setup
//! made in one shows in the other); otherwise the OS's per-user data folder.

use std::path::PathBuf;

use crate::store::StoreError;

/// The environment variable that moves the data folder.
pub const DATA_DIR_ENV: &str = "ZBSETUP_DATA_DIR";

/// The folder name under the OS's per-user data folder.
pub const APP_FOLDER: &str = "zoho-books-setup";

/// The data folder in force.
pub fn data_dir() -> Result<PathBuf, StoreError> {
    if let Some(dir) = std::env::var_os(DATA_DIR_ENV).filter(|v| !v.is_empty()) {
        return Ok(PathBuf::from(dir));
    }
    dirs::data_dir()
        .map(|d| d.join(APP_FOLDER))
        .ok_or_else(|| StoreError::Folder {
            path: PathBuf::from("~"),
            detail: format!(
                "no per-user data folder is known on this system; set {DATA_DIR_ENV} to a folder"
            ),
        })
}

/// The folder for log files inside a data folder.
pub fn log_dir(data_dir: &std::path::Path) -> PathBuf {
    data_dir.join("logs")
}
