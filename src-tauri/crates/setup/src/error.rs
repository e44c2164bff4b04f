//! The one error type the fronts show.
//!
//! Each variant has a stable [`Error::code`] the UI and scripts branch on, and
//! a `Display` message written for a person who has never seen an API
//! console: what happened and what to do. No message ever contains a secret.

use crate::secrets::SecretError;
use crate::store::StoreError;
use crate::validate::KeyIssue;
use zbs_zoho::dc::DataCenterError;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{}", invalid_keys_message(.0))]
    InvalidKeys(Vec<KeyIssue>),
    #[error(
        "Save your Client ID and Client Secret first (the \"Add your keys\" step), then switch \
         the integration on."
    )]
    NoCredentials,
    #[error("\"{region}\" is not a Zoho data center this app knows. Use one of: {known}.")]
    UnknownRegion { region: String, known: String },
    #[error("Choose at least one data center where your customers' Zoho Books accounts are.")]
    NoRegions,
    #[error("\"{item}\" is not a checklist item that can be ticked.")]
    UnknownStep { item: String },
    #[error(transparent)]
    Secret(#[from] SecretError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    DataCenters(#[from] DataCenterError),
}

fn invalid_keys_message(issues: &[KeyIssue]) -> String {
    let errors: Vec<&str> = issues
        .iter()
        .filter(|i| i.severity == crate::validate::Severity::Error)
        .map(|i| i.message.as_str())
        .collect();
    if errors.is_empty() {
        "The keys could not be saved.".to_owned()
    } else {
        errors.join(" ")
    }
}

impl Error {
    /// A stable identifier for the kind of failure.
    pub fn code(&self) -> &'static str {
        match self {
            Error::InvalidKeys(_) => "invalid_keys",
            Error::NoCredentials => "no_credentials",
            Error::UnknownRegion { .. } => "unknown_region",
            Error::NoRegions => "no_regions",
            Error::UnknownStep { .. } => "unknown_step",
            Error::Secret(e) => e.code(),
            Error::Store(e) => e.code(),
            Error::DataCenters(e) => e.code(),
        }
    }

    /// The per-field findings behind an `invalid_keys` error.
    pub fn key_issues(&self) -> &[KeyIssue] {
        match self {
            Error::InvalidKeys(issues) => issues,
            _ => &[],
        }
    }
}
