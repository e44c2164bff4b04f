//! # zbs-demo: demo mode, the window's only way to the simulator
//!
//! A sales engineer (or anyone without a Zoho account) clicks through the
//! whole flow — keys, switch, connect, consent, sample pull — against
//! `zbs-sim` on 127.0.0.1, with no network. The demo profile has its own
//! database folder, and keeps its made-up keys and the simulator's tokens in
//! it (they open nothing but this simulator), never in the keyring: a demo
//! runs where no keyring is installed, and nothing mixes with real setups.
//!
//! One rule for whom a demo trusts: the demo profile is opened only through
//! [`Demo::open`], with the data centers of the demo simulator and nothing
//! else (never Zoho's table, never `ZBSETUP_ENDPOINTS`); `zbs-setup` refuses
//! to open it any other way. The simulator listens on fixed ports when it
//! can, so demo connections keep pointing at the same addresses across
//! restarts and between the window and `zbsetup --demo`.
//!
//! Beside the happy path, [`stories`] stages rehearsed scenes on the
//! in-process simulator ([`Demo::stage`], [`Demo::end_story`]).

pub mod stories;

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::Serialize;
use ts_rs::TS;
use zbs_setup::{Error, OpenOptions, Profile, Setup};
use zbs_sim::{ClientSpec, SimConfig, SimHandle, Simulator, REGIONS};
use zbs_zoho::dc::DataCenters;

pub use stories::{DemoStory, StagedStory, StoryInfo, STORY_LABEL};

/// The ports the demo simulator prefers, per region: its accounts server
/// there, and its API on the next port. Keyed by region, not by place in a
/// list, so a data center added anywhere never moves another's (stored demo
/// connections name these addresses); a test checks that every region the
/// simulator serves has ports of its own.
pub const DEMO_PORTS: &[(&str, u16)] = &[
    ("us", 47830),
    ("uk", 47832),
    ("eu", 47834),
    ("in", 47836),
    ("au", 47838),
    ("jp", 47840),
    ("ca", 47842),
    ("sa", 47844),
    ("ae", 47846),
    ("cn", 47848),
];

/// The made-up keys of the demo client, shown on the demo's "Add your keys"
/// step. They only open the simulator on this computer.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct DemoKeys {
    pub client_id: String,
    pub client_secret: String,
}

/// The demo simulator: running in this process, or (for `zbsetup --demo`
/// while the window's demo holds the fixed ports) the one running there.
pub struct Demo {
    sim: Option<SimHandle>,
    data_centers: DataCenters,
    client: ClientSpec,
    /// The demo story running on `sim`, if any.
    story: stories::StorySlot,
}

impl std::fmt::Debug for Demo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Demo")
            .field("client_id", &self.client.client_id)
            .field("in_process", &self.sim.is_some())
            .finish_non_exhaustive()
    }
}

/// The demo's simulator settings: plausible volumes, Zoho's own limits.
pub fn demo_config(fixed_ports: bool) -> SimConfig {
    let mut cfg = SimConfig {
        records_per_entity: 240,
        // The demo shows a sign-in coming back by app link, which Zoho's
        // console would refuse to register: lenient here only.
        accept_app_link: true,
        // The demo's organizations have a paid plan's 5,000 calls a day, so
        // a presenter can pull many times; a trial has 1,000 (the
        // simulator's default, as recorded).
        daily_quota: Some(5_000),
        // The "too many sign-ins" story stages 19 sign-ins in seconds, where
        // Zoho gives 10 codes per Client ID in 10 minutes: the demo's
        // simulator gives more (its sign-ins are not counted by the app).
        grant_codes_per_client_per_10min: 100,
        ..SimConfig::default()
    };
    cfg.clients = vec![demo_client()];
    if fixed_ports {
        cfg.ports = DEMO_PORTS
            .iter()
            .filter(|(r, _)| REGIONS.contains(r))
            .map(|&(r, accounts)| (r.to_owned(), (accounts, accounts + 1)))
            .collect::<BTreeMap<_, _>>();
    }
    cfg
}

fn demo_error(detail: impl std::fmt::Display) -> Error {
    Error::Demo {
        detail: detail.to_string(),
    }
}

/// The demo client, the same in every process.
fn demo_client() -> ClientSpec {
    ClientSpec::generate(2024)
}

/// The data centers of a simulator on the fixed demo ports.
fn fixed_data_centers() -> Result<DataCenters, Error> {
    let table: BTreeMap<String, serde_json::Value> = demo_config(true)
        .ports
        .iter()
        .map(|(region, (accounts, api))| {
            (
                region.clone(),
                serde_json::json!({
                    "accounts": format!("http://127.0.0.1:{accounts}"),
                    "api": format!("http://127.0.0.1:{api}"),
                }),
            )
        })
        .collect();
    Ok(DataCenters::from_json(
        &serde_json::Value::from_iter(table).to_string(),
    )?)
}

