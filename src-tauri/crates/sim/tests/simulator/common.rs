//! The simulator's own tests' harness, and only that: the simulator seen
//! from raw HTTP (start it, sign in by hand with PKCE, call the API), with
//! none of the app's clients in between; the sign-in the other crates' tests
//! use is `zbs_testkit`'s. Also compiled into the `scale` test binary, which
//! uses only some of it.
#![allow(dead_code)]

use std::time::Duration;

use base64::Engine;
use reqwest::header::HeaderMap;
use reqwest::StatusCode;
use serde_json::Value;
use sha2::{Digest, Sha256};
use zbs_sim::{accept_consent, ClientSpec, SimConfig, SimHandle, Simulator, LOOPBACK_REDIRECT};

pub const ALL_SCOPES: &str = "ZohoBooks.invoices.READ,ZohoBooks.creditnotes.READ,ZohoBooks.contacts.READ,\
ZohoBooks.bills.READ,ZohoBooks.settings.READ,ZohoBooks.accountants.READ,ZohoBooks.customerpayments.READ,\
ZohoBooks.vendorpayments.READ,ZohoBooks.estimates.READ,ZohoBooks.expenses.READ,ZohoBooks.purchaseorders.READ";

pub struct Env {
    pub sim: SimHandle,
    pub client: ClientSpec,
    pub http: reqwest::Client,
}

/// A config for tests: small data, the test client registered, Zoho-like
/// limits unless a test changes them.
pub fn cfg() -> SimConfig {
    SimConfig {
        records_per_entity: 5,
        clients: vec![ClientSpec::generate(7)],
        ..SimConfig::default()
    }
}

pub async fn start(cfg: SimConfig) -> Env {
    let client = cfg.clients[0].clone();
    let sim = Simulator::start(cfg).await.expect("simulator starts");
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(20))
        .build()
        .expect("client");
    Env { sim, client, http }
}

pub fn query_of(location: &str) -> std::collections::HashMap<String, String> {
    let url = url::Url::parse(location).expect("redirect is a URL");
    url.query_pairs()
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

pub fn pkce_pair() -> (String, String) {
    let verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk-test-verifier".to_string();
    let challenge = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .encode(Sha256::digest(verifier.as_bytes()));
    (verifier, challenge)
}

pub struct Tokens {
    pub access: String,
    pub refresh: String,
    pub api_domain: String,
    pub accounts: String,
}

impl Env {
    pub fn org(&self) -> String {
        self.sim.organizations()[0].organization_id.clone()
    }

    pub fn home(&self) -> String {
        self.sim.home_region().to_string()
    }

    pub fn accounts(&self, region: &str) -> String {
        self.sim.accounts_url(region).expect("region served")
    }

    /// Authorize at `region` and accept; returns the redirect's query.
    pub async fn consent(
        &self,
        region: &str,
        scope: &str,
    ) -> std::collections::HashMap<String, String> {
        let url = self.sim.authorize_url(
            region,
            &self.client.client_id,
            LOOPBACK_REDIRECT,
            scope,
            Some("st-1"),
        );
        query_of(&accept_consent(&url).await.expect("consent"))
    }

    /// A token request: its HTTP status and JSON body.
    pub async fn token_answer(&self, accounts: &str, form: &[(&str, &str)]) -> (StatusCode, Value) {
        let resp = self
            .http
            .post(format!("{accounts}/oauth/v2/token"))
            .form(form)
            .send()
            .await
            .expect("token endpoint answers");
        let status = resp.status();
        (status, resp.json().await.expect("token JSON"))
    }

    /// A token request's JSON body: HTTP 200, or 400 for the token limit's
    /// "Access Denied" (as recorded from Zoho).
    pub async fn token(&self, accounts: &str, form: &[(&str, &str)]) -> Value {
        let (status, body) = self.token_answer(accounts, form).await;
        let limit = body["status"] == "failure";
        assert!(
            status == StatusCode::OK || (limit && status == StatusCode::BAD_REQUEST),
            "token errors are HTTP 200, the token limit HTTP 400: {status} {body}"
        );
        assert_eq!(limit, status == StatusCode::BAD_REQUEST, "{status} {body}");
        body
    }

    pub async fn exchange(&self, accounts: &str, code: &str) -> Value {
        self.token(
            accounts,
            &[
                ("grant_type", "authorization_code"),
                ("client_id", &self.client.client_id),
                ("client_secret", &self.client.client_secret),
                ("redirect_uri", LOOPBACK_REDIRECT),
                ("code", code),
            ],
        )
        .await
    }

    pub async fn refresh(&self, accounts: &str, refresh: &str) -> Value {
        self.token(
            accounts,
            &[
                ("grant_type", "refresh_token"),
                ("client_id", &self.client.client_id),
                ("client_secret", &self.client.client_secret),
                ("refresh_token", refresh),
            ],
        )
        .await
    }

    /// Full sign-in at the home data center with every scope.
    pub async fn connect(&self) -> Tokens {
        let q = self.consent(&self.home(), ALL_SCOPES).await;
        let accounts = q["accounts-server"].clone();
        let t = self.exchange(&accounts, &q["code"]).await;
        Tokens {
            access: t["access_token"]
                .as_str()
                .expect("access token")
                .to_string(),
            refresh: t["refresh_token"]
                .as_str()
                .expect("refresh token")
                .to_string(),
            api_domain: t["api_domain"].as_str().expect("api domain").to_string(),
            accounts,
        }
    }

    /// GET `{api}/books/v3/{path}` with the token; `(status, headers, body text)`.
    pub async fn get_raw(
        &self,
        api: &str,
        token: &str,
        path: &str,
        query: &[(&str, String)],
    ) -> (StatusCode, HeaderMap, String) {
        let resp = self
            .http
            .get(format!("{api}/books/v3/{path}"))
            .header("Authorization", format!("Zoho-oauthtoken {token}"))
            .query(query)
            .send()
            .await
            .expect("API answers");
        let status = resp.status();
        let headers = resp.headers().clone();
        (status, headers, resp.text().await.expect("body"))
    }

    pub async fn get(
        &self,
        api: &str,
        token: &str,
        path: &str,
        query: &[(&str, String)],
    ) -> (StatusCode, HeaderMap, Value) {
        let (s, h, text) = self.get_raw(api, token, path, query).await;
        (s, h, serde_json::from_str(&text).expect("API JSON"))
    }

    /// GET in the first organization.
    pub async fn org_get(
        &self,
        t: &Tokens,
        path: &str,
        extra: &[(&str, String)],
    ) -> (StatusCode, HeaderMap, Value) {
        let mut q = vec![("organization_id", self.org())];
        q.extend(extra.iter().cloned());
        self.get(&t.api_domain, &t.access, path, &q).await
    }
}

pub fn header_u64(h: &HeaderMap, name: &str) -> u64 {
    h.get(name)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("header {name} missing or not a number"))
}
