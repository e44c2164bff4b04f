//! Log files in the data folder, rotated daily; the level follows
//! `ZBSETUP_LOG` (e.g. `debug`), default `info`. Secrets are redacting types
//! in the core, so nothing logged can hold one.

use tracing_appender::non_blocking::WorkerGuard;
use tracing_subscriber::EnvFilter;

pub fn init() -> Option<WorkerGuard> {
    let dir = zbs_setup::paths::data_dir().ok()?;
    zbs_setup::paths::prepare(&dir).ok()?;
    // Private (0700), whatever an earlier version left: the files in it are
    // readable by no one else even where the data folder is.
    let logs = zbs_setup::paths::prepare_log_dir(&dir).ok()?;
    let appender = tracing_appender::rolling::Builder::new()
        .rotation(tracing_appender::rolling::Rotation::DAILY)
        .filename_prefix("app")
        .filename_suffix("log")
        .max_log_files(7)
        .build(&logs)
        .ok()?;
    let (writer, guard) = tracing_appender::non_blocking(appender);
    let filter = EnvFilter::try_from_env("ZBSETUP_LOG").unwrap_or_else(|_| EnvFilter::new("info"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(writer)
        .with_ansi(false)
        .init();
    Some(guard)
}
