//! Shared pieces of the micro-benchmarks in `benches/`: the recorded Zoho
//! answers and the short Criterion configuration. Run them with
//! `cargo bench -p zbs-bench` (or `bash benches/run.sh`, which also writes
//! BENCHMARKS.md).

use std::time::Duration;

/// The HTTP body of a recorded answer (`tests/fixtures/zoho-recorded`), as
/// the bytes Zoho sent.
pub fn recorded_body(name: &str) -> Vec<u8> {
    serde_json::to_vec(&zbs_testkit::recorded_body(name)).expect("body serializes")
}

/// The configuration of every micro-benchmark: 50 samples, 2 s of
/// measurement after 0.5 s of warm-up, so the whole suite takes a few minutes.
pub fn config() -> criterion::Criterion {
    criterion::Criterion::default()
        .measurement_time(Duration::from_secs(2))
        .warm_up_time(Duration::from_millis(500))
        .sample_size(50)
}
