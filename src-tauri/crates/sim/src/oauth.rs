//! The accounts server of each data center: the consent page
//! (`GET /oauth/v2/auth`, answered by `POST /oauth/v2/auth/decision`), the
//! token endpoint (`POST /oauth/v2/token`, authorization_code and
//! refresh_token grants) and revocation (`POST /oauth/v2/token/revoke`),
//! plus the store of pending consents, codes and tokens they share with the
//! Books API (`api.rs`), which checks access tokens here.
//!
//! Like Zoho: token errors are HTTP 200 with `{"error": "..."}`; codes are
//! single-use and short-lived; a code, refresh token or access token works
//! only in the user's home data center (elsewhere: `invalid_code`, and 401
//! code 57 at the API); `access_type=offline` is needed for a refresh token;
//! 20 live refresh tokens per user and client, the 21st deletes the oldest;
//! 15 live access tokens per refresh token, the 16th deletes the oldest;
//! a refresh token mints a limited number of access tokens per 10 minutes
//! (past it: HTTP 400 with the recorded `{"error_description": ..., "error":
//! "Access Denied", "status": "failure"}`, every other time in its
//! localised form, `"error": "拒绝访问"`, as seen from Zoho); at most 10
//! authorization codes per Client ID in 10 minutes (past it the consent
//! answers `error=access_denied`). Choices where Zoho is
//! undocumented: a wrong PKCE verifier gives `invalid_code` (and burns the
//! code); `scope` in token responses is space-separated; revoking a token
//! the server does not know answers `{"status":"success"}`, except a token of
//! another data center, which answers `{"error":"invalid_token"}`.

use std::collections::{HashMap, VecDeque};
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use base64::Engine;
use rand::Rng;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use crate::faults::lock;
use crate::Shared;

const SCOPE_MODULES: &[&str] = &[
    "contacts",
    "settings",
    "estimates",
    "invoices",
    "customerpayments",
    "creditnotes",
    "projects",
    "expenses",
    "salesorders",
    "purchaseorders",
    "bills",
    "debitnotes",
    "vendorpayments",
    "banking",
    "accountants",
];
const PENDING_TTL: Duration = Duration::from_secs(600);
const MINT_WINDOW: Duration = Duration::from_secs(600);

#[derive(Clone, Debug, PartialEq, Eq)]
enum Method {
    S256,
    Plain,
}

#[derive(Clone, Debug)]
struct Challenge {
    value: String,
    method: Method,
}

impl Challenge {
    fn verify(&self, verifier: &str) -> bool {
        match self.method {
            Method::Plain => verifier == self.value,
            Method::S256 => {
                let digest = Sha256::digest(verifier.as_bytes());
                base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(digest) == self.value
            }
        }
    }
}

struct Pending {
    client_id: String,
    redirect_uri: String,
    scopes: Vec<String>,
    state: Option<String>,
    offline: bool,
    challenge: Option<Challenge>,
    created: Instant,
}

struct Code {
    client_id: String,
    redirect_uri: String,
    scopes: Vec<String>,
    offline: bool,
    challenge: Option<Challenge>,
    region: String,
    expires: Instant,
}

struct Refresh {
    client_id: String,
    scopes: Vec<String>,
    region: String,
    seq: u64,
    minted: VecDeque<Instant>,
}

struct Access {
    scopes: Vec<String>,
    region: String,
    refresh: Option<String>,
    expires: Instant,
    /// Mint order (the oldest goes first when a refresh token has too many).
    seq: u64,
}

/// Pending consents, codes and tokens of the simulated user.
#[derive(Default)]
pub(crate) struct OAuthStore {
    pending: HashMap<String, Pending>,
    codes: HashMap<String, Code>,
    refresh: HashMap<String, Refresh>,
    access: HashMap<String, Access>,
    seq: u64,
    /// "Access Denied" answers so far (every other one is localised).
    denials: u64,
    /// When each authorization code of a Client ID was given, last 10 minutes.
    grants: HashMap<String, VecDeque<Instant>>,
    /// Access tokens minted by a refresh so far.
    pub(crate) refreshed: u64,
}

