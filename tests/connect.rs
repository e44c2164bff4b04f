//! Connecting organizations, against the simulator over real HTTP, with the
//! real keyring (run under tests/session.sh) and a real SQLite file.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use secrecy::SecretString;
use zbs_setup::connect::{ConnectionState, RedirectMethod};
use zbs_setup::CredentialsInput;
use zbs_sim::SimConfig;
use zbs_tests::{follow, Harness};
use zbs_zoho::loopback::LoopbackListener;

fn secret_tool(service: &str, user: &str) -> String {
    let out = std::process::Command::new("secret-tool")
        .args(["lookup", "service", service, "username", user])
        .output()
        .expect("secret-tool");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn with_param(url: &str, key: &str, value: &str) -> String {
    let mut u = url::Url::parse(url).unwrap();
    let pairs: Vec<(String, String)> = u
        .query_pairs()
        .map(|(k, v)| {
            let v = if k == key {
                value.to_owned()
            } else {
                v.into_owned()
            };
            (k.into_owned(), v)
        })
        .collect();
    u.query_pairs_mut().clear().extend_pairs(pairs);
    u.to_string()
}

#[tokio::test]
async fn loopback_flow_stores_the_connection_and_it_survives_a_restart() {
    let h = Harness::ready(SimConfig::default()).await;
    let c = h.connect("us", None).await;
    assert_eq!(
        c.organization_name, "Harbour Lane Trading Ltd",
        "Zoho's default organization"
    );
    assert_eq!(c.region, "us");
    assert_eq!(c.api_domain, h.sim.api_url("us").unwrap());
    assert_eq!(c.state, ConnectionState::Ok);
    // The refresh token is in the keyring, and only there.
    let token = secret_tool(&h.service, &format!("refresh-token:{}", c.id));
    assert!(
        token.len() > 10,
        "refresh token stored in the Secret Service"
    );
    let db = std::fs::read(h.dir.path().join("zbsetup.sqlite3")).unwrap();
    assert!(!db.windows(token.len()).any(|w| w == token.as_bytes()));
    assert_eq!(h.setup.status().unwrap().connections, 1);

    // After a restart: listed, and it works (the access token is refreshed).
    let again = h.reopen();
    let list = again.connections().unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!(list[0].id, c.id);
    let test = again.test_connection(&c.id, &[]).await.unwrap();
    assert!(test.ok, "{}", test.message);
}

#[tokio::test]
async fn deep_link_flow() {
    let h = Harness::ready(zbs_tests::app_link_sim()).await;
    let start = h
        .setup
        .start_connect(Some("us"), RedirectMethod::DeepLink, None)
        .unwrap();
    assert_eq!(start.redirect_uri, "zbsetup://oauth/callback");
    let location = zbs_sim::accept_consent(&start.authorize_url).await.unwrap();
    assert!(
        location.starts_with("zbsetup://oauth/callback?"),
        "{location}"
    );
    let choices = h.setup.complete_connect_url(&location).await.unwrap();
    assert_eq!(choices.len(), 2);
    assert!(choices.iter().any(|c| c.is_default));
    let second = choices
        .iter()
        .find(|c| !c.is_default)
        .unwrap()
        .organization_id
        .clone();
    let c = h.setup.choose_organization(Some(&second)).unwrap();
    assert_eq!(c.organization_name, "Harbour Lane Services Ltd");
    // The same link again (a replay): nothing to complete, nothing sent.
    let err = h.setup.complete_connect_url(&location).await.unwrap_err();
    assert_eq!(err.code(), zbs_codes::Code::NoSignInPending);
}

#[tokio::test]
async fn organizations_in_eu_and_uk_with_sign_in_started_at_us() {
    for home in ["eu", "uk"] {
        let h = Harness::ready(SimConfig {
            user_region: home.into(),
            ..SimConfig::default()
        })
        .await;
        let c = h.connect("us", None).await;
        assert_eq!(
            c.region, home,
            "the redirect's location decides the data center"
        );
        assert_eq!(c.api_domain, h.sim.api_url(home).unwrap());
        assert_eq!(c.accounts_server, h.sim.accounts_url(home).unwrap());
        let again = h.reopen();
        assert!(
            again.test_connection(&c.id, &[]).await.unwrap().ok,
            "refresh goes to {home}"
        );
    }
}

#[tokio::test]
async fn a_forged_state_is_ignored_and_the_genuine_sign_in_still_completes() {
    let h = Harness::ready(zbs_tests::app_link_sim()).await;
    let (authorize_url, wait) = h.loopback_sign_in();
    let browser = async {
        let location = zbs_sim::accept_consent(&authorize_url).await.unwrap();
        // A forged redirect with another state reaches the listener first.
        let forged = with_param(&location, "state", "forged-state-value");
        let forged_status = follow(&forged).await;
        assert!(
            h.setup.has_pending_sign_in(),
            "the forged redirect did not consume the sign-in"
        );
        let genuine_status = follow(&location).await;
        (forged_status, genuine_status)
    };
    let (choices, (forged, genuine)) = tokio::join!(wait, browser);
    assert!(
        !forged.is_success(),
        "the forged redirect gets an error page"
    );
    assert!(genuine.is_success());
    assert_eq!(choices.unwrap().len(), 2);
    // Through the deep-link path, an unknown state is refused without a network call.
    let err = h
        .setup
        .complete_connect_url("zbsetup://oauth/callback?code=x&state=nope")
        .await
        .unwrap_err();
    assert_eq!(err.code(), zbs_codes::Code::NoSignInPending);
}

#[tokio::test]
async fn an_answer_with_the_right_state_but_no_code_ends_the_sign_in() {
    let h = Harness::ready(zbs_tests::app_link_sim()).await;
    // Deep link: the attempt is used up, the person is told to start again.
    let location = h.deep_link_consent().await;
    for code in [None, Some("")] {
        let url = url::Url::parse(&location).unwrap();
        let state: String = url
            .query_pairs()
            .find(|(k, _)| k == "state")
            .map(|(_, v)| v.into_owned())
            .unwrap();
        let mut broken = url::Url::parse("zbsetup://oauth/callback").unwrap();
        broken.query_pairs_mut().append_pair("state", &state);
        if let Some(c) = code {
            broken.query_pairs_mut().append_pair("code", c);
        }
        let err = h
            .setup
            .complete_connect_url(broken.as_str())
            .await
            .unwrap_err();
        if code.is_none() {
            assert_eq!(err.code(), zbs_codes::Code::CallbackMissingCode);
            assert!(
                err.to_string().contains("Start the connection again"),
                "{err}"
            );
        } else {
            // The attempt was already reset by the first broken answer.
            assert_eq!(err.code(), zbs_codes::Code::NoSignInPending);
        }
        assert!(!h.setup.has_pending_sign_in(), "the attempt is reset");
    }
    // The genuine code that arrives afterwards finds nothing to complete:
    // no token request is made for it.
    let err = h.setup.complete_connect_url(&location).await.unwrap_err();
    assert_eq!(err.code(), zbs_codes::Code::NoSignInPending);
    assert!(h.setup.connections().unwrap().is_empty());

    // Loopback: the browser is told the sign-in is incomplete, the wait ends.
    let (authorize_url, wait) = h.loopback_sign_in();
    let browser = async {
        let location = zbs_sim::accept_consent(&authorize_url).await.unwrap();
        let without_code = with_param(&location, "code", "");
        let page = reqwest::get(&without_code).await.unwrap();
        let status = page.status();
        (status, page.text().await.unwrap())
    };
    let (result, (status, body)) = tokio::join!(wait, browser);
    assert!(status.is_success(), "{status}");
    assert!(body.contains("Sign-in incomplete"), "{body}");
    assert_eq!(
        result.unwrap_err().code(),
        zbs_codes::Code::CallbackMissingCode
    );
    assert!(!h.setup.has_pending_sign_in());
    assert!(h.setup.connections().unwrap().is_empty());
}

/// A listener that counts every connection made to it.
async fn hostile_listener() -> (String, Arc<AtomicUsize>) {
    let socket = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = socket.local_addr().unwrap();
    let hits = Arc::new(AtomicUsize::new(0));
    let counter = hits.clone();
    tokio::spawn(async move {
        while let Ok((_s, _)) = socket.accept().await {
            counter.fetch_add(1, Ordering::SeqCst);
        }
    });
    (format!("http://{addr}"), hits)
}

#[tokio::test]
async fn a_hostile_accounts_server_receives_nothing() {
    let h = Harness::ready(zbs_tests::app_link_sim()).await;
    let (hostile, hits) = hostile_listener().await;
    for forged_server in [
        hostile.as_str(),
        "https://accounts.zoho.com.evil.example",
        "http://accounts.zoho.com",
    ] {
        let location = h.deep_link_consent().await;
        let forged = with_param(&location, "accounts-server", forged_server);
        let err = h.setup.complete_connect_url(&forged).await.unwrap_err();
        assert_eq!(
            err.code(),
            zbs_codes::Code::UntrustedServer,
            "{forged_server}: {err}"
        );
        assert!(!err.to_string().contains(&h.client.client_secret));
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(
        hits.load(Ordering::SeqCst),
        0,
        "no code and no secret went to the hostile server"
    );
    assert!(h.setup.connections().unwrap().is_empty());
}

#[tokio::test]
async fn access_denied_is_said_plainly() {
    let h = Harness::ready(zbs_tests::app_link_sim()).await;
    let start = h
        .setup
        .start_connect(Some("us"), RedirectMethod::DeepLink, None)
        .unwrap();
    let location = zbs_sim::deny_consent(&start.authorize_url).await.unwrap();
    let err = h.setup.complete_connect_url(&location).await.unwrap_err();
    assert_eq!(err.code(), zbs_codes::Code::AccessDenied);
    assert!(err.to_string().contains("choose Accept"), "{err}");
    assert!(!h.setup.has_pending_sign_in());
}

#[tokio::test]
async fn a_wrong_secret_gives_the_data_center_hint() {
    let h = Harness::ready(zbs_tests::app_link_sim()).await;
    let wrong = "0f1e2d3c4b5a69788796a5b4c3d2e1f00123456789";
    h.setup
        .save_credentials(CredentialsInput {
            client_id: h.client.client_id.clone(),
            client_secret: Some(SecretString::from(wrong.to_owned())),
        })
        .unwrap();
    let location = h.deep_link_consent().await;
    let err = h.setup.complete_connect_url(&location).await.unwrap_err();
    assert_eq!(err.code(), zbs_codes::Code::InvalidClient);
    let message = err.to_string();
    assert!(
        message.contains("United States") && message.contains("Settings tab"),
        "{message}"
    );
    assert!(!message.contains(wrong));
}

#[tokio::test]
async fn a_code_used_too_late_is_invalid_code() {
    let h = Harness::ready(zbs_tests::app_link_sim()).await;
    let location = h.deep_link_consent().await;
    h.sim.advance_time(Duration::from_secs(300));
    let err = h.setup.complete_connect_url(&location).await.unwrap_err();
    assert_eq!(err.code(), zbs_codes::Code::InvalidCode);
    assert!(err.to_string().contains("took too long or was used twice"));
}

#[tokio::test]
async fn expired_access_tokens_are_refreshed_and_revoked_ones_ask_to_reconnect() {
    let h = Harness::ready(SimConfig::default()).await;
    let c = h.connect("us", None).await;
    assert!(h.setup.test_connection(&c.id, &[]).await.unwrap().ok);
    // Expired at Zoho while the app still holds it: a 401, one refresh, success.
    h.sim.faults().expire_access_tokens();
    assert!(h.setup.test_connection(&c.id, &[]).await.unwrap().ok);
    // Revoked at Zoho: "needs reconnecting", no retry loop.
    h.sim.faults().revoke_refresh_tokens();
    h.sim.faults().expire_access_tokens();
    let err = h.setup.test_connection(&c.id, &[]).await.unwrap_err();
    assert_eq!(err.code(), zbs_codes::Code::ReconnectNeeded);
    assert_eq!(
        h.setup.connection(&c.id).unwrap().state,
        ConnectionState::NeedsReconnect
    );
    // Reconnect renews the same connection.
    let listener = LoopbackListener::bind(0).unwrap();
    h.setup.set_loopback_port(listener.port()).unwrap();
    let start = h
        .setup
        .start_connect(None, RedirectMethod::Loopback, Some(&c.id))
        .unwrap();
    h.sim
        .add_redirect_uri(&h.client.client_id, &start.redirect_uri);
    let wait = h.setup.wait_loopback(listener, Duration::from_secs(20));
    let browser =
        async { follow(&zbs_sim::accept_consent(&start.authorize_url).await.unwrap()).await };
    let (choices, _) = tokio::join!(wait, browser);
    choices.unwrap();
    let renewed = h.setup.choose_organization(None).unwrap();
    assert_eq!(renewed.id, c.id);
    assert_eq!(renewed.state, ConnectionState::Ok);
    assert!(h.setup.test_connection(&c.id, &[]).await.unwrap().ok);
}

#[tokio::test]
async fn a_deleted_keyring_entry_asks_to_reconnect() {
    let h = Harness::ready(SimConfig::default()).await;
    let c = h.connect("us", None).await;
    let again = h.reopen();
    again
        .secrets()
        .delete(&zbs_setup::secrets::entry::refresh_token(&c.id))
        .unwrap();
    // The kept access token still works for its hour; once Zoho no longer
    // takes it, only the (deleted) refresh token could help.
    h.sim.faults().expire_access_tokens();
    let err = again.test_connection(&c.id, &[]).await.unwrap_err();
    assert_eq!(err.code(), zbs_codes::Code::ReconnectNeeded);
}

/// Replaces an entry's value with `value`, as another program could, keeping
/// the attributes the app's keyring library gave it (so the item is replaced,
/// not joined by a second one).
fn overwrite_secret(service: &str, user: &str, value: &[u8]) {
    use std::io::Write;
    let listing = std::process::Command::new("secret-tool")
        .args(["search", "--all", "service", service, "username", user])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&listing.stdout).into_owned()
        + &String::from_utf8_lossy(&listing.stderr);
    let attrs: Vec<(String, String)> = text
        .lines()
        .filter_map(|l| l.strip_prefix("attribute."))
        .filter_map(|l| l.split_once(" = "))
        .map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()))
        .collect();
    assert!(!attrs.is_empty(), "the entry {user} exists: {text}");
    let mut cmd = std::process::Command::new("secret-tool");
    cmd.args(["store", "--label=changed by another program"]);
    for (k, v) in &attrs {
        cmd.args([k, v]);
    }
    let mut child = cmd.stdin(std::process::Stdio::piped()).spawn().unwrap();
    child.stdin.take().unwrap().write_all(value).unwrap();
    assert!(child.wait().unwrap().success());
}

