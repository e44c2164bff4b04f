//! Code exchange, refresh and revoke against a small fake accounts server on
//! 127.0.0.1:0 (not the project's simulator: these tests pin Zoho's quirks).

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::{Form, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::Router;
use zbs_zoho::oauth::{authorize, default_scopes, OAuthClient, PendingAuth, RetryPolicy};
use zbs_zoho::{Callback, CallbackOutcome, DataCenters, ExposeSecret, OAuthError, SecretString};

type Params = HashMap<String, String>;
type Reply = Arc<dyn Fn(&Params) -> (u16, &'static str, String) + Send + Sync>;

#[derive(Clone)]
struct Fake {
    hits: Arc<AtomicUsize>,
    seen: Arc<Mutex<Vec<Params>>>,
    reply: Reply,
}

async fn token(State(f): State<Fake>, Form(p): Form<Params>) -> Response {
    respond(&f, p)
}

async fn revoke(State(f): State<Fake>, Query(p): Query<Params>) -> Response {
    respond(&f, p)
}

fn respond(f: &Fake, p: Params) -> Response {
    f.hits.fetch_add(1, Ordering::SeqCst);
    let (status, ctype, body) = (f.reply)(&p);
    f.seen.lock().expect("lock").push(p);
    (
        StatusCode::from_u16(status).expect("status"),
        [(header::CONTENT_TYPE, ctype)],
        body,
    )
        .into_response()
}

struct Server {
    origin: String,
    hits: Arc<AtomicUsize>,
    seen: Arc<Mutex<Vec<Params>>>,
}

impl Server {
    fn hits(&self) -> usize {
        self.hits.load(Ordering::SeqCst)
    }
}

async fn start(
    reply: impl Fn(&Params) -> (u16, &'static str, String) + Send + Sync + 'static,
) -> Server {
    let fake = Fake {
        hits: Arc::default(),
        seen: Arc::default(),
        reply: Arc::new(reply),
    };
    let app = Router::new()
        .route("/oauth/v2/token", post(token))
        .route("/oauth/v2/token/revoke", post(revoke))
        .with_state(fake.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let origin = format!("http://{}", listener.local_addr().expect("addr"));
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    Server {
        origin,
        hits: fake.hits,
        seen: fake.seen,
    }
}

const JSON: &str = "application/json;charset=UTF-8";
const API: &str = "http://127.0.0.1:9";

fn ok_json(p: &Params) -> (u16, &'static str, String) {
    let refresh = if p.get("grant_type").map(String::as_str) == Some("authorization_code") {
        r#""refresh_token":"REFRESH-SECRET","#
    } else {
        ""
    };
    (
        200,
        JSON,
        format!(
            r#"{{"access_token":"ACCESS-SECRET",{refresh}"scope":"ZohoBooks.settings.READ ZohoBooks.invoices.READ","api_domain":"{API}","token_type":"Bearer","expires_in":3600}}"#
        ),
    )
}

fn table(accounts: &str) -> DataCenters {
    DataCenters::from_json(&format!(
        r#"{{"us": {{"accounts": "{accounts}", "api": "{API}"}}, "eu": {{"accounts": "http://127.0.0.1:8", "api": "http://127.0.0.1:7"}}}}"#
    ))
    .expect("table")
}

fn pending(dcs: &DataCenters) -> PendingAuth {
    authorize(
        dcs.get("us").expect("us"),
        "1000.CLIENT",
        "http://127.0.0.1:47823/oauth/callback",
        &default_scopes(),
    )
    .expect("authorize")
    .pending
}

fn client() -> OAuthClient {
    OAuthClient::new("1000.CLIENT", SecretString::from("CLIENT-SECRET"))
        .expect("client")
        .with_retry_policy(RetryPolicy {
            max_attempts: 3,
            base_delay: Duration::from_millis(1),
            max_delay: Duration::from_millis(5),
        })
}

fn code() -> SecretString {
    SecretString::from("1000.CODE-SECRET")
}

async fn exchange_with(
    reply: impl Fn(&Params) -> (u16, &'static str, String) + Send + Sync + 'static,
) -> (Result<zbs_zoho::TokenSet, OAuthError>, Server) {
    let server = start(reply).await;
    let dcs = table(&server.origin);
    let p = pending(&dcs);
    let r = client().exchange_code(&dcs, &p, &code(), None).await;
    (r, server)
}

fn no_secret_in(e: &OAuthError) {
    let text = format!("{e} {e:?}");
    for s in [
        "CLIENT-SECRET",
        "CODE-SECRET",
        "ACCESS-SECRET",
        "REFRESH-SECRET",
    ] {
        assert!(!text.contains(s), "{text}");
    }
    assert!(!e.to_string().is_empty());
}

#[tokio::test]
async fn exchange_success() {
    let server = start(ok_json).await;
    let dcs = table(&server.origin);
    let p = pending(&dcs);
    let tokens = client()
        .exchange_code(&dcs, &p, &code(), Some(&format!("{}/", server.origin)))
        .await
        .expect("tokens");
    assert_eq!(tokens.access_token.expose_secret(), "ACCESS-SECRET");
    assert_eq!(
        tokens
            .refresh_token
            .as_ref()
            .map(|t| t.expose_secret().to_owned())
            .as_deref(),
        Some("REFRESH-SECRET")
    );
    assert_eq!(tokens.expires_in, Duration::from_secs(3600));
    assert_eq!(tokens.api_domain.as_str(), format!("{API}/"));
    assert_eq!(tokens.region, "us");
    assert!(tokens
        .scope
        .as_deref()
        .is_some_and(|s| s.contains("ZohoBooks.invoices.READ")));
    let debug = format!("{tokens:?} {p:?} {:?}", client());
    for s in [
        "ACCESS-SECRET",
        "REFRESH-SECRET",
        "CLIENT-SECRET",
        p.verifier().expose_secret(),
    ] {
        assert!(!debug.contains(s), "{debug}");
    }
    assert_eq!(server.hits(), 1);
    let seen = server.seen.lock().expect("lock")[0].clone();
    assert_eq!(seen["grant_type"], "authorization_code");
    assert_eq!(seen["code"], "1000.CODE-SECRET");
    assert_eq!(seen["client_id"], "1000.CLIENT");
    assert_eq!(seen["client_secret"], "CLIENT-SECRET");
    assert_eq!(
        seen["redirect_uri"],
        "http://127.0.0.1:47823/oauth/callback"
    );
    assert_eq!(&seen["code_verifier"], p.verifier().expose_secret());
}

#[tokio::test]
async fn exchange_callback_checks_state_and_denial() {
    let server = start(ok_json).await;
    let dcs = table(&server.origin);
    let p = pending(&dcs);
    let c = client();
    let wrong = Callback {
        state: "not-the-state".into(),
        outcome: CallbackOutcome::Code {
            code: code(),
            location: None,
            accounts_server: None,
        },
    };
    assert_eq!(
        c.exchange_callback(&dcs, &p, &wrong).await.err(),
        Some(OAuthError::StateMismatch)
    );
    let denied = Callback {
        state: p.state.clone(),
        outcome: CallbackOutcome::Denied {
            error: "access_denied".into(),
            description: Some("<b>no</b>".into()),
        },
    };
    assert_eq!(
        c.exchange_callback(&dcs, &p, &denied)
            .await
            .err()
            .map(|e| e.code()),
        Some(zbs_codes::Code::AccessDenied)
    );
    assert_eq!(server.hits(), 0);
    let good = Callback {
        state: p.state.clone(),
        outcome: CallbackOutcome::Code {
            code: code(),
            location: Some("us".into()),
            accounts_server: Some(server.origin.clone()),
        },
    };
    assert!(c.exchange_callback(&dcs, &p, &good).await.is_ok());
    assert_eq!(server.hits(), 1);
}

#[tokio::test]
async fn exchange_zoho_errors_in_http_200() {
    let cases: Vec<(&'static str, &'static str, zbs_codes::Code)> = vec![
        (
            r#"{"error":"invalid_code"}"#,
            JSON,
            zbs_codes::Code::InvalidCode,
        ),
        (
            r#"{"error":"invalid_client"}"#,
            JSON,
            zbs_codes::Code::InvalidClient,
        ),
        (
            r#"{"error":"invalid_redirect_uri"}"#,
            JSON,
            zbs_codes::Code::ZohoError,
        ),
        (
            r#"{"error_description":"You have made too many requests continuously. Please try again after some time.","error":"Access Denied","status":"failure"}"#,
            JSON,
            zbs_codes::Code::TooManyRequests,
        ),
        (
            "<html><body>Access Denied</body></html>",
            "text/html",
            zbs_codes::Code::TooManyRequests,
        ),
        (
            "<html><body>Oops</body></html>",
            "text/html",
            zbs_codes::Code::MalformedResponse,
        ),
        (
            r#"{"access_token":"ACCESS-SECRET","refresh_tok"#,
            JSON,
            zbs_codes::Code::MalformedResponse,
        ),
        (
            r#"{"refresh_token":"REFRESH-SECRET","expires_in":3600,"api_domain":"http://127.0.0.1:9"}"#,
            JSON,
            zbs_codes::Code::MalformedResponse,
        ),
        (
            r#"{"access_token":"ACCESS-SECRET","api_domain":"http://127.0.0.1:9","token_type":"Bearer"}"#,
            JSON,
            zbs_codes::Code::MalformedResponse,
        ),
        (
            r#"{"access_token":"","expires_in":3600,"token_type":"Bearer"}"#,
            JSON,
            zbs_codes::Code::MalformedResponse,
        ),
        ("", JSON, zbs_codes::Code::MalformedResponse),
        (r#"[1,2]"#, JSON, zbs_codes::Code::MalformedResponse),
    ];
    for (body, ctype, expect) in cases {
        let (r, server) = exchange_with(move |_| (200, ctype, body.to_owned())).await;
        let e = r.expect_err(body);
        assert_eq!(e.code(), expect, "{body}");
        no_secret_in(&e);
        assert_eq!(server.hits(), 1);
    }
    let (r, _) = exchange_with(|_| (200, JSON, r#"{"error":"invalid_client"}"#.into())).await;
    assert_eq!(
        r.err().map(|e| e.to_string()).as_deref(),
        Some("Zoho did not accept the Client ID and Secret. Check both, and that this data center is enabled in the API console's Settings tab.")
    );
    let (r, _) = exchange_with(|_| (200, JSON, r#"{"error":"invalid_code"}"#.into())).await;
    assert_eq!(
        r.err().map(|e| e.to_string()).as_deref(),
        Some("The sign-in took too long or was used twice; try again.")
    );
}

#[tokio::test]
async fn exchange_without_token_type_is_accepted() {
    let (r, _) = exchange_with(|_| {
        (
            200,
            JSON,
            r#"{"access_token":"A","refresh_token":"R","api_domain":"http://127.0.0.1:9","expires_in":3600}"#.into(),
        )
    })
    .await;
    assert!(r.is_ok(), "{r:?}");
}

#[tokio::test]
async fn untrusted_accounts_server_receives_nothing() {
    let good = start(ok_json).await;
    let evil = start(ok_json).await;
    let dcs = table(&good.origin);
    let p = pending(&dcs);
    let c = client();
    let evil_port = evil.origin.rsplit(':').next().expect("port").to_owned();
    for server in [
        evil.origin.clone(),
        format!("http://localhost:{evil_port}"),
        format!("https://{}", good.origin.trim_start_matches("http://")),
        format!("{}/oauth", good.origin),
        format!("http://user@{}", good.origin.trim_start_matches("http://")),
        "https://accounts.zoho.com".to_owned(),
        "javascript:alert(1)".to_owned(),
    ] {
        let e = c
            .exchange_code(&dcs, &p, &code(), Some(&server))
            .await
            .expect_err(&server);
        assert_eq!(e.code(), zbs_codes::Code::UntrustedServer, "{server}");
        no_secret_in(&e);
    }
    assert_eq!(evil.hits(), 0, "the untrusted server must receive nothing");
    assert_eq!(good.hits(), 0);
}

#[tokio::test]
async fn untrusted_api_domain_is_refused() {
    for domain in [
        "https://evil.example",
        "http://127.0.0.1:7/x",
        "https://www.zohoapis.com",
    ] {
        let body = format!(
            r#"{{"access_token":"ACCESS-SECRET","refresh_token":"R","api_domain":"{domain}","token_type":"Bearer","expires_in":3600}}"#
        );
        let (r, _) = exchange_with(move |_| (200, JSON, body.clone())).await;
        assert_eq!(
            r.err().map(|e| e.code()),
            Some(zbs_codes::Code::UntrustedServer),
            "{domain}"
        );
    }
    // Another data center of the table in force is fine.
    let (r, _) = exchange_with(|_| {
        (
            200,
            JSON,
            r#"{"access_token":"A","refresh_token":"R","api_domain":"http://127.0.0.1:7","token_type":"Bearer","expires_in":3600}"#.into(),
        )
    })
    .await;
    assert_eq!(
        r.map(|t| t.api_domain.to_string()).ok().as_deref(),
        Some("http://127.0.0.1:7/")
    );
}

#[tokio::test]
async fn exchange_5xx_is_not_retried() {
    let (r, server) = exchange_with(|_| (503, "text/plain", "busy".into())).await;
    assert_eq!(r.err(), Some(OAuthError::Server { status: 503 }));
    assert_eq!(
        server.hits(),
        1,
        "a code is single-use: exactly one request"
    );
}

#[tokio::test]
async fn expired_pending_is_refused_locally() {
    let server = start(ok_json).await;
    let dcs = table(&server.origin);
    let mut p = pending(&dcs);
    p.expires_in = Duration::ZERO;
    std::thread::sleep(Duration::from_millis(2));
    let r = client().exchange_code(&dcs, &p, &code(), None).await;
    assert_eq!(
        r.err().map(|e| e.code()),
        Some(zbs_codes::Code::SignInExpired)
    );
    assert_eq!(server.hits(), 0);
}

#[tokio::test]
async fn refresh_success_without_refresh_token() {
    let server = start(ok_json).await;
    let dcs = table(&server.origin);
    let dc = dcs.get("us").expect("us");
    let t = client()
        .refresh(dc, &SecretString::from("REFRESH-SECRET"))
        .await
        .expect("refresh");
    assert_eq!(t.access_token.expose_secret(), "ACCESS-SECRET");
    assert!(t.refresh_token.is_none());
    assert_eq!(t.region, "us");
    let seen = server.seen.lock().expect("lock")[0].clone();
    assert_eq!(seen["grant_type"], "refresh_token");
    assert_eq!(seen["refresh_token"], "REFRESH-SECRET");
    assert_eq!(seen["client_secret"], "CLIENT-SECRET");
}

#[tokio::test]
async fn refresh_5xx_is_retried_a_bounded_number_of_times() {
    let server = start(|_| (500, "text/plain", "down".into())).await;
    let dcs = table(&server.origin);
    let r = client()
        .refresh(dcs.get("us").expect("us"), &SecretString::from("R"))
        .await;
    assert_eq!(r.err(), Some(OAuthError::Server { status: 500 }));
    assert_eq!(server.hits(), 3);
}

#[tokio::test]
async fn refresh_recovers_after_a_5xx() {
    let calls = Arc::new(AtomicUsize::new(0));
    let c2 = calls.clone();
    let server = start(move |p| {
        if c2.fetch_add(1, Ordering::SeqCst) == 0 {
            (502, "text/plain", "bad gateway".into())
        } else {
            ok_json(p)
        }
    })
    .await;
    let dcs = table(&server.origin);
    let r = client()
        .refresh(dcs.get("us").expect("us"), &SecretString::from("R"))
        .await;
    assert!(r.is_ok());
    assert_eq!(server.hits(), 2);
}

#[tokio::test]
async fn refresh_invalid_code_means_revoked_and_is_not_retried() {
    let server = start(|_| (200, JSON, r#"{"error":"invalid_code"}"#.into())).await;
    let dcs = table(&server.origin);
    let e = client()
        .refresh(dcs.get("us").expect("us"), &SecretString::from("R"))
        .await
        .expect_err("revoked");
    assert_eq!(e, OAuthError::RefreshRevoked);
    assert_eq!(e.code(), zbs_codes::Code::ReconnectNeeded);
    assert_eq!(server.hits(), 1);
}

#[tokio::test]
async fn refresh_refuses_foreign_api_domain() {
    let server = start(|_| {
        (
            200,
            JSON,
            r#"{"access_token":"A","api_domain":"http://127.0.0.1:7","token_type":"Bearer","expires_in":3600}"#.into(),
        )
    })
    .await;
    let dcs = table(&server.origin);
    let r = client()
        .refresh(dcs.get("us").expect("us"), &SecretString::from("R"))
        .await;
    assert_eq!(
        r.err().map(|e| e.code()),
        Some(zbs_codes::Code::UntrustedServer)
    );
}

#[tokio::test]
async fn revoke_posts_the_token() {
    let server = start(|p| {
        if p.get("token").map(String::as_str) == Some("REFRESH-SECRET") {
            (200, JSON, r#"{"status":"success"}"#.into())
        } else {
            (200, JSON, r#"{"error":"invalid_request"}"#.into())
        }
    })
    .await;
    let dcs = table(&server.origin);
    let dc = dcs.get("us").expect("us");
    let c = client();
    assert_eq!(
        c.revoke(dc, &SecretString::from("REFRESH-SECRET")).await,
        Ok(())
    );
    assert_eq!(
        c.revoke(dc, &SecretString::from("other"))
            .await
            .err()
            .map(|e| e.code()),
        Some(zbs_codes::Code::ZohoError)
    );
    assert_eq!(server.hits(), 2);
    let gone = start(|_| (200, JSON, r#"{"error":"invalid_code"}"#.into())).await;
    let dcs = table(&gone.origin);
    assert_eq!(
        c.revoke(dcs.get("us").expect("us"), &SecretString::from("x"))
            .await,
        Ok(())
    );
}

#[tokio::test]
async fn unreachable_server_is_a_network_error() {
    // Bind then drop to get a closed port.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("port")
        .port();
    let dcs = table(&format!("http://127.0.0.1:{port}"));
    let p = pending(&dcs);
    let e = client()
        .exchange_code(&dcs, &p, &code(), None)
        .await
        .expect_err("closed");
    assert_eq!(e.code(), zbs_codes::Code::Network);
    assert!(e.is_retryable());
}
