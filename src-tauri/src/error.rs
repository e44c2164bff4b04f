//! The shell's error type: what crosses IPC when a command fails.
//!
//! It wraps the core's errors and serialises as `{code, message, issues}`:
//! the UI branches on the stable `code` and shows `message` as plain text.
//! Nothing here ever carries a secret (the core's messages never hold one).

use serde::Serialize;
use zbs_codes::Code;
use zbs_setup::validate::KeyIssue;

#[derive(Debug, thiserror::Error)]
pub enum ShellError {
    #[error(transparent)]
    Core(#[from] zbs_setup::Error),
    #[error("Zoho Books Setup could not start its settings: {0}")]
    NotReady(String),
    #[error("The browser could not be opened ({0}). Copy the link and open it yourself.")]
    Opener(String),
    #[error("The clipboard could not be used. Open the Client Secret in Zoho's API console (\"Client Secret\" tab) and copy it from there.")]
    Clipboard,
    #[error("That place is not a file on this computer. Choose a folder on this computer and try again.")]
    NotAFile,
    #[error("The app opens only folders it saved into during this session. Save again, then open its folder.")]
    NotSavedHere,
    #[error("An internal task stopped unexpectedly. Try again; if it keeps happening, copy the diagnostics and send them to support.")]
    Task,
}

impl ShellError {
    fn code(&self) -> Code {
        match self {
            ShellError::Core(e) => e.code(),
            ShellError::NotReady(_) => Code::NotReady,
            ShellError::Opener(_) => Code::Opener,
            ShellError::Clipboard => Code::Clipboard,
            ShellError::Task => Code::Internal,
            ShellError::NotAFile => Code::NotAFile,
            ShellError::NotSavedHere => Code::NotSavedHere,
        }
    }

    /// The form the window receives.
    pub fn payload(&self) -> ErrorPayload {
        let issues = match self {
            ShellError::Core(e) => e.key_issues().to_vec(),
            _ => Vec::new(),
        };
        ErrorPayload {
            code: self.code(),
            message: self.to_string(),
            issues,
        }
    }
}

/// A failed command as the UI receives it.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[ts(export)]
pub struct ErrorPayload {
    pub code: Code,
    pub message: String,
    pub issues: Vec<KeyIssue>,
}

impl Serialize for ShellError {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.payload().serialize(s)
    }
}