#[tokio::test]
async fn a_refresh_token_damaged_outside_the_app_asks_to_reconnect() {
    let h = Harness::ready(SimConfig::default()).await;
    for (value, what) in [
        (&b"\xff\xfe\x00not text\x80"[..], "bytes that are not text"),
        (
            &b"1000.this-is-not-a-token-zoho-knows"[..],
            "text Zoho does not know",
        ),
    ] {
        let c = h.connect("us", None).await;
        let user = format!("refresh-token:{}", c.id);
        overwrite_secret(&h.service, &user, value);
        // After a restart, once the kept access token is no longer taken,
        // the connection asks to reconnect.
        h.sim.faults().expire_access_tokens();
        let again = h.reopen();
        let err = again.test_connection(&c.id, &[]).await.unwrap_err();
        assert_eq!(
            err.code(),
            zbs_codes::Code::ReconnectNeeded,
            "{what}: {err}"
        );
        assert!(err.to_string().contains("Reconnect"), "{what}: {err}");
        assert_eq!(
            again.connection(&c.id).unwrap().state,
            ConnectionState::NeedsReconnect,
            "{what}"
        );
        // It can still be removed, entry and all.
        again.disconnect(&c.id, true).await.unwrap();
        assert!(secret_tool(&h.service, &user).is_empty(), "{what}");
        assert!(again.connections().unwrap().is_empty(), "{what}");
    }
}

