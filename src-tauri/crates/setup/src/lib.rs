//! # zbs-setup: the core of Zoho Books Setup
//!
//! Everything a person can do in the window or with `zbsetup` is a method of
//! [`Setup`]; the Tauri shell and the command line are thin fronts that turn
//! clicks and arguments into these calls. This crate has no Tauri dependency.
//!
//! ## Layout
//! - this file: [`Setup`] itself: opening a profile, the status, keys,
//!   data centers, the switch, checklist ticks and the window's preferences.
//! - [`validate`]: plain-language checks of pasted keys.
//! - [`checklist`]: the steps and when each is done.
//! - [`connect`]: signing in ([`connect::SignIn`]), choosing an
//!   organization, and the stored connections (rename, disconnect).
//! - [`checkup`]: "Test": the keys, the sign-in and one small page of each
//!   record type, asked of Zoho just now.
//! - `tokens`: access tokens of connections, cached and refreshed.
//! - [`pulls`]: sample pulls of a stored connection (the engine is `zbs-pull`'s).
//! - [`store`]: the SQLite file and its migrations; all SQL of this crate
//!   (`store/connections.rs` for connections).
//! - [`secrets`]: the OS keyring, the only place secrets live.
//! - [`paths`]: the data folder.
//! - [`platform`]: where the keys will be used (the platform's callback
//!   beside the app's redirect URI) and the hand-off card.
//! - [`report`]: the test report to hand on (HTML; never a secret).
//! - [`keycheck`]: "Check my keys" at every chosen data center, without a sign-in.
//! - [`links`]: the Zoho pages the checklist opens.
//! - [`diagnostics`]: the support report (never a secret).
//! - [`error`]: the one error type the fronts show; its codes are
//!   [`Code`]s (`zbs-codes`).
//!
//! Talking to Zoho (data centers, OAuth, the Books API) is `zbs-zoho`'s job;
//! demo mode, the window's only way to the simulator, is `zbs-demo`'s.

pub mod checklist;
pub mod checkup;
pub mod connect;
pub mod diagnostics;
pub mod error;
pub mod keycheck;
pub mod links;
mod locks;
pub mod paths;
pub mod platform;
pub mod pulls;
pub mod report;
pub mod secrets;
pub mod store;
mod tokens;
pub mod validate;

use std::path::{Path, PathBuf};

use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use ts_rs::TS;
use zbs_zoho::dc::DataCenters;

pub use error::Error;
use secrets::{entry, SecretStore};
use store::Store;
use validate::KeyIssue;
pub use zbs_codes::Code;

pub use zbs_zoho::callback::DEFAULT_LOOPBACK_PORT;

/// Which set of keys, connections and data is in use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum Profile {
    /// The person's own Zoho account.
    Real,
    /// The built-in simulator: kept apart from real keys and data.
    Demo,
}

/// One data center as the window lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct DataCenterInfo {
    pub region: String,
    pub name: String,
    /// Officially supported by the integration platform (US and UK).
    pub supported: bool,
    pub accounts: String,
    /// For a data center with its own accounts realm (China's), the domain
    /// people know its sign-in by (`zoho.com.cn`); `None` for every one that
    /// signs in at accounts.zoho.com.
    pub own_accounts: Option<String>,
}

/// Everything the window and `zbsetup status` show. Never holds a secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Status {
    pub profile: Profile,
    pub client_id: Option<String>,
    pub secret_stored: bool,
    /// The stored secret's last four characters behind a mask.
    pub secret_mask: Option<String>,
    pub enabled: bool,
    pub regions: Vec<String>,
    /// The URIs to register in Zoho's console: the app's own, then the
    /// chosen platform's callback (one Zoho client serves both).
    pub redirect_uris: Vec<String>,
    /// Where the keys will be used.
    pub platform: platform::PlatformInfo,
    /// How sign-ins come back to the app.
    pub redirect_method: connect::RedirectMethod,
    pub checklist: Vec<checklist::ChecklistItem>,
    /// The last "Check my keys" of the saved keys at the chosen data centers.
    pub key_check: Option<keycheck::KeyCheck>,
    /// Where the window reopens: the step last opened, else the first not done.
    pub current_step: Option<checklist::StepId>,
    pub connections: u32,
    pub data_centers: Vec<DataCenterInfo>,
    /// Set when the keyring could not be read: what happened and what to do.
    pub keyring_problem: Option<String>,
    /// Set once after a damaged settings file was set aside at start.
    pub recovery_notice: Option<String>,
    /// Set while sign-ins come back to `http://127.0.0.1:…`, the default of
    /// versions before `localhost`, which Zoho may refuse: the line to add
    /// in the console and what to switch.
    pub redirect_notice: Option<String>,
    pub data_dir: String,
}

