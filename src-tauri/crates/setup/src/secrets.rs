//! The OS keyring, behind one small wrapper.
//!
//! Secrets (the client secret and each connection's refresh token) live only
//! in the platform store: the Secret Service on Linux, the Keychain on macOS,
//! the Credential Manager on Windows. This module owns the service and entry
//! naming (each data folder's Client Secret under its own entry, named by
//! [`profile_id`]), a timeout around every call (a locked keyring may otherwise wait
//! forever on a prompt nobody sees), and the message a person sees when no
//! keyring can be reached. There is deliberately no in-memory or plaintext
//! fallback for the real profile: a missing keyring is an error, never a
//! silent downgrade.
//!
//! The demo profile is the one exception, by design and never as a fallback:
//! its Client Secret is made up and its tokens open only the demo's simulator
//! on this computer, so none of them is a secret. It keeps them in its own
//! folder ([`SecretStore::demo_folder`]), one file per entry, and never asks
//! the keyring: a demo runs where no keyring is installed, and leaves nothing
//! in the person's keyring.

use std::sync::mpsc;
use std::time::Duration;
use zbs_codes::Code;

use secrecy::{ExposeSecret, SecretString};

/// The keyring service under which every entry of the app is stored.
pub const SERVICE: &str = "zoho-books-setup";

/// How long one keyring call may take before the app gives up on it.
pub const KEYRING_TIMEOUT: Duration = Duration::from_secs(10);

/// Why the keyring could not be used.
#[derive(Debug, thiserror::Error)]
pub enum SecretError {
    /// No keyring could be reached. `detail` (the platform's own words) is
    /// for the log and support, never the message a person reads.
    #[error("{}", UNAVAILABLE_MESSAGE)]
    Unavailable { detail: String },
    #[error(
        "Your system keyring did not answer in time ({seconds} s). If it is locked, unlock it \
         (your desktop may be showing a password prompt); otherwise sign out of your desktop \
         and back in to restart it. Then try again. Nothing secret was saved anywhere else."
    )]
    Timeout { seconds: u64 },
    #[error(
        "Your system keyring is locked, or it refused Zoho Books Setup access. Unlock it (your \
         desktop may be showing a password prompt, or open your keyring app, such as \
         \"Passwords and Keys\"), then try again. Nothing secret was saved anywhere else."
    )]
    Locked,
    #[error("{}", garbled_message(entry))]
    Garbled { entry: String },
    #[error(
        "The demo could not keep its made-up keys in its own folder ({detail}). Make sure the \
         demo's data folder can be written to (free some disk space if it is full), then try \
         again."
    )]
    DemoFolder { detail: String },
}

/// What a person reads when no keyring answers, with the steps to get one.
const UNAVAILABLE_MESSAGE: &str = if cfg!(target_os = "linux") {
    "Zoho Books Setup keeps your Client Secret and sign-in tokens only in your system keyring, \
     and no keyring is running on this computer, so nothing was saved. To fix it: install a \
     keyring if there is none (on Ubuntu or Debian, the package \"gnome-keyring\"; on KDE, \
     KWallet), sign out of your desktop and back in so it starts, then save again. The demo \
     needs no keyring."
} else {
    "Zoho Books Setup keeps your Client Secret and sign-in tokens only in your system keyring \
     (the Keychain on macOS, Credential Manager on Windows), and could not reach it, so nothing \
     was saved. Sign out of your computer and back in, then save again. The demo needs no \
     keyring."
};

impl SecretError {
    pub fn code(&self) -> Code {
        match self {
            SecretError::Unavailable { .. } => Code::KeyringUnavailable,
            SecretError::Timeout { .. } => Code::KeyringTimeout,
            SecretError::Locked => Code::KeyringLocked,
            SecretError::Garbled { .. } => Code::KeyringGarbled,
            SecretError::DemoFolder { .. } => Code::DataFolder,
        }
    }
}