impl Demo {
    /// Starts the simulator in this process (on its fixed ports when free,
    /// else on any): what the window does.
    pub async fn start() -> Result<Demo, Error> {
        let sim = match Simulator::start(demo_config(true)).await {
            Ok(sim) => sim,
            Err(e) => {
                tracing::warn!("demo simulator could not use its usual ports ({e}); using others");
                Simulator::start(demo_config(false))
                    .await
                    .map_err(demo_error)?
            }
        };
        Self::running(sim)
    }

    /// For `zbsetup --demo`: starts the simulator on its fixed ports for the
    /// life of the command, or, when they are taken (the window's demo is
    /// running), uses the simulator that holds them.
    pub async fn start_or_attach() -> Result<Demo, Error> {
        match Simulator::start(demo_config(true)).await {
            Ok(sim) => Self::running(sim),
            Err(e) => {
                tracing::info!("demo ports in use ({e}); using the demo simulator already running");
                Ok(Demo {
                    sim: None,
                    data_centers: fixed_data_centers()?,
                    client: demo_client(),
                    story: stories::StorySlot::default(),
                })
            }
        }
    }

    fn running(sim: SimHandle) -> Result<Demo, Error> {
        let client = sim
            .clients()
            .into_iter()
            .next()
            .ok_or_else(|| demo_error("the simulator has no client"))?;
        let data_centers = DataCenters::from_json(&sim.endpoints_json().to_string())?;
        tracing::info!("demo simulator started");
        Ok(Demo {
            sim: Some(sim),
            data_centers,
            client,
            story: stories::StorySlot::default(),
        })
    }

    /// Opens the demo profile under `data_dir` (default: `ZBSETUP_DATA_DIR`,
    /// else the OS's data folder), trusting this simulator's data centers only.
    pub fn open(&self, data_dir: Option<PathBuf>) -> Result<Setup, Error> {
        let setup = Setup::open(self.options(data_dir))?;
        self.remember_sign_ins(&setup);
        Ok(setup)
    }

    /// Makes this run of the simulator know the demo profile's connections
    /// again (their refresh tokens are in the demo's folder), so
    /// demo connections keep working after a relaunch, as real ones do.
    /// Returns how many it took back; a simulator of another process (an
    /// attached `zbsetup --demo`) already knows them.
    pub fn remember_sign_ins(&self, setup: &Setup) -> usize {
        let Some(sim) = &self.sim else {
            return 0;
        };
        let connections = setup.connections().unwrap_or_default();
        let mut restored = 0;
        for c in connections {
            let entry = zbs_setup::secrets::entry::refresh_token(&c.id);
            if let Ok(Some(token)) = setup.secrets().get(&entry) {
                use secrecy::ExposeSecret;
                if sim.restore_refresh_token(
                    token.expose_secret(),
                    &self.client.client_id,
                    &c.region,
                ) {
                    restored += 1;
                }
            }
        }
        if restored > 0 {
            tracing::info!(
                restored,
                "demo connections taken back by the demo simulator"
            );
        }
        restored
    }

    /// What [`Demo::open`] opens, for a caller that opens it on another thread.
    pub fn options(&self, data_dir: Option<PathBuf>) -> OpenOptions {
        OpenOptions {
            data_dir,
            profile: Profile::Demo,
            data_centers: Some(self.data_centers.clone()),
            keyring_service: None,
        }
    }

    /// The demo client's made-up keys, shown on the demo's "Add your keys" step.
    pub fn keys(&self) -> DemoKeys {
        DemoKeys {
            client_id: self.client.client_id.clone(),
            client_secret: self.client.client_secret.clone(),
        }
    }

