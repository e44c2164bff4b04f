//! Shared pieces of the micro-benchmarks in `benches/`: the recorded Zoho
//! answers and the short Criterion configuration. Run them with
//! `cargo bench -p zbs-bench` (or `bash benches/run.sh`, which also writes
//! BENCHMARKS.md).

use std::path::PathBuf;
use std::time::Duration;

/// Where the recorded Zoho answers are: `ZBS_RECORDED` or /work/shared/zoho-recorded.
pub fn recorded_dir() -> PathBuf {
    std::env::var_os("ZBS_RECORDED")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/work/shared/zoho-recorded"))
}

/// The HTTP body of a recorded answer (`{"method", "path", ..., "body": {...}}`),
/// as the bytes Zoho sent.
pub fn recorded_body(name: &str) -> Vec<u8> {
    let path = recorded_dir().join(name);
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let recorded: serde_json::Value = serde_json::from_str(&text).expect("recorded answer is JSON");
    serde_json::to_vec(&recorded["body"]).expect("body serializes")
}

/// The configuration of every micro-benchmark: 50 samples, 2 s of
/// measurement after 0.5 s of warm-up, so the whole suite takes a few minutes.
pub fn config() -> criterion::Criterion {
    criterion::Criterion::default()
        .measurement_time(Duration::from_secs(2))
        .warm_up_time(Duration::from_millis(500))
        .sample_size(50)
}