impl OAuthStore {
    /// Counts a code for `client_id` at `now` unless it already had `limit`
    /// in the last 10 minutes (then `false`: Zoho gives no code).
    fn take_grant(&mut self, client_id: &str, now: Instant, limit: u32) -> bool {
        let given = self.grants.entry(client_id.to_owned()).or_default();
        while given
            .front()
            .is_some_and(|t| now.saturating_duration_since(*t) >= MINT_WINDOW)
        {
            given.pop_front();
        }
        if given.len() >= limit as usize {
            return false;
        }
        given.push_back(now);
        true
    }
}

impl OAuthStore {
    /// Knows `token` as a refresh token of `client_id` at `region` again.
    pub(crate) fn restore_refresh(&mut self, token: &str, client_id: &str, region: &str) {
        if self.refresh.contains_key(token) {
            return;
        }
        self.seq += 1;
        self.refresh.insert(
            token.to_owned(),
            Refresh {
                client_id: client_id.to_owned(),
                scopes: vec!["ZohoBooks.fullaccess.all".to_owned()],
                region: region.to_owned(),
                seq: self.seq,
                minted: VecDeque::new(),
            },
        );
    }

    pub(crate) fn live_refresh_tokens(&self, client_id: &str) -> usize {
        self.refresh
            .values()
            .filter(|r| r.client_id == client_id)
            .count()
    }
}

fn random_hex(n: usize) -> String {
    const HEX: &[u8] = b"0123456789abcdef";
    let mut rng = rand::thread_rng();
    (0..n).map(|_| HEX[rng.gen_range(0..16)] as char).collect()
}

/// Zoho-looking token: `1000.<32 hex>.<32 hex>`.
fn zoho_token() -> String {
    format!("1000.{}.{}", random_hex(32), random_hex(32))
}

impl OAuthStore {
    /// The scopes of a live access token valid in `region`.
    pub(crate) fn check_access(
        &self,
        token: &str,
        region: &str,
        now: Instant,
    ) -> Option<Vec<String>> {
        let a = self.access.get(token)?;
        (a.region == region && now < a.expires).then(|| a.scopes.clone())
    }

    pub(crate) fn expire_access_tokens(&mut self, now: Instant) {
        for a in self.access.values_mut() {
            a.expires = a.expires.min(now);
        }
    }

    pub(crate) fn revoke_all(&mut self) {
        self.refresh.clear();
        self.access.retain(|_, a| a.refresh.is_none());
    }

    fn drop_refresh(&mut self, token: &str) {
        self.refresh.remove(token);
        self.access
            .retain(|_, a| a.refresh.as_deref() != Some(token));
    }

    /// A new access token. A refresh token keeps at most `live_max` live
    /// ones: minting past it deletes the oldest (Zoho: 15).
    fn mint_access(
        &mut self,
        scopes: &[String],
        region: &str,
        refresh: Option<&str>,
        ttl: Duration,
        now: Instant,
        live_max: usize,
    ) -> String {
        if let Some(rt) = refresh {
            let mut live: Vec<(u64, String)> = self
                .access
                .iter()
                .filter(|(_, a)| a.refresh.as_deref() == Some(rt) && now < a.expires)
                .map(|(k, a)| (a.seq, k.clone()))
                .collect();
            live.sort();
            let excess = (live.len() + 1).saturating_sub(live_max.max(1));
            for (_, old) in live.into_iter().take(excess) {
                self.access.remove(&old);
            }
        }
        self.seq += 1;
        let token = zoho_token();
        self.access.insert(
            token.clone(),
            Access {
                scopes: scopes.to_vec(),
                region: region.to_string(),
                refresh: refresh.map(str::to_string),
                expires: now + ttl,
                seq: self.seq,
            },
        );
        token
    }
}

