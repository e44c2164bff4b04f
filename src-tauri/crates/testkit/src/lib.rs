//! Test support shared by the crates' tests and the benchmarks.
//!
//! - The recorded Zoho Books answers in `tests/fixtures/zoho-recorded` (see
//!   its `NOTICE.md`): [`recorded_dir`], [`recorded`], [`recorded_body`].
//! - With the feature `pull`, for the pull crate's tests and the pull
//!   benchmarks: [`sim_config`], [`SimTokens`] (a [`zbs_pull::TokenSource`]
//!   signed in at the simulator) and [`create_db`] (the database file as the
//!   app makes it).
//! - With the feature `browser`, for the tests that sign in over real HTTP:
//!   [`follow`], the browser following a redirect to the app's listener.
//! - With the feature `proptest`: [`arb_json`], any JSON shaped a little like
//!   Zoho's answers, for property tests.

use std::path::PathBuf;

use serde_json::Value;

#[cfg(feature = "browser")]
mod browser;
#[cfg(feature = "proptest")]
mod fuzz;
#[cfg(feature = "pull")]
mod pull;

#[cfg(feature = "browser")]
pub use browser::follow;
#[cfg(feature = "proptest")]
pub use fuzz::arb_json;
#[cfg(feature = "pull")]
pub use pull::{create_db, puller_in, sim_config, SimTokens};

/// The folder of recorded Zoho Books answers, inside the repository.
pub fn recorded_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../tests/fixtures/zoho-recorded")
}

/// A recorded answer (`{"method", "path", "query", "status", "headers",
/// "body"}`) by file name, e.g. `invoices.json`.
pub fn recorded(name: &str) -> Value {
    let path = recorded_dir().join(name);
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// The HTTP body of a recorded answer, as Zoho sent it.
pub fn recorded_body(name: &str) -> Value {
    recorded(name)["body"].clone()
}
