//! # The Zoho Books Setup window
//!
//! The Tauri shell: it registers the official plugins (single instance
//! first, so a second launch hands its deep link to the running window; deep
//! link; opener; clipboard; the save dialog), manages the open [`zbs_setup::Setup`], and exposes the
//! commands in [`commands`], each a one-line delegation to the core. The
//! logic lives in the core crates; see ARCHITECTURE.md.

include!("command_list.rs");

/// Registers the listed commands of [`commands`].
macro_rules! handler {
    ($($command:ident),* $(,)?) => {
        tauri::generate_handler![$(commands::$command),*]
    };
}

mod clipboard;
mod commands;
mod connect;
mod error;
mod logging;
mod pull;
mod saving;
mod state;

use tauri::Manager;
use tauri_plugin_deep_link::DeepLinkExt;

/// WebKitGTK's switch for its DMA-BUF renderer (see [`run`]).
#[cfg(target_os = "linux")]
const DMABUF_RENDERER_ENV: &str = "WEBKIT_DISABLE_DMABUF_RENDERER";

/// Builds and runs the window. `--demo` starts in demo mode; `--data-dir DIR`
/// uses another data folder (as `ZBSETUP_DATA_DIR` does); `--endpoints FILE`
/// another data-center table, such as a Zoho stand-in's (as
/// `ZBSETUP_ENDPOINTS` does).
pub fn run() {
    // args_os: an argument that is not UTF-8 (a hostile link) must not panic.
    let args: Vec<String> = std::env::args_os()
        .skip(1)
        .map(|a| a.to_string_lossy().into_owned())
        .collect();
    exit_early(&args);
    set_environment(&args);
    let _log_guard = logging::init();
    let force_demo = args.iter().any(|a| a == "--demo");
    tauri::Builder::default()
        .plugin(tauri_plugin_single_instance::init(|app, _argv, _cwd| {
            // A second launch: its deep link (if any) reaches on_open_url; show the window.
            if let Some(window) = app.get_webview_window("main") {
                let _ = window.unminimize();
                let _ = window.set_focus();
            }
        }))
        .plugin(tauri_plugin_deep_link::init())
        .plugin(tauri_plugin_opener::init())
        .plugin(tauri_plugin_clipboard_manager::init())
        .plugin(tauri_plugin_dialog::init())
        .manage(pull::RunningPulls::default())
        .manage(saving::SavedPlaces::default())
        .manage(connect::LastOutcome::default())
        .manage(connect::HeldSignIn::default())
        .setup(move |app| {
            open_state(app, force_demo);
            handle_links(app);
            Ok(())
        })
        .on_window_event(|window, event| {
            if let tauri::WindowEvent::CloseRequested { api, .. } = event {
                pull::on_close_requested(window, api);
            }
        })
        .invoke_handler(with_commands!(handler))
        .run(tauri::generate_context!())
        .unwrap_or_else(|e| {
            tracing::error!("the window could not start: {e}");
            eprintln!("Zoho Books Setup could not start its window: {e}");
            std::process::exit(1);
        });
}

/// Answers `--help` and `--version`, and ends without a display, before
/// anything starts or is created (no logs, no data folder).
fn exit_early(args: &[String]) {
    match early_exit(args) {
        Some(Early::Help) => {
            print!("{}", help_text());
            std::process::exit(0);
        }
        Some(Early::Version) => {
            println!("{} {}", BINARY_NAME, env!("CARGO_PKG_VERSION"));
            std::process::exit(0);
        }
        None => {}
    }
    if !display_available() {
        eprintln!(
            "{BINARY_NAME}: no display found (neither DISPLAY nor WAYLAND_DISPLAY is set); start it from a desktop session, or use zbsetup in a terminal"
        );
        std::process::exit(1);
    }
}

