//! # The Zoho Books Setup window
//!
//! The Tauri shell: it registers the official plugins (single instance
//! first, so a second launch hands its arguments to the running window; deep
//! link; opener), manages the open [`zbs_setup::Setup`], and exposes the
//! commands in [`commands`], each a one-line delegation to the core. The
//! logic lives in the core crates; see ARCHITECTURE.md.

mod commands;
mod error;
mod logging;
mod state;

use tauri::Manager;
use zbs_setup::Profile;

/// Builds and runs the window.
pub fn run() {
    let _log_guard = logging::init();
    tauri::Builder::default()
        .plugin(tauri_plugin_single_instance::init(|app, _argv, _cwd| {
            // A second launch: show the running window instead.
            if let Some(window) = app.get_webview_window("main") {
                let _ = window.unminimize();
                let _ = window.set_focus();
            }
        }))
        .plugin(tauri_plugin_deep_link::init())
        .plugin(tauri_plugin_opener::init())
        .manage(state::AppState::open(Profile::Real))
        .invoke_handler(tauri::generate_handler![
            commands::get_status,
            commands::check_keys,
            commands::save_credentials,
            commands::clear_credentials,
            commands::set_regions,
            commands::set_enabled,
            commands::set_step,
            commands::set_current_step,
            commands::dismiss_recovery_notice,
            commands::open_link,
        ])
        .run(tauri::generate_context!())
        .unwrap_or_else(|e| {
            tracing::error!("the window could not start: {e}");
            eprintln!("Zoho Books Setup could not start its window: {e}");
            std::process::exit(1);
        });
}