/// What a person is told about an entry that another program damaged.
fn garbled_message(name: &str) -> String {
    if entry::is_client_secret(name) {
        "The Client Secret kept in your system keyring can no longer be read (another program \
         may have changed it). Paste the Client Secret again to replace it."
            .to_owned()
    } else if name.starts_with(entry::REFRESH_TOKEN_PREFIX) {
        "A connection's sign-in kept in your system keyring can no longer be read (another \
         program may have changed it). Connect the organization again."
            .to_owned()
    } else {
        format!(
            "The entry \"{name}\" in your system keyring can no longer be read (another program \
             may have changed it). Remove it and try again."
        )
    }
}

/// The app's entries: in the OS keyring for the real profile, in the demo
/// folder for the demo's made-up ones (they never mix).
#[derive(Debug, Clone)]
pub struct SecretStore {
    backend: Backend,
    timeout: Duration,
}

#[derive(Debug, Clone)]
enum Backend {
    /// The OS keyring, under this service name.
    Keyring { service: String },
    /// The demo's made-up keys and simulator tokens: one file per entry in
    /// this folder (private to the user), written whole or not at all.
    Folder { dir: std::path::PathBuf },
}

/// The folder name, inside the demo's data folder, of its made-up keys.
pub const DEMO_KEYS_FOLDER: &str = "made-up-keys";

/// Names of the entries the app stores.
pub mod entry {
    /// What every Client Secret entry name starts with.
    pub const CLIENT_SECRET_PREFIX: &str = "client-secret:";

    /// The one Client Secret entry earlier versions shared between every data
    /// folder; only read, once, to carry it over (`Setup::client_secret`).
    pub const SHARED_CLIENT_SECRET: &str = "client-secret";

    /// The Client Secret of one data folder (`profile_id` names it).
    pub fn client_secret(profile_id: &str) -> String {
        format!("{CLIENT_SECRET_PREFIX}{profile_id}")
    }

    /// Whether an entry name is a Client Secret's (a folder's or the shared one).
    pub fn is_client_secret(name: &str) -> bool {
        name == SHARED_CLIENT_SECRET || name.starts_with(CLIENT_SECRET_PREFIX)
    }

    /// What every connection's refresh-token entry name starts with.
    pub const REFRESH_TOKEN_PREFIX: &str = "refresh-token:";

    /// One connection's refresh token.
    ///
    /// Named by the connection alone, not the data folder: a connection's id
    /// is random (64 bits, made when it is stored) and kept only in its own
    /// folder's database, so two folders share one only when a database file
    /// was copied, and then both copies are the same grant at Zoho, which a
    /// disconnect from either revokes for both anyway.
    pub fn refresh_token(connection_id: &str) -> String {
        format!("{REFRESH_TOKEN_PREFIX}{connection_id}")
    }

    /// One connection's current access token, with its expiry (shared by
    /// the window and every `zbsetup` process, so short runs need no new one).
    pub fn access_token(connection_id: &str) -> String {
        format!("access-token:{connection_id}")
    }
}