/// What the arguments and the platform set in the environment. Still
/// single-threaded here: nothing else reads the environment yet.
fn set_environment(args: &[String]) {
    // WebKitGTK's DMA-BUF renderer leaves the window blank with some GPU
    // drivers (NVIDIA) and in some virtual machines, and the older one uses
    // less memory (BENCHMARKS.md); a setting of the person's own wins.
    #[cfg(target_os = "linux")]
    if std::env::var_os(DMABUF_RENDERER_ENV).is_none() {
        std::env::set_var(DMABUF_RENDERER_ENV, "1");
    }
    let value_of = |flag: &str| args.windows(2).find(|w| w[0] == flag).map(|w| w[1].clone());
    if let Some(dir) = value_of("--data-dir") {
        std::env::set_var(zbs_setup::paths::DATA_DIR_ENV, dir);
    }
    if let Some(file) = value_of("--endpoints") {
        std::env::set_var(zbs_zoho::dc::ENDPOINTS_ENV, file);
    }
}

/// Opens the app's state (here, after single-instance: a second launch
/// never touches the database) in the profile it starts in.
fn open_state(app: &tauri::App, force_demo: bool) {
    app.manage(state::AppState::open());
    let state = app.state::<state::AppState>();
    let profile = state.start_profile(force_demo);
    if profile == zbs_setup::Profile::Demo {
        if let Err(e) = tauri::async_runtime::block_on(state.switch(profile)) {
            tracing::error!("demo mode could not start: {e}");
        }
    }
}

/// Registers zbsetup:// where this build must, and hands each link opened
/// (the one that started the app too) to the connect flow.
fn handle_links(app: &tauri::App) {
    let handle = app.handle().clone();
    // An installed package registers zbsetup:// through its desktop
    // entry (with %u); a development build or an AppImage registers
    // itself at start. Doing it for the package too would put a
    // second, per-user entry in front of the package's.
    #[cfg(any(target_os = "linux", all(debug_assertions, windows)))]
    if cfg!(debug_assertions) || std::env::var_os("APPIMAGE").is_some() {
        if let Err(e) = app.deep_link().register_all() {
            tracing::warn!("the zbsetup:// links could not be registered: {e}");
        }
    }
    let for_links = handle.clone();
    app.deep_link().on_open_url(move |event| {
        let urls = event.urls().iter().map(|u| u.to_string()).collect();
        connect::on_deep_link(&for_links, urls);
    });
    // Started by a link (cold start): handle it like any other.
    if let Ok(Some(urls)) = app.deep_link().get_current() {
        connect::on_deep_link(&handle, urls.iter().map(|u| u.to_string()).collect());
    }
}

/// The name the window's binary is installed under.
const BINARY_NAME: &str = "zoho-books-setup";

/// A command line answered without starting the window.
#[derive(Debug, PartialEq, Eq)]
enum Early {
    Help,
    Version,
}

/// `--help`/`-h` or `--version`/`-V` among the arguments (the value of
/// `--data-dir` or `--endpoints` is never read as one). Anything else, such
/// as a `zbsetup://` link passed by the desktop, starts the window.
fn early_exit(args: &[String]) -> Option<Early> {
    let mut rest = args.iter();
    while let Some(arg) = rest.next() {
        match arg.as_str() {
            "--help" | "-h" => return Some(Early::Help),
            "--version" | "-V" => return Some(Early::Version),
            "--data-dir" | "--endpoints" => {
                rest.next();
            }
            _ => {}
        }
    }
    None
}

