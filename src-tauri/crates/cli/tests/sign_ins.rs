//! Sign-ins as Zoho limits them, with `zbsetup` as separate processes:
//! `connect` asks Zoho only for the record types it will pull, and the
//! sign-ins every process starts with one Client ID are counted together
//! (Zoho gives 10 codes per Client ID in 10 minutes, shared with the
//! platform's customers), so the 9th warns whichever process starts it.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use zbs_sim::{SimConfig, Simulator};

mod common;
use common::{run, stderr};

struct Env {
    _rt: tokio::runtime::Runtime,
    _sim: zbs_sim::SimHandle,
    _dir: tempfile::TempDir,
    data: std::path::PathBuf,
    endpoints: std::path::PathBuf,
}

impl Env {
    fn new() -> (Env, tokio::runtime::Runtime) {
        let rt = tokio::runtime::Runtime::new().unwrap();
        let sim = rt.block_on(Simulator::start(SimConfig::default())).unwrap();
        let client = sim.clients().remove(0);
        let dir = tempfile::tempdir().unwrap();
        let endpoints = dir.path().join("endpoints.json");
        sim.write_endpoints_file(&endpoints).unwrap();
        let env = Env {
            _rt: tokio::runtime::Runtime::new().unwrap(),
            _sim: sim,
            data: dir.path().join("data"),
            _dir: dir,
            endpoints,
        };
        let mut set = env.zbsetup();
        set.args([
            "credentials",
            "set",
            "--client-id",
            &client.client_id,
            "--client-secret-stdin",
        ]);
        let out = run(set, Some(&client.client_secret));
        assert!(out.status.success(), "{}", stderr(&out));
        let mut enable = env.zbsetup();
        enable.arg("enable");
        assert!(run(enable, None).status.success());
        // A port of this test's own: tests run side by side.
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        zbs_setup::Setup::open(zbs_setup::OpenOptions {
            data_dir: Some(env.data.clone()),
            data_centers: Some(zbs_zoho::dc::DataCenters::from_file(&env.endpoints).unwrap()),
            ..zbs_setup::OpenOptions::default()
        })
        .unwrap()
        .set_loopback_port(port)
        .unwrap();
        (env, rt)
    }

    fn zbsetup(&self) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_zbsetup"));
        cmd.arg("--data-dir")
            .arg(&self.data)
            .env("ZBSETUP_ENDPOINTS", &self.endpoints)
            .env_remove("ZBSETUP_LOG");
        cmd
    }

    /// Starts `zbsetup connect ARGS` and stops it once it has printed the
    /// sign-in link: what it said before it (stderr) and the link.
    fn start_sign_in(&self, args: &[&str]) -> (String, String) {
        let mut cmd = self.zbsetup();
        cmd.args(["connect", "--no-browser", "--timeout", "30"])
            .args(args)
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        let mut child = cmd.spawn().unwrap();
        let mut said = String::new();
        let mut url = String::new();
        for line in BufReader::new(child.stderr.take().unwrap()).lines() {
            let line = line.unwrap();
            if let Some(u) = line.strip_prefix("authorize: ") {
                url = u.to_owned();
                break;
            }
            said.push_str(&line);
            said.push('\n');
        }
        let _ = child.kill();
        let _ = child.wait();
        (said, url)
    }
}

fn scope_of(url: &str) -> Vec<String> {
    let url = url::Url::parse(url).unwrap();
    let scope = url
        .query_pairs()
        .find(|(k, _)| k == "scope")
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default();
    let mut scopes: Vec<String> = scope.split(',').map(str::to_owned).collect();
    scopes.sort();
    scopes
}

#[test]
fn connect_asks_zoho_only_for_the_record_types_it_will_pull() {
    let (env, _rt) = Env::new();
    let (said, url) = env.start_sign_in(&[]);
    assert_eq!(
        scope_of(&url),
        [
            "ZohoBooks.contacts.READ",
            "ZohoBooks.creditnotes.READ",
            "ZohoBooks.invoices.READ",
            "ZohoBooks.settings.READ"
        ],
        "the default record types, as the window asks"
    );
    assert!(
        said.contains("Zoho will ask you to allow reading"),
        "{said}"
    );
    let (_, url) = env.start_sign_in(&["--entities", "bills"]);
    assert_eq!(
        scope_of(&url),
        ["ZohoBooks.bills.READ", "ZohoBooks.settings.READ"]
    );
    let mut bad = env.zbsetup();
    bad.args(["connect", "--no-browser", "--entities", "estimatez"]);
    let out = run(bad, None);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("estimatez"), "{}", stderr(&out));
}

#[test]
fn sign_ins_started_by_separate_processes_are_counted_together() {
    let (env, _rt) = Env::new();
    for n in 1..=8 {
        let (said, url) = env.start_sign_in(&[]);
        assert!(url.starts_with("http"), "sign-in {n}: {said}");
        assert!(!said.contains("warning"), "sign-in {n} warned: {said}");
    }
    let (said, _) = env.start_sign_in(&[]);
    assert!(said.contains("sign-in 9 of the 10"), "{said}");
    assert!(said.contains("share this limit"), "{said}");
    let (said, _) = env.start_sign_in(&[]);
    assert!(said.contains("sign-in 10 of the 10"), "{said}");
    let (said, _) = env.start_sign_in(&[]);
    assert!(said.contains("past Zoho's limit"), "{said}");
}

/// A setup saved before `localhost` became the default still has Zoho send
/// sign-ins to 127.0.0.1: `zbsetup status` says so, with the line to add.
#[test]
fn status_names_a_127_0_0_1_setup_and_the_address_to_add() {
    let (env, _rt) = Env::new();
    let mut first = env.zbsetup();
    first.arg("status");
    let out = run(first, None);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(!String::from_utf8_lossy(&out.stdout).contains("Redirect:"));
    zbs_setup::Setup::open(zbs_setup::OpenOptions {
        data_dir: Some(env.data.clone()),
        data_centers: Some(zbs_zoho::dc::DataCenters::from_file(&env.endpoints).unwrap()),
        ..zbs_setup::OpenOptions::default()
    })
    .unwrap()
    .set_redirect_method(zbs_setup::connect::RedirectMethod::Loopback)
    .unwrap();
    let mut status = env.zbsetup();
    status.arg("status");
    let out = run(status, None);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("Redirect:"), "{text}");
    assert!(text.contains("http://127.0.0.1:"), "{text}");
    assert!(text.contains("add http://localhost:"), "{text}");
    let mut json = env.zbsetup();
    json.args(["--json", "status"]);
    let out = run(json, None);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(
        v["redirect_notice"].as_str().unwrap().contains("localhost"),
        "{v}"
    );
}
