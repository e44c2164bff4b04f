// The window's commands (functions of `commands.rs`), named once: `lib.rs`
// registers them with `generate_handler!`, `build.rs` declares them in the
// app's manifest. The capability in `tauri.conf.json` grants them, and a
// test in `lib.rs` keeps it in step with this list.
//
// Included by both (`include!`), so it holds a macro only: `with_commands!(m)`
// calls `m!` with the list.
macro_rules! with_commands {
    ($m:ident) => {
        $m!(
            boot,
            switch_profile,
            stage_demo_story,
            end_demo_story,
            get_status,
            check_keys,
            save_credentials,
            clear_credentials,
            set_regions,
            set_enabled,
            set_step,
            set_current_step,
            dismiss_recovery_notice,
            open_link,
            set_redirect_method,
            start_connect,
            open_held_sign_in,
            cancel_connect,
            choose_organization,
            list_connections,
            rename_connection,
            test_connection,
            disconnect,
            forecast_pull,
            count_records,
            start_pull,
            cancel_pull,
            stop_pulls_and_close,
            pull_results,
            pull_records,
            pull_record,
            export_pull,
            open_saved_folder,
            diagnostics,
            set_platform,
            handoff,
            copy_client_secret,
            save_test_report,
            check_keys_with_zoho
        )
    };
}
