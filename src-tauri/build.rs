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
    // The path is from the package's root (the repository's): a path that
    // does not exist makes Cargo run this script, and relink the app, on
    // every build.
    println!("cargo:rerun-if-changed=src-tauri/src/command_list.rs");
    tauri_build::try_build(
        tauri_build::Attributes::new()
            .app_manifest(tauri_build::AppManifest::new().commands(COMMANDS)),
    )
    .expect("failed to build the Tauri context");
}
