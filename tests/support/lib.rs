//! The integration tests' harness, and only that: a [`Harness`] of a
//! simulator and a `Setup` wired to it with its own data folder and keyring
//! service, signed in through the consent screen over real HTTP. What any
//! crate's tests share (the browser's [`follow`], recorded answers, the
//! simulator set-up for pulls) is `zbs_testkit`'s.

use std::time::Duration;

use secrecy::SecretString;
use tempfile::TempDir;
use zbs_setup::connect::{Connection, OrganizationChoice, RedirectMethod};
use zbs_setup::{CredentialsInput, OpenOptions, Profile, Setup};
use zbs_sim::{ClientSpec, SimConfig, SimHandle, Simulator};
use zbs_zoho::dc::DataCenters;
use zbs_zoho::loopback::LoopbackListener;

pub use zbs_testkit::follow;

/// A simulator plus a fresh setup that trusts exactly its data centers.
pub struct Harness {
    pub sim: SimHandle,
    pub setup: Setup,
    pub client: ClientSpec,
    pub dir: TempDir,
    pub service: String,
    /// Consents given through [`Harness::connect`]: Zoho gives 10 codes per
    /// Client ID in 10 minutes, so the simulator's clock moves on 10
    /// minutes before every 6th (side-by-side sign-ins stay inside the ten).
    consents: std::sync::atomic::AtomicU32,
    /// Whether [`Harness::pace_consent`] moves the clock (off for tests of
    /// that very limit).
    paced: std::sync::atomic::AtomicBool,
}

impl Harness {
    pub async fn start(cfg: SimConfig) -> Harness {
        Harness::start_with(cfg, tempfile::tempdir().unwrap()).await
    }

    /// Keys saved and the switch on, with the data folder inside `parent`
    /// (a file system prepared by the test).
    pub async fn ready_in(cfg: SimConfig, parent: &std::path::Path) -> Harness {
        let h = Harness::start_with(cfg, tempfile::tempdir_in(parent).unwrap()).await;
        h.save_keys_and_switch_on();
        h
    }

    async fn start_with(cfg: SimConfig, dir: TempDir) -> Harness {
        let sim = Simulator::start(cfg).await.expect("simulator starts");
        let client = sim
            .clients()
            .into_iter()
            .next()
            .expect("a registered client");
        let service = format!("zoho-books-setup-test-{:016x}", rand::random::<u64>());
        let setup = open_setup(&sim, &dir, &service);
        Harness {
            sim,
            setup,
            client,
            dir,
            service,
            consents: std::sync::atomic::AtomicU32::new(0),
            paced: std::sync::atomic::AtomicBool::new(true),
        }
    }

    /// Keys saved and the integration switched on.
    pub async fn ready(cfg: SimConfig) -> Harness {
        let h = Harness::start(cfg).await;
        h.save_keys_and_switch_on();
        h
    }

    pub fn save_keys_and_switch_on(&self) {
        self.setup
            .save_credentials(CredentialsInput {
                client_id: self.client.client_id.clone(),
                client_secret: Some(SecretString::from(self.client.client_secret.clone())),
            })
            .expect("keys saved");
        self.setup.set_enabled(true).expect("switched on");
    }

    /// The same data folder and keyring, opened again (as after a restart).
    pub fn reopen(&self) -> Setup {
        open_setup(&self.sim, &self.dir, &self.service)
    }

    /// A deep-link sign-in at US, accepted on the consent page: the link the
    /// browser would hand to the app.
    pub async fn deep_link_consent(&self) -> String {
        let start = self
            .setup
            .start_connect(Some("us"), RedirectMethod::DeepLink, None)
            .unwrap();
        zbs_sim::accept_consent(&start.authorize_url)
            .await
            .expect("consent")
    }

    /// A loopback sign-in at `region`, started: the consent page's address and
    /// the app's wait for the redirect.
    pub fn loopback_sign_in_at(
        &self,
        region: &str,
    ) -> (
        String,
        impl std::future::Future<Output = Result<Vec<OrganizationChoice>, zbs_setup::Error>> + '_,
    ) {
        let listener = LoopbackListener::bind(0).expect("listener");
        self.setup.set_loopback_port(listener.port()).unwrap();
        let start = self
            .setup
            .start_connect(Some(region), RedirectMethod::Localhost, None)
            .unwrap();
        // Redirect URIs match exactly: this port's is registered, as a
        // person would in the console.
        self.sim
            .add_redirect_uri(&self.client.client_id, &start.redirect_uri);
        let wait = self.setup.wait_loopback(listener, Duration::from_secs(20));
        (start.authorize_url, wait)
    }

    /// Counts a consent about to be given; before every 6th the
    /// simulator's clock moves on 10 minutes, as Zoho gives 10 codes per
    /// Client ID in 10 minutes (tests of other limits sign in more often).
    pub fn pace_consent(&self) {
        if !self.paced.load(std::sync::atomic::Ordering::SeqCst) {
            return;
        }
        let n = self
            .consents
            .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        if n > 0 && n.is_multiple_of(5) {
            self.sim.advance_time(Duration::from_secs(600));
        }
    }

    /// Sign-ins as fast as they come, for tests of Zoho's limit on codes.
    pub fn unpaced(self) -> Self {
        self.paced.store(false, std::sync::atomic::Ordering::SeqCst);
        self
    }

    /// [`Harness::loopback_sign_in_at`] US.
    pub fn loopback_sign_in(
        &self,
    ) -> (
        String,
        impl std::future::Future<Output = Result<Vec<OrganizationChoice>, zbs_setup::Error>> + '_,
    ) {
        self.loopback_sign_in_at("us")
    }

    /// The whole loopback flow: start, consent (accepted), redirect, choose.
    pub async fn connect(&self, region: &str, organization: Option<&str>) -> Connection {
        self.pace_consent();
        let (authorize_url, wait) = self.loopback_sign_in_at(region);
        let browser = async {
            let location = zbs_sim::accept_consent(&authorize_url)
                .await
                .expect("consent");
            follow(&location).await
        };
        let (choices, _) = tokio::join!(wait, browser);
        choices.expect("organizations listed");
        self.setup
            .choose_organization(organization)
            .expect("connection stored")
    }
}

impl Drop for Harness {
    fn drop(&mut self) {
        // Leave nothing behind in the test keyring.
        let secrets = self.setup.secrets();
        let _ = secrets.delete(self.setup.client_secret_entry());
        if let Ok(connections) = self.setup.connections() {
            for c in connections {
                let _ = secrets.delete(&zbs_setup::secrets::entry::refresh_token(&c.id));
            }
        }
    }
}

fn open_setup(sim: &SimHandle, dir: &TempDir, service: &str) -> Setup {
    let dcs = DataCenters::from_json(&sim.endpoints_json().to_string()).expect("endpoints");
    Setup::open(OpenOptions {
        data_dir: Some(dir.path().to_owned()),
        profile: Profile::Real,
        data_centers: Some(dcs),
        keyring_service: Some(service.to_owned()),
    })
    .expect("setup opens")
}

/// The simulator as the demo runs it for app links: it takes
/// `zbsetup://oauth/callback` as a redirect URI, which Zoho's console never
/// registers (only http(s)). For tests of what the app does with a sign-in
/// answer that arrives as a link; every other fact stays strict.
pub fn app_link_sim() -> zbs_sim::SimConfig {
    zbs_sim::SimConfig {
        accept_app_link: true,
        ..zbs_sim::SimConfig::default()
    }
}