fn help_text() -> String {
    format!(
        "Zoho Books Setup {version}: a guided setup and test of a Zoho Books integration (the window).

Usage: {BINARY_NAME} [OPTIONS] [zbsetup://LINK]

Options:
      --demo             Start in demo mode (a simulated Zoho Books, no account needed)
      --data-dir DIR     Keep the setup in DIR instead of the per-user data folder
      --endpoints FILE   Use another data-center table (a Zoho stand-in's)
  -h, --help             Print this help and exit
  -V, --version          Print the version and exit

A zbsetup:// link (given by the desktop when a sign-in returns) is handed to
the running window.

Environment:
  ZBSETUP_DATA_DIR       The data folder (as --data-dir)
  ZBSETUP_ENDPOINTS      The data-center table (as --endpoints)
  ZBSETUP_LOG            The log level of the log files (e.g. debug; default info)

The command-line twin, for scripts and support, is zbsetup (zbsetup --help).
",
        version = env!("CARGO_PKG_VERSION"),
    )
}

/// Whether a window can be shown: on Linux and the BSDs, a display server
/// must be named by `DISPLAY` (X11) or `WAYLAND_DISPLAY`.
fn display_available() -> bool {
    if cfg!(any(target_os = "windows", target_os = "macos")) {
        return true;
    }
    ["DISPLAY", "WAYLAND_DISPLAY"]
        .iter()
        .any(|v| std::env::var_os(v).is_some_and(|v| !v.is_empty()))
}

#[cfg(test)]
mod command_line {
    use super::{early_exit, Early};

    fn args(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn help_and_version_are_recognised_but_not_as_option_values_or_links() {
        assert_eq!(early_exit(&args(&["--help"])), Some(Early::Help));
        assert_eq!(early_exit(&args(&["--demo", "-h"])), Some(Early::Help));
        assert_eq!(early_exit(&args(&["--version"])), Some(Early::Version));
        assert_eq!(early_exit(&args(&["-V"])), Some(Early::Version));
        assert_eq!(early_exit(&args(&["--data-dir", "--help"])), None);
        assert_eq!(early_exit(&args(&["--endpoints", "-V", "--demo"])), None);
        assert_eq!(
            early_exit(&args(&["zbsetup://oauth/callback?code=--help"])),
            None
        );
        assert_eq!(early_exit(&args(&[])), None);
    }
}

/// The window's commands are named in two places kept by hand: the list in
/// `command_list.rs` (registered above and declared by `build.rs`) and the
/// capability in `tauri.conf.json` (what the window may call). A command
/// missing from one of them fails only at run time, so they are compared
/// here, with the functions of `commands.rs`.
#[cfg(test)]
mod command_lists {
    use std::collections::BTreeSet;

    /// The comma-separated names in `text` between `start` and `end`, each
    /// trimmed and cleaned by `clean`.
    fn listed(text: &str, start: &str, end: &str, clean: fn(&str) -> &str) -> BTreeSet<String> {
        let from = text.find(start).expect("start marker") + start.len();
        let len = text[from..].find(end).expect("end marker");
        text[from..from + len]
            .split(',')
            .map(|s| clean(s.trim()).to_owned())
            .filter(|s| !s.is_empty())
            .collect()
    }

    fn handler() -> BTreeSet<String> {
        listed(include_str!("command_list.rs"), "$m!(", ")", |s| s)
    }

    /// The functions of `commands.rs` marked `#[tauri::command]`.
    fn defined() -> BTreeSet<String> {
        let text = include_str!("commands.rs");
        text.split("#[tauri::command]")
            .skip(1)
            .filter_map(|rest| {
                let after = &rest[rest.find("fn ")? + 3..];
                let end = after.find(|c: char| !(c.is_alphanumeric() || c == '_'))?;
                Some(after[..end].to_owned())
            })
            .collect()
    }

    fn granted() -> BTreeSet<String> {
        let conf: serde_json::Value =
            serde_json::from_str(include_str!("../../tauri.conf.json")).expect("valid JSON");
        conf["app"]["security"]["capabilities"]
            .as_array()
            .expect("inlined capabilities")
            .iter()
            .flat_map(|c| c["permissions"].as_array().cloned().unwrap_or_default())
            .filter_map(|p| p.as_str().map(str::to_owned))
            .filter_map(|p| p.strip_prefix("allow-").map(|c| c.replace('-', "_")))
            .collect()
    }

    #[test]
    fn handler_manifest_and_capability_name_the_same_commands() {
        let handler = handler();
        assert!(handler.len() > 20, "parsed the handler list: {handler:?}");
        assert_eq!(handler, defined(), "command_list.rs vs commands.rs");
        assert_eq!(
            handler,
            granted(),
            "command_list.rs vs tauri.conf.json capability"
        );
    }
}