/// True when `scopes` allow reading `module` (`ZohoBooks.<module>.READ|ALL`
/// or `ZohoBooks.fullaccess.all`).
pub(crate) fn scopes_cover(scopes: &[String], module: &str) -> bool {
    scopes.iter().any(|s| {
        let parts: Vec<&str> = s.split('.').collect();
        parts.len() == 3
            && parts[0].eq_ignore_ascii_case("ZohoBooks")
            && ((parts[1].eq_ignore_ascii_case("fullaccess")
                && parts[2].eq_ignore_ascii_case("all"))
                || (parts[1].eq_ignore_ascii_case(module)
                    && (parts[2].eq_ignore_ascii_case("READ")
                        || parts[2].eq_ignore_ascii_case("ALL"))))
    })
}

fn parse_scopes(raw: &str) -> Result<Vec<String>, String> {
    let scopes: Vec<String> = raw
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect();
    if scopes.is_empty() {
        return Err("The scope parameter is missing or empty.".into());
    }
    for s in &scopes {
        let parts: Vec<&str> = s.split('.').collect();
        let ok = parts.len() == 3
            && parts[0].eq_ignore_ascii_case("ZohoBooks")
            && if parts[1].eq_ignore_ascii_case("fullaccess") {
                parts[2].eq_ignore_ascii_case("all")
            } else {
                SCOPE_MODULES
                    .iter()
                    .any(|m| m.eq_ignore_ascii_case(parts[1]))
                    && ["READ", "CREATE", "UPDATE", "DELETE", "ALL"]
                        .iter()
                        .any(|op| op.eq_ignore_ascii_case(parts[2]))
            };
        if !ok {
            return Err(format!("Invalid OAuth scope: {s}"));
        }
    }
    Ok(scopes)
}

/// Query string and form body, merged (the body wins on duplicates).
pub(crate) fn params(query: Option<&str>, body: &[u8]) -> HashMap<String, String> {
    let mut out = HashMap::new();
    if let Some(q) = query {
        for (k, v) in url::form_urlencoded::parse(q.as_bytes()) {
            out.entry(k.into_owned()).or_insert_with(|| v.into_owned());
        }
    }
    for (k, v) in url::form_urlencoded::parse(body) {
        out.insert(k.into_owned(), v.into_owned());
    }
    out
}

/// HTML-escapes text for element content and attribute values (askama's
/// escaper, the one the app's own pages use).
pub(crate) fn escape(s: &str) -> String {
    askama::filters::escape(s, askama::filters::Html)
        .map(|e| e.to_string())
        .unwrap_or_default()
}

