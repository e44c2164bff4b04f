//! The CLI's test harness, and only that: running `zbsetup` as a person or a
//! script would, and looking for a secret in the files it wrote; a data
//! folder connected to a simulator is [`connected`]'s, and what every
//! crate's tests share is `zbs_testkit`'s.

#![allow(dead_code)] // each test file uses its own part

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

pub mod connected;

/// Runs `zbsetup --data-dir DIR ARGS`, feeding `stdin`, with extra environment.
pub fn zbsetup(dir: &Path, args: &[&str], stdin: Option<&str>, env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_zbsetup"));
    cmd.arg("--data-dir").arg(dir).args(args);
    cmd.env_remove("ZBSETUP_ENDPOINTS")
        .env_remove("ZBSETUP_LOG");
    for (k, v) in env {
        cmd.env(k, v);
    }
    run(cmd, stdin)
}

/// Runs a command to its end, feeding `stdin`, and keeps what it printed.
pub fn run(mut cmd: Command, stdin: Option<&str>) -> Output {
    cmd.stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("the command starts");
    if let Some(text) = stdin {
        child
            .stdin
            .take()
            .unwrap()
            .write_all(text.as_bytes())
            .unwrap();
    }
    drop(child.stdin.take());
    child.wait_with_output().unwrap()
}

/// The keyring entry (user name) of the Client Secret of the data folder `dir`.
pub fn client_secret_entry(dir: &Path) -> String {
    zbs_setup::secrets::entry::client_secret(&zbs_setup::secrets::profile_id(dir))
}

/// What a command printed to its standard error.
pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Every file under `dir` whose bytes contain `needle`.
pub fn files_containing(dir: &Path, needle: &str) -> Vec<String> {
    let mut hits = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let p = entry.unwrap().path();
        if p.is_dir() {
            hits.extend(files_containing(&p, needle));
        } else if std::fs::read(&p)
            .unwrap()
            .windows(needle.len())
            .any(|w| w == needle.as_bytes())
        {
            hits.push(p.display().to_string());
        }
    }
    hits
}

/// Runs `connect` (`cmd` is `zbsetup --data-dir ...` with its environment)
/// as a person would against the simulator: reads the sign-in link it
/// prints, accepts on the simulator's consent page, follows the redirect to
/// the loopback listener, and returns the new connection's JSON.
pub fn connect_at_simulator(mut cmd: Command, rt: &tokio::runtime::Runtime) -> serde_json::Value {
    use std::io::{BufRead, BufReader};
    let mut connect = cmd
        .args(["--json", "connect", "--no-browser", "--timeout", "30"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Kept open until the end: `connect` goes on printing while it waits.
    let mut progress = BufReader::new(connect.stderr.take().unwrap()).lines();
    let url = progress
        .by_ref()
        .map(|l| l.unwrap())
        .find_map(|l| l.strip_prefix("authorize: ").map(str::to_owned))
        .expect("an authorize line");
    rt.block_on(async {
        let location = zbs_sim::accept_consent(&url).await.unwrap();
        reqwest::get(&location).await.unwrap();
    });
    let out = connect.wait_with_output().unwrap();
    let rest: Vec<String> = progress.map_while(Result::ok).collect();
    assert!(out.status.success(), "connect: {}", rest.join("\n"));
    serde_json::from_slice(&out.stdout).unwrap()
}

/// `zbsetup --data-dir DIR --json ARGS`, which must succeed: its JSON.
pub fn json_of(dir: &Path, args: &[&str]) -> serde_json::Value {
    let mut all = vec!["--json"];
    all.extend_from_slice(args);
    let out = zbsetup(dir, &all, None, &[]);
    assert!(out.status.success(), "{args:?}: {}", stderr(&out));
    serde_json::from_slice(&out.stdout).expect("valid JSON")
}

/// `zbsetup credentials set` with the secret on standard input, which must succeed.
pub fn set_keys(dir: &Path, id: &str, secret: &str) {
    let out = zbsetup(
        dir,
        &[
            "credentials",
            "set",
            "--client-id",
            id,
            "--client-secret-stdin",
        ],
        Some(secret),
        &[],
    );
    assert!(out.status.success(), "{}", stderr(&out));
}
