//! The one-shot loopback listener that receives Zoho's redirect on
//! `http://localhost:<port>/oauth/callback` (or the `127.0.0.1` form).
//!
//! Bound to 127.0.0.1 and, where the machine has IPv6, ::1 on the same port
//! (a browser may try either for `localhost`; never all interfaces), it answers
//! the callback path with a small self-contained page and everything else with
//! 404. Each request's query goes through [`crate::callback::parse_callback_query`];
//! a callback whose `state` the caller does not accept gets an error page and
//! the listener keeps waiting. Each connection has [`REQUEST_TIMEOUT`] to send
//! its request and receive the page, and is closed after one request, so idle
//! or half-sent connections never pile up. After the accepted callback or the
//! timeout the listener stops and the port is free again (also when the
//! waiting future is dropped). The code exchange happens elsewhere
//! ([`crate::oauth`]).

use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;
use zbs_codes::Code;

use axum::extract::{RawQuery, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use tokio::net::TcpStream;
use tokio::sync::{mpsc, oneshot};

use crate::callback::{
    localhost_redirect_uri, parse_callback_query, Callback, CallbackOutcome, LOOPBACK_PATH,
};

/// How long one connection may take to send its request and get its page;
/// a browser sends the whole request at once.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);

/// Why the listener could not deliver a callback.
#[derive(Debug, thiserror::Error)]
pub enum LoopbackError {
    #[error("Port {port} on this computer is already in use, so Zoho Books Setup cannot receive the sign-in there (Zoho sends it to the redirect URI registered with that port). If another Zoho Books Setup window or a zbsetup connect is waiting for a sign-in, finish or close it; otherwise close the program using the port. Then connect again.")]
    PortInUse { port: u16 },
    #[error("Zoho Books Setup could not listen on this computer's port {port} to receive the sign-in ({reason}).")]
    Bind { port: u16, reason: String },
    #[error("No sign-in answer came back from Zoho in time. Start the connection again.")]
    Timeout,
    #[error("The sign-in listener stopped unexpectedly. Start the connection again.")]
    Closed,
}

impl LoopbackError {
    /// Stable code for the UI and scripts.
    pub fn code(&self) -> Code {
        match self {
            LoopbackError::PortInUse { .. } => Code::PortInUse,
            LoopbackError::Bind { .. } => Code::ListenerFailed,
            LoopbackError::Timeout => Code::CallbackTimeout,
            LoopbackError::Closed => Code::ListenerClosed,
        }
    }
}

/// A bound, not yet serving, loopback listener.
#[derive(Debug)]
pub struct LoopbackListener {
    listener: std::net::TcpListener,
    /// The same port on ::1, unless the machine has no IPv6 loopback.
    v6: Option<std::net::TcpListener>,
    addr: SocketAddr,
}

fn bind_at(addr: SocketAddr) -> std::io::Result<std::net::TcpListener> {
    let listener = std::net::TcpListener::bind(addr)?;
    listener.set_nonblocking(true)?;
    Ok(listener)
}

type Accept = dyn Fn(&Callback) -> bool + Send + Sync;

struct Shared {
    accept: Box<Accept>,
    tx: mpsc::Sender<Callback>,
    done: AtomicBool,
}

/// Aborts the server task if the waiting future is dropped early.
struct AbortOnDrop(tokio::task::JoinHandle<()>);
impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

impl LoopbackListener {
    /// Binds 127.0.0.1:`port` and [::1]:`port` (0 picks a port free on both).
    pub fn bind(port: u16) -> Result<Self, LoopbackError> {
        let err = |port: u16, e: std::io::Error| {
            if e.kind() == std::io::ErrorKind::AddrInUse {
                LoopbackError::PortInUse { port }
            } else {
                LoopbackError::Bind {
                    port,
                    reason: e.to_string(),
                }
            }
        };
        // A port picked for 127.0.0.1 may be taken on ::1: pick again.
        let attempts = if port == 0 { 8 } else { 1 };
        let mut last = None;
        for _ in 0..attempts {
            let listener = bind_at((Ipv4Addr::LOCALHOST, port).into()).map_err(|e| err(port, e))?;
            let addr = listener.local_addr().map_err(|e| err(port, e))?;
            match bind_at((Ipv6Addr::LOCALHOST, addr.port()).into()) {
                Ok(v6) => {
                    return Ok(LoopbackListener {
                        listener,
                        v6: Some(v6),
                        addr,
                    })
                }
                Err(e) if e.kind() == std::io::ErrorKind::AddrInUse => {
                    last = Some(err(addr.port(), e));
                }
                // No IPv6 loopback here: browsers then use 127.0.0.1.
                Err(e) => {
                    tracing::debug!(error = %e, "no IPv6 loopback; listening on 127.0.0.1 only");
                    return Ok(LoopbackListener {
                        listener,
                        v6: None,
                        addr,
                    });
                }
            }
        }
        Err(last.unwrap_or(LoopbackError::PortInUse { port }))
    }

    /// Whether the listener also answers on ::1.
    pub fn answers_ipv6(&self) -> bool {
        self.v6.is_some()
    }

    /// The bound address (always 127.0.0.1).
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// The bound port.
    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    /// `http://localhost:<port>/oauth/callback`.
    pub fn redirect_uri(&self) -> String {
        localhost_redirect_uri(self.port())
    }

    /// Serves until a callback that `accept` approves arrives (usually: its
    /// state matches the pending sign-in), or until `timeout`. Either way the
    /// listener is closed when this returns. Refused outcomes (`Denied`) that
    /// pass `accept` are returned too; the caller decides what they mean.
    pub async fn wait<F>(self, accept: F, timeout: Duration) -> Result<Callback, LoopbackError>
    where
        F: Fn(&Callback) -> bool + Send + Sync + 'static,
    {
        let port = self.port();
        let tokio_listener = |l: std::net::TcpListener| {
            tokio::net::TcpListener::from_std(l).map_err(|e| LoopbackError::Bind {
                port,
                reason: e.to_string(),
            })
        };
        let listener = tokio_listener(self.listener)?;
        let v6 = self.v6.map(tokio_listener).transpose()?;
        let (tx, mut rx) = mpsc::channel(1);
        let shared = Arc::new(Shared {
            accept: Box::new(accept),
            tx,
            done: AtomicBool::new(false),
        });
        let app = Router::new()
            .route(LOOPBACK_PATH, get(on_callback))
            .fallback(not_found)
            .with_state(shared);
        let (stop_tx, stop_rx) = oneshot::channel::<()>();
        let mut server = AbortOnDrop(tokio::spawn(serve(listener, v6, app, stop_rx)));
        tracing::debug!(port, "waiting for the sign-in redirect");
        let outcome = tokio::time::timeout(timeout, rx.recv()).await;
        let _ = stop_tx.send(());
        // Let the last page reach the browser, but never hang on a slow client.
        if tokio::time::timeout(Duration::from_secs(2), &mut server.0)
            .await
            .is_err()
        {
            server.0.abort();
            let _ = (&mut server.0).await;
        }
        match outcome {
            Ok(Some(cb)) => Ok(cb),
            Ok(None) => Err(LoopbackError::Closed),
            Err(_) => {
                tracing::info!(port, "no sign-in redirect before the timeout");
                Err(LoopbackError::Timeout)
            }
        }
    }
}

/// Accepts connections until told to stop, then lets the ones still open
/// finish (each within its own deadline).
async fn serve(
    listener: tokio::net::TcpListener,
    v6: Option<tokio::net::TcpListener>,
    app: Router,
    mut stop: oneshot::Receiver<()>,
) {
    let mut connections = tokio::task::JoinSet::new();
    let accept_v6 = || async {
        match &v6 {
            Some(l) => l.accept().await,
            None => std::future::pending().await,
        }
    };
    loop {
        tokio::select! {
            _ = &mut stop => break,
            accepted = listener.accept() => take(accepted, &mut connections, &app).await,
            accepted = accept_v6() => take(accepted, &mut connections, &app).await,
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
        }
    }
    drop(listener);
    drop(v6);
    while connections.join_next().await.is_some() {}
}

/// Serves an accepted connection, or waits a little after a failed accept.
async fn take(
    accepted: std::io::Result<(TcpStream, SocketAddr)>,
    connections: &mut tokio::task::JoinSet<()>,
    app: &Router,
) {
    match accepted {
        Ok((stream, _)) => {
            connections.spawn(serve_connection(stream, app.clone()));
        }
        Err(e) => {
            // Out of file descriptors, say: try again shortly.
            tracing::warn!(error = %e, "loopback listener could not accept");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

/// One request on one connection, closed after [`REQUEST_TIMEOUT`] at most.
async fn serve_connection(stream: TcpStream, app: Router) {
    let connection = hyper::server::conn::http1::Builder::new()
        .keep_alive(false)
        .serve_connection(
            hyper_util::rt::TokioIo::new(stream),
            hyper_util::service::TowerToHyperService::new(app),
        );
    match tokio::time::timeout(REQUEST_TIMEOUT, connection).await {
        Ok(Ok(())) => {}
        Ok(Err(e)) => tracing::debug!(error = %e, "loopback connection failed"),
        Err(_) => tracing::debug!("loopback connection closed: no complete request in time"),
    }
}

async fn on_callback(State(shared): State<Arc<Shared>>, RawQuery(query): RawQuery) -> Response {
    let callback = match parse_callback_query(query.as_deref().unwrap_or("")) {
        Ok(cb) => cb,
        Err(e) => {
            tracing::info!(code = %e.code(), "loopback callback refused");
            return page(
                StatusCode::BAD_REQUEST,
                "Sign-in not accepted",
                &e.to_string(),
            );
        }
    };
    if shared.done.load(Ordering::SeqCst) {
        return page(
            StatusCode::CONFLICT,
            "Sign-in already received",
            "Zoho Books Setup already received this sign-in. You can close this tab and return to Zoho Books Setup.",
        );
    }
    if !(shared.accept)(&callback) {
        tracing::info!("loopback callback with an unexpected state");
        return page(
            StatusCode::BAD_REQUEST,
            "Sign-in not recognised",
            "This sign-in answer does not belong to the connection Zoho Books Setup is waiting for. Return to Zoho Books Setup and start the connection again if needed.",
        );
    }
    let (title, message) = match callback.outcome {
        CallbackOutcome::Code { .. } => (
            "Signed in",
            "You can close this tab and return to Zoho Books Setup.",
        ),
        CallbackOutcome::Denied { .. } => (
            "Access not granted",
            "Zoho reports that access was not granted. You can close this tab and return to Zoho Books Setup.",
        ),
        CallbackOutcome::NoCode => (
            "Sign-in incomplete",
            "Zoho's answer contains no authorization code. Return to Zoho Books Setup and start the connection again.",
        ),
    };
    if shared.tx.try_send(callback).is_ok() {
        shared.done.store(true, Ordering::SeqCst);
    }
    page(StatusCode::OK, title, message)
}

async fn not_found() -> Response {
    let mut r = (StatusCode::NOT_FOUND, "Not found").into_response();
    secure_headers(&mut r);
    r
}

/// The page the browser shows (`templates/callback.html`).
#[derive(askama::Template)]
#[template(path = "callback.html")]
struct CallbackPage<'a> {
    title: &'a str,
    message: &'a str,
}

fn page(status: StatusCode, title: &str, message: &str) -> Response {
    use askama::Template as _;
    let html = CallbackPage { title, message }
        .render()
        .unwrap_or_else(|_| "Zoho Books Setup".to_owned());
    let mut r = (status, html).into_response();
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    secure_headers(&mut r);
    r
}

fn secure_headers(r: &mut Response) {
    let h = r.headers_mut();
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    // The URL holds the code: never send it on as a referrer.
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'none'; style-src 'unsafe-inline'"),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(header::CONNECTION, HeaderValue::from_static("close"));
}