    /// True when the simulator runs in this process.
    pub fn in_process(&self) -> bool {
        self.sim.is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_region_has_demo_ports_of_its_own() {
        let mut ports: Vec<u16> = Vec::new();
        for region in REGIONS {
            let (_, accounts) = DEMO_PORTS
                .iter()
                .find(|(r, _)| *r == region)
                .unwrap_or_else(|| panic!("{region} has no demo ports"));
            ports.extend([*accounts, accounts + 1]);
        }
        let count = ports.len();
        ports.sort_unstable();
        ports.dedup();
        assert_eq!(ports.len(), count, "two regions share a demo port");
    }

    /// The simulator keeps its own knowledge of Zoho's data centers (it must
    /// not learn Zoho from the client): it serves every region of the
    /// built-in table, and its organizations there have that region's
    /// currency and time zone.
    #[test]
    fn the_simulator_serves_every_data_center_as_the_table_describes_it() {
        let table: Vec<&str> = zbs_zoho::dc::REGIONS.iter().map(|r| r.code).collect();
        assert_eq!(REGIONS.to_vec(), table, "the simulator's regions");
        for r in zbs_zoho::dc::REGIONS {
            assert_eq!(
                zbs_sim::region_locale(r.code),
                Some((r.currency, r.time_zone)),
                "{}: currency and time zone",
                r.code
            );
        }
    }

    /// The window's demo and `zbsetup --demo` attached to it trust the same
    /// addresses, so connections made in one work in the other.
    #[tokio::test]
    async fn an_attached_demo_trusts_exactly_the_running_simulators_data_centers() {
        let window = Demo::start().await.expect("demo starts");
        if window.data_centers != fixed_data_centers().expect("table") {
            // The fixed ports were taken by something else on this machine.
            eprintln!("skipped: the demo's fixed ports are in use here");
            return;
        }
        let cli = Demo::start_or_attach().await.expect("attaches");
        assert!(!cli.in_process(), "the ports are the window's");
        assert_eq!(cli.data_centers, window.data_centers);
        assert_eq!(cli.keys().client_id, window.keys().client_id);
    }

    /// The demo needs no keyring: in a process that cannot reach any (no
    /// session bus at all), its made-up keys save, it connects, and after a
    /// relaunch (a new simulator) its connections still work because the
    /// simulator takes their sign-ins back. Everything it kept is in its own
    /// folder.
    #[test]
    fn without_any_keyring_the_demo_connects_and_keeps_working_after_a_relaunch() {
        let dir = tempfile::tempdir().expect("tempdir");
        let out = std::process::Command::new(std::env::current_exe().expect("test binary"))
            .args([
                "--exact",
                "tests::demo_flow_for_the_test_above",
                "--include-ignored",
            ])
            .args(["--nocapture", "--test-threads=1"])
            .env(FLOW_DIR, dir.path())
            .env(
                "DBUS_SESSION_BUS_ADDRESS",
                "unix:path=/nonexistent/no-session-bus",
            )
            .env_remove("GNOME_KEYRING_CONTROL")
            .output()
            .expect("runs");
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success() && stdout.contains("1 passed"),
            "{stdout}\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let kept: Vec<String> = std::fs::read_dir(
            dir.path()
                .join("demo")
                .join(zbs_setup::secrets::DEMO_KEYS_FOLDER),
        )
        .expect("the demo's folder of made-up keys")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
        for kind in ["client-secret_", "refresh-token_", "access-token_"] {
            assert!(
                kept.iter().any(|k| k.starts_with(kind)),
                "{kind} in {kept:?}"
            );
        }
    }

    const FLOW_DIR: &str = "ZBS_DEMO_FLOW_DIR";

    #[tokio::test]
    #[ignore = "run by the test above, in a process that reaches no keyring"]
    async fn demo_flow_for_the_test_above() {
        let dir = PathBuf::from(std::env::var_os(FLOW_DIR).expect("started by the test above"));
        let id = {
            let demo = Demo::start().await.expect("demo starts");
            let setup = demo.open(Some(dir.clone())).expect("opens");
            let keys = demo.keys();
            setup
                .save_credentials(zbs_setup::CredentialsInput {
                    client_id: keys.client_id,
                    client_secret: Some(keys.client_secret.into()),
                })
                .expect("keys");
            assert!(setup.status().expect("status").secret_stored);
            setup.set_enabled(true).expect("on");
            let start = setup
                .start_connect(None, zbs_setup::connect::RedirectMethod::DeepLink, None)
                .expect("sign-in");
            let location = zbs_sim::accept_consent(&start.authorize_url)
                .await
                .expect("consent");
            setup
                .complete_connect_url(&location)
                .await
                .expect("signed in");
            let c = setup.choose_organization(None).expect("connected");
            assert!(setup.test_connection(&c.id, &[]).await.expect("test").ok);
            c.id
        };
        // The window closed (its simulator with it) and opened again.
        let demo = Demo::start().await.expect("demo starts again");
        let setup = demo.open(Some(dir)).expect("opens");
        assert_eq!(setup.status().expect("status").keyring_problem, None);
        let test = setup.test_connection(&id, &[]).await.expect("test");
        assert!(test.ok, "{test:?}");
    }

    #[test]
    fn the_demo_profile_cannot_be_opened_without_the_simulators_table() {
        let dir = tempfile::tempdir().expect("tempdir");
        let err = Setup::open(OpenOptions {
            data_dir: Some(dir.path().to_owned()),
            profile: Profile::Demo,
            data_centers: None,
            keyring_service: Some("zbs-demo-test".into()),
        })
        .expect_err("refused");
        assert_eq!(err.code(), zbs_setup::Code::DemoFailed);
    }
}
