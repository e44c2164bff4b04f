//! `zbsetup diagnostics`: the window's support report, from the command line,
//! with no secret or token in it. A real Client Secret and a real refresh
//! token (from a sign-in at the simulator) are stored in the keyring (run
//! under `tests/session.sh`) and must not appear.

use std::path::Path;
use std::process::{Command, Output};

use serde_json::Value;
use zbs_setup::{OpenOptions, Setup};
use zbs_sim::{ClientSpec, SimConfig, Simulator};

mod common;
use common::{connect_at_simulator, run, stderr};

const ID: &str = "1000.DIAGNOSTICSCLIENT0123456789ABC";
const SECRET: &str = "dgcanary0f1e2d3c4b5a69788796a5b4c3d2e1f0aa";

fn zbsetup(dir: &Path, endpoints: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_zbsetup"));
    cmd.arg("--data-dir")
        .arg(dir)
        .env("ZBSETUP_ENDPOINTS", endpoints)
        .env_remove("ZBSETUP_LOG")
        .env_remove("ZBSETUP_RATE_LIMIT");
    cmd
}

fn ok(out: Output) -> Output {
    assert!(out.status.success(), "{}", stderr(&out));
    out
}

fn lookup(user: &str) -> String {
    let out = Command::new("secret-tool")
        .args(["lookup", "service", "zoho-books-setup", "username", user])
        .output()
        .expect("secret-tool is installed (package libsecret-tools)");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn diagnostics_is_the_windows_report_without_the_secret_or_tokens() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let endpoints = tmp.path().join("endpoints.json");
    // A free port for this test's sign-in, so it runs beside others.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let sim = rt
        .block_on(Simulator::start(SimConfig {
            clients: vec![ClientSpec {
                client_id: ID.into(),
                client_secret: SECRET.into(),
                client_name: "Diagnostics test".into(),
                redirect_uris: vec![format!("http://localhost:{port}/oauth/callback")],
                ..ClientSpec::generate(1)
            }],
            // Zoho has opened a data center the app's table does not know.
            serverinfo_extra: [("xx".to_owned(), "https://accounts.zoho.xx".to_owned())].into(),
            ..SimConfig::default()
        }))
        .unwrap();
    sim.write_endpoints_file(&endpoints).unwrap();
    let open = || {
        Setup::open(OpenOptions {
            data_dir: Some(data.clone()),
            data_centers: Some(
                zbs_zoho::dc::DataCenters::from_file(&endpoints).expect("endpoints"),
            ),
            ..OpenOptions::default()
        })
        .unwrap()
    };
    open().set_loopback_port(port).unwrap();

    let mut set = zbsetup(&data, &endpoints);
    set.args([
        "credentials",
        "set",
        "--client-id",
        ID,
        "--client-secret-stdin",
    ]);
    ok(run(set, Some(SECRET)));
    let mut enable = zbsetup(&data, &endpoints);
    enable.arg("enable");
    ok(run(enable, None));

    // Sign in, as a person would, so a refresh token is in the keyring.
    let connection = connect_at_simulator(zbsetup(&data, &endpoints), &rt);
    let id = connection["id"].as_str().unwrap().to_owned();
    let refresh = lookup(&format!("refresh-token:{id}"));
    assert!(refresh.len() >= 20, "a refresh token is stored");

    let mut text = zbsetup(&data, &endpoints);
    text.arg("diagnostics");
    let report = String::from_utf8(ok(run(text, None)).stdout).unwrap();
    let mut json = zbsetup(&data, &endpoints);
    json.args(["--json", "diagnostics"]);
    let as_json: Value = serde_json::from_slice(&ok(run(json, None)).stdout).unwrap();

    // The window's report, word for word.
    let window = rt
        .block_on(open().diagnostics_asking_zoho(env!("CARGO_PKG_VERSION")))
        .expect("the window's report");
    // Zoho's serverinfo, read because the report was asked for: a data
    // center it lists and the table lacks is named, and only named.
    assert!(
        report.contains("this app does not know: xx (https://accounts.zoho.xx)"),
        "{report}"
    );
    assert_eq!(report, window);
    assert_eq!(as_json["report"], window);
    assert!(report.contains("Client Secret stored: yes"), "{report}");
    assert!(report.contains("Connections (1):"), "{report}");
    assert!(report.contains(&id), "{report}");
    for (what, canary) in [
        ("the Client Secret", SECRET),
        ("the refresh token", &refresh),
    ] {
        assert!(!report.contains(canary), "{what} in the report: {report}");
        assert!(!as_json.to_string().contains(canary), "{what} in the JSON");
        // Not even a part of it.
        assert!(!report.contains(&canary[..12]), "{what} in part: {report}");
    }

    let mut disconnect = zbsetup(&data, &endpoints);
    disconnect.args(["disconnect", &id]);
    ok(run(disconnect, None));
    let mut clear = zbsetup(&data, &endpoints);
    clear.args(["credentials", "clear"]);
    ok(run(clear, None));
    rt.block_on(sim.shutdown());
}
