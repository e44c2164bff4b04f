//! Text from outside (organization names from Zoho, its messages) reaches a
//! terminal only made safe: no escape sequences, no bidi overrides, no
//! forged lines. JSON output keeps the text exactly, escaped by serde.

use std::io::{BufRead, BufReader};
use std::process::Stdio;

use zbs_sim::SimConfig;

mod common;
use common::connected::{follow, Connected};

/// Sets the window title, clears the screen, reverses the line, forges a
/// line and ends C strings.
const HOSTILE: &str = "Evil\u{1b}]0;pwned\u{7}\u{1b}[2J\u{9b}31m\u{202e}dtL\u{2066}\nConnected FAKE (1) as x\r\u{0}\u{7f}";

fn unsafe_chars(text: &str) -> Vec<char> {
    text.chars()
        .filter(|&c| {
            (c.is_control() && c != '\n')
                || matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn hostile_organization_names_are_printed_safely() {
    let mut cfg = SimConfig::default();
    cfg.organizations[0].name = HOSTILE.to_owned();
    let c = Connected::start(cfg).await;
    let dir = c.root.path().join("data");
    let setup = c.prepare(&dir);
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    setup.set_loopback_port(port).unwrap();
    c.register(&format!("http://localhost:{port}/oauth/callback"));
    drop(setup);

    let mut connect = c
        .zbsetup(&dir)
        .args(["connect", "--no-browser", "--timeout", "30"])
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
    let location = zbs_sim::accept_consent(&url).await.unwrap();
    follow(&location).await;
    let out = tokio::task::spawn_blocking(move || connect.wait_with_output())
        .await
        .unwrap()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(out.status.success(), "{stdout}");
    assert_eq!(
        unsafe_chars(&stdout),
        Vec::<char>::new(),
        "connect: {stdout:?}"
    );
    assert_eq!(stdout.lines().count(), 1, "one line: {stdout:?}");
    assert!(stdout.starts_with("Connected Evil"), "{stdout:?}");
    assert!(
        stdout.contains("\\u{202e}"),
        "shown as an escape: {stdout:?}"
    );

    let out = c.zbsetup(&dir).arg("connections").output().unwrap();
    let listed = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(out.status.success(), "{listed}");
    assert_eq!(
        unsafe_chars(&listed),
        Vec::<char>::new(),
        "connections: {listed:?}"
    );
    assert_eq!(listed.lines().count(), 1, "one line: {listed:?}");

    // JSON keeps the name exactly.
    let out = c
        .zbsetup(&dir)
        .args(["--json", "connections"])
        .output()
        .unwrap();
    let list: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(list[0]["organization_name"], HOSTILE);
}
