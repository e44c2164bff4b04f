//! A newcomer's path with nothing but `zbsetup`: start the simulator, point
//! the CLI at it, save its keys, switch on, connect, list, disconnect.

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

struct Sim(Child);

impl Drop for Sim {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn zbsetup(dir: &Path, endpoints: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_zbsetup"));
    cmd.arg("--data-dir")
        .arg(dir)
        .env("ZBSETUP_ENDPOINTS", endpoints)
        .env_remove("ZBSETUP_LOG");
    cmd
}

#[test]
fn simulate_then_connect_like_a_newcomer() {
    let dir = tempfile::tempdir().unwrap();
    let endpoints = dir.path().join("endpoints.json");
    let started = Instant::now();
    let mut child = Command::new(env!("CARGO_BIN_EXE_zbsetup"))
        .args(["simulate", "--records", "100000", "--endpoints-out"])
        .arg(&endpoints)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let sim = Sim(child);
    let (mut id, mut secret) = (String::new(), String::new());
    for line in lines.by_ref() {
        let line = line.unwrap();
        if let Some(v) = line.strip_prefix("client_id: ") {
            id = v.to_owned();
        }
        if let Some(v) = line.strip_prefix("client_secret: ") {
            secret = v.to_owned();
        }
        if line.starts_with("Simulating") {
            break;
        }
    }
    let ready = started.elapsed();
    eprintln!("zbsetup simulate ready in {ready:?}");
    assert!(
        ready < Duration::from_secs(5),
        "simulate starts quickly ({ready:?})"
    );
    assert!(id.starts_with("1000.") && !secret.is_empty());
    let table: Value = serde_json::from_str(&std::fs::read_to_string(&endpoints).unwrap()).unwrap();
    assert!(table["us"]["accounts"]
        .as_str()
        .unwrap()
        .starts_with("http://127.0.0.1:"));
    assert_eq!(table.as_object().unwrap().len(), 10, "every data center");

    // 100,000 invoices are served, a page at a time.
    let rt = tokio::runtime::Runtime::new().unwrap();
    let api = table["us"]["api"].as_str().unwrap().to_owned();
    let status = rt.block_on(async {
        reqwest::get(format!("{api}/books/v3/invoices?organization_id=775501234"))
            .await
            .unwrap()
            .status()
    });
    assert_eq!(
        status.as_u16(),
        401,
        "the API wants a token, as Zoho's does"
    );

    let data = dir.path().join("data");
    let mut set = zbsetup(&data, &endpoints)
        .args([
            "credentials",
            "set",
            "--client-id",
            &id,
            "--client-secret-stdin",
        ])
        .stdin(Stdio::piped())
        .spawn()
        .unwrap();
    set.stdin
        .take()
        .unwrap()
        .write_all(secret.as_bytes())
        .unwrap();
    assert!(set.wait().unwrap().success());
    assert!(zbsetup(&data, &endpoints)
        .arg("enable")
        .output()
        .unwrap()
        .status
        .success());

    // connect: prints the link on stderr, waits on the loopback listener.
    let mut connect = zbsetup(&data, &endpoints)
        .args(["--json", "connect", "--no-browser", "--timeout", "60"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut err = BufReader::new(connect.stderr.take().unwrap()).lines();
    let url = err
        .by_ref()
        .map(|l| l.unwrap())
        .find_map(|l| l.strip_prefix("authorize: ").map(str::to_owned))
        .expect("an authorize line");
    assert!(url.starts_with(table["us"]["accounts"].as_str().unwrap()));
    let landing = rt.block_on(async {
        let location = zbs_sim::accept_consent(&url).await.unwrap();
        assert!(
            location.starts_with("http://localhost:47823/oauth/callback?"),
            "{location}"
        );
        reqwest::get(&location).await.unwrap().text().await.unwrap()
    });
    assert!(
        landing
            .to_lowercase()
            .contains("return to zoho books setup"),
        "{landing}"
    );
    let out = connect.wait_with_output().unwrap();
    assert!(out.status.success());
    let c: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(c["organization_name"], "Harbour Lane Trading Ltd");
    assert_eq!(c["region"], "us");
    for field in [
        "id",
        "organization_id",
        "organization_name",
        "region",
        "api_domain",
        "connected_at",
    ] {
        assert!(c[field].is_string(), "{field} in {c}");
    }

    let out = zbsetup(&data, &endpoints)
        .args(["--json", "connections"])
        .output()
        .unwrap();
    let list: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert_eq!(list[0]["id"], c["id"]);

    let id = c["id"].as_str().unwrap();

    // A dry run forecasts; a sample pull brings exactly that many of each.
    let out = zbsetup(&data, &endpoints)
        .args(["--json", "pull", id, "--dry-run"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let forecast: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        forecast["calls"], 3,
        "one list call per default entity: {forecast}"
    );
    assert!(forecast["seconds"].is_number());
    assert!(forecast.get("daily_quota_left").is_some());
    // The range the pull falls in, as the contract names it (docs/cli.md).
    assert_eq!(forecast["calls_max"], 3, "{forecast}");
    let all = zbsetup(&data, &endpoints)
        .args(["--json", "pull", id, "--all", "--dry-run"])
        .output()
        .unwrap();
    let all: Value = serde_json::from_slice(&all.stdout).unwrap();
    assert!(
        all["calls_max"].is_null(),
        "no totals, no upper bound: {all}"
    );
    let out = zbsetup(&data, &endpoints)
        .args([
            "--json",
            "pull",
            id,
            "--sample",
            "30",
            "--entities",
            "invoices,customers,vendors",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["connection"], c["id"]);
    assert_eq!(report["complete"], true);
    assert_eq!(report["http_429"], 0);
    for entity in ["invoices", "customers", "vendors"] {
        assert_eq!(
            report["entities"][entity]["records"], 30,
            "{entity}: {report}"
        );
        assert!(report["entities"][entity]["calls"].as_u64().unwrap() >= 1);
    }
    assert!(report["calls"].as_u64().unwrap() >= 3);
    assert!(report["seconds"].is_number());
    let status: Value = serde_json::from_slice(
        &zbsetup(&data, &endpoints)
            .args(["--json", "status"])
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap();
    assert_eq!(
        status["checklist"][5]["done"], true,
        "the test step is done after a complete pull"
    );

    // Export writes what was pulled.
    let out_dir = dir.path().join("export");
    let out = zbsetup(&data, &endpoints)
        .args(["--json", "export", id, "--format", "csv", "--out"])
        .arg(&out_dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let csv = std::fs::read_to_string(out_dir.join("invoices.csv")).unwrap();
    assert_eq!(csv.lines().count(), 31, "a header and 30 invoices");
    let out = zbsetup(&data, &endpoints)
        .args(["export", id, "--format", "xml", "--out"])
        .arg(&out_dir)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(2),
        "an unknown format is a usage error"
    );

    let out = zbsetup(&data, &endpoints)
        .args(["disconnect", id])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = zbsetup(&data, &endpoints)
        .args(["--json", "connections"])
        .output()
        .unwrap();
    assert_eq!(
        serde_json::from_slice::<Value>(&out.stdout).unwrap(),
        serde_json::json!([])
    );
    let out = zbsetup(&data, &endpoints)
        .args(["disconnect", id])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("There is no connection"));
    let _ = zbsetup(&data, &endpoints)
        .args(["credentials", "clear"])
        .output();
    drop(sim);
}