/// A stable id of a data folder, for its keyring entries: 16 hex digits of
/// the SHA-256 of the folder's canonical path (links resolved), so every
/// spelling of one folder has one id, and the id survives the settings file
/// being damaged and started afresh. A folder that is moved or renamed
/// starts without a Client Secret (paste it again).
pub fn profile_id(data_dir: &std::path::Path) -> String {
    use sha2::{Digest, Sha256};
    let canonical = std::fs::canonicalize(data_dir).unwrap_or_else(|_| data_dir.to_owned());
    #[cfg(unix)]
    let bytes = std::os::unix::ffi::OsStrExt::as_bytes(canonical.as_os_str()).to_vec();
    #[cfg(not(unix))]
    let bytes = canonical.to_string_lossy().into_owned().into_bytes();
    Sha256::digest(&bytes)[..8]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

impl SecretStore {
    /// The store for a profile: `None` for real use, `Some("demo")` for demo mode.
    pub fn new(profile: Option<&str>) -> Self {
        let service = match profile {
            Some(p) => format!("{SERVICE}-{p}"),
            None => SERVICE.to_owned(),
        };
        Self::with_service(service)
    }

    /// A store under another service name.
    pub fn with_service(service: String) -> Self {
        SecretStore {
            backend: Backend::Keyring { service },
            timeout: KEYRING_TIMEOUT,
        }
    }

    /// The demo profile's store: its made-up keys and the demo simulator's
    /// tokens, in `dir` (inside the demo's data folder), never in the keyring.
    pub fn demo_folder(dir: std::path::PathBuf) -> Self {
        SecretStore {
            backend: Backend::Folder { dir },
            timeout: KEYRING_TIMEOUT,
        }
    }

    /// The keyring service name (what `secret-tool search service NAME`
    /// finds); `None` for the demo's folder.
    pub fn service(&self) -> Option<&str> {
        match &self.backend {
            Backend::Keyring { service } => Some(service),
            Backend::Folder { .. } => None,
        }
    }

    /// Whether entries go to the OS keyring (false: the demo's folder).
    pub fn uses_keyring(&self) -> bool {
        matches!(self.backend, Backend::Keyring { .. })
    }

    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Stores a secret, replacing any previous value.
    pub fn set(&self, name: &str, secret: &SecretString) -> Result<(), SecretError> {
        if let Backend::Folder { dir } = &self.backend {
            return folder::set(dir, name, secret);
        }
        let value = secret.expose_secret().to_owned();
        match self.call(name, move |e| e.set_password(&value)) {
            Ok(()) => Ok(()),
            Err(CallError::NoEntry) => Err(SecretError::Unavailable {
                detail: "the entry could not be created".into(),
            }),
            Err(CallError::Secret(e)) => Err(e),
        }
    }

    /// Reads a secret; `None` when there is no such entry.
    pub fn get(&self, name: &str) -> Result<Option<SecretString>, SecretError> {
        if let Backend::Folder { dir } = &self.backend {
            return folder::get(dir, name);
        }
        match self.call(name, |e| e.get_password()) {
            Ok(v) => Ok(Some(SecretString::from(v))),
            Err(CallError::NoEntry) => Ok(None),
            Err(CallError::Secret(e)) => Err(e),
        }
    }

    /// Removes a secret; removing a missing entry is not an error.
    pub fn delete(&self, name: &str) -> Result<(), SecretError> {
        if let Backend::Folder { dir } = &self.backend {
            return folder::delete(dir, name);
        }
        match self.call(name, |e| e.delete_credential()) {
            Ok(()) | Err(CallError::NoEntry) => Ok(()),
            Err(CallError::Secret(e)) => Err(e),
        }
    }

    /// Runs one keyring call on its own thread and waits at most `timeout`.
    fn call<T: Send + 'static>(
        &self,
        name: &str,
        f: impl FnOnce(&keyring::Entry) -> keyring::Result<T> + Send + 'static,
    ) -> Result<T, CallError> {
        let Backend::Keyring { service } = &self.backend else {
            return Err(unavailable("not a keyring store".into()));
        };
        let service = service.clone();
        let user = name.to_owned();
        let (tx, rx) = mpsc::channel();
        std::thread::Builder::new()
            .name("keyring".into())
            .spawn(move || {
                let result = keyring::Entry::new(&service, &user).and_then(|e| f(&e));
                let _ = tx.send(result);
            })
            .map_err(|e| unavailable(e.to_string()))?;
        match rx.recv_timeout(self.timeout) {
            Ok(Ok(v)) => Ok(v),
            Ok(Err(keyring::Error::NoEntry)) => Err(CallError::NoEntry),
            Ok(Err(keyring::Error::BadEncoding(_))) => {
                Err(CallError::Secret(SecretError::Garbled {
                    entry: name.to_owned(),
                }))
            }
            // A locked collection whose unlock prompt could not be shown or
            // was dismissed, or access refused by the platform.
            Ok(Err(keyring::Error::NoStorageAccess(inner))) => {
                tracing::info!(detail = %inner, "keyring refused access");
                Err(CallError::Secret(SecretError::Locked))
            }
            Ok(Err(keyring::Error::PlatformFailure(inner))) if no_reply(inner.as_ref()) => {
                Err(CallError::Secret(SecretError::Timeout {
                    seconds: DBUS_CALL_TIMEOUT_SECS,
                }))
            }
            Ok(Err(e)) => Err(unavailable(describe(&e))),
            Err(_) => Err(CallError::Secret(SecretError::Timeout {
                seconds: self.timeout.as_secs(),
            })),
        }
    }
}