fn page(title: &str, body: &str) -> String {
    format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
<title>{title}</title><style>\
body{{font-family:system-ui,sans-serif;background:#f4f6f8;color:#1d2733;margin:0}}\
main{{max-width:32rem;margin:4rem auto;background:#fff;border-radius:8px;padding:2rem;box-shadow:0 1px 4px #0002}}\
h1{{font-size:1.3rem}} code{{background:#eef1f4;padding:0 .25rem;border-radius:3px}}\
.note{{color:#5b6875;font-size:.9rem}} .actions{{display:flex;gap:1rem;margin-top:1.5rem}}\
button{{font-size:1rem;padding:.6rem 1.4rem;border-radius:4px;border:1px solid #1a73e8;cursor:pointer}}\
button.accept{{background:#1a73e8;color:#fff}} button.deny{{background:#fff;color:#1a73e8}}\
.stand-in{{margin:0;padding:.5rem 1rem;background:#fff4ce;color:#4a3b00;font-size:.9rem;text-align:center}}\
</style></head><body><p class=\"stand-in\" id=\"stand-in\">Zoho Books simulator: this page stands in for \
Zoho's sign-in page. A real sign-in shows Zoho's own page, at Zoho's address.</p><main>{body}</main></body></html>\n",
        title = escape(title)
    )
}

fn error_page(message: &str) -> Response {
    let body = format!(
        "<h1>Invalid request</h1><p id=\"error\">{}</p>\
<p class=\"note\">Zoho Books simulator: check the client id, redirect URI and scopes of the authorization request.</p>",
        escape(message)
    );
    (
        StatusCode::BAD_REQUEST,
        Html(page("Zoho Accounts - error", &body)),
    )
        .into_response()
}

#[derive(Clone)]
pub(crate) struct AccountsCtx {
    pub shared: Arc<Shared>,
    pub region: String,
}

pub(crate) fn router(ctx: AccountsCtx) -> Router {
    Router::new()
        .route("/oauth/v2/auth", get(authorize))
        .route("/oauth/v2/auth/decision", post(decision))
        .route("/oauth/v2/token", post(token))
        .route("/oauth/v2/token/revoke", post(revoke))
        .route("/oauth/serverinfo", get(serverinfo))
        .with_state(ctx)
}

/// Zoho's `GET /oauth/serverinfo`: every data center's accounts server, by
/// region, including any Zoho has added that the app's table lacks
/// (`SimConfig::serverinfo_extra`).
async fn serverinfo(State(ctx): State<AccountsCtx>) -> Response {
    let mut locations: serde_json::Map<String, Value> = ctx
        .shared
        .endpoints
        .iter()
        .map(|(region, e)| (region.clone(), Value::String(e.accounts.clone())))
        .collect();
    for (region, server) in &ctx.shared.cfg.serverinfo_extra {
        locations.insert(region.clone(), Value::String(server.clone()));
    }
    Json(json!({ "result": "success", "locations": locations })).into_response()
}

fn redirect_allowed(shared: &Shared, registered: &[String], uri: &str) -> bool {
    // Zoho's console accepts only http(s) redirect URIs, for every client
    // type: an app link can never have been registered there.
    let web = uri.starts_with("http://") || uri.starts_with("https://");
    if !web && !shared.cfg.accept_app_link {
        return false;
    }
    if registered.iter().any(|r| r == uri) {
        return true;
    }
    if !shared.cfg.allow_any_loopback_port {
        return false;
    }
    let Ok(u) = url::Url::parse(uri) else {
        return false;
    };
    let loopback = |u: &url::Url| {
        u.scheme() == "http"
            && matches!(
                u.host_str(),
                Some("127.0.0.1") | Some("localhost") | Some("[::1]")
            )
            && u.query().is_none()
            && u.fragment().is_none()
    };
    loopback(&u)
        && registered
            .iter()
            .any(|r| url::Url::parse(r).is_ok_and(|reg| loopback(&reg) && reg.path() == u.path()))
}

/// `GET /oauth/v2/auth`: the consent page of a well-formed request, or the
/// page refusing it.
async fn authorize(State(ctx): State<AccountsCtx>, RawQuery(q): RawQuery) -> Response {
    let p = params(q.as_deref(), &[]);
    match consent_request(&ctx, &p) {
        Ok((client_name, pending)) => consent_page(&ctx.shared, &client_name, pending),
        Err(Refusal::Page(message)) => error_page(&message),
        Err(Refusal::BadRedirect) => bad_redirect_page(),
    }
}

/// Why an authorization request gets no consent page.
enum Refusal {
    /// Zoho's error page with this message.
    Page(String),
    /// The redirect URI is not one of the client's.
    BadRedirect,
}

/// The client's name and the authorization an `/auth` request asks for,
/// checked in Zoho's order.
fn consent_request(
    ctx: &AccountsCtx,
    p: &HashMap<String, String>,
) -> Result<(String, Pending), Refusal> {
    let shared = &ctx.shared;
    let get = |k: &str| p.get(k).map(String::as_str).filter(|v| !v.is_empty());
    let refuse = |message: &str| Refusal::Page(message.to_owned());
    let client_id =
        get("client_id").ok_or_else(|| refuse("The client_id parameter is missing."))?;
    let client = lock(&shared.clients)
        .get(client_id)
        .cloned()
        .ok_or_else(|| refuse("Invalid Client: no client is registered with this client_id."))?;
    let redirect_uri =
        get("redirect_uri").ok_or_else(|| refuse("The redirect_uri parameter is missing."))?;
    // Sign-in starts at accounts.zoho.com for every data center but China's,
    // which is separate: neither side knows the other's accounts.
    if (ctx.region == "cn") != (shared.home() == "cn") {
        return Err(refuse(
            "This account cannot be found. Sign in at the Zoho site of the country where your \
             account was created.",
        ));
    }
    if !redirect_allowed(shared, &client.redirect_uris, redirect_uri) {
        return Err(Refusal::BadRedirect);
    }
    if get("response_type") != Some("code") {
        return Err(refuse("The response_type parameter must be \"code\"."));
    }
    let scopes = match get("scope").map(parse_scopes) {
        None => return Err(refuse("The scope parameter is missing or empty.")),
        Some(Err(e)) => return Err(Refusal::Page(e)),
        Some(Ok(s)) => s,
    };
    let offline = match get("access_type") {
        None | Some("online") => false,
        Some("offline") => true,
        Some(other) => return Err(Refusal::Page(format!("Invalid access_type: {other}"))),
    };
    match get("prompt") {
        None | Some("consent") | Some("login") | Some("none") | Some("select_account") => {}
        Some(other) => return Err(Refusal::Page(format!("Invalid prompt: {other}"))),
    }
    let challenge = code_challenge(get("code_challenge"), get("code_challenge_method"))
        .map_err(Refusal::Page)?;
    let pending = Pending {
        client_id: client.client_id.clone(),
        redirect_uri: redirect_uri.to_string(),
        scopes,
        state: get("state").map(str::to_string),
        offline,
        challenge,
        created: shared.clock.now(),
    };
    Ok((client.client_name, pending))
}

/// As at Zoho: a page of its own for a redirect URI not registered, and no
/// redirect to the app.
fn bad_redirect_page() -> Response {
    let body = "<h1 id=\"error-title\">Invalid Redirect Uri</h1>\
<p id=\"error\">Invalid Redirect Uri: Redirect URI passed does not match with the one configured.</p>";
    (
        StatusCode::BAD_REQUEST,
        Html(page("Invalid Redirect Uri", body)),
    )
        .into_response()
}

/// The PKCE challenge of a request (`None` without one), or why it is
/// refused.
fn code_challenge(value: Option<&str>, method: Option<&str>) -> Result<Option<Challenge>, String> {
    let value = match (value, method) {
        (None, None) => return Ok(None),
        (None, Some(_)) => {
            return Err("code_challenge_method was sent without code_challenge.".into())
        }
        (Some(value), _) => value,
    };
    let method = match method {
        None | Some("plain") => Method::Plain,
        Some("S256") => Method::S256,
        Some(other) => return Err(format!("Unsupported code_challenge_method: {other}")),
    };
    let ok_chars = value
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b"-._~".contains(&b));
    let ok_len = match method {
        Method::S256 => value.len() == 43,
        Method::Plain => (43..=128).contains(&value.len()),
    };
    if !ok_chars || !ok_len {
        return Err("The code_challenge is malformed.".into());
    }
    Ok(Some(Challenge {
        value: value.to_string(),
        method,
    }))
}

/// Keeps `pending` (dropping those past their time) and shows the consent
/// page that accepts or denies it.
fn consent_page(shared: &Shared, client_name: &str, pending: Pending) -> Response {
    let id = random_hex(32);
    let scope_items: String = pending
        .scopes
        .iter()
        .map(|s| format!("<li><code>{}</code></li>", escape(s)))
        .collect();
    let offline = pending.offline;
    {
        let now = pending.created;
        let mut store = lock(&shared.oauth);
        store
            .pending
            .retain(|_, p| now.saturating_duration_since(p.created) < PENDING_TTL);
        store.pending.insert(id.clone(), pending);
    }
    let body = format!(
        "<h1><span id=\"client-name\">{client}</span> would like to access your Zoho Books data</h1>\
<p>Signed in as <strong>{user}</strong> ({email}), data center <code>{home}</code>.</p>\
<p>It asks for:</p><ul id=\"scopes\">{scope_items}</ul>\
<p class=\"note\">{access}</p>\
<form method=\"post\" action=\"/oauth/v2/auth/decision\">\
<input type=\"hidden\" name=\"request_id\" value=\"{id}\">\
<div class=\"actions\"><button class=\"accept\" type=\"submit\" name=\"decision\" value=\"accept\">Accept</button>\
<button class=\"deny\" type=\"submit\" name=\"decision\" value=\"deny\">Deny</button></div></form>",
        client = escape(client_name),
        user = escape(&shared.cfg.user_name),
        email = escape(&shared.cfg.user_email),
        home = escape(&shared.home()),
        access = if offline {
            "The application keeps access until you revoke it."
        } else {
            "The application gets access for one hour."
        },
    );
    let mut resp = Html(page("Zoho Accounts - consent", &body)).into_response();
    resp.headers_mut().insert(
        header::CACHE_CONTROL,
        header::HeaderValue::from_static("no-store"),
    );
    resp
}

fn redirect_to(base: &str, pairs: &[(&str, &str)]) -> Response {
    let Ok(mut url) = url::Url::parse(base) else {
        return error_page("The redirect URI cannot be parsed.");
    };
    {
        let mut q = url.query_pairs_mut();
        for (k, v) in pairs {
            q.append_pair(k, v);
        }
    }
    let mut resp = StatusCode::FOUND.into_response();
    match header::HeaderValue::from_str(url.as_str()) {
        Ok(v) => {
            resp.headers_mut().insert(header::LOCATION, v);
            resp
        }
        Err(_) => error_page("The redirect URI cannot be used."),
    }
}

async fn decision(State(ctx): State<AccountsCtx>, body: Bytes) -> Response {
    let p = params(None, &body);
    let shared = &ctx.shared;
    let now = shared.clock.now();
    let pending = {
        let mut store = lock(&shared.oauth);
        p.get("request_id").and_then(|id| store.pending.remove(id))
    };
    let Some(pending) = pending.filter(|p| now.saturating_duration_since(p.created) < PENDING_TTL)
    else {
        return error_page(
            "This sign-in request has expired or was already answered. Start again.",
        );
    };
    let state = pending.state.clone().unwrap_or_default();
    let with_state = |mut pairs: Vec<(&'static str, String)>| {
        if pending.state.is_some() {
            pairs.push(("state", state.clone()));
        }
        pairs
    };
    match p.get("decision").map(String::as_str) {
        // At most so many codes per Client ID in 10 minutes; past it Zoho
        // gives none (an `access_denied` is what is reported).
        Some("accept")
            if !lock(&shared.oauth).take_grant(
                &pending.client_id,
                now,
                shared.cfg.grant_codes_per_client_per_10min,
            ) =>
        {
            let pairs = with_state(vec![("error", "access_denied".to_string())]);
            let pairs: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (*k, v.as_str())).collect();
            redirect_to(&pending.redirect_uri, &pairs)
        }
        Some("accept") => {
            let home = shared.home();
            let accounts = shared
                .endpoints
                .get(&home)
                .map(|e| e.accounts.clone())
                .unwrap_or_default();
            let code = zoho_token();
            lock(&shared.oauth).codes.insert(
                code.clone(),
                Code {
                    client_id: pending.client_id.clone(),
                    redirect_uri: pending.redirect_uri.clone(),
                    scopes: pending.scopes.clone(),
                    offline: pending.offline,
                    challenge: pending.challenge.clone(),
                    region: home.clone(),
                    expires: now + shared.cfg.code_ttl,
                },
            );
            let pairs = with_state(vec![
                ("code", code),
                ("location", home),
                ("accounts-server", accounts),
            ]);
            let pairs: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (*k, v.as_str())).collect();
            redirect_to(&pending.redirect_uri, &pairs)
        }
        Some("deny") => {
            let pairs = with_state(vec![("error", "access_denied".to_string())]);
            let pairs: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (*k, v.as_str())).collect();
            redirect_to(&pending.redirect_uri, &pairs)
        }
        _ => error_page("Choose Accept or Deny."),
    }
}

fn err(code: &str) -> Value {
    json!({ "error": code })
}

fn token_json(body: Value) -> Response {
    (StatusCode::OK, Json(body)).into_response()
}

impl AccountsCtx {
    fn client_ok(&self, p: &HashMap<String, String>) -> bool {
        let clients = lock(&self.shared.clients);
        match (p.get("client_id"), p.get("client_secret")) {
            (Some(id), Some(secret)) => clients
                .get(id)
                .is_some_and(|c| c.accepts(&self.region, secret)),
            _ => false,
        }
    }

    fn api_domain(&self) -> String {
        self.shared
            .endpoints
            .get(&self.shared.home())
            .map(|e| e.api.clone())
            .unwrap_or_default()
    }

    fn exchange(&self, p: &HashMap<String, String>) -> Value {
        if !self.client_ok(p) {
            return err("invalid_client");
        }
        let cfg = &self.shared.cfg;
        let now = self.shared.clock.now();
        let mut store = lock(&self.shared.oauth);
        let Some(code_str) = p.get("code") else {
            return err("invalid_code");
        };
        match store.codes.get(code_str) {
            Some(c) if c.region == self.region => {}
            _ => return err("invalid_code"),
        }
        let Some(code) = store.codes.remove(code_str) else {
            return err("invalid_code");
        };
        if now >= code.expires || Some(&code.client_id) != p.get("client_id") {
            return err("invalid_code");
        }
        if p.get("redirect_uri") != Some(&code.redirect_uri) {
            return err("invalid_redirect_uri");
        }
        if let Some(ch) = &code.challenge {
            if !p.get("code_verifier").is_some_and(|v| ch.verify(v)) {
                return err("invalid_code");
            }
        }
        let mut out = json!({
            "scope": code.scopes.join(" "),
            "api_domain": self.api_domain(),
            "token_type": "Bearer",
            "expires_in": cfg.token_ttl.as_secs(),
        });
        let refresh = if code.offline {
            let live: Vec<(u64, String)> = store
                .refresh
                .iter()
                .filter(|(_, r)| r.client_id == code.client_id)
                .map(|(t, r)| (r.seq, t.clone()))
                .collect();
            if live.len() >= cfg.max_refresh_tokens.max(1) as usize {
                if let Some((_, oldest)) = live.into_iter().min() {
                    store.drop_refresh(&oldest);
                }
            }
            store.seq += 1;
            let token = zoho_token();
            let seq = store.seq;
            store.refresh.insert(
                token.clone(),
                Refresh {
                    client_id: code.client_id.clone(),
                    scopes: code.scopes.clone(),
                    region: code.region.clone(),
                    seq,
                    minted: VecDeque::new(),
                },
            );
            out["refresh_token"] = Value::String(token.clone());
            Some(token)
        } else {
            None
        };
        let access = store.mint_access(
            &code.scopes,
            &code.region,
            refresh.as_deref(),
            cfg.token_ttl,
            now,
            cfg.live_access_tokens_per_refresh,
        );
        out["access_token"] = Value::String(access);
        out
    }

    fn refresh(&self, p: &HashMap<String, String>) -> Value {
        if !self.client_ok(p) {
            return err("invalid_client");
        }
        let cfg = &self.shared.cfg;
        let now = self.shared.clock.now();
        let mut store = lock(&self.shared.oauth);
        let Some(token) = p.get("refresh_token") else {
            return err("invalid_code");
        };
        let Some(r) = store.refresh.get_mut(token) else {
            return err("invalid_code");
        };
        if r.region != self.region || Some(&r.client_id) != p.get("client_id") {
            return err("invalid_code");
        }
        while r
            .minted
            .front()
            .is_some_and(|t| now.saturating_duration_since(*t) >= MINT_WINDOW)
        {
            r.minted.pop_front();
        }
        if r.minted.len() >= cfg.access_tokens_per_refresh_per_10min as usize {
            store.denials += 1;
            return if store.denials % 2 == 1 {
                json!({
                    "error_description": "You have made too many requests continuously. Please try again after some time.",
                    "error": "Access Denied",
                    "status": "failure",
                })
            } else {
                json!({
                    "error_description": "您连续发出了太多请求。请稍后再试。",
                    "error": "拒绝访问",
                    "status": "failure",
                })
            };
        }
        r.minted.push_back(now);
        let (scopes, region) = (r.scopes.clone(), r.region.clone());
        store.refreshed += 1;
        let access = store.mint_access(
            &scopes,
            &region,
            Some(token),
            cfg.token_ttl,
            now,
            cfg.live_access_tokens_per_refresh,
        );
        json!({
            "access_token": access,
            "scope": scopes.join(" "),
            "api_domain": self.api_domain(),
            "token_type": "Bearer",
            "expires_in": cfg.token_ttl.as_secs(),
        })
    }

    fn revoke(&self, p: &HashMap<String, String>) -> Value {
        let Some(token) = p.get("token") else {
            return err("invalid_request");
        };
        let mut store = lock(&self.shared.oauth);
        if let Some(r) = store.refresh.get(token) {
            if r.region != self.region {
                return err("invalid_token");
            }
            store.drop_refresh(token);
        } else if let Some(a) = store.access.get(token) {
            if a.region != self.region {
                return err("invalid_token");
            }
            store.access.remove(token);
        }
        json!({ "status": "success" })
    }
}

async fn token(State(ctx): State<AccountsCtx>, RawQuery(q): RawQuery, body: Bytes) -> Response {
    let p = params(q.as_deref(), &body);
    let out = match p.get("grant_type").map(String::as_str) {
        Some("authorization_code") => ctx.exchange(&p),
        Some("refresh_token") => ctx.refresh(&p),
        _ => err("unsupported_grant_type"),
    };
    let late = lock(&ctx.shared.faults).faults.token_latency;
    if !late.is_zero() {
        tokio::time::sleep(late).await;
    }
    // The token limit's answer is HTTP 400, as recorded from Zoho; the
    // other token errors come with HTTP 200.
    if out.get("status").and_then(Value::as_str) == Some("failure") {
        return (StatusCode::BAD_REQUEST, Json(out)).into_response();
    }
    token_json(out)
}

async fn revoke(State(ctx): State<AccountsCtx>, RawQuery(q): RawQuery, body: Bytes) -> Response {
    let p = params(q.as_deref(), &body);
    token_json(ctx.revoke(&p))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_are_checked() {
        assert!(parse_scopes("ZohoBooks.invoices.READ,ZohoBooks.contacts.READ").is_ok());
        assert!(parse_scopes("ZohoBooks.fullaccess.all").is_ok());
        assert!(parse_scopes("").is_err());
        assert!(parse_scopes("ZohoBooks.invoices.WRITE").is_err());
        assert!(parse_scopes("ZohoCRM.modules.ALL").is_err());
        assert!(parse_scopes("ZohoBooks.fullaccess.READ").is_err());
        let s = vec!["ZohoBooks.invoices.READ".to_string()];
        assert!(scopes_cover(&s, "invoices"));
        assert!(!scopes_cover(&s, "contacts"));
        assert!(scopes_cover(
            &["ZohoBooks.fullaccess.all".to_string()],
            "bills"
        ));
    }

    #[test]
    fn pkce_s256_matches_rfc7636_example() {
        let ch = Challenge {
            value: "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM".into(),
            method: Method::S256,
        };
        assert!(ch.verify("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"));
        assert!(!ch.verify("wrong"));
    }

    #[test]
    fn escape_handles_markup() {
        assert_eq!(
            escape("<a href=\"x\">&'"),
            "&#60;a href=&#34;x&#34;&#62;&#38;&#39;"
        );
    }
}
