//! The one error type the fronts show.
//!
//! Each variant has a stable [`Error::code`] the UI and scripts branch on, and
//! a `Display` message written for a person who has never seen an API
//! console: what happened and what to do. No message ever contains a secret.

use crate::secrets::SecretError;
use crate::store::StoreError;
use crate::validate::KeyIssue;
use zbs_codes::Code;
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
    #[error(
        "The integration is switched off. Switch it on (the \"Switch the integration on\" step) \
         before connecting an organization."
    )]
    NotEnabled,
    #[error("No sign-in is waiting for an answer. Start the connection again.")]
    NoSignInPending,
    #[error("This sign-in answer does not belong to the sign-in started here, so it was ignored.")]
    UnknownState,
    #[error(
        "The connection was not allowed on Zoho's consent screen (Zoho said: {detail}). To \
         connect, start again and choose Accept."
    )]
    AccessDenied { detail: String },
    #[error(
        "Zoho did not give a sign-in code (Zoho said: {detail}). {started} sign-ins were \
         started with this Client ID in the last 10 minutes, and Zoho gives at most {limit} in \
         10 minutes per Client ID, so Zoho may be limiting new sign-ins rather than anyone \
         having chosen Deny. Customers connecting through {platform} share this limit. Wait \
         {minutes} minute{plural}, then connect again."
    )]
    SignInsLimited {
        detail: String,
        started: u32,
        limit: u32,
        platform: String,
        minutes: i64,
        plural: &'static str,
    },
    #[error("This Zoho account has no Zoho Books organization to connect. Create one in Zoho Books, then connect again.")]
    NoOrganizations,
    #[error("Zoho did not list an organization with the ID {id} for this sign-in.")]
    UnknownOrganization { id: String },
    #[error("There is no connection {id}. List connections with `zbsetup connections`.")]
    UnknownConnection { id: String },
    #[error("This connection was disconnected while you were signing in again, so it was not brought back (the new sign-in was given back to Zoho). Connect the organization again if you want it as a new connection.")]
    DisconnectedMeanwhile,
    #[error("There is no Client Secret to carry over: this data folder was not moved since its keys were saved, or the secret of its old place is gone from the keyring. Save the keys again (zbsetup credentials set).")]
    NothingToCarryOver,
    #[error(
        "Zoho no longer accepts the sign-in of {name} (it was disconnected at Zoho, or replaced \
         by newer sign-ins). Click Reconnect to sign in again."
    )]
    ReconnectNeeded { name: String },
    #[error(
        "The connection could not be revoked at Zoho: {source} It was kept. Try again, or forget \
         it here anyway (it then stays listed in Zoho until it expires)."
    )]
    RevokeFailed { source: zbs_zoho::oauth::OAuthError },
    #[error("The test report could not be written to {path} ({detail}). Check that the folder exists and is writable.")]
    ReportFailed { path: String, detail: String },
    #[error("This connection's sign-in does not allow reading {names}: Zoho was asked only for the record types chosen when it was connected. Click Reconnect on it, and allow {names} too on Zoho's page; nothing else changes.")]
    NotAllowedBySignIn { names: String },
    #[error("A folder named \"{name}\" is already there, so nothing was exported (its files are as they were). Export again and give the export another name, or choose another folder.")]
    ExportFolderExists { name: String },
    #[error("Zoho's {name} data center did not accept the Client ID and Client Secret. {fix}")]
    KeysRefusedAt { name: String, fix: String },
    #[error("{reason}")]
    InvalidCallback { reason: String },
    #[error("{reason}")]
    InvalidPlatform { reason: String },
    #[error("Demo mode could not start its simulated Zoho Books ({detail}). Restart the app and try again.")]
    Demo { detail: String },
    #[error("The demo story could not be set up ({detail}). End the story and try again.")]
    DemoStory { detail: String },
    #[error(transparent)]
    OAuth(#[from] zbs_zoho::oauth::OAuthError),
    #[error(transparent)]
    Books(#[from] zbs_zoho::books::BooksError),
    #[error(transparent)]
    Callback(#[from] zbs_zoho::callback::CallbackError),
    #[error(transparent)]
    Loopback(#[from] zbs_zoho::loopback::LoopbackError),
    #[error(transparent)]
    Pull(#[from] zbs_pull::PullError),
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
    pub fn code(&self) -> Code {
        match self {
            Error::InvalidKeys(_) => Code::InvalidKeys,
            Error::NoCredentials => Code::NoCredentials,
            Error::UnknownRegion { .. } => Code::UnknownRegion,
            Error::NoRegions => Code::NoRegions,
            Error::UnknownStep { .. } => Code::UnknownStep,
            Error::NotEnabled => Code::NotEnabled,
            Error::NoSignInPending => Code::NoSignInPending,
            Error::UnknownState => Code::UnknownState,
            Error::AccessDenied { .. } => Code::AccessDenied,
            Error::SignInsLimited { .. } => Code::SignInsLimited,
            Error::NoOrganizations => Code::NoOrganizations,
            Error::UnknownOrganization { .. } => Code::UnknownOrganization,
            Error::UnknownConnection { .. } => Code::UnknownConnection,
            Error::DisconnectedMeanwhile => Code::ConnectionRemoved,
            Error::NothingToCarryOver => Code::InvalidKeys,
            Error::ReconnectNeeded { .. } => Code::ReconnectNeeded,
            Error::RevokeFailed { .. } => Code::RevokeFailed,
            Error::Demo { .. } | Error::DemoStory { .. } => Code::DemoFailed,
            Error::InvalidCallback { .. } => Code::InvalidCallback,
            Error::KeysRefusedAt { .. } => Code::InvalidClient,
            Error::ReportFailed { .. } => Code::ReportFailed,
            Error::ExportFolderExists { .. } => Code::ExportFailed,
            Error::NotAllowedBySignIn { .. } => Code::ScopeMissing,
            Error::InvalidPlatform { .. } => Code::InvalidPlatform,
            Error::OAuth(e) => e.code(),
            Error::Books(e) => e.code(),
            Error::Callback(e) => e.code(),
            Error::Loopback(e) => e.code(),
            Error::Pull(e) => e.code(),
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