/// The keys as pasted into the window or given to `zbsetup credentials set`.
#[derive(Debug, Clone, Deserialize, TS)]
#[ts(export)]
pub struct CredentialsInput {
    pub client_id: String,
    /// `None` keeps the stored secret and changes only the Client ID.
    #[ts(optional, as = "Option<String>")]
    pub client_secret: Option<SecretString>,
}

/// The result of saving keys: the new status and any warnings to show.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct SaveOutcome {
    pub status: Status,
    pub warnings: Vec<KeyIssue>,
}

/// How to open the data folder and which profile to use.
#[derive(Debug, Clone)]
pub struct OpenOptions {
    /// `None`: `ZBSETUP_DATA_DIR`, else the OS's per-user data folder.
    pub data_dir: Option<PathBuf>,
    pub profile: Profile,
    /// `None`: `ZBSETUP_ENDPOINTS`, else Zoho's own data centers.
    pub data_centers: Option<DataCenters>,
    /// `None`: the app's own keyring service (shared by the window and `zbsetup`).
    /// Tests give each setup its own, so they can run side by side.
    pub keyring_service: Option<String>,
}

impl Default for OpenOptions {
    fn default() -> Self {
        OpenOptions {
            data_dir: None,
            profile: Profile::Real,
            data_centers: None,
            keyring_service: None,
        }
    }
}

/// The setup of one profile: its database, its keyring entries, its data centers.
#[derive(Debug)]
pub struct Setup {
    store: Store,
    secrets: SecretStore,
    data_centers: DataCenters,
    profile: Profile,
    data_dir: PathBuf,
    /// This folder's Client Secret entry in the keyring.
    client_secret_entry: String,
    /// This is the OS's default data folder of its profile, which may carry
    /// over the Client Secret entry earlier versions shared.
    default_folder: bool,
    connect: connect::ConnectState,
    tokens: tokens::Tokens,
    puller: std::sync::OnceLock<zbs_pull::Puller>,
    /// Counts changes of the keys and data centers, so a check that was
    /// asked about earlier ones never keeps its answer.
    key_changes: std::sync::atomic::AtomicU64,
}

/// What the window remembers between launches (kept in the real profile).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Preferences {
    /// The profile the window opened last.
    pub start_profile: Profile,
    /// The person has chosen a path on the welcome screen.
    pub welcomed: bool,
}

mod keys {
    pub const CLIENT_ID: &str = "client_id";
    pub const SECRET_SAVED: &str = "secret_saved";
    /// The shared Client Secret entry of earlier versions was looked at (once).
    pub const SHARED_SECRET_CHECKED: &str = "secret_shared_entry_checked";
    pub const ENABLED: &str = "enabled";
    pub const REGIONS: &str = "regions";
    pub const CURRENT_STEP: &str = "current_step";
    pub const LOOPBACK_PORT: &str = "loopback_port";
    pub const RECOVERY_NOTICE: &str = "recovery_notice";
    pub const TESTED: &str = "tested";
    pub const REDIRECT_METHOD: &str = "redirect_method";
    pub const START_PROFILE: &str = "ui.start_profile";
    pub const WELCOMED: &str = "ui.welcomed";
    pub const PLATFORM: &str = "platform";
    /// The redirect URIs listed when the person ticked "add the redirect
    /// URIs" in the registration step: what Zoho's console was given.
    pub const REGISTERED_URIS: &str = "registered_redirect_uris";
    /// The last "Check my keys" answer (`keycheck::KeyCheck`).
    pub const KEY_CHECK: &str = "key_check";
    /// `departed_connection:<id>`: a disconnected connection whose keyring
    /// entries may not all be gone yet (swept at the next start).
    pub const DEPARTED_PREFIX: &str = "departed_connection:";
    /// The keyring entry the Client Secret was saved under, and the folder
    /// (canonical path) it was saved from: a moved folder finds it by them.
    pub const SECRET_ENTRY: &str = "client_secret_entry";
    pub const SECRET_FOLDER: &str = "client_secret_folder";
}

