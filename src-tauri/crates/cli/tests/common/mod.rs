//! What the CLI's test files share: running `zbsetup` as a person or a
//! script would, and looking for a secret in the files it wrote.

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
