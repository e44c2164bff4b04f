//! The crate's one error type. Request-level failures never surface here:
//! they are answered on the wire with Zoho-shaped bodies. `SimError` covers
//! starting the simulator, driving it from the handle and the consent helpers.

/// Everything that can go wrong when starting or driving the simulator.
#[derive(Debug, thiserror::Error)]
pub enum SimError {
    /// A listener could not be bound.
    #[error("could not listen on {addr}: {source}")]
    Bind {
        addr: String,
        #[source]
        source: std::io::Error,
    },
    /// The configuration is inconsistent (unknown region, duplicate organization id...).
    #[error("invalid simulator configuration: {0}")]
    Config(String),
    /// The organization id is not one the simulator serves.
    #[error("unknown organization {0}")]
    UnknownOrganization(String),
    /// The endpoints file could not be written.
    #[error("could not write {path}: {source}")]
    Write {
        path: String,
        #[source]
        source: std::io::Error,
    },
    /// An HTTP call made by a helper (the consent drivers) failed.
    #[error("HTTP request failed: {0}")]
    Http(#[from] reqwest::Error),
    /// The consent page or its answer did not look as expected.
    #[error("consent flow failed: {0}")]
    Consent(String),
    /// JSON encoding failed.
    #[error("JSON error: {0}")]
    Json(#[from] serde_json::Error),
}

/// Shorthand for results in this crate.
pub type Result<T, E = SimError> = std::result::Result<T, E>;