#[tokio::test]
async fn disconnect_revokes_at_zoho_and_forgets_everything() {
    let h = Harness::ready(SimConfig::default()).await;
    let c = h.connect("us", None).await;
    let token = secret_tool(&h.service, &format!("refresh-token:{}", c.id));
    assert!(!token.is_empty());
    h.setup.disconnect(&c.id, false).await.unwrap();
    assert!(h.setup.connections().unwrap().is_empty());
    assert_eq!(
        secret_tool(&h.service, &format!("refresh-token:{}", c.id)),
        ""
    );
    // Zoho no longer accepts the revoked refresh token.
    let dc = h.setup.data_centers().get("us").unwrap().clone();
    let client = zbs_zoho::oauth::OAuthClient::new(
        h.client.client_id.clone(),
        SecretString::from(h.client.client_secret.clone()),
    )
    .unwrap();
    let err = client
        .refresh(&dc, &SecretString::from(token.trim().to_owned()))
        .await
        .unwrap_err();
    assert_eq!(err.code(), zbs_codes::Code::ReconnectNeeded);
}

#[tokio::test]
async fn connecting_needs_the_switch_on_and_keys() {
    let h = Harness::start(SimConfig::default()).await;
    let err = h
        .setup
        .start_connect(Some("us"), RedirectMethod::Loopback, None)
        .unwrap_err();
    assert_eq!(err.code(), zbs_codes::Code::NoCredentials);
    h.setup
        .save_credentials(CredentialsInput {
            client_id: h.client.client_id.clone(),
            client_secret: Some(SecretString::from(h.client.client_secret.clone())),
        })
        .unwrap();
    let err = h
        .setup
        .start_connect(Some("us"), RedirectMethod::Loopback, None)
        .unwrap_err();
    assert_eq!(err.code(), zbs_codes::Code::NotEnabled);
}

