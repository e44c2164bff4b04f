//! The browser's side of a sign-in over real HTTP.

/// Follows a redirect to the app's loopback listener as the browser would,
/// without following it further; the listener's answer (a gateway error
/// when nothing answered).
pub async fn follow(location: &str) -> reqwest::StatusCode {
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("an HTTP client");
    client
        .get(location)
        .send()
        .await
        .map(|r| r.status())
        .unwrap_or(reqwest::StatusCode::BAD_GATEWAY)
}
