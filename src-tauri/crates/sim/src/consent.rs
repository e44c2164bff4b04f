//! Drives the simulator's consent page over real HTTP, as a person in a
//! browser would: load `/oauth/v2/auth?...`, press Accept or Deny, and hand
//! back the redirect's `Location` without following it. Used by tests and
//! by the demo mode, which has no person to click.

use reqwest::redirect::Policy;
use reqwest::StatusCode;

use crate::error::{Result, SimError};

/// Loads the consent page at `authorize_url`, presses Accept and returns the
/// redirect location (`<redirect_uri>?code=...&location=...&accounts-server=...&state=...`).
pub async fn accept_consent(authorize_url: &str) -> Result<String> {
    decide(authorize_url, "accept").await
}

/// Loads the consent page, presses Deny and returns the redirect location
/// (`<redirect_uri>?error=access_denied&state=...`).
pub async fn deny_consent(authorize_url: &str) -> Result<String> {
    decide(authorize_url, "deny").await
}

fn attr_after<'a>(html: &'a str, marker: &str) -> Option<&'a str> {
    let start = html.find(marker)? + marker.len();
    let rest = &html[start..];
    Some(&rest[..rest.find('"')?])
}

async fn decide(authorize_url: &str, decision: &str) -> Result<String> {
    let client = reqwest::Client::builder()
        .redirect(Policy::none())
        .build()?;
    let page_url = url::Url::parse(authorize_url)
        .map_err(|e| SimError::Consent(format!("bad authorize URL: {e}")))?;
    let resp = client.get(page_url.clone()).send().await?;
    let status = resp.status();
    let html = resp.text().await?;
    if status != StatusCode::OK {
        let reason = html
            .split("<p id=\"error\">")
            .nth(1)
            .and_then(|s| s.split("</p>").next())
            .map(str::to_string)
            .unwrap_or_else(|| html.chars().take(200).collect());
        return Err(SimError::Consent(format!(
            "the consent page answered {status}: {reason}"
        )));
    }
    let request_id = attr_after(&html, "name=\"request_id\" value=\"")
        .ok_or_else(|| SimError::Consent("no request id on the consent page".into()))?;
    let action = attr_after(&html, "<form method=\"post\" action=\"")
        .ok_or_else(|| SimError::Consent("no form on the consent page".into()))?;
    let post_url = page_url
        .join(action)
        .map_err(|e| SimError::Consent(format!("bad form action: {e}")))?;
    let resp = client
        .post(post_url)
        .form(&[("request_id", request_id), ("decision", decision)])
        .send()
        .await?;
    if resp.status() != StatusCode::FOUND {
        return Err(SimError::Consent(format!(
            "the decision was answered with {} instead of a redirect",
            resp.status()
        )));
    }
    resp.headers()
        .get(reqwest::header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
        .ok_or_else(|| SimError::Consent("the redirect carries no Location".into()))
}