#[tokio::test]
async fn diagnostics_hold_no_secret_and_no_token() {
    let h = Harness::ready(SimConfig::default()).await;
    let c = h.connect("us", None).await;
    let token = secret_tool(&h.service, &format!("refresh-token:{}", c.id));
    // A failure on record, as the window keeps them.
    h.setup
        .record_failure(&zbs_setup::Error::OAuth(
            zbs_zoho::oauth::OAuthError::InvalidClient,
        ))
        .unwrap();
    let report = h.setup.diagnostics("test").unwrap();
    assert!(report.contains("Connections (1)"), "{report}");
    assert!(report.contains("invalid_client"), "{report}");
    assert!(
        !report.contains(&h.client.client_secret),
        "no client secret"
    );
    assert!(!report.contains(token.trim()), "no refresh token");
    assert!(
        !report.contains(&h.client.client_id),
        "the Client ID is shortened"
    );
}

/// The access token kept for other processes is read back as hostile input:
/// one that names an API domain outside the trusted table is not used (a
/// new one is asked for), so no token is ever sent elsewhere.
#[tokio::test]
async fn a_kept_access_token_changed_outside_the_app_is_not_used() {
    let h = Harness::ready(SimConfig::default()).await;
    let c = h.connect("us", None).await;
    let user = format!("access-token:{}", c.id);
    for value in [
        &br#"{"token":"stolen","expires_at":99999999999,"api_domain":"http://127.0.0.2:9"}"#[..],
        &b"not json at all"[..],
        &br#"{"token":"","expires_at":99999999999,"api_domain":"x"}"#[..],
    ] {
        overwrite_secret(&h.service, &user, value);
        let again = h.reopen();
        assert!(
            again.test_connection(&c.id, &[]).await.unwrap().ok,
            "{}",
            String::from_utf8_lossy(value)
        );
    }
}