/// How long the Secret Service client waits for one D-Bus reply.
const DBUS_CALL_TIMEOUT_SECS: u64 = 2;

/// Whether a platform failure is a keyring service that stopped answering
/// (D-Bus `NoReply`), as opposed to one that is missing or refused.
fn no_reply(e: &(dyn std::error::Error + 'static)) -> bool {
    #[cfg(target_os = "linux")]
    {
        let mut next = Some(e);
        while let Some(err) = next {
            if let Some(d) = err.downcast_ref::<dbus::Error>() {
                return d.name() == Some("org.freedesktop.DBus.Error.NoReply");
            }
            next = err.source();
        }
    }
    let _ = e;
    false
}

enum CallError {
    NoEntry,
    Secret(SecretError),
}

impl From<SecretError> for CallError {
    fn from(e: SecretError) -> Self {
        CallError::Secret(e)
    }
}

fn unavailable(detail: String) -> CallError {
    tracing::info!(%detail, "no keyring could be reached");
    CallError::Secret(SecretError::Unavailable { detail })
}

/// A short, secret-free description of a keyring failure.
fn describe(e: &keyring::Error) -> String {
    match e {
        keyring::Error::PlatformFailure(inner) => format!("the keyring service failed: {inner}"),
        keyring::Error::TooLong(what, _) => format!("the {what} is too long for the keyring"),
        keyring::Error::Invalid(what, why) => format!("invalid {what}: {why}"),
        keyring::Error::Ambiguous(_) => "several matching entries exist".to_owned(),
        other => other.to_string(),
    }
}

/// The demo's entries as files: `<dir>/<entry name>`, the name's `:` spelt
/// `_` (entry names are the app's own: letters, digits, `-` and `:`).
mod folder {
    use std::io::Write;
    use std::path::{Path, PathBuf};

    use secrecy::{ExposeSecret, SecretString};

    use super::SecretError;

    fn path(dir: &Path, name: &str) -> Result<PathBuf, SecretError> {
        if name.is_empty()
            || !name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == ':')
        {
            return Err(SecretError::Unavailable {
                detail: format!("\"{name}\" is not an entry name of this app"),
            });
        }
        Ok(dir.join(name.replace(':', "_")))
    }

    fn failed(what: &str, e: std::io::Error) -> SecretError {
        SecretError::DemoFolder {
            detail: format!("{what}: {e}"),
        }
    }

    pub(super) fn set(dir: &Path, name: &str, secret: &SecretString) -> Result<(), SecretError> {
        let to = path(dir, name)?;
        // Made private like every folder of the app's (and refused if
        // others could write to it).
        crate::paths::prepare(dir).map_err(|e| SecretError::DemoFolder {
            detail: e.to_string(),
        })?;
        // Written beside the entry (a private file), then moved over it: a
        // reader sees the old value or the new one, never half of one.
        let mut file =
            tempfile::NamedTempFile::new_in(dir).map_err(|e| failed("writing an entry", e))?;
        file.write_all(secret.expose_secret().as_bytes())
            .and_then(|()| file.as_file().sync_all())
            .map_err(|e| failed("writing an entry", e))?;
        file.persist(&to)
            .map_err(|e| failed("writing an entry", e.error))?;
        Ok(())
    }

    pub(super) fn get(dir: &Path, name: &str) -> Result<Option<SecretString>, SecretError> {
        match std::fs::read(path(dir, name)?) {
            Ok(bytes) => match String::from_utf8(bytes) {
                Ok(s) => Ok(Some(SecretString::from(s))),
                Err(_) => Err(SecretError::Garbled {
                    entry: name.to_owned(),
                }),
            },
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(failed("reading an entry", e)),
        }
    }

    pub(super) fn delete(dir: &Path, name: &str) -> Result<(), SecretError> {
        match std::fs::remove_file(path(dir, name)?) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(failed("removing an entry", e)),
        }
    }
}

