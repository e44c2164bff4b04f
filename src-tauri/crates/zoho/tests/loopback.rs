//! The loopback listener: 404 elsewhere, wrong state keeps it waiting, the
//! right one completes it, and it always lets go of its port.

use std::net::{IpAddr, Ipv4Addr};
use std::time::Duration;

use zbs_zoho::callback::CallbackOutcome;
use zbs_zoho::{LoopbackError, LoopbackListener};

fn http() -> reqwest::Client {
    reqwest::Client::builder()
        .no_proxy()
        .timeout(Duration::from_secs(5))
        .build()
        .expect("client")
}

async fn get(url: &str) -> (u16, String, reqwest::header::HeaderMap) {
    let r = http().get(url).send().await.expect("request");
    let status = r.status().as_u16();
    let headers = r.headers().clone();
    (status, r.text().await.expect("body"), headers)
}

#[tokio::test]
async fn wrong_state_keeps_waiting_then_right_state_completes() {
    let listener = LoopbackListener::bind(0).expect("bind");
    let port = listener.port();
    let uri = listener.redirect_uri();
    assert_eq!(uri, format!("http://localhost:{port}/oauth/callback"));
    let waiting =
        tokio::spawn(listener.wait(|cb| cb.state == "good-state", Duration::from_secs(10)));
    let base = format!("http://127.0.0.1:{port}");

    let (status, body, _) = get(&format!("{base}/")).await;
    assert_eq!(status, 404, "{body}");
    let (status, _, _) = get(&format!("{base}/oauth/other?code=c&state=good-state")).await;
    assert_eq!(status, 404);
    let (status, _, _) = get(&format!("{base}/favicon.ico")).await;
    assert_eq!(status, 404);

    let (status, body, _) = get(&format!("{uri}?code=c&state=bad-state")).await;
    assert_eq!(status, 400);
    assert!(body.contains("does not belong"), "{body}");

    let (status, body, _) = get(&format!("{uri}?code=%ZZ&state=good-state")).await;
    assert_eq!(status, 400);
    assert!(body.contains("cannot be read"), "{body}");

    let (status, _, _) = get(&format!("{uri}?code=c&state=good-state&state=x")).await;
    assert_eq!(status, 400);
    assert!(!waiting.is_finished());

    let (status, body, headers) =
        get(&format!("{uri}?code=1000.abc&state=good-state&location=us")).await;
    assert_eq!(status, 200);
    assert!(
        body.contains("You can close this tab and return to Zoho Books Setup"),
        "{body}"
    );
    assert!(!body.contains("1000.abc"));
    assert_eq!(headers["referrer-policy"], "no-referrer");
    assert!(headers["content-type"]
        .to_str()
        .expect("ct")
        .starts_with("text/html"));

    let cb = waiting.await.expect("join").expect("callback");
    assert_eq!(cb.state, "good-state");
    assert!(matches!(cb.outcome, CallbackOutcome::Code { .. }));

    // Closed after success: the port is free again.
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert!(http().get(&uri).send().await.is_err());
    LoopbackListener::bind(port).expect("port free after success");
}

#[tokio::test]
async fn denied_callback_is_delivered_and_shown_as_text() {
    let listener = LoopbackListener::bind(0).expect("bind");
    let uri = listener.redirect_uri();
    let waiting = tokio::spawn(listener.wait(|cb| cb.state == "s", Duration::from_secs(10)));
    let (status, body, _) = get(&format!(
        "{uri}?error=access_denied&state=s&error_description=%3Cscript%3Ealert(1)%3C%2Fscript%3E"
    ))
    .await;
    assert_eq!(status, 200);
    assert!(!body.contains("<script>"));
    assert!(body.contains("return to Zoho Books Setup"));
    let cb = waiting.await.expect("join").expect("callback");
    match cb.outcome {
        CallbackOutcome::Denied { error, description } => {
            assert_eq!(error, "access_denied");
            assert_eq!(description.as_deref(), Some("<script>alert(1)</script>"));
        }
        other => panic!("{other}"),
    }
}

#[tokio::test]
async fn timeout_closes_the_listener() {
    let listener = LoopbackListener::bind(0).expect("bind");
    let port = listener.port();
    let started = std::time::Instant::now();
    let r = listener.wait(|_| true, Duration::from_millis(200)).await;
    assert!(matches!(r, Err(LoopbackError::Timeout)));
    assert_eq!(
        r.err().map(|e| e.code()),
        Some(zbs_codes::Code::CallbackTimeout)
    );
    assert!(started.elapsed() < Duration::from_secs(3));
    assert!(http()
        .get(format!("http://127.0.0.1:{port}/oauth/callback"))
        .send()
        .await
        .is_err());
    LoopbackListener::bind(port).expect("port free after timeout");
}