/// Fact (Zoho's multi-DC pages): every sign-in starts at accounts.zoho.com,
/// China's at accounts.zoho.com.cn; Zoho sends the person on to their home
/// data center and the redirect names it. China's accounts are not known at
/// accounts.zoho.com, nor the others' at .com.cn.
#[tokio::test]
async fn every_sign_in_starts_at_the_us_accounts_server_and_chinas_at_its_own() {
    for (home, asked, start) in [("jp", "jp", "us"), ("eu", "us", "us"), ("cn", "cn", "cn")] {
        let h = Harness::ready(SimConfig {
            user_region: home.into(),
            ..SimConfig::default()
        })
        .await;
        h.setup.set_regions(&[home.to_string()]).unwrap();
        let started = h
            .setup
            .start_connect(Some(asked), RedirectMethod::DeepLink, None)
            .unwrap();
        let accounts = h.sim.accounts_url(start).unwrap();
        assert!(
            started.authorize_url.starts_with(&accounts),
            "{home}: {} does not start at {accounts}",
            started.authorize_url
        );
        h.setup.cancel_connect();
        let c = h.connect(asked, None).await;
        assert_eq!(c.region, home, "the redirect decides the data center");
    }
    // A Chinese account is not found at accounts.zoho.com.
    let h = Harness::ready(SimConfig {
        user_region: "cn".into(),
        ..SimConfig::default()
    })
    .await;
    let mut url = url::Url::parse(&h.sim.accounts_url("us").unwrap()).unwrap();
    url.set_path("/oauth/v2/auth");
    url.query_pairs_mut()
        .append_pair("client_id", &h.client.client_id)
        .append_pair("redirect_uri", &h.client.redirect_uris[0])
        .append_pair("response_type", "code")
        .append_pair("scope", "ZohoBooks.invoices.READ");
    let err = zbs_sim::accept_consent(url.as_str()).await.unwrap_err();
    assert!(err.to_string().contains("cannot be found"), "{err}");
}

