//! Several `zbsetup` processes starting at once on one data folder: a new
//! folder, and a damaged settings file. Each scenario runs 20 rounds of 4
//! processes and says how many rounds passed.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};

const ROUNDS: usize = 20;
const AT_ONCE: usize = 4;

/// `zbsetup --data-dir DIR status`, started but not waited for.
fn start_status(dir: &Path) -> Child {
    Command::new(env!("CARGO_BIN_EXE_zbsetup"))
        .arg("--data-dir")
        .arg(dir)
        .args(["--json", "status"])
        .env_remove("ZBSETUP_ENDPOINTS")
        .env_remove("ZBSETUP_LOG")
        // No keyring needed: status says what is wrong with it and goes on.
        .env(
            "DBUS_SESSION_BUS_ADDRESS",
            "unix:path=/nonexistent/zbs-no-bus",
        )
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("zbsetup starts")
}

/// Starts `AT_ONCE` processes together and waits for all of them.
fn all_at_once(dir: &Path) -> Vec<Output> {
    let children: Vec<Child> = (0..AT_ONCE).map(|_| start_status(dir)).collect();
    children
        .into_iter()
        .map(|c| c.wait_with_output().unwrap())
        .collect()
}

/// The first failure among the outputs, if any.
fn first_failure(outputs: &[Output]) -> Option<String> {
    outputs.iter().find(|o| !o.status.success()).map(|o| {
        format!(
            "exit {:?}: {}",
            o.status.code(),
            String::from_utf8_lossy(&o.stderr).trim()
        )
    })
}

/// The set-aside copies of the settings file in `dir`.
fn set_aside(dir: &Path) -> Vec<PathBuf> {
    let mut found: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            name.starts_with("zbsetup.sqlite3.damaged-")
                && !name.ends_with("-wal")
                && !name.ends_with("-shm")
        })
        .collect();
    found.sort();
    found
}

fn report(what: &str, problems: &[String]) {
    let passed = ROUNDS - problems.len();
    eprintln!("{what}: {passed} of {ROUNDS} passed");
    assert!(
        problems.is_empty(),
        "{what}: {passed} of {ROUNDS} passed; {}",
        problems.join("; ")
    );
}

#[test]
fn four_first_starts_at_once_on_a_new_folder_all_succeed() {
    let tmp = tempfile::tempdir().unwrap();
    let mut problems = Vec::new();
    for round in 0..ROUNDS {
        let dir = tmp.path().join(format!("round-{round}"));
        let outputs = all_at_once(&dir);
        if let Some(failure) = first_failure(&outputs) {
            problems.push(format!("round {round}: {failure}"));
        }
    }
    report("4 first starts at once", &problems);
}

#[test]
fn four_starts_at_once_on_a_damaged_file_keep_exactly_one_copy_of_it() {
    let tmp = tempfile::tempdir().unwrap();
    let mut problems = Vec::new();
    for round in 0..ROUNDS {
        let dir = tmp.path().join(format!("round-{round}"));
        std::fs::create_dir(&dir).unwrap();
        let original = format!("round {round}: not a database, just text. ").repeat(200);
        std::fs::write(dir.join("zbsetup.sqlite3"), &original).unwrap();
        let outputs = all_at_once(&dir);
        let copies = set_aside(&dir);
        let with_original = copies
            .iter()
            .filter(|p| std::fs::read(p).unwrap() == original.as_bytes())
            .count();
        let noticed = outputs
            .iter()
            .filter(|o| String::from_utf8_lossy(&o.stdout).contains("set aside"))
            .count();
        let mut wrong = Vec::new();
        if let Some(failure) = first_failure(&outputs) {
            wrong.push(failure);
        }
        if copies.len() != 1 || with_original != 1 {
            wrong.push(format!(
                "{} set-aside copies, {with_original} with the original bytes",
                copies.len()
            ));
        }
        if noticed == 0 {
            wrong.push("no process told of the recovery".into());
        }
        if !wrong.is_empty() {
            problems.push(format!("round {round}: {}", wrong.join(", ")));
        }
    }
    report("4 starts at once on a damaged file", &problems);
}