impl Setup {
    /// Opens the profile's database (recovering a damaged one) and keyring.
    pub fn open(options: OpenOptions) -> Result<Setup, Error> {
        let base = match options.data_dir {
            Some(dir) => dir,
            None => paths::data_dir()?,
        };
        let data_dir = match options.profile {
            Profile::Real => base,
            Profile::Demo => base.join("demo"),
        };
        let data_centers = match (options.data_centers, options.profile) {
            (Some(dcs), _) => dcs,
            (None, Profile::Real) => DataCenters::from_env()?,
            // The demo trusts its simulator only: `zbs-demo` opens it with that table.
            (None, Profile::Demo) => {
                return Err(Error::Demo {
                    detail: "the demo profile opens only with its simulator's data centers".into(),
                })
            }
        };
        let (store, recovery) = Store::open(&data_dir)?;
        let default_folder = paths::default_data_dir()
            .map(|base| match options.profile {
                Profile::Real => base,
                Profile::Demo => base.join("demo"),
            })
            .is_some_and(|d| same_folder(&d, &data_dir));
        if let Some(r) = recovery {
            let notice = format!(
                "Your settings file was damaged ({}) and has been set aside as {}. A fresh one \
                 was started: enter your Client ID again and re-tick the checklist. Your Client \
                 Secret and connections' tokens are still in {}.",
                r.reason,
                r.moved_to.display(),
                match options.profile {
                    Profile::Real => "your system keyring",
                    Profile::Demo => "the demo's folder",
                }
            );
            store.set(keys::RECOVERY_NOTICE, &notice)?;
        }
        let setup = Setup {
            store,
            secrets: match (options.profile, options.keyring_service) {
                // The demo's keys are made up: its own folder, never the keyring.
                (Profile::Demo, _) => {
                    SecretStore::demo_folder(data_dir.join(secrets::DEMO_KEYS_FOLDER))
                }
                (Profile::Real, Some(service)) => SecretStore::with_service(service),
                (Profile::Real, None) => SecretStore::new(None),
            },
            data_centers,
            profile: options.profile,
            client_secret_entry: entry::client_secret(&secrets::profile_id(&data_dir)),
            default_folder,
            data_dir,
            connect: connect::ConnectState::default(),
            tokens: tokens::Tokens::default(),
            puller: std::sync::OnceLock::new(),
            key_changes: std::sync::atomic::AtomicU64::new(0),
        };
        setup.sweep_departed_connections();
        setup.notice_moved_secret()?;
        Ok(setup)
    }

    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    /// What the window remembers between launches.
    pub fn preferences(&self) -> Result<Preferences, Error> {
        Ok(Preferences {
            start_profile: self
                .store
                .get(keys::START_PROFILE)?
                .unwrap_or(Profile::Real),
            welcomed: self.store.get(keys::WELCOMED)?.unwrap_or(false),
        })
    }

    /// Remembers the profile the window opens with next time (and that the
    /// person has chosen a path on the welcome screen).
    pub fn remember_start_profile(&self, profile: Profile) -> Result<(), Error> {
        self.store.set(keys::START_PROFILE, &profile)?;
        Ok(self.store.set(keys::WELCOMED, &true)?)
    }

    /// Keeps a failure for the support report (messages never hold a secret).
    pub fn record_failure(&self, error: &Error) -> Result<(), Error> {
        Ok(self
            .store
            .record_event(error.code().as_str(), &error.to_string())?)
    }

    pub fn secrets(&self) -> &SecretStore {
        &self.secrets
    }

    /// The keyring entry that holds this data folder's Client Secret.
    pub fn client_secret_entry(&self) -> &str {
        &self.client_secret_entry
    }

    pub fn data_centers(&self) -> &DataCenters {
        &self.data_centers
    }

    /// The loopback port registered for sign-ins.
    pub(crate) fn loopback_port(&self) -> Result<u16, Error> {
        Ok(self
            .store
            .get(keys::LOOPBACK_PORT)?
            .unwrap_or(DEFAULT_LOOPBACK_PORT))
    }

