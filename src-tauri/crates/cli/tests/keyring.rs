//! A keyring that is locked, stops answering, or holds an entry another
//! program damaged. Each test runs `zbsetup` against its own private session
//! bus and gnome-keyring (started here, not the one `tests/session.sh`
//! provides), so locking or freezing it cannot disturb the other tests.

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;
use tempfile::TempDir;

mod common;
use common::{client_secret_entry, files_containing, run, stderr};

const ID: &str = "1000.KEYRINGTESTCLIENT0123456789ABC";
const SECRET: &str = "krcanary0f1e2d3c4b5a69788796a5b4c3d2e1f0";
const NEW_SECRET: &str = "krcanary2aaaabbbbccccddddeeeeffff00001111";

/// A session bus with a gnome-keyring whose login collection is unlocked.
struct PrivateKeyring {
    home: TempDir,
    bus: Child,
    daemon: Child,
    address: String,
}

impl PrivateKeyring {
    fn start() -> PrivateKeyring {
        let home = tempfile::tempdir().unwrap();
        for d in ["data", "config", "cache", "runtime"] {
            std::fs::create_dir_all(home.path().join(d)).unwrap();
        }
        let mut bus = Command::new("dbus-daemon")
            .args(["--session", "--nofork", "--print-address=1"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("dbus-daemon is installed (package dbus)");
        let mut line = String::new();
        BufReader::new(bus.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let address = line.trim().to_owned();
        assert!(address.starts_with("unix:"), "bus address: {address:?}");
        let mut daemon = Command::new("gnome-keyring-daemon")
            .args(["--foreground", "--unlock", "--components=secrets"])
            .envs(Self::env_of(home.path(), &address))
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("gnome-keyring-daemon is installed (package gnome-keyring)");
        daemon
            .stdin
            .take()
            .unwrap()
            .write_all(b"zbs-test-keyring")
            .unwrap();
        let keyring = PrivateKeyring {
            home,
            bus,
            daemon,
            address,
        };
        // Ready once it answers a lookup.
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let out = keyring
                .command("secret-tool")
                .args(["search", "service", "zbs-probe"])
                .output()
                .expect("secret-tool is installed (package libsecret-tools)");
            if out.status.success() || Instant::now() > deadline {
                break;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        keyring
    }

    fn env_of(home: &Path, address: &str) -> Vec<(String, String)> {
        let p = |d: &str| home.join(d).display().to_string();
        vec![
            ("DBUS_SESSION_BUS_ADDRESS".into(), address.to_owned()),
            ("XDG_DATA_HOME".into(), p("data")),
            ("XDG_CONFIG_HOME".into(), p("config")),
            ("XDG_CACHE_HOME".into(), p("cache")),
            ("XDG_RUNTIME_DIR".into(), p("runtime")),
            // No display: a prompt to unlock cannot be shown, as on a server.
            ("DISPLAY".into(), String::new()),
            ("WAYLAND_DISPLAY".into(), String::new()),
        ]
    }

    fn command(&self, program: &str) -> Command {
        let mut cmd = Command::new(program);
        cmd.envs(Self::env_of(self.home.path(), &self.address));
        cmd
    }

    /// `zbsetup --data-dir DIR ARGS` in this session.
    fn zbsetup(&self, dir: &Path, args: &[&str], stdin: Option<&str>) -> std::process::Output {
        let mut cmd = self.command(env!("CARGO_BIN_EXE_zbsetup"));
        cmd.arg("--data-dir")
            .arg(dir)
            .args(args)
            .env_remove("ZBSETUP_ENDPOINTS")
            .env_remove("ZBSETUP_LOG");
        run(cmd, stdin)
    }

    fn save_keys(&self, dir: &Path, secret: &str) -> std::process::Output {
        self.zbsetup(
            dir,
            &[
                "credentials",
                "set",
                "--client-id",
                ID,
                "--client-secret-stdin",
            ],
            Some(secret),
        )
    }

    fn status(&self, dir: &Path) -> Value {
        let out = self.zbsetup(dir, &["--json", "status"], None);
        assert!(out.status.success(), "status: {}", stderr(&out));
        serde_json::from_slice(&out.stdout).expect("status is JSON")
    }

    /// Locks the login collection, as the desktop does after a timeout.
    fn lock(&self) {
        let out = self
            .command("dbus-send")
            .args([
                "--session",
                "--print-reply",
                "--dest=org.freedesktop.secrets",
                "/org/freedesktop/secrets",
                "org.freedesktop.Secret.Service.Lock",
                "array:objpath:/org/freedesktop/secrets/collection/login",
            ])
            .output()
            .expect("dbus-send is installed (package dbus)");
        assert!(out.status.success(), "lock: {}", stderr(&out));
    }

    /// Freezes (`true`) or thaws the keyring daemon.
    fn freeze(&self, frozen: bool) {
        let signal = if frozen { "-STOP" } else { "-CONT" };
        let ok = Command::new("kill")
            .args([signal, &self.daemon.id().to_string()])
            .status()
            .unwrap()
            .success();
        assert!(ok, "kill {signal}");
    }

    /// The stored value of an entry of the app, as raw bytes.
    fn lookup(&self, user: &str) -> Vec<u8> {
        self.command("secret-tool")
            .args(["lookup", "service", "zoho-books-setup", "username", user])
            .output()
            .unwrap()
            .stdout
    }
}

impl Drop for PrivateKeyring {
    fn drop(&mut self) {
        self.freeze(false);
        for child in [&mut self.daemon, &mut self.bus] {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

#[test]
fn a_locked_keyring_says_to_unlock_it_and_nothing_goes_elsewhere() {
    let keyring = PrivateKeyring::start();
    let dir = tempfile::tempdir().unwrap();
    let out = keyring.save_keys(dir.path(), SECRET);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        keyring.lookup(&client_secret_entry(dir.path())),
        SECRET.as_bytes()
    );

    keyring.lock();
    // Saving a new secret is refused with the fix; nothing is written elsewhere.
    let started = Instant::now();
    let out = keyring.save_keys(dir.path(), NEW_SECRET);
    let took = started.elapsed();
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("locked"), "{err}");
    assert!(err.contains("Unlock it"), "{err}");
    assert!(
        err.contains("Nothing secret was saved anywhere else"),
        "{err}"
    );
    assert!(!err.contains(NEW_SECRET) && !err.contains(SECRET), "{err}");
    assert!(
        took < Duration::from_secs(15),
        "answered within the keyring timeout ({took:?})"
    );
    assert!(files_containing(dir.path(), NEW_SECRET).is_empty());
    assert!(files_containing(dir.path(), SECRET).is_empty());

    // Status still answers: the keys count as saved, and the problem is named.
    let s = keyring.status(dir.path());
    assert_eq!(s["client_id"], ID);
    assert!(
        s["keyring_problem"]
            .as_str()
            .unwrap_or("")
            .contains("locked"),
        "{s}"
    );
    let text = s.to_string();
    assert!(!text.contains(SECRET) && !text.contains(NEW_SECRET));
}

#[test]
fn a_keyring_that_stops_answering_times_out_with_the_fix() {
    let keyring = PrivateKeyring::start();
    let dir = tempfile::tempdir().unwrap();
    let out = keyring.save_keys(dir.path(), SECRET);
    assert!(out.status.success(), "{}", stderr(&out));

    keyring.freeze(true);
    let started = Instant::now();
    let out = keyring.save_keys(dir.path(), NEW_SECRET);
    let took = started.elapsed();
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("did not answer in time"), "{err}");
    assert!(
        err.contains("Nothing secret was saved anywhere else"),
        "{err}"
    );
    assert!(
        took < Duration::from_secs(15),
        "gave up within the timeout ({took:?})"
    );
    assert!(files_containing(dir.path(), NEW_SECRET).is_empty());

    // Thawed, it works again, and the old secret was kept.
    keyring.freeze(false);
    assert_eq!(
        keyring.lookup(&client_secret_entry(dir.path())),
        SECRET.as_bytes()
    );
    let s = keyring.status(dir.path());
    assert_eq!(s["keyring_problem"], Value::Null, "{s}");
}

#[test]
fn a_client_secret_damaged_by_another_program_is_named_and_replaced_by_pasting_it_again() {
    let keyring = PrivateKeyring::start();
    let dir = tempfile::tempdir().unwrap();
    let out = keyring.save_keys(dir.path(), SECRET);
    assert!(out.status.success(), "{}", stderr(&out));
    garble(&keyring, &client_secret_entry(dir.path()));

    let s = keyring.status(dir.path());
    let problem = s["keyring_problem"].as_str().unwrap_or("").to_owned();
    assert!(
        problem.contains("Client Secret") && problem.contains("Paste the Client Secret again"),
        "{s}"
    );
    // Pasting it again mends it.
    let out = keyring.save_keys(dir.path(), NEW_SECRET);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        keyring.lookup(&client_secret_entry(dir.path())),
        NEW_SECRET.as_bytes()
    );
    let s = keyring.status(dir.path());
    assert_eq!(s["keyring_problem"], Value::Null, "{s}");
    assert_eq!(s["secret_stored"], true, "{s}");
}

/// Overwrites an entry of the app with bytes that are not text, keeping the
/// attributes the app's keyring library gave it (so it replaces that item).
fn garble(keyring: &PrivateKeyring, user: &str) {
    let attrs = item_attributes(keyring, user);
    assert!(!attrs.is_empty(), "the entry {user} exists");
    let mut cmd = keyring.command("secret-tool");
    cmd.args(["store", "--label=damaged by another program"]);
    for (k, v) in &attrs {
        cmd.args([k, v]);
    }
    let mut child = cmd.stdin(Stdio::piped()).spawn().unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"\xff\xfe\x00garbled\x80")
        .unwrap();
    assert!(child.wait().unwrap().success());
    let listing = search_all(keyring, user);
    assert_eq!(
        listing.matches("[/").count(),
        1,
        "one item replaced, not a second added: {listing}"
    );
}

/// What `secret-tool search --all` says of the app's item(s) for `user`
/// ("attribute.NAME = VALUE" lines, on stderr in some versions).
fn search_all(keyring: &PrivateKeyring, user: &str) -> String {
    let out = keyring
        .command("secret-tool")
        .args([
            "search",
            "--all",
            "service",
            "zoho-books-setup",
            "username",
            user,
        ])
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr)
}

/// The attributes of the app's item for `user`.
fn item_attributes(keyring: &PrivateKeyring, user: &str) -> Vec<(String, String)> {
    search_all(keyring, user)
        .lines()
        .filter_map(|l| l.strip_prefix("attribute."))
        .filter_map(|l| l.split_once(" = "))
        .map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()))
        .collect()
}

