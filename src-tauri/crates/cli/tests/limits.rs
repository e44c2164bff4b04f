//! Input from outside has a size limit: a Client Secret on standard input
//! and the endpoints file are refused promptly, in plain words, when they are
//! far longer than any real one (or never end).

#![cfg(unix)]

use std::io::Write;
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

mod common;
use common::stderr;

const ID: &str = "1000.LIMITSTESTCLIENT0123456789ABCD";

/// More than any limit, but not so much that a reader without one runs the
/// machine out of memory: after this, the input stays open and silent.
const FLOOD: usize = 64 << 20;

/// How long a refusal may take.
const PROMPTLY: Duration = Duration::from_secs(5);

/// No keyring: nothing may reach one, and no test here needs one.
const NO_BUS: (&str, &str) = (
    "DBUS_SESSION_BUS_ADDRESS",
    "unix:path=/nonexistent/zbs-no-bus",
);

fn command(dir: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_zbsetup"));
    cmd.arg("--data-dir")
        .arg(dir)
        .env_remove("ZBSETUP_ENDPOINTS")
        .env_remove("ZBSETUP_LOG")
        .env(NO_BUS.0, NO_BUS.1)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    cmd
}

/// Waits for `child` at most `PROMPTLY`; kills it if it is still running.
fn finish_promptly(mut child: Child, what: &str) -> Output {
    let started = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if started.elapsed() > PROMPTLY {
            let _ = child.kill();
            let out = child.wait_with_output().unwrap();
            panic!(
                "{what}: still running after {PROMPTLY:?} (stderr: {})",
                stderr(&out)
            );
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.wait_with_output().unwrap()
}

/// Writes `total` bytes of `unit` repeated, then keeps the writer open (an
/// input that never ends) until the reader goes away.
fn flood(mut to: impl Write + Send + 'static, unit: &'static [u8], total: usize) {
    std::thread::spawn(move || {
        let chunk: Vec<u8> = unit.iter().copied().cycle().take(64 << 10).collect();
        let mut sent = 0;
        while sent < total {
            if to.write_all(&chunk).is_err() {
                return;
            }
            sent += chunk.len();
        }
        std::thread::sleep(PROMPTLY * 2);
    });
}

/// `zbsetup credentials set --client-secret-stdin`, its input still to give.
fn start_saving_keys(dir: &Path) -> Child {
    command(dir)
        .args([
            "credentials",
            "set",
            "--client-id",
            ID,
            "--client-secret-stdin",
        ])
        .stdin(Stdio::piped())
        .spawn()
        .unwrap()
}

fn assert_refused(out: &Output, limit: &str) {
    let err = stderr(out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert_eq!(err.trim_end().lines().count(), 1, "one line: {err}");
    assert!(err.contains(limit), "names the limit {limit:?}: {err}");
}

#[test]
fn an_endless_client_secret_on_standard_input_is_refused_promptly() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = start_saving_keys(dir.path());
    flood(child.stdin.take().unwrap(), b"y\n", FLOOD);
    let out = finish_promptly(child, "`yes | zbsetup credentials set`");
    assert_refused(&out, "4096 characters");
    assert!(stderr(&out).contains("Client Secret"), "{}", stderr(&out));
}

#[test]
fn a_ten_megabyte_client_secret_is_refused_not_stored() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = start_saving_keys(dir.path());
    let mut stdin = child.stdin.take().unwrap();
    std::thread::spawn(move || {
        let _ = stdin.write_all(&vec![b'a'; 10 << 20]);
    });
    let out = finish_promptly(child, "a 10 MB secret");
    assert_refused(&out, "4096 characters");
}

#[test]
fn an_endless_endpoints_file_is_refused_promptly() {
    let dir = tempfile::tempdir().unwrap();
    // A named pipe that sends more than any table, then nothing, never ending.
    let fifo = dir.path().join("endpoints.json");
    assert!(Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .expect("mkfifo is installed")
        .success());
    let child = command(&dir.path().join("data"))
        .arg("status")
        .env("ZBSETUP_ENDPOINTS", &fifo)
        .stdin(Stdio::null())
        .spawn()
        .unwrap();
    std::thread::spawn(move || {
        // Opening waits for the reader.
        let writer = std::fs::OpenOptions::new().write(true).open(&fifo).unwrap();
        flood(writer, b" ", FLOOD);
    });
    // A pipe is refused before it is read: it could never end.
    let out = finish_promptly(child, "an endless endpoints file");
    assert_refused(&out, "not a regular file");
    assert!(
        stderr(&out).contains("ZBSETUP_ENDPOINTS"),
        "{}",
        stderr(&out)
    );

    // A regular file larger than any table is read no further than the limit.
    let big = dir.path().join("big-endpoints.json");
    std::fs::write(&big, vec![b' '; 1 << 20]).unwrap();
    let child = command(&dir.path().join("data"))
        .arg("status")
        .env("ZBSETUP_ENDPOINTS", &big)
        .stdin(Stdio::null())
        .spawn()
        .unwrap();
    let out = finish_promptly(child, "a 1 MiB endpoints file");
    assert_refused(&out, "64 KiB");

    // /dev/zero, likewise.
    let child = command(&dir.path().join("data"))
        .arg("status")
        .env("ZBSETUP_ENDPOINTS", "/dev/zero")
        .stdin(Stdio::null())
        .spawn()
        .unwrap();
    let out = finish_promptly(child, "ZBSETUP_ENDPOINTS=/dev/zero");
    assert_refused(&out, "not a regular file");
}