/// Shows the last four characters of a secret behind a mask, as the UI does.
pub fn mask(secret: &SecretString) -> String {
    let s = secret.expose_secret();
    let n = s.chars().count();
    if n <= 8 {
        return "••••".to_owned();
    }
    let tail: String = s.chars().skip(n - 4).collect();
    format!("••••••••{tail}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mask_shows_only_the_last_four() {
        let s = SecretString::from("0f1e2d3c4b5a69788796a5b4c3d2e1f00123456789");
        assert_eq!(mask(&s), "••••••••6789");
        assert_eq!(mask(&SecretString::from("short")), "••••");
    }

    #[test]
    fn each_folder_has_its_own_stable_id() {
        let a = tempfile::tempdir().unwrap();
        let b = tempfile::tempdir().unwrap();
        let id = profile_id(a.path());
        std::fs::create_dir(a.path().join("x")).unwrap();
        assert_eq!(id.len(), 16);
        assert!(id.chars().all(|c| c.is_ascii_hexdigit()));
        assert_eq!(
            profile_id(&a.path().join("x").join("..")),
            id,
            "one folder, one id"
        );
        assert_ne!(profile_id(b.path()), id);
        assert_eq!(entry::client_secret(&id), format!("client-secret:{id}"));
        assert!(entry::is_client_secret(&entry::client_secret(&id)));
        assert!(entry::is_client_secret(entry::SHARED_CLIENT_SECRET));
        assert!(!entry::is_client_secret(&entry::refresh_token("c")));
    }

    #[test]
    fn profiles_use_separate_services() {
        assert_eq!(SecretStore::new(None).service(), Some("zoho-books-setup"));
        assert_eq!(
            SecretStore::new(Some("demo")).service(),
            Some("zoho-books-setup-demo")
        );
        assert!(SecretStore::new(None).uses_keyring());
    }

    /// The demo's folder needs no keyring at all: this test runs with none.
    #[test]
    fn the_demo_folder_keeps_entries_whole_and_private() {
        let dir = tempfile::tempdir().unwrap();
        let store = SecretStore::demo_folder(dir.path().join(DEMO_KEYS_FOLDER));
        assert!(!store.uses_keyring());
        assert_eq!(store.service(), None);
        let name = entry::refresh_token("0123abcd");
        assert!(store.get(&name).unwrap().is_none());
        store.set(&name, &SecretString::from("first")).unwrap();
        store.set(&name, &SecretString::from("second")).unwrap();
        assert_eq!(store.get(&name).unwrap().unwrap().expose_secret(), "second");
        let file = dir
            .path()
            .join(DEMO_KEYS_FOLDER)
            .join("refresh-token_0123abcd");
        assert_eq!(std::fs::read_to_string(&file).unwrap(), "second");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode();
            assert_eq!(mode(&file) & 0o077, 0, "only the user reads an entry");
            assert_eq!(mode(&dir.path().join(DEMO_KEYS_FOLDER)) & 0o077, 0);
        }
        // Only the entry itself is there: no half-written files left behind.
        assert_eq!(
            std::fs::read_dir(dir.path().join(DEMO_KEYS_FOLDER))
                .unwrap()
                .count(),
            1
        );
        store.delete(&name).unwrap();
        store.delete(&name).unwrap();
        assert!(store.get(&name).unwrap().is_none());
        for hostile in ["../x", "a/b", "", "x y"] {
            assert!(
                store.set(hostile, &SecretString::from("v")).is_err(),
                "{hostile}"
            );
        }
    }
}
