//! A bare Tauri 2 window with the app's plugins, registered the way the app
//! registers them, and nothing else: no state, no commands, no log files.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

use tauri_plugin_deep_link::DeepLinkExt;

fn main() {
    // As the app: WebKitGTK's older renderer unless the person chose.
    #[cfg(target_os = "linux")]
    if std::env::var_os("WEBKIT_DISABLE_DMABUF_RENDERER").is_none() {
        std::env::set_var("WEBKIT_DISABLE_DMABUF_RENDERER", "1");
    }
    tauri::Builder::default()
        .plugin(tauri_plugin_single_instance::init(|_app, _argv, _cwd| {}))
        .plugin(tauri_plugin_deep_link::init())
        .plugin(tauri_plugin_opener::init())
        .setup(|app| {
            // As the app: only a development build or an AppImage registers
            // its scheme at start (an installed package does it through its
            // desktop entry), so a release build launched here does not.
            #[cfg(target_os = "linux")]
            if cfg!(debug_assertions) || std::env::var_os("APPIMAGE").is_some() {
                let _ = app.deep_link().register_all();
            }
            app.deep_link().on_open_url(|_event| {});
            Ok(())
        })
        .run(tauri::generate_context!())
        .expect("the baseline window could not start");
}