    /// Changes the loopback port (it must then be registered in the API console).
    pub fn set_loopback_port(&self, port: u16) -> Result<Status, Error> {
        self.store.set(keys::LOOPBACK_PORT, &port)?;
        self.status()
    }

    /// How sign-ins come back to the app: the one chosen, else
    /// `http://localhost:…` for a new setup, and the `127.0.0.1` form for a
    /// setup whose keys an earlier version saved (that is the URI its
    /// checklist had the person register).
    pub fn redirect_method(&self) -> Result<connect::RedirectMethod, Error> {
        if let Some(method) = self.store.get(keys::REDIRECT_METHOD)? {
            return Ok(method);
        }
        Ok(if self.status_client_id()?.is_some() {
            connect::RedirectMethod::Loopback
        } else {
            connect::RedirectMethod::Localhost
        })
    }

    /// What to do about a setup whose sign-ins still come back to
    /// `http://127.0.0.1:…`: Zoho is known to accept `localhost` for
    /// desktop sign-ins, and may refuse the IP form.
    fn redirect_notice(&self) -> Result<Option<String>, Error> {
        if self.redirect_method()? != connect::RedirectMethod::Loopback {
            return Ok(None);
        }
        let old = self.redirect_uri(connect::RedirectMethod::Loopback)?;
        let new = self.redirect_uri(connect::RedirectMethod::Localhost)?;
        Ok(Some(format!(
            "This setup still has Zoho send sign-ins to {old}, an address Zoho may refuse. In \
             Zoho's API console, open this client, add {new} as another Authorized Redirect URI \
             (the + beside the field), save, then switch to it here."
        )))
    }

    /// Chooses how sign-ins come back to the app.
    pub fn set_redirect_method(&self, method: connect::RedirectMethod) -> Result<Status, Error> {
        self.store.set(keys::REDIRECT_METHOD, &method)?;
        self.status()
    }

    /// The redirect URI(s) to register in the API console.
    pub(crate) fn redirect_uris(&self) -> Result<Vec<String>, Error> {
        let mut uris = vec![self.redirect_uri(self.redirect_method()?)?];
        uris.extend(self.platform()?.info().callback);
        Ok(uris)
    }

    /// Marks the "Test your integration" step done (after a successful pull).
    pub(crate) fn mark_tested(&self) -> Result<(), Error> {
        Ok(self.store.set(keys::TESTED, &true)?)
    }

    pub(crate) fn status_client_id(&self) -> Result<Option<String>, Error> {
        Ok(self.store.get(keys::CLIENT_ID)?)
    }

    /// The whole picture, as the window and `zbsetup status` show it.
    pub fn status(&self) -> Result<Status, Error> {
        let client_id: Option<String> = self.store.get(keys::CLIENT_ID)?;
        let (secret, keyring_problem) = match self.client_secret() {
            Ok(s) => (s, None),
            Err(Error::Secret(e)) => (None, Some(e.to_string())),
            Err(e) => return Err(e),
        };
        let secret_stored = match (&secret, &keyring_problem) {
            (Some(_), _) => true,
            // The keyring could not be asked: report what was last saved.
            (None, Some(_)) => self.store.get(keys::SECRET_SAVED)?.unwrap_or(false),
            (None, None) => false,
        };
        let enabled: bool = self.store.get(keys::ENABLED)?.unwrap_or(false);
        let key_check = self.last_key_check()?;
        let facts = checklist::Facts {
            keys_saved: client_id.is_some() && secret_stored,
            keys_refused: key_check.as_ref().is_some_and(keycheck::KeyCheck::refused),
            enabled,
            tested: self.store.get(keys::TESTED)?.unwrap_or(false),
            console_done: self.profile == Profile::Demo,
        };
        let items = checklist::evaluate(&self.store.ticked()?, facts);
        let current_step = self
            .store
            .get::<String>(keys::CURRENT_STEP)?
            .and_then(|s| checklist::step(&s))
            .or_else(|| checklist::first_open(&items).and_then(checklist::step));
        Ok(Status {
            profile: self.profile,
            client_id,
            secret_stored,
            secret_mask: secret.as_ref().map(secrets::mask),
            enabled,
            regions: self.regions()?,
            redirect_uris: self.redirect_uris()?,
            platform: self.platform()?.info(),
            redirect_method: self.redirect_method()?,
            checklist: items,
            key_check,
            current_step,
            connections: self.connection_count()?,
            data_centers: self
                .data_centers
                .all()
                .iter()
                .map(|dc| DataCenterInfo {
                    region: dc.region.clone(),
                    name: dc.name.clone(),
                    supported: dc.supported,
                    accounts: zbs_zoho::dc::origin_string(&dc.accounts),
                    own_accounts: dc.own_accounts_domain().map(str::to_owned),
                })
                .collect(),
            keyring_problem,
            recovery_notice: self.store.get(keys::RECOVERY_NOTICE)?,
            redirect_notice: self.redirect_notice()?,
            data_dir: self.data_dir.display().to_string(),
        })
    }