/// Fact (rclone issue 6163; every desktop tool for Zoho): Zoho accepts
/// `http://localhost:PORT/...` for desktop sign-ins, so a new setup offers
/// it; a setup whose keys an earlier version saved registered the
/// `127.0.0.1` form and keeps it.
#[tokio::test]
async fn a_new_setup_registers_localhost_and_an_earlier_one_keeps_its_address() {
    let h = Harness::start(SimConfig::default()).await;
    let localhost = "http://localhost:47823/oauth/callback";
    // The app's own address comes first (the platform's callback follows).
    assert_eq!(h.setup.status().unwrap().redirect_uris[0], localhost);
    h.save_keys_and_switch_on();
    assert_eq!(h.setup.status().unwrap().redirect_uris[0], localhost);
    // The settings as an earlier version left them: keys, no choice stored.
    let db = rusqlite::Connection::open(h.dir.path().join("zbsetup.sqlite3")).unwrap();
    db.execute("DELETE FROM settings WHERE key = 'redirect_method'", [])
        .unwrap();
    drop(db);
    assert_eq!(
        h.reopen().status().unwrap().redirect_uris[0],
        "http://127.0.0.1:47823/oauth/callback"
    );
}

/// Fact (Zoho's token limits): at most 20 refresh tokens per user and
/// client, the 21st deleting the oldest, and every completed sign-in makes
/// one. A sign-in given up, and the token a reconnect replaces, are revoked
/// so they never push a kept connection out.
#[tokio::test]
async fn refresh_tokens_no_connection_keeps_are_revoked() {
    let h = Harness::ready(zbs_tests::app_link_sim()).await;
    let live = || h.sim.live_refresh_tokens(&h.client.client_id);
    let c = h.connect("us", None).await;
    assert_eq!(live(), 1);
    // Twenty-five sign-ins given up after the organizations were listed.
    for _ in 0..25 {
        h.pace_consent();
        let (authorize_url, wait) = h.loopback_sign_in_at("us");
        let browser =
            async { follow(&zbs_sim::accept_consent(&authorize_url).await.unwrap()).await };
        let (choices, _) = tokio::join!(wait, browser);
        choices.unwrap();
        h.setup.cancel_connect();
        assert_eq!(h.setup.revoke_discarded().await, 1);
    }
    assert_eq!(live(), 1, "only the kept connection's token is live");
    assert!(h.setup.test_connection(&c.id, &[]).await.unwrap().ok);
    // A reconnect keeps one token, not two.
    let (authorize_url, _) = {
        let start = h
            .setup
            .start_connect(None, RedirectMethod::DeepLink, Some(&c.id))
            .unwrap();
        (start.authorize_url, ())
    };
    let location = zbs_sim::accept_consent(&authorize_url).await.unwrap();
    h.setup.complete_connect_url(&location).await.unwrap();
    h.setup.choose_organization(None).unwrap();
    assert_eq!(h.setup.revoke_discarded().await, 1);
    assert_eq!(live(), 1);
    assert!(h.reopen().test_connection(&c.id, &[]).await.unwrap().ok);
}

