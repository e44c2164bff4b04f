//! Builds the Tauri context and declares the app's own commands, so the
//! capability file decides which of them the window may call.

include!("src/command_list.rs");

/// The command names as text.
macro_rules! names {
    ($($command:ident),* $(,)?) => {
        &[$(stringify!($command)),*]
    };
}

/// Every command of `src-tauri/src/commands.rs`.
const COMMANDS: &[&str] = with_commands!(names);

fn main() {
    // tauri-build names the files it watches; the command list is one more.
    println!("cargo:rerun-if-changed=src/command_list.rs");
    tauri_build::try_build(
        tauri_build::Attributes::new()
            .app_manifest(tauri_build::AppManifest::new().commands(COMMANDS)),
    )
    .expect("failed to build the Tauri context");
}
