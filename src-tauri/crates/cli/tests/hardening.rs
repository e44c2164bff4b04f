//! Hardening, second round: whatever runs at the same time, `zbsetup`
//! overwrites nothing of the person's, leaves no secret or file behind,
//! keeps what it makes private and changes nothing it refused. Each test
//! runs separate `zbsetup` processes. Run under `tests/session.sh`.

mod common;
use common::connected::{roomy_sim, stdout_of, Connected};

/// `zbsetup export --out DIR` never replaces a file already in DIR: it
/// refuses, naming the file, and writes nothing; into a new folder it works.
#[tokio::test(flavor = "multi_thread")]
async fn export_never_replaces_a_file_already_in_the_folder() {
    let c = Connected::start(roomy_sim(5)).await;
    let dir = c.root.path().join("data");
    c.prepare(&dir);
    let id = c.connect(&dir, None).await;
    let mut pull = c.zbsetup(&dir);
    pull.args(["pull", &id, "--all", "--entities", "invoices,customers"]);
    stdout_of(pull);

    let out_dir = c.root.path().join("mine");
    std::fs::create_dir(&out_dir).unwrap();
    let mine = out_dir.join("invoices.csv");
    std::fs::write(&mine, "my own sheet\n").unwrap();
    for format in ["csv", "json"] {
        if format == "json" {
            std::fs::write(out_dir.join("customers.json"), "[\"mine\"]").unwrap();
        }
        let out = c
            .zbsetup(&dir)
            .args(["export", &id, "--format", format, "--out"])
            .arg(&out_dir)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{format}: the export was refused");
        let named = if format == "csv" {
            "invoices.csv"
        } else {
            "customers.json"
        };
        assert!(
            stderr.contains(named) && stderr.contains("never replaces"),
            "{format}: {stderr}"
        );
    }
    assert_eq!(std::fs::read_to_string(&mine).unwrap(), "my own sheet\n");
    assert_eq!(
        std::fs::read_to_string(out_dir.join("customers.json")).unwrap(),
        "[\"mine\"]"
    );
    let mut left: Vec<String> = std::fs::read_dir(&out_dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    left.sort();
    assert_eq!(
        left,
        ["customers.json", "invoices.csv"],
        "nothing was added beside the person's files"
    );

    // Into a new folder, and once more into the same one: refused the second time.
    let fresh = c.root.path().join("fresh");
    let mut export = c.zbsetup(&dir);
    export
        .args(["export", &id, "--format", "csv", "--out"])
        .arg(&fresh);
    stdout_of(export);
    let first = std::fs::read_to_string(fresh.join("invoices.csv")).unwrap();
    assert_eq!(first.lines().count(), 6, "a header and 5 invoices");
    let again = c
        .zbsetup(&dir)
        .args(["export", &id, "--format", "csv", "--out"])
        .arg(&fresh)
        .output()
        .unwrap();
    assert!(!again.status.success());
    assert_eq!(
        std::fs::read_to_string(fresh.join("invoices.csv")).unwrap(),
        first
    );
}

/// The Client ID of save `i` (a usual Zoho Client ID).
fn pair_id(i: usize) -> String {
    format!("1000.PAIR{i:02}{}", "X".repeat(24))
}

/// The Client Secret of save `i`.
fn pair_secret(i: usize) -> String {
    format!("{i:02}{}", "5ec7e7".repeat(7))
}

/// Which save the kept ID and secret come from: `Ok(None)` when neither is
/// kept, `Err` when they are not one save's.
fn kept_pair(dir: &std::path::Path) -> Result<Option<usize>, String> {
    use secrecy::ExposeSecret;
    let setup = zbs_setup::Setup::open(zbs_setup::OpenOptions {
        data_dir: Some(dir.to_owned()),
        ..zbs_setup::OpenOptions::default()
    })
    .map_err(|e| e.to_string())?;
    let id = setup.status().map_err(|e| e.to_string())?.client_id;
    let secret = setup
        .client_secret()
        .map_err(|e| e.to_string())?
        .map(|s| s.expose_secret().to_owned());
    let of_id = id.as_ref().map(|id| (0..16).find(|&i| pair_id(i) == *id));
    let of_secret = secret
        .as_ref()
        .map(|s| (0..16).find(|&i| pair_secret(i) == *s));
    match (of_id, of_secret) {
        (None, None) => Ok(None),
        (Some(Some(a)), Some(Some(b))) if a == b => Ok(Some(a)),
        _ => Err(format!(
            "Client ID of save {of_id:?} kept with the Client Secret of save {of_secret:?}"
        )),
    }
}

/// `credentials set` (two saves of different keys) and `credentials clear`
/// at once on one folder, round after round: the ID and secret kept are
/// always one save's, or neither is kept. (Each process talks to the
/// keyring, which is slow in a debug build: three a round keep the test
/// short; the old code paired one save's ID with another's secret, or
/// failed a save outright, in a few rounds of 50.)
#[test]
fn concurrent_saves_and_clears_keep_one_saves_id_and_secret_together() {
    use std::io::Write;
    use std::process::{Command, Stdio};
    const ROUNDS: usize = 50;
    const SAVES: usize = 2;
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    let mut passed = 0;
    let mut failures = Vec::new();
    let mut outcomes = [0usize; 2];
    for round in 0..ROUNDS {
        let mut children = Vec::new();
        for k in 0..SAVES + 1 {
            let mut cmd = Command::new(env!("CARGO_BIN_EXE_zbsetup"));
            cmd.arg("--data-dir").arg(&dir);
            cmd.env_remove("ZBSETUP_ENDPOINTS")
                .env_remove("ZBSETUP_LOG");
            // Save, clear, save: the clear starts between the two saves.
            let i = k / 2 + (round % 2) * SAVES;
            if k % 2 == 0 {
                cmd.args(["credentials", "set", "--client-id", &pair_id(i)])
                    .arg("--client-secret-stdin");
            } else {
                cmd.args(["credentials", "clear"]);
            }
            let mut child = cmd
                .stdin(Stdio::piped())
                .stdout(Stdio::null())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap();
            let mut stdin = child.stdin.take().unwrap();
            if k % 2 == 0 {
                stdin.write_all(pair_secret(i).as_bytes()).unwrap();
            }
            drop(stdin);
            children.push(child);
        }
        let mut failed_process = None;
        for child in children {
            let out = child.wait_with_output().unwrap();
            if !out.status.success() {
                failed_process = Some(String::from_utf8_lossy(&out.stderr).into_owned());
            }
        }
        match (failed_process, kept_pair(&dir)) {
            (None, Ok(kept)) => {
                passed += 1;
                outcomes[usize::from(kept.is_some())] += 1;
            }
            (Some(e), _) => failures.push(format!("round {round}: a command failed: {e}")),
            (None, Err(e)) => failures.push(format!("round {round}: {e}")),
        }
    }
    println!(
        "{passed} of {ROUNDS} rounds passed ({} ended cleared, {} with one save's keys)",
        outcomes[0], outcomes[1]
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Zoho's default organization of the simulator.
const ORG: &str = "775501234";

/// A pull's process environment: a desktop session's (the test session's
/// runtime folder), or cron's or ssh's (no runtime folder, another `HOME`
/// and cache folder).
fn environment(cmd: &mut std::process::Command, desktop: bool, other_home: &std::path::Path) {
    if desktop {
        return;
    }
    cmd.env_remove("XDG_RUNTIME_DIR")
        .env("HOME", other_home)
        .env("XDG_CACHE_HOME", other_home.join("cache"));
}

/// Waits (at most 10 s) until the folder's connection has a running pull.
fn wait_running(dir: &std::path::Path, id: &str) {
    let running = "SELECT COUNT(*) FROM pulls WHERE connection_id = ?1 AND state = 'running'";
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while common::connected::count(dir, running, id) == 0 {
        assert!(
            std::time::Instant::now() < deadline,
            "the first pull never started"
        );
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
}

/// One pull per organization on this computer whatever the environment: a
/// pull from a desktop session holds the organization, and pulls from
/// other data folders run as from cron or ssh (no `XDG_RUNTIME_DIR`,
/// another `HOME` and cache folder) are refused, naming it; then the other
/// way round.
#[tokio::test(flavor = "multi_thread")]
async fn one_pull_per_organization_whatever_the_environment() {
    use std::process::Stdio;
    use std::time::Duration;
    const ROUNDS: usize = 25; // a side, 50 in all
                              // One at a time: tries at once could refuse each other in their own
                              // data folder before reaching the machine-wide lock.
    const AT_ONCE: usize = 1;
    let c = Connected::start(roomy_sim(10)).await;
    c.sim
        .set_record_count(ORG, zbs_sim::Entity::Invoices, 4_000)
        .unwrap();
    c.sim.faults().set_latency(Duration::from_millis(1000));
    let other_home = c.root.path().join("elsewhere");
    std::fs::create_dir_all(other_home.join("cache")).unwrap();
    let a = c.root.path().join("a");
    c.prepare(&a);
    let id_a = c.connect(&a, Some(ORG)).await;
    let b = c.root.path().join("b");
    c.prepare(&b);
    let id_b = c.connect(&b, Some(ORG)).await;

    let mut passed = 0;
    let mut failures = Vec::new();
    for holder_on_desktop in [true, false] {
        let mut holder = c.quick_zbsetup(&a);
        holder
            .args(["pull", &id_a, "--all", "--entities", "invoices"])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        environment(&mut holder, holder_on_desktop, &other_home);
        let mut holder = holder.spawn().unwrap();
        wait_running(&a, &id_a);
        for batch in 0..ROUNDS / AT_ONCE {
            let tries: Vec<_> = (0..AT_ONCE)
                .map(|_| {
                    let mut other = c.quick_zbsetup(&b);
                    other
                        .args(["pull", &id_b, "--sample", "5", "--entities", "invoices"])
                        .stdin(Stdio::null())
                        .stdout(Stdio::piped())
                        .stderr(Stdio::piped());
                    environment(&mut other, !holder_on_desktop, &other_home);
                    other.spawn().unwrap()
                })
                .collect();
            for (k, t) in tries.into_iter().enumerate() {
                let out = t.wait_with_output().unwrap();
                let stderr = String::from_utf8_lossy(&out.stderr);
                if out.status.code() == Some(1)
                    && stderr.contains("already running on this computer")
                    && stderr.contains(&a.display().to_string())
                {
                    passed += 1;
                } else {
                    failures.push(format!(
                        "holder on the desktop: {holder_on_desktop}, round {}: exit {:?}: {}",
                        batch * AT_ONCE + k,
                        out.status.code(),
                        stderr.trim()
                    ));
                }
            }
        }
        let still_running = holder.try_wait().unwrap().is_none();
        assert!(still_running, "the holding pull ran to its end too soon");
        // Stopped as a person would (Ctrl-C): the pull is saved.
        let _ = std::process::Command::new("kill")
            .args(["-INT", &holder.id().to_string()])
            .status();
        let _ = holder.wait_with_output();
    }
    println!("{passed} of {} refused as they should be", ROUNDS * 2);
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// A disconnect while another process refreshes the connection's access
/// token leaves nothing of the connection in the keyring: the refresh's
/// new access token goes with the rest.
#[tokio::test(flavor = "multi_thread")]
async fn a_disconnect_during_a_token_refresh_leaves_no_token_behind() {
    use std::process::Stdio;
    use std::time::Duration;
    use zbs_setup::secrets::entry;
    const ROUNDS: usize = 50;
    const AT_ONCE: usize = 10;
    // Access tokens live less than the app's refresh margin: every use
    // refreshes one (no keyring call of the test's own to force it).
    let c = Connected::start(zbs_sim::SimConfig {
        token_ttl: Duration::from_secs(100),
        ..roomy_sim(3)
    })
    .await;
    let dir = c.root.path().join("data");
    let setup = c.prepare(&dir);
    let mut passed = 0;
    let mut failures = Vec::new();
    for batch in 0..ROUNDS / AT_ONCE {
        let mut ids = Vec::new();
        for _ in 0..AT_ONCE / 5 {
            // Five sign-ins at a time (each its own loopback port).
            let (a, b, d, e, f) = tokio::join!(
                c.connect(&dir, None),
                c.connect(&dir, None),
                c.connect(&dir, None),
                c.connect(&dir, None),
                c.connect(&dir, None)
            );
            ids.extend([a, b, d, e, f]);
        }
        // Zoho answers each refresh 1.5 s after minting the token.
        c.sim
            .faults()
            .set_token_latency(Duration::from_millis(1500));
        let spawn = |args: &[&str]| {
            c.zbsetup(&dir)
                .args(args)
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        };
        let before = c.sim.refreshes();
        let refreshing: Vec<_> = ids
            .iter()
            .map(|id| spawn(&["test", id, "--entities", "invoices"]))
            .collect();
        // Each disconnect starts once Zoho has minted its new access token
        // and before the answer arrives.
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        while c.sim.refreshes() < before + AT_ONCE as u64 && std::time::Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(2));
        }
        let disconnecting: Vec<_> = ids.iter().map(|id| spawn(&["disconnect", id])).collect();
        for child in refreshing {
            let _ = child.wait_with_output();
        }
        let mut disconnected = Vec::new();
        for child in disconnecting {
            disconnected.push(child.wait_with_output().unwrap());
        }
        c.sim.faults().set_token_latency(Duration::ZERO);
        for (k, (id, out)) in ids.iter().zip(disconnected).enumerate() {
            let round = batch * AT_ONCE + k;
            // The refresh token went before the race too: the access token is the one to look for.
            let left: Vec<String> = [entry::access_token(id)]
                .into_iter()
                .filter(|name| !matches!(setup.secrets().get(name), Ok(None)))
                .collect();
            if !out.status.success() {
                failures.push(format!(
                    "round {round}: the disconnect failed: {}",
                    String::from_utf8_lossy(&out.stderr).trim()
                ));
            } else if !left.is_empty() {
                failures.push(format!("round {round}: left in the keyring: {left:?}"));
            } else if setup.connection(id).is_ok() {
                failures.push(format!("round {round}: the connection is still there"));
            } else {
                passed += 1;
            }
        }
    }
    println!("{passed} of {ROUNDS} disconnects left nothing behind");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert_eq!(c.sim.live_refresh_tokens(&c.sim.clients()[0].client_id), 0);
}

/// What a disconnect could not remove from the keyring (here: a token kept
/// after the connection was gone, as a process killed mid-disconnect leaves
/// it) is swept at the next start of any `zbsetup` command.
#[tokio::test(flavor = "multi_thread")]
async fn a_later_start_sweeps_the_tokens_of_a_disconnected_connection() {
    use secrecy::SecretString;
    use zbs_setup::secrets::entry;
    let c = Connected::start(roomy_sim(3)).await;
    let dir = c.root.path().join("data");
    let setup = c.prepare(&dir);
    let id = c.connect(&dir, None).await;
    let mut disconnect = c.zbsetup(&dir);
    disconnect.args(["disconnect", &id]);
    stdout_of(disconnect);
    // Left behind, as by a disconnect killed half-way.
    let leftover = SecretString::from("left-behind-access-token".to_owned());
    setup
        .secrets()
        .set(&entry::access_token(&id), &leftover)
        .unwrap();
    let db = rusqlite::Connection::open(dir.join("zbsetup.sqlite3")).unwrap();
    db.execute(
        "INSERT INTO settings (key, value) VALUES (?1, 'true')",
        [format!("departed_connection:{id}")],
    )
    .unwrap();
    drop(db);
    let mut status = c.zbsetup(&dir);
    status.args(["--json", "status"]);
    stdout_of(status);
    assert!(
        setup
            .secrets()
            .get(&entry::access_token(&id))
            .unwrap()
            .is_none(),
        "the access token of the disconnected connection was swept"
    );
}

/// A sign-in refused because Zoho named an API domain the app does not
/// trust never keeps a sign-in at Zoho: the refresh token Zoho issued is
/// revoked, so retrying spends none of the Zoho user's 20 sign-ins.
#[tokio::test(flavor = "multi_thread")]
async fn a_sign_in_refused_for_an_untrusted_api_domain_is_revoked() {
    use std::io::{BufRead, BufReader};
    use std::process::Stdio;
    const ROUNDS: usize = 50;
    let c = Connected::start(roomy_sim(3)).await;
    let dir = c.root.path().join("data");
    let setup = c.prepare(&dir);
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    setup.set_loopback_port(port).unwrap();
    c.register(&format!("http://localhost:{port}/oauth/callback"));
    // The app trusts other API domains than the one this Zoho names.
    let mut table = c.sim.endpoints_json();
    for (_, dc) in table.as_object_mut().unwrap() {
        dc["api"] = serde_json::Value::String("https://api.elsewhere.invalid".into());
    }
    let endpoints = c.root.path().join("endpoints-other-api.json");
    std::fs::write(&endpoints, table.to_string()).unwrap();
    let client = c.sim.clients()[0].client_id.clone();

    let mut passed = 0;
    let mut failures = Vec::new();
    for round in 0..ROUNDS {
        let mut connect = c
            .zbsetup(&dir)
            .env("ZBSETUP_ENDPOINTS", &endpoints)
            .args(["connect", "--no-browser", "--timeout", "30"])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut progress = BufReader::new(connect.stderr.take().unwrap()).lines();
        let Some(url) = progress
            .by_ref()
            .map_while(Result::ok)
            .find_map(|l| l.strip_prefix("authorize: ").map(str::to_owned))
        else {
            failures.push(format!("round {round}: no sign-in link"));
            let _ = connect.kill();
            continue;
        };
        let location = zbs_sim::accept_consent(&url).await.unwrap();
        common::connected::follow(&location).await;
        let rest: Vec<String> = progress.map_while(Result::ok).collect();
        let status = connect.wait().unwrap();
        let said = rest.join("\n");
        let live = c.sim.live_refresh_tokens(&client);
        if status.success() {
            failures.push(format!("round {round}: the sign-in was kept"));
        } else if live != 0 {
            failures.push(format!(
                "round {round}: {live} sign-ins left at Zoho after the refusal ({said})"
            ));
        } else {
            passed += 1;
        }
    }
    println!("{passed} of {ROUNDS} refused sign-ins were revoked");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(setup.connections().unwrap().is_empty());
}

/// The mode of `path` (permission bits).
#[cfg(unix)]
fn mode(path: &std::path::Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

/// `zbsetup ARGS` run by a shell whose umask is 022, as most are.
#[cfg(unix)]
fn with_umask_022(c: &Connected, dir: &std::path::Path, args: &[&str]) -> std::process::Output {
    let cmd = c.zbsetup(dir);
    let zbsetup = env!("CARGO_BIN_EXE_zbsetup");
    let mut sh = std::process::Command::new("sh");
    sh.arg("-c")
        .arg("umask 022 && exec \"$@\"")
        .arg("sh")
        .arg(zbsetup)
        .arg("--data-dir")
        .arg(dir)
        .args(args);
    for (k, v) in cmd.get_envs() {
        match v {
            Some(v) => sh.env(k, v),
            None => sh.env_remove(k),
        };
    }
    sh.output().unwrap()
}

/// What the app makes is private with the usual umask 022: the lock files
/// of the data folder (the keys' and each connection's token lock) and the
/// folders `zbsetup report --out` makes.
#[cfg(unix)]
#[tokio::test(flavor = "multi_thread")]
async fn what_the_app_makes_is_private_with_umask_022() {
    use zbs_setup::secrets::entry;
    let c = Connected::start(roomy_sim(3)).await;
    let dir = c.root.path().join("data");
    let setup = c.prepare(&dir);
    let id = c.connect(&dir, None).await;
    // A refresh, in a process of its own, takes the connection's token lock.
    setup.secrets().delete(&entry::access_token(&id)).unwrap();
    let test = with_umask_022(&c, &dir, &["test", &id, "--entities", "invoices"]);
    assert!(
        test.status.success(),
        "{}",
        String::from_utf8_lossy(&test.stderr)
    );
    let locks = dir.join("locks");
    let mut seen = vec![format!("locks/ {:o}", mode(&locks))];
    for e in std::fs::read_dir(&locks).unwrap() {
        let p = e.unwrap().path();
        seen.push(format!(
            "{} {:o}",
            p.file_name().unwrap().to_string_lossy(),
            mode(&p)
        ));
    }
    assert!(seen.len() >= 3, "the keys' and the token's lock: {seen:?}");
    assert!(
        mode(&locks) == 0o700
            && std::fs::read_dir(&locks)
                .unwrap()
                .all(|e| mode(&e.unwrap().path()) == 0o600),
        "{seen:?}"
    );

    let out = c.root.path().join("reports/new");
    let report = with_umask_022(&c, &dir, &["report", "--out", out.to_str().unwrap()]);
    assert!(
        report.status.success(),
        "{}",
        String::from_utf8_lossy(&report.stderr)
    );
    assert_eq!(
        (mode(&c.root.path().join("reports")), mode(&out)),
        (0o700, 0o700),
        "the folders report --out made"
    );
    for e in std::fs::read_dir(&out).unwrap() {
        assert_eq!(mode(&e.unwrap().path()), 0o600);
    }
}

/// A settings file `zbsetup` refuses (another program's SQLite file, or
/// one a newer version made) is left exactly as it was: not one byte
/// changed, no journal added beside it.
#[test]
fn a_refused_settings_file_is_left_byte_for_byte() {
    let tmp = tempfile::tempdir().unwrap();
    let cases: [(&str, &str, &str); 3] = [
        (
            "foreign",
            "CREATE TABLE contacts (name TEXT); INSERT INTO contacts VALUES ('Ana');",
            "tables in it are not the ones the app expects",
        ),
        (
            "foreign-versioned",
            "CREATE TABLE contacts (name TEXT); PRAGMA user_version = 3;",
            "tables in it are not the ones the app expects",
        ),
        (
            "newer",
            "CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL); \
             PRAGMA user_version = 999;",
            "made by a newer version",
        ),
    ];
    for (name, sql, said) in cases {
        let dir = tmp.path().join(name);
        std::fs::create_dir(&dir).unwrap();
        let db = dir.join("zbsetup.sqlite3");
        rusqlite::Connection::open(&db)
            .unwrap()
            .execute_batch(sql)
            .unwrap();
        let before = std::fs::read(&db).unwrap();
        let out = common::zbsetup(&dir, &["status"], None, &[]);
        let stderr = common::stderr(&out);
        assert!(!out.status.success(), "{name}: refused");
        assert!(stderr.contains(said), "{name}: {stderr}");
        assert!(
            std::fs::read(&db).unwrap() == before,
            "{name}: the file was changed"
        );
        for side in ["zbsetup.sqlite3-wal", "zbsetup.sqlite3-shm"] {
            assert!(!dir.join(side).exists(), "{name}: {side} was made");
        }
    }
    // A new folder still gets a settings file of its own.
    let fresh = tmp.path().join("fresh");
    let out = common::zbsetup(&fresh, &["status"], None, &[]);
    assert!(
        fresh.join("zbsetup.sqlite3").exists(),
        "{}",
        common::stderr(&out)
    );
}

/// Links planted in the data folder at the settings file's or the lock
/// file's name are never followed: `zbsetup` refuses, naming the link, and
/// makes nothing where they point.
#[cfg(unix)]
#[test]
fn links_planted_in_the_data_folder_are_not_followed() {
    let tmp = tempfile::tempdir().unwrap();
    for name in ["zbsetup.sqlite3", "zbsetup.lock", "zbsetup.sqlite3-wal"] {
        let dir = tmp.path().join(format!("data-{name}"));
        std::fs::create_dir(&dir).unwrap();
        let target = tmp.path().join(format!("outside-{name}"));
        std::os::unix::fs::symlink(&target, dir.join(name)).unwrap();
        let out = common::zbsetup(&dir, &["status"], None, &[]);
        let stderr = common::stderr(&out);
        assert!(!out.status.success(), "{name}: refused");
        assert!(
            stderr.contains(name) && stderr.contains("link"),
            "{name}: {stderr}"
        );
        assert!(
            !target.exists(),
            "{name}: a file was made outside the folder"
        );
    }
}

/// Characters that act on a terminal or reorder text: ESC with an OSC 52
/// clipboard write, the C1 CSI 0x9B, RIGHT-TO-LEFT OVERRIDE, a zero-width space.
const HOSTILE: &str = "Acme\u{1b}]52;c;cm0gLXJmIH4=\u{7}\u{9b}31m\u{202e}gnp.exe\u{200b}";

/// Whether `text` holds a character no person should get raw.
fn raw_hostile(text: &str) -> Vec<char> {
    text.chars()
        .filter(|c| matches!(c, '\u{1b}' | '\u{7}' | '\u{9b}' | '\u{202e}' | '\u{200b}'))
        .collect()
}

/// Control and bidi characters from outside never reach a person raw: an
/// organization's name in the saved test report, a platform's name typed
/// (refused, saying why) or found stored (shown escaped by `status`).
#[tokio::test(flavor = "multi_thread")]
async fn control_and_bidi_characters_never_reach_a_person_raw() {
    let mut cfg = roomy_sim(3);
    let mut orgs = zbs_sim::SimConfig::default().organizations;
    orgs[0].name = HOSTILE.to_owned();
    orgs[0].is_default = true;
    cfg.organizations = orgs;
    let c = Connected::start(cfg).await;
    let dir = c.root.path().join("data");
    let setup = c.prepare(&dir);
    let id = c
        .connect(&dir, Some(&c.sim.organizations()[0].organization_id))
        .await;
    let mut test = c.zbsetup(&dir);
    test.args(["test", &id, "--entities", "invoices"]);
    let printed = stdout_of(test);
    assert!(raw_hostile(&printed).is_empty(), "test printed {printed:?}");
    let out = c.root.path().join("report");
    let mut report = c.zbsetup(&dir);
    report.args(["report", "--out", out.to_str().unwrap()]);
    stdout_of(report);
    let file = std::fs::read_dir(&out)
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let html = std::fs::read_to_string(file).unwrap();
    assert!(html.contains("Acme"), "the organization is in the report");
    assert!(
        raw_hostile(&html).is_empty(),
        "raw in the report: {:?}",
        raw_hostile(&html)
    );
    assert!(html.contains("\\u{202e}"), "shown as a visible escape");

    // Typed: refused, saying why.
    let refused = c
        .zbsetup(&dir)
        .args([
            "platform",
            "set",
            "Acme\u{202e}gnp",
            "--callback",
            "https://platform.example/callback",
        ])
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&refused.stderr);
    assert!(!refused.status.success(), "refused");
    assert!(said.contains("invisible characters"), "{said}");
    assert!(raw_hostile(&said).is_empty(), "{said:?}");
    // Stored by an earlier version: shown escaped.
    drop(setup);
    let db = rusqlite::Connection::open(dir.join("zbsetup.sqlite3")).unwrap();
    let stored = serde_json::json!({
        "kind": "other",
        "name": HOSTILE,
        "callback": "https://platform.example/callback",
    });
    db.execute(
        "INSERT INTO settings (key, value) VALUES ('platform', ?1)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        [stored.to_string()],
    )
    .unwrap();
    drop(db);
    let mut status = c.zbsetup(&dir);
    status.arg("status");
    let shown = stdout_of(status);
    assert!(shown.contains("Platform:       Acme"), "{shown}");
    assert!(raw_hostile(&shown).is_empty(), "status printed {shown:?}");
}

/// `ZBSETUP_ENDPOINTS` naming a pipe is refused at once instead of hanging,
/// and one sending the Client Secret over plain http:// to another computer
/// is refused.
#[cfg(unix)]
#[test]
fn an_endpoints_pipe_or_plain_http_elsewhere_is_refused() {
    use std::time::{Duration, Instant};
    let tmp = tempfile::tempdir().unwrap();
    let fifo = tmp.path().join("endpoints.fifo");
    assert!(std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap()
        .success());
    let plain = tmp.path().join("plain.json");
    std::fs::write(
        &plain,
        r#"{"us": {"accounts": "http://accounts.example.com", "api": "https://www.zohoapis.com"}}"#,
    )
    .unwrap();
    for (file, said) in [(&fifo, "not a regular file"), (&plain, "plain http://")] {
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_zbsetup"))
            .arg("--data-dir")
            .arg(tmp.path().join("data"))
            .arg("status")
            .env("ZBSETUP_ENDPOINTS", file)
            .env_remove("ZBSETUP_LOG")
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let deadline = Instant::now() + Duration::from_secs(10);
        while child.try_wait().unwrap().is_none() {
            if Instant::now() > deadline {
                let _ = child.kill();
                panic!("{}: zbsetup hung", file.display());
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let out = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{}: refused", file.display());
        assert!(stderr.contains(said), "{}: {stderr}", file.display());
    }
}

/// Log lines written to a stderr that is not a terminal (a file, a pipe)
/// carry no ANSI colour sequences.
#[test]
fn log_lines_into_a_pipe_have_no_colours() {
    let tmp = tempfile::tempdir().unwrap();
    let out = common::zbsetup(
        &tmp.path().join("data"),
        &["status"],
        None,
        &[
            ("ZBSETUP_LOG", "debug"),
            // No keyring: status says so and goes on, with log lines.
            (
                "DBUS_SESSION_BUS_ADDRESS",
                "unix:path=/nonexistent/zbs-no-bus",
            ),
        ],
    );
    let stderr = common::stderr(&out);
    assert!(!stderr.trim().is_empty(), "there were log lines");
    assert!(!stderr.contains('\u{1b}'), "{stderr:?}");
}

/// Without ZBSETUP_LOG, no log line mixes into a command's own answer on
/// standard error (here a status without a keyring, which the core logs).
#[test]
fn no_log_lines_mix_into_the_answer_unless_asked_for() {
    let tmp = tempfile::tempdir().unwrap();
    let out = common::zbsetup(
        &tmp.path().join("data"),
        &["status"],
        None,
        &[(
            "DBUS_SESSION_BUS_ADDRESS",
            "unix:path=/nonexistent/zbs-no-bus",
        )],
    );
    let stderr = common::stderr(&out);
    for level in ["WARN", "INFO", "ERROR", "DEBUG"] {
        assert!(
            !stderr.contains(level),
            "a log line in the answer: {stderr:?}"
        );
    }
}

/// A reconnect raced by a disconnect (in another process) does not bring
/// the connection back, and its new sign-in is given back to Zoho.
#[tokio::test(flavor = "multi_thread")]
async fn a_reconnect_raced_by_a_disconnect_does_not_bring_the_connection_back() {
    use std::time::Duration;
    use zbs_setup::connect::RedirectMethod;
    use zbs_zoho::loopback::LoopbackListener;
    let c = Connected::start(roomy_sim(3)).await;
    let dir = c.root.path().join("data");
    c.prepare(&dir);
    let id = c.connect(&dir, None).await;
    let client = c.sim.clients()[0].client_id.clone();
    assert_eq!(c.sim.live_refresh_tokens(&client), 1);

    // The window signs in again for the connection...
    let window = c.setup(&dir);
    let listener = LoopbackListener::bind(0).unwrap();
    window.set_loopback_port(listener.port()).unwrap();
    let start = window
        .start_connect(Some("us"), RedirectMethod::Localhost, Some(&id))
        .unwrap();
    c.register(&start.redirect_uri);
    let wait = window.wait_loopback(listener, Duration::from_secs(20));
    let browser = async {
        let location = zbs_sim::accept_consent(&start.authorize_url).await.unwrap();
        common::connected::follow(&location).await;
    };
    let (choices, ()) = tokio::join!(wait, browser);
    choices.expect("organizations listed");
    // ...while zbsetup disconnects it, before the organization is chosen.
    let mut disconnect = c.zbsetup(&dir);
    disconnect.args(["disconnect", &id]);
    stdout_of(disconnect);
    let chosen = window.choose_organization(None);
    window.revoke_discarded().await;
    let err = chosen.expect_err("not brought back");
    assert!(err.to_string().contains("disconnected while"), "{err}");
    assert!(window.connections().unwrap().is_empty(), "no connection");
    assert_eq!(
        c.sim.live_refresh_tokens(&client),
        0,
        "no sign-in kept at Zoho"
    );
    let listed = common::json_of(&dir, &["connections"]);
    assert_eq!(listed, serde_json::json!([]), "{listed}");
}

/// A pull's progress into a redirected stderr is a line now and then, not
/// a redraw several times a second.
#[tokio::test(flavor = "multi_thread")]
async fn progress_into_a_file_is_a_line_every_few_seconds() {
    use std::time::{Duration, Instant};
    let c = Connected::start(roomy_sim(10)).await;
    c.sim
        .set_record_count(ORG, zbs_sim::Entity::Invoices, 3_000)
        .unwrap();
    c.sim.faults().set_latency(Duration::from_millis(400));
    let dir = c.root.path().join("data");
    c.prepare(&dir);
    let id = c.connect(&dir, Some(ORG)).await;
    let started = Instant::now();
    let out = c
        .quick_zbsetup(&dir)
        .args(["pull", &id, "--all", "--entities", "invoices"])
        .output()
        .unwrap();
    let took = started.elapsed();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    let lines = stderr
        .lines()
        .filter(|l| l.contains("requests per minute"))
        .count();
    println!("{lines} progress lines in {:.1} s", took.as_secs_f64());
    assert!(!stderr.contains('\r'), "no redraws: {stderr:?}");
    assert!(lines >= 1, "{stderr}");
    assert!(
        lines as u64 <= took.as_secs() / 5 + 2,
        "{lines} lines in {took:?}: {stderr}"
    );
}

/// A data folder moved elsewhere says its Client Secret stayed in the
/// keyring under its old place, and `credentials carry-over` brings it along.
#[test]
fn a_moved_data_folder_says_where_its_secret_is_and_carries_it_over() {
    let tmp = tempfile::tempdir().unwrap();
    let old = tmp.path().join("before");
    common::set_keys(&old, &pair_id(1), &pair_secret(1));
    let old_entry = common::client_secret_entry(&old);
    let moved = tmp.path().join("after");
    std::fs::rename(&old, &moved).unwrap();

    let status = common::json_of(&moved, &["status"]);
    let notice = status["recovery_notice"].as_str().unwrap_or_default();
    assert_eq!(status["secret_stored"], false, "{status}");
    assert!(
        notice.contains("was moved") && notice.contains("credentials carry-over"),
        "{status}"
    );
    let carried = common::json_of(&moved, &["credentials", "carry-over"]);
    assert_eq!(carried["secret_stored"], true, "{carried}");
    assert!(carried["recovery_notice"].is_null(), "{carried}");
    assert_eq!(
        kept_pair(&moved),
        Ok(Some(1)),
        "the moved folder's own keys"
    );
    let store = zbs_setup::secrets::SecretStore::new(None);
    assert!(
        store.get(&old_entry).unwrap().is_none(),
        "nothing left under the old place"
    );
    // Nothing more to carry over.
    let again = common::zbsetup(&moved, &["credentials", "carry-over"], None, &[]);
    assert!(!again.status.success());
    assert!(common::stderr(&again).contains("no Client Secret to carry over"));
}
