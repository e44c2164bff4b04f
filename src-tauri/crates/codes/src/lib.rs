//! # zbs-codes: the one vocabulary of error codes
//!
//! Every error any crate of Zoho Books Setup can show has a [`Code`] from
//! this list: the window branches on it (as the generated TypeScript union
//! `Code`), `zbsetup` and support scripts read it, the pull history stores
//! it. Each crate's error enum maps its variants onto a code with a
//! `code()` method, and errors that cross a crate boundary keep the code
//! of their cause (a keyring that is locked during a pull stays
//! `keyring_locked`).
//!
//! To add a failure: add a line to the list below, with a sentence saying
//! when it happens, then map the new variant of the crate's error onto it.
//! The text is the stable form; never rename one that shipped.

use serde::{Deserialize, Serialize};

macro_rules! codes {
    ($( $(#[doc = $doc:literal])+ $variant:ident = $text:literal, )+) => {
        /// A stable identifier for the kind of failure (see the crate docs).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ts_rs::TS)]
        #[ts(export)]
        pub enum Code {
            $( $(#[doc = $doc])+ #[serde(rename = $text)] $variant, )+
        }

        impl Code {
            /// Every code, in the order of the list.
            pub const ALL: &'static [Code] = &[$(Code::$variant),+];

            /// The stable text of the code, as it crosses IPC and is stored.
            pub const fn as_str(self) -> &'static str {
                match self { $(Code::$variant => $text,)+ }
            }

            /// The code with this text, if there is one.
            pub fn parse(text: &str) -> Option<Code> {
                match text { $($text => Some(Code::$variant),)+ _ => None }
            }
        }
    };
}

codes! {
    // ---- Keys, checklist and settings (zbs-setup)
    /// The pasted Client ID or Client Secret was refused; `issues` says why, per field.
    InvalidKeys = "invalid_keys",
    /// No Client ID and Client Secret are saved yet.
    NoCredentials = "no_credentials",
    /// A data center that is not in the table in force.
    UnknownRegion = "unknown_region",
    /// No data center was chosen.
    NoRegions = "no_regions",
    /// A checklist step that does not exist or cannot be ticked by hand.
    UnknownStep = "unknown_step",
    /// The integration switch is off.
    NotEnabled = "not_enabled",
    /// A platform's callback URI that Zoho could not send sign-ins to.
    InvalidCallback = "invalid_callback",
    /// A platform choice without a usable name.
    InvalidPlatform = "invalid_platform",
    /// The demo's simulated Zoho Books could not start.
    DemoFailed = "demo_failed",

    // ---- Signing in (zbs-setup, zbs-zoho)
    /// No sign-in is waiting for an answer.
    NoSignInPending = "no_sign_in_pending",
    /// A sign-in answer whose `state` is not the one waiting: ignored.
    UnknownState = "unknown_state",
    /// The person (or Zoho) refused the consent screen.
    AccessDenied = "access_denied",
    /// A consent refused while many sign-ins were started with the Client
    /// ID in the last 10 minutes: Zoho may be limiting new sign-ins.
    SignInsLimited = "sign_ins_limited",
    /// The Zoho account has no Books organization.
    NoOrganizations = "no_organizations",
    /// An organization Zoho did not list for this sign-in.
    UnknownOrganization = "unknown_organization",
    /// A connection id that is not stored.
    UnknownConnection = "unknown_connection",
    /// Zoho no longer accepts the connection's sign-in (refresh token revoked,
    /// pushed out by newer sign-ins, or missing from the keyring).
    ReconnectNeeded = "reconnect_needed",
    /// Zoho could not be asked to revoke a connection, so it was kept.
    RevokeFailed = "revoke_failed",
    /// Zoho does not know the Client ID, or the secret differs, at that data center.
    InvalidClient = "invalid_client",
    /// Zoho refused the authorization code (expired, used, or made up).
    InvalidCode = "invalid_code",
    /// Zoho's token endpoint refuses requests for a while (its token limits).
    TooManyRequests = "too_many_requests",
    /// An accounts server or API domain that is not in the data-center table.
    UntrustedServer = "untrusted_server",
    /// A sign-in answer that does not match the sign-in it claims to finish.
    StateMismatch = "state_mismatch",
    /// The sign-in took too long in the browser.
    SignInExpired = "sign_in_expired",
    /// Zoho did not accept the redirect URI.
    InvalidRedirectUri = "invalid_redirect_uri",
    /// Zoho answered with an error this app has no plainer words for.
    ZohoError = "zoho_error",
    /// Zoho's answer could not be read.
    MalformedResponse = "malformed_response",
    /// Zoho could not be reached.
    Network = "network",
    /// Zoho did not answer in time.
    Timeout = "timeout",
    /// Zoho answered with a server error.
    ServerError = "server_error",
    /// Zoho answered, but too slowly: its answer did not arrive within the time allowed.
    TooSlow = "too_slow",
    /// The HTTP client could not be set up.
    HttpSetup = "http_setup",

    // ---- Sign-in answers (the callback parser, the loopback listener)
    /// A redirect URL longer than any Zoho sends.
    CallbackTooLong = "callback_too_long",
    /// A URL that is not this app's redirect.
    NotACallback = "not_a_callback",
    /// A redirect URL that could not be parsed.
    CallbackMalformed = "callback_malformed",
    /// A redirect URL with broken percent-encoding.
    CallbackBadEncoding = "callback_bad_encoding",
    /// A redirect URL naming a parameter twice.
    CallbackDuplicateParameter = "callback_duplicate_parameter",
    /// A redirect URL with more parameters than Zoho sends.
    CallbackTooManyParameters = "callback_too_many_parameters",
    /// A redirect parameter longer than Zoho sends.
    CallbackParameterTooLong = "callback_parameter_too_long",
    /// A redirect parameter with characters Zoho never sends.
    CallbackInvalidParameter = "callback_invalid_parameter",
    /// A redirect without `state`.
    CallbackMissingState = "callback_missing_state",
    /// A redirect with the right `state` but no code: the sign-in is over.
    CallbackMissingCode = "callback_missing_code",
    /// A redirect with both a code and an error.
    CallbackConflicting = "callback_conflicting",
    /// The sign-in's port is taken by another program.
    PortInUse = "port_in_use",
    /// The sign-in listener could not start.
    ListenerFailed = "listener_failed",
    /// No sign-in answer arrived in time.
    CallbackTimeout = "callback_timeout",
    /// The sign-in listener stopped before an answer arrived.
    ListenerClosed = "listener_closed",

    // ---- The data-center table (`ZBSETUP_ENDPOINTS`)
    /// The endpoints file could not be read.
    EndpointsUnreadable = "endpoints_unreadable",
    /// The endpoints file is not the expected JSON.
    EndpointsInvalid = "endpoints_invalid",
    /// An entry of the endpoints file is not usable.
    EndpointsBadEntry = "endpoints_bad_entry",

    // ---- The Books API (zbs-zoho)
    /// Zoho answered "too many requests" (HTTP 429).
    RateLimited = "rate_limited",
    /// Zoho refused the access token (HTTP 401).
    Unauthorized = "unauthorized",
    /// Zoho refused a record type to the Zoho user who connected (code 57
    /// although the sign-in is valid): their role, not an expired sign-in.
    NotPermitted = "not_permitted",
    /// Zoho has no such record or path.
    NotFound = "not_found",
    /// An HTTP status Zoho does not document for that call.
    UnexpectedStatus = "unexpected_status",
    /// Zoho's code 6041: the user who connected is not part of that organization.
    NotInOrganization = "not_in_organization",
    /// Zoho's code 6024: no organization given, and the user has several.
    OrganizationNeeded = "organization_needed",
    /// A Books answer that is not the documented JSON.
    Decode = "decode",
    /// A request that could not be built.
    BadRequest = "bad_request",
    /// A record type this app does not pull.
    UnknownEntity = "unknown_entity",

    // ---- The keyring (zbs-setup)
    /// No keyring (Secret Service, Keychain, Credential Manager) is available.
    KeyringUnavailable = "keyring_unavailable",
    /// The keyring did not answer in time.
    KeyringTimeout = "keyring_timeout",
    /// The keyring is locked and was not unlocked.
    KeyringLocked = "keyring_locked",
    /// A keyring entry was changed outside the app and cannot be read.
    KeyringGarbled = "keyring_garbled",

    // ---- The data folder and its database
    /// The settings file was written by a newer version of the app.
    DatabaseTooNew = "database_too_new",
    /// The settings file stayed locked by another process.
    DatabaseBusy = "database_busy",
    /// The data folder could not be created or used.
    DataFolder = "data_folder",
    /// The data folder can be changed by other people, so it is not used.
    DataFolderShared = "data_folder_shared",
    /// The settings file could not be used.
    Database = "database",
    /// The settings file's tables could not be brought up to this version's.
    DatabaseSchema = "database_schema",
    /// The settings file has not been prepared for pulls yet.
    DatabaseNotPrepared = "database_not_prepared",
    /// The disk that holds the data folder is full.
    DiskFull = "disk_full",
    /// The data folder has become read-only.
    DataFolderReadOnly = "data_folder_read_only",

    // ---- Pulls (zbs-pull)
    /// A request budget that is not `<requests>/<seconds>s`.
    InvalidRateLimit = "invalid_rate_limit",
    /// Pull settings that cannot be run.
    InvalidOptions = "invalid_options",
    /// A pull of the same organization is already running somewhere.
    AlreadyRunning = "already_running",
    /// A pull of the same organization is already running on this computer, from another data folder.
    AlreadyRunningElsewhere = "already_running_elsewhere",
    /// The folder of the machine-wide pull locks could not be made or is not private.
    LockFolder = "lock_folder",
    /// The organization's daily API-call quota is used up.
    QuotaExhausted = "quota_exhausted",
    /// The pull was stopped by the person.
    Cancelled = "cancelled",
    /// Zoho kept saying more pages follow but sent only records already received (or paged past any plausible end).
    EndlessPages = "endless_pages",
    /// The connection was disconnected while its pull ran: the pull stopped and its data is gone.
    ConnectionRemoved = "connection_removed",
    /// No access token could be had for a reason with no code of its own.
    TokenError = "token_error",
    /// A pull number that does not exist.
    UnknownPull = "unknown_pull",
    /// A record type outside what the connection's sign-in was allowed to read.
    ScopeMissing = "scope_missing",
    /// The test report could not be written.
    ReportFailed = "report_failed",
    /// An export could not be written.
    ExportFailed = "export_failed",

    /// "Test" reached Zoho, but the connection does not work (the message says why).
    TestFailed = "test_failed",

    // ---- The window's shell
    /// The app's settings could not be opened at start.
    NotReady = "not_ready",
    /// The system browser could not be opened.
    Opener = "opener",
    /// The save dialog answered with a place that is not a file on this computer.
    NotAFile = "not_a_file",
    /// "Open the folder" of a folder this window did not save into.
    NotSavedHere = "not_saved_here",
    /// The system clipboard could not be used.
    Clipboard = "clipboard",
    /// An internal task stopped unexpectedly.
    Internal = "internal",
}

impl std::fmt::Display for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Whether `c` must not be shown as it is, in a terminal, a report or a
/// spreadsheet: C0 and C1 controls (ESC, 0x9B), DEL, bidi embeddings,
/// overrides, isolates and marks (U+202E shows a name reversed), line and
/// paragraph separators, and other invisible format characters (zero-width
/// spaces and joiners, the BOM, tag characters).
pub fn unsafe_to_show(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{ad}'
                | '\u{61c}'
                | '\u{180e}'
                | '\u{200b}'..='\u{200f}'
                | '\u{2028}'..='\u{202e}'
                | '\u{2060}'..='\u{206f}'
                | '\u{feff}'
                | '\u{fff9}'..='\u{fffb}'
                | '\u{e0000}'..='\u{e007f}'
        )
}

/// Whether `c` changes the direction text is shown in (embeddings,
/// overrides, isolates and marks).
pub fn is_bidi_control(c: char) -> bool {
    matches!(
        c,
        '\u{61c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}'
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    #[test]
    fn each_code_has_one_snake_case_text_that_round_trips() {
        let mut seen = BTreeSet::new();
        for &code in Code::ALL {
            let text = code.as_str();
            assert!(seen.insert(text), "{text} is listed twice");
            assert!(
                !text.is_empty()
                    && text
                        .chars()
                        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_'),
                "{text} is not snake_case"
            );
            assert_eq!(serde_json::to_value(code).unwrap(), text);
            assert_eq!(serde_json::from_value::<Code>(text.into()).unwrap(), code);
            assert_eq!(Code::parse(text), Some(code));
            assert_eq!(code.to_string(), text);
        }
        assert_eq!(Code::parse("no_such_code"), None);
    }
}