/// A virtual display on a free number, for the keyring's unlock prompt.
struct Display(Child, String);

impl Display {
    fn start() -> Display {
        let mut xvfb = Command::new("Xvfb")
            .args([
                "-displayfd",
                "1",
                "-screen",
                "0",
                "800x600x24",
                "-nolisten",
                "tcp",
            ])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("Xvfb is installed (package xvfb)");
        let mut line = String::new();
        BufReader::new(xvfb.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        Display(xvfb, format!(":{}", line.trim()))
    }
}

impl Drop for Display {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn a_locked_keyring_whose_unlock_prompt_nobody_answers_gives_up_after_10_seconds() {
    let keyring = PrivateKeyring::start();
    let dir = tempfile::tempdir().unwrap();
    let out = keyring.save_keys(dir.path(), SECRET);
    assert!(out.status.success(), "{}", stderr(&out));
    keyring.lock();

    // With a display, the keyring shows its unlock prompt (started by the
    // session bus, which is told where the display is) and waits for it.
    let display = Display::start();
    let out = keyring
        .command("dbus-send")
        .args([
            "--session",
            "--print-reply",
            "--dest=org.freedesktop.DBus",
            "/org/freedesktop/DBus",
            "org.freedesktop.DBus.UpdateActivationEnvironment",
            &format!("dict:string:string:DISPLAY,{}", display.1),
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let started = Instant::now();
    let out = keyring
        .command(env!("CARGO_BIN_EXE_zbsetup"))
        .arg("--data-dir")
        .arg(dir.path())
        .args(["--json", "status"])
        .env("DISPLAY", &display.1)
        .env_remove("ZBSETUP_LOG")
        .output()
        .unwrap();
    let took = started.elapsed();
    assert!(out.status.success(), "{}", stderr(&out));
    let s: Value = serde_json::from_slice(&out.stdout).unwrap();
    let problem = s["keyring_problem"].as_str().unwrap_or("");
    assert!(problem.contains("did not answer in time (10 s)"), "{s}");
    assert!(problem.contains("unlock it"), "{s}");
    assert!(
        took >= Duration::from_secs(9) && took < Duration::from_secs(20),
        "gave up after the 10 s timeout, not before and not much later ({took:?})"
    );
    assert!(!s.to_string().contains(SECRET));
}
