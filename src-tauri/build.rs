//! Builds the Tauri context and declares the app's own commands, so the
//! capability file decides which of them the window may call.

/// Every command of `src-tauri/src/commands.rs`.
const COMMANDS: &[&str] = &[
    "boot",
    "switch_profile",
    "get_status",
    "check_keys",
    "save_credentials",
    "clear_credentials",
    "set_regions",
    "set_enabled",
    "set_step",
    "set_current_step",
    "dismiss_recovery_notice",
    "open_link",
    "set_redirect_method",
    "start_connect",
    "cancel_connect",
    "choose_organization",
    "list_connections",
    "rename_connection",
    "test_connection",
    "disconnect",
    "estimate_pull",
    "start_pull",
    "cancel_pull",
    "pull_results",
    "pull_records",
    "pull_record",
    "export_pull",
    "diagnostics",
];

fn main() {
    tauri_build::try_build(
        tauri_build::Attributes::new()
            .app_manifest(tauri_build::AppManifest::new().commands(COMMANDS)),
    )
    .expect("failed to build the Tauri context");
}