/// Facts: Zoho keeps at most 20 refresh tokens per Zoho user and client, the
/// 21st deleting the oldest whatever organization it was for ([Kaizen43]),
/// and Books' `GET /users/me` names who signed in ([Books]). Connections are
/// counted per Zoho user: from the 19th, starting a sign-in warns, naming
/// the user and the connection Zoho would drop; when the 21st is made, the
/// one Zoho dropped is marked for a reconnect at once, and the others work.
#[tokio::test]
async fn sign_ins_are_counted_per_zoho_user_and_the_20th_is_warned_naming_the_oldest() {
    let h = Harness::ready(SimConfig::default()).await;
    let email = h.sim.config().user_email.clone();
    let first = h.connect("us", None).await;
    assert_eq!(first.zoho_user_email.as_deref(), Some(email.as_str()));
    assert_eq!(first.zoho_user_role.as_deref(), Some("admin"));
    h.setup
        .rename_connection(&first.id, "First test organization")
        .unwrap();
    let warning = || {
        let start = h
            .setup
            .start_connect(None, RedirectMethod::DeepLink, None)
            .unwrap();
        h.setup.cancel_connect();
        start.warning
    };
    for _ in 1..18 {
        h.connect("us", None).await;
    }
    // 18 sign-ins: nothing to warn about this user's connections (only the
    // sign-ins started in the last 10 minutes, Zoho's other limit).
    assert!(
        warning().is_none_or(|w| !w.contains("connections here")),
        "18 sign-ins: nothing to warn about"
    );
    h.connect("us", None).await;
    let w = warning().expect("the 19th warns before the 20th");
    assert!(w.contains(&email) && w.contains("19 connections"), "{w}");
    assert!(
        w.contains("\"First test organization\""),
        "names the oldest: {w}"
    );
    assert!(w.contains("one more sign-in"), "{w}");
    h.connect("us", None).await;
    let w = warning().expect("20: the next one drops the oldest");
    assert!(
        w.contains("the next sign-in") && w.contains("First test organization"),
        "{w}"
    );
    assert_eq!(h.sim.live_refresh_tokens(&h.client.client_id), 20);
    // The 21st: Zoho drops the oldest, and the app says so at once.
    h.connect("us", None).await;
    assert_eq!(h.sim.live_refresh_tokens(&h.client.client_id), 20);
    let all = h.setup.connections().unwrap();
    assert_eq!(all.len(), 21);
    let dropped: Vec<_> = all
        .iter()
        .filter(|c| c.state == ConnectionState::NeedsReconnect)
        .map(|c| c.id.clone())
        .collect();
    assert_eq!(dropped, vec![first.id.clone()]);
    let refused = h.setup.test_connection(&first.id, &[]).await;
    assert!(
        matches!(refused, Err(zbs_setup::Error::ReconnectNeeded { ref name }) if name == "First test organization"),
        "{refused:?}"
    );
    assert!(h.setup.test_connection(&all[1].id, &[]).await.unwrap().ok);
    // The dropped one no longer counts: 20 live sign-ins.
    let groups = h.setup.sign_ins_per_user().unwrap();
    assert_eq!(groups.len(), 1);
    assert_eq!(groups[0].connections.len(), 20);
}