    /// Checks pasted keys without saving them (for live hints while typing).
    pub fn check_keys(&self, input: &CredentialsInput) -> Vec<KeyIssue> {
        let secret = input.client_secret.as_ref().map(|s| s.expose_secret());
        validate::check_keys(&input.client_id, secret).issues
    }

    /// Validates and saves the keys: the ID in SQLite, the secret in the keyring.
    pub fn save_credentials(&self, input: CredentialsInput) -> Result<SaveOutcome, Error> {
        // One save or clear of this folder's keys at a time, across
        // processes: the Client ID and Client Secret kept are one save's.
        let held = self.keys_lock()?;
        let secret_text = input.client_secret.as_ref().map(|s| s.expose_secret());
        if secret_text.is_none() && !self.has_secret()? {
            return Err(Error::InvalidKeys(vec![KeyIssue {
                field: validate::KeyField::ClientSecret,
                severity: validate::Severity::Error,
                code: validate::KeyIssueCode::Empty,
                message: "The Client Secret is empty. Copy it from the API console's \"Client \
                          Secret\" tab and paste it here."
                    .into(),
            }]));
        }
        let checked = validate::check_keys(&input.client_id, secret_text);
        if !checked.is_ok() {
            return Err(Error::InvalidKeys(checked.issues));
        }
        // The secret first: if the keyring refuses, nothing is half-saved.
        if input.client_secret.is_some() {
            self.secrets
                .set(&self.client_secret_entry, &checked.client_secret)?;
            self.store.set(keys::SECRET_SAVED, &true)?;
            // A secret chosen now: an earlier version's is never wanted again.
            self.store.set(keys::SHARED_SECRET_CHECKED, &true)?;
            self.remember_secret_place()?;
        }
        // Keep the redirect URI this setup is registering from now on.
        if self
            .store
            .get::<connect::RedirectMethod>(keys::REDIRECT_METHOD)?
            .is_none()
        {
            self.store
                .set(keys::REDIRECT_METHOD, &self.redirect_method()?)?;
        }
        self.store.set(keys::CLIENT_ID, &checked.client_id)?;
        self.forget_key_check()?;
        drop(held);
        tracing::info!(profile = ?self.profile, "keys saved");
        Ok(SaveOutcome {
            status: self.status()?,
            warnings: checked.issues,
        })
    }

    /// Notes where the Client Secret is kept: this folder's entry, saved from here.
    fn remember_secret_place(&self) -> Result<(), Error> {
        let here = std::fs::canonicalize(&self.data_dir).unwrap_or_else(|_| self.data_dir.clone());
        self.store
            .set(keys::SECRET_ENTRY, &self.client_secret_entry)?;
        self.store
            .set(keys::SECRET_FOLDER, &here.display().to_string())?;
        Ok(())
    }

    /// The keyring entry and the folder of a Client Secret saved in this
    /// folder when it was somewhere else (it was moved or renamed since).
    fn moved_secret(&self) -> Result<Option<(String, String)>, Error> {
        let saved: bool = self.store.get(keys::SECRET_SAVED)?.unwrap_or(false);
        let entry: Option<String> = self.store.get(keys::SECRET_ENTRY)?;
        let folder: Option<String> = self.store.get(keys::SECRET_FOLDER)?;
        Ok(match (saved, entry, folder) {
            (true, Some(entry), Some(folder)) if entry != self.client_secret_entry => {
                Some((entry, folder))
            }
            _ => None,
        })
    }

