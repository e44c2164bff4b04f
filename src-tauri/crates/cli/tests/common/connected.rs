//! A data folder with a stored connection to a simulator running in the test
//! process, for `zbsetup` processes to work on (keys in the app's keyring
//! service, so run under `tests/session.sh`). It owns that folder and the
//! simulator it is connected to; the browser's `follow` is `zbs_testkit`'s.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use secrecy::SecretString;
use tempfile::TempDir;
use zbs_setup::connect::RedirectMethod;
use zbs_setup::{CredentialsInput, OpenOptions, Profile, Setup};
use zbs_sim::{SimConfig, SimHandle, Simulator};
use zbs_zoho::dc::DataCenters;
use zbs_zoho::loopback::LoopbackListener;

pub use zbs_testkit::follow;

/// A simulator with `records` of each entity whose limits never bind a test.
pub fn roomy_sim(records: u64) -> SimConfig {
    SimConfig {
        records_per_entity: records,
        rate_limit: (100_000, Duration::from_secs(1)),
        daily_quota: Some(10_000_000),
        // Sign-ins that never bind, as the daily quota: these tests are about
        // other limits (Zoho's codes per Client ID have tests of their own).
        grant_codes_per_client_per_10min: 1_000_000,
        ..SimConfig::default()
    }
}

/// What a finished command printed to its standard output; it must have
/// succeeded.
pub fn stdout_of(mut cmd: Command) -> String {
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A simulator and data folders connected to its organizations.
pub struct Connected {
    pub sim: SimHandle,
    pub root: TempDir,
    /// The simulator's endpoints file (`ZBSETUP_ENDPOINTS`).
    pub endpoints: PathBuf,
}

impl Connected {
    pub async fn start(cfg: SimConfig) -> Connected {
        let sim = Simulator::start(cfg).await.expect("simulator starts");
        let root = tempfile::tempdir().unwrap();
        let endpoints = root.path().join("endpoints.json");
        sim.write_endpoints_file(&endpoints).unwrap();
        Connected {
            sim,
            root,
            endpoints,
        }
    }

    /// The profile in `dir` as the app opens it, trusting the simulator.
    pub fn setup(&self, dir: &Path) -> Setup {
        let dcs = DataCenters::from_json(&self.sim.endpoints_json().to_string()).unwrap();
        Setup::open(OpenOptions {
            data_dir: Some(dir.to_owned()),
            profile: Profile::Real,
            data_centers: Some(dcs),
            keyring_service: None,
        })
        .expect("the profile opens")
    }

    /// Keys saved and switched on in `dir` (the loopback sign-in on a free port).
    pub fn prepare(&self, dir: &Path) -> Setup {
        let setup = self.setup(dir);
        let client = self.sim.clients()[0].clone();
        setup
            .save_credentials(CredentialsInput {
                client_id: client.client_id,
                client_secret: Some(SecretString::from(client.client_secret)),
            })
            .expect("keys saved");
        setup.set_enabled(true).expect("switched on");
        setup
    }

    /// A new connection in `dir` (keys saved there by [`Connected::prepare`])
    /// to `organization` (default: Zoho's default one); returns its id.
    pub async fn connect(&self, dir: &Path, organization: Option<&str>) -> String {
        let setup = self.setup(dir);
        let listener = LoopbackListener::bind(0).expect("listener");
        setup.set_loopback_port(listener.port()).unwrap();
        let start = setup
            .start_connect(Some("us"), RedirectMethod::Localhost, None)
            .unwrap();
        self.register(&start.redirect_uri);
        let wait = setup.wait_loopback(listener, Duration::from_secs(20));
        let browser = async {
            let location = zbs_sim::accept_consent(&start.authorize_url)
                .await
                .expect("consent");
            follow(&location).await;
        };
        let (choices, ()) = tokio::join!(wait, browser);
        choices.expect("organizations listed");
        setup
            .choose_organization(organization)
            .expect("connection stored")
            .id
    }

    /// Registers `uri` for the simulator's client (redirect URIs match
    /// exactly, so a test's own port must be registered as a person would).
    pub fn register(&self, uri: &str) {
        let client = self.sim.clients()[0].client_id.clone();
        assert!(self.sim.add_redirect_uri(&client, uri));
    }

    /// `zbsetup --data-dir DIR` pointed at the simulator.
    pub fn zbsetup(&self, dir: &Path) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_zbsetup"));
        cmd.arg("--data-dir")
            .arg(dir)
            .env("ZBSETUP_ENDPOINTS", &self.endpoints)
            .env_remove("ZBSETUP_LOG");
        cmd
    }

    /// [`Connected::zbsetup`] with a quick budget (`ZBSETUP_RATE_LIMIT`
    /// 2000 a second), for tests about calls, not their pace.
    pub fn quick_zbsetup(&self, dir: &Path) -> Command {
        let mut cmd = self.zbsetup(dir);
        cmd.env("ZBSETUP_RATE_LIMIT", "2000/1s");
        cmd
    }

    /// An endpoints file like the simulator's whose accounts servers do not
    /// answer (revoking and refreshing tokens fail).
    pub fn unreachable_accounts(&self) -> PathBuf {
        let mut table = self.sim.endpoints_json();
        let dead = dead_address();
        for (_, dc) in table.as_object_mut().unwrap() {
            dc["accounts"] = serde_json::Value::String(dead.clone());
        }
        let path = self.root.path().join("endpoints-no-accounts.json");
        std::fs::write(&path, table.to_string()).unwrap();
        path
    }
}

/// An address on this machine where nothing listens.
fn dead_address() -> String {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = l.local_addr().unwrap().port();
    drop(l);
    format!("http://127.0.0.1:{port}")
}

/// `SELECT COUNT(*)` over the data folder's database.
pub fn count(dir: &Path, sql: &str, id: &str) -> i64 {
    let conn = rusqlite::Connection::open_with_flags(
        dir.join("zbsetup.sqlite3"),
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
    )
    .unwrap();
    conn.busy_timeout(Duration::from_secs(5)).unwrap();
    conn.query_row(sql, [id], |r| r.get(0)).unwrap()
}