/// Zoho gives at most 10 authorization codes per Client ID in 10 minutes,
/// and the Client ID is the platform's too: the app counts the sign-ins it
/// started (in the shared settings file), warns from the one before the
/// limit, and when Zoho then answers `access_denied` it says Zoho may be
/// limiting sign-ins instead of "choose Accept".
#[tokio::test]
async fn the_eleventh_sign_in_in_ten_minutes_is_warned_and_its_refusal_explained() {
    // Signed in as fast as a person clicking through: no time passes.
    let h = Harness::ready(SimConfig::default()).await.unpaced();
    h.setup
        .set_platform(zbs_setup::platform::PlatformChoice::Codat)
        .unwrap();
    let warning = || {
        let start = h
            .setup
            .start_connect(None, RedirectMethod::DeepLink, None)
            .unwrap();
        h.setup.cancel_connect();
        start.warning
    };
    for _ in 0..7 {
        h.connect("us", None).await;
    }
    assert_eq!(warning(), None, "8 sign-ins started: no warning");
    let w = warning().expect("the 9th warns before the limit");
    assert!(w.contains("sign-in 9 of the 10"), "{w}");
    assert!(
        w.contains("customers connecting through Codat share this limit"),
        "{w}"
    );
    assert!(w.contains("wait 10 minutes"), "{w}");
    // Three more sign-ins: Zoho has given its 10 codes.
    for _ in 0..3 {
        h.connect("us", None).await;
    }
    let (authorize_url, wait) = h.loopback_sign_in();
    let browser = async {
        let location = zbs_sim::accept_consent(&authorize_url)
            .await
            .expect("consent page");
        assert!(location.contains("error=access_denied"), "{location}");
        follow(&location).await
    };
    let (refused, _) = tokio::join!(wait, browser);
    let e = refused.expect_err("Zoho gave no code");
    assert_eq!(e.code(), zbs_codes::Code::SignInsLimited, "{e}");
    let text = e.to_string();
    assert!(text.contains("Zoho may be limiting new sign-ins"), "{text}");
    assert!(text.contains("Codat"), "{text}");
    assert!(!text.contains("choose Accept"), "{text}");
    // A refusal with few sign-ins started is still the person's Deny.
    let quiet = Harness::ready(SimConfig::default()).await;
    let (authorize_url, wait) = quiet.loopback_sign_in();
    let browser = async {
        let location = zbs_sim::deny_consent(&authorize_url).await.unwrap();
        follow(&location).await
    };
    let (denied, _) = tokio::join!(wait, browser);
    let e = denied.unwrap_err();
    assert_eq!(e.code(), zbs_codes::Code::AccessDenied, "{e}");
}

/// A setup saved before `localhost` became the default still has Zoho send
/// sign-ins to `http://127.0.0.1:…`: the status says so once, with the line
/// to add in the console, until the setup switches.
#[tokio::test]
async fn an_upgraded_127_0_0_1_setup_is_told_what_to_add_and_can_switch() {
    let h = Harness::ready(SimConfig::default()).await;
    assert_eq!(h.setup.status().unwrap().redirect_notice, None);
    let s = h
        .setup
        .set_redirect_method(RedirectMethod::Loopback)
        .unwrap();
    let notice = s.redirect_notice.expect("a 127.0.0.1 setup is told");
    assert!(
        notice.contains("http://127.0.0.1:47823/oauth/callback"),
        "{notice}"
    );
    assert!(
        notice.contains("add http://localhost:47823/oauth/callback"),
        "{notice}"
    );
    let s = h
        .setup
        .set_redirect_method(RedirectMethod::Localhost)
        .unwrap();
    assert_eq!(s.redirect_notice, None);
    assert_eq!(s.redirect_uris[0], "http://localhost:47823/oauth/callback");
}