    /// Says, once per start until done, that this folder was moved and its
    /// Client Secret stayed in the keyring under its old place.
    fn notice_moved_secret(&self) -> Result<(), Error> {
        let Some((_, folder)) = self.moved_secret()? else {
            return Ok(());
        };
        let notice = format!(
            "This data folder was moved (its Client Secret was saved when it was {folder}),              so the secret is still in your system keyring under that place and is not used              here. To carry it over, run `zbsetup credentials carry-over` (or save the keys              again)."
        );
        self.store.set(keys::RECOVERY_NOTICE, &notice)?;
        Ok(())
    }

    /// Moves the Client Secret of a moved data folder from the keyring entry
    /// of its old place to this folder's (see [`Setup::open`]'s notice).
    pub fn carry_over_secret(&self) -> Result<Status, Error> {
        let held = self.keys_lock()?;
        let Some((old, _)) = self.moved_secret()? else {
            return Err(Error::NothingToCarryOver);
        };
        let Some(secret) = self.secrets.get(&old)? else {
            return Err(Error::NothingToCarryOver);
        };
        self.secrets.set(&self.client_secret_entry, &secret)?;
        self.remember_secret_place()?;
        self.secrets.delete(&old)?;
        self.store.remove(keys::RECOVERY_NOTICE)?;
        drop(held);
        tracing::info!(profile = ?self.profile, "the moved folder's secret was carried over");
        self.status()
    }

    /// Held while this folder's keys are saved or removed (see [`locks`]).
    fn keys_lock(&self) -> Result<std::fs::File, Error> {
        locks::hold(&self.data_dir, "keys.lock").map_err(|e| {
            Error::from(store::StoreError::Folder {
                path: locks::lock_dir(&self.data_dir),
                detail: format!("could not lock the keys while saving them: {e}"),
            })
        })
    }

    fn has_secret(&self) -> Result<bool, Error> {
        Ok(self.client_secret()?.is_some())
    }

    /// The stored client secret: for the token exchange, and for a person
    /// who asked for it deliberately (the window's "Copy the Client Secret",
    /// `zbsetup handoff --show-secret`). Never shown otherwise.
    pub fn client_secret(&self) -> Result<Option<SecretString>, Error> {
        match self.secrets.get(&self.client_secret_entry)? {
            Some(secret) => Ok(Some(secret)),
            None => self.take_over_shared_secret(),
        }
    }

    /// Carries the Client Secret entry earlier versions shared over to this
    /// folder's own entry, when this folder is the one that owned it.
    ///
    /// That entry (`client-secret`) served every data folder, so it holds the
    /// secret saved last, from whichever folder. It is carried over to the
    /// OS's default data folder only, where the window keeps a person's
    /// setup: any number of other folders (`ZBSETUP_DATA_DIR`, `--data-dir`:
    /// scripts, tests, support) may have saved keys too, and giving the entry
    /// to one of them could hand it another folder's secret; they are asked
    /// for theirs again. And only when this folder's settings say a secret was
    /// saved and it has no entry of its own, and only once: keys cleared
    /// afterwards stay cleared. The shared entry is never deleted: a copy of
    /// an earlier version still installed (the window or `zbsetup` not yet
    /// updated) reads it, and no folder of this version reads it again.
    fn take_over_shared_secret(&self) -> Result<Option<SecretString>, Error> {
        let saved: bool = self.store.get(keys::SECRET_SAVED)?.unwrap_or(false);
        let checked: bool = self
            .store
            .get(keys::SHARED_SECRET_CHECKED)?
            .unwrap_or(false);
        if !self.default_folder || !saved || checked {
            return Ok(None);
        }
        let shared = self.secrets.get(entry::SHARED_CLIENT_SECRET)?;
        if let Some(secret) = &shared {
            self.secrets.set(&self.client_secret_entry, secret)?;
            tracing::info!(profile = ?self.profile, "Client Secret carried over from the entry of an earlier version");
        }
        self.store.set(keys::SHARED_SECRET_CHECKED, &true)?;
        Ok(shared)
    }

    /// Removes both keys and switches the integration off.
    pub fn clear_credentials(&self) -> Result<Status, Error> {
        let held = self.keys_lock()?;
        self.secrets.delete(&self.client_secret_entry)?;
        self.store.remove(keys::SECRET_SAVED)?;
        self.store.remove(keys::SECRET_ENTRY)?;
        self.store.remove(keys::SECRET_FOLDER)?;
        self.store.set(keys::SHARED_SECRET_CHECKED, &true)?;
        self.store.remove(keys::CLIENT_ID)?;
        self.store.set(keys::ENABLED, &false)?;
        self.forget_key_check()?;
        drop(held);
        tracing::info!(profile = ?self.profile, "keys removed");
        self.status()
    }