#[tokio::test]
async fn dropping_the_wait_frees_the_port() {
    let listener = LoopbackListener::bind(0).expect("bind");
    let port = listener.port();
    let task = tokio::spawn(listener.wait(|_| true, Duration::from_secs(60)));
    tokio::time::sleep(Duration::from_millis(50)).await;
    task.abort();
    let _ = task.await;
    tokio::time::sleep(Duration::from_millis(50)).await;
    LoopbackListener::bind(port).expect("port free after drop");
}

/// `localhost` may mean 127.0.0.1 or ::1 to a browser: the listener answers
/// on both (where the machine has IPv6), and a sign-in arriving on either
/// completes.
#[tokio::test]
async fn answers_on_both_loopback_addresses_and_reports_a_taken_port() {
    let listener = LoopbackListener::bind(0).expect("bind");
    let addr = listener.local_addr();
    assert_eq!(addr.ip(), IpAddr::V4(Ipv4Addr::LOCALHOST));
    let port = addr.port();
    let has_v6 = std::net::TcpListener::bind(("::1", 0)).is_ok();
    assert_eq!(listener.answers_ipv6(), has_v6);
    let taken = LoopbackListener::bind(port).expect_err("taken");
    assert_eq!(taken.code(), zbs_codes::Code::PortInUse);
    assert!(taken.to_string().contains(&port.to_string()));
    let waiting = tokio::spawn(listener.wait(|cb| cb.state == "s", Duration::from_secs(10)));
    let host = if has_v6 { "[::1]" } else { "127.0.0.1" };
    let (status, _, _) = get(&format!(
        "http://{host}:{port}/oauth/callback?code=c&state=s"
    ))
    .await;
    assert_eq!(status, 200, "a sign-in on {host}");
    assert!(waiting.await.unwrap().is_ok());
}

/// Reads until the listener closes the connection; the time that took, or
/// `None` if it was still open after `within`.
async fn closed_within(mut stream: tokio::net::TcpStream, within: Duration) -> Option<Duration> {
    use tokio::io::AsyncReadExt;
    let started = std::time::Instant::now();
    let mut buf = [0u8; 1024];
    loop {
        let left = within.checked_sub(started.elapsed())?;
        match tokio::time::timeout(left, stream.read(&mut buf)).await {
            Ok(Ok(0)) | Ok(Err(_)) => return Some(started.elapsed()),
            Ok(Ok(_)) => continue,
            Err(_) => return None,
        }
    }
}

#[tokio::test]
async fn idle_and_half_sent_connections_are_closed_while_a_real_callback_still_completes() {
    use tokio::io::AsyncWriteExt;
    let listener = LoopbackListener::bind(0).expect("bind");
    let addr = listener.local_addr();
    let uri = listener.redirect_uri();
    let waiting =
        tokio::spawn(listener.wait(|cb| cb.state == "good-state", Duration::from_secs(60)));

    // One connection that never sends a byte, one that stops in the middle of its request.
    let idle = tokio::net::TcpStream::connect(addr).await.expect("connect");
    let mut half = tokio::net::TcpStream::connect(addr).await.expect("connect");
    half.write_all(b"GET /oauth/callback?code=1000.abc&sta")
        .await
        .expect("write");
    let bound = zbs_zoho::loopback::REQUEST_TIMEOUT;
    let within = bound + Duration::from_secs(3);
    let (idle, half) = tokio::join!(closed_within(idle, within), closed_within(half, within));
    for (what, took) in [("idle", idle), ("half-sent", half)] {
        let took =
            took.unwrap_or_else(|| panic!("the {what} connection was still open after {within:?}"));
        assert!(
            took >= bound - Duration::from_secs(1),
            "the {what} connection had its {bound:?} ({took:?})"
        );
    }
    assert!(!waiting.is_finished(), "the listener still waits");

    // A real callback still completes.
    let (status, body, _) = get(&format!("{uri}?code=1000.abc&state=good-state")).await;
    assert_eq!(status, 200, "{body}");
    let cb = waiting.await.expect("join").expect("callback");
    assert!(matches!(cb.outcome, CallbackOutcome::Code { .. }));
}