    /// The regions enabled for this client (defaults to the supported ones).
    pub fn regions(&self) -> Result<Vec<String>, Error> {
        Ok(self.store.get(keys::REGIONS)?.unwrap_or_else(|| {
            self.data_centers
                .all()
                .iter()
                .filter(|dc| dc.supported)
                .map(|dc| dc.region.clone())
                .collect()
        }))
    }

    pub fn set_regions(&self, regions: &[String]) -> Result<Status, Error> {
        let mut chosen: Vec<String> = Vec::new();
        for r in regions {
            let r = r.trim().to_ascii_lowercase();
            if r.is_empty() {
                continue;
            }
            if self.data_centers.get(&r).is_none() {
                let known: Vec<&str> = self
                    .data_centers
                    .all()
                    .iter()
                    .map(|dc| dc.region.as_str())
                    .collect();
                return Err(Error::UnknownRegion {
                    region: r,
                    known: known.join(", "),
                });
            }
            if !chosen.contains(&r) {
                chosen.push(r);
            }
        }
        if chosen.is_empty() {
            return Err(Error::NoRegions);
        }
        if chosen != self.regions()? {
            self.forget_key_check()?;
        }
        self.store.set(keys::REGIONS, &chosen)?;
        self.status()
    }

    /// The integration switch; switching on needs saved keys.
    pub fn set_enabled(&self, on: bool) -> Result<Status, Error> {
        if on {
            let has_id = self.store.get::<String>(keys::CLIENT_ID)?.is_some();
            if !has_id || !self.has_secret()? {
                return Err(Error::NoCredentials);
            }
        }
        self.store.set(keys::ENABLED, &on)?;
        self.status()
    }

    /// Ticks or unticks a checklist item the person confirms by hand.
    pub fn set_step(&self, item: &str, done: bool) -> Result<Status, Error> {
        if !checklist::is_tickable(item) {
            return Err(Error::UnknownStep {
                item: item.to_owned(),
            });
        }
        self.store.tick(item, done)?;
        // What the console was given: the addresses listed at the tick.
        if matches!(
            checklist::parse_item(item),
            Some((
                checklist::StepId::RegisterClient,
                None | Some(checklist::SubStepId::RedirectUris)
            ))
        ) {
            if done {
                self.store
                    .set(keys::REGISTERED_URIS, &self.redirect_uris()?)?;
            } else {
                self.store.remove(keys::REGISTERED_URIS)?;
            }
        }
        self.status()
    }

    /// The redirect URIs the person confirmed registering in Zoho's console
    /// (the demo's stand-in console has every one the app lists).
    pub(crate) fn registered_uris(&self) -> Result<Vec<String>, Error> {
        if self.profile == Profile::Demo {
            return self.redirect_uris();
        }
        Ok(self.store.get(keys::REGISTERED_URIS)?.unwrap_or_default())
    }

    /// Remembers which step is open, so the window reopens there.
    pub fn set_current_step(&self, step: &str) -> Result<(), Error> {
        if checklist::step(step).is_none() {
            return Err(Error::UnknownStep {
                item: step.to_owned(),
            });
        }
        Ok(self.store.set(keys::CURRENT_STEP, &step)?)
    }

    /// Clears the notice about a recovered settings file once it was read.
    pub fn dismiss_recovery_notice(&self) -> Result<(), Error> {
        Ok(self.store.remove(keys::RECOVERY_NOTICE)?)
    }

    fn connection_count(&self) -> Result<u32, Error> {
        Ok(self.store.connection_count()?)
    }
}

/// Whether two paths name one folder (links resolved).
/// Today's date as files are named with it: "2026-12-01" (UTC).
pub(crate) fn today() -> String {
    // `Date`'s own form is the ISO one.
    time::OffsetDateTime::now_utc().date().to_string()
}

fn same_folder(a: &Path, b: &Path) -> bool {
    match (std::fs::canonicalize(a), std::fs::canonicalize(b)) {
        (Ok(a), Ok(b)) => a == b,
        _ => a == b,
    }
}
