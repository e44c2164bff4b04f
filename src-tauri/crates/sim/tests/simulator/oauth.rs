//! The accounts server: consent, code exchange, refresh, revoke, every
//! error path, and the multi-data-center flow.

use std::time::Duration;

use reqwest::StatusCode;
use zbs_sim::{
    accept_consent, deny_consent, ClientSpec, SimConfig, DEEP_LINK_REDIRECT, LOCALHOST_REDIRECT,
    LOOPBACK_REDIRECT,
};

use crate::common::*;

#[tokio::test]
async fn sign_in_with_pkce_refresh_and_call_the_api() {
    let env = start(cfg()).await;
    let (verifier, challenge) = pkce_pair();
    let url = format!(
        "{}&code_challenge={challenge}&code_challenge_method=S256",
        env.sim.authorize_url(
            "us",
            &env.client.client_id,
            LOOPBACK_REDIRECT,
            ALL_SCOPES,
            Some("abc")
        )
    );
    let q = query_of(&accept_consent(&url).await.unwrap());
    assert_eq!(q["state"], "abc");
    assert_eq!(q["location"], "us");
    assert_eq!(q["accounts-server"], env.accounts("us"));
    let base = [
        ("grant_type", "authorization_code"),
        ("client_id", env.client.client_id.as_str()),
        ("client_secret", env.client.client_secret.as_str()),
        ("redirect_uri", LOOPBACK_REDIRECT),
        ("code", q["code"].as_str()),
    ];
    // Parameters in the query string (Zoho's examples) work as well as a form body.
    let mut with_verifier = base.to_vec();
    with_verifier.push(("code_verifier", verifier.as_str()));
    let resp = env
        .http
        .post(format!("{}/oauth/v2/token", env.accounts("us")))
        .query(&with_verifier)
        .send()
        .await
        .unwrap();
    let t: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(t["token_type"], "Bearer");
    assert_eq!(t["expires_in"], 3600);
    assert_eq!(t["api_domain"], env.sim.api_url("us").unwrap());
    assert!(t["access_token"].as_str().unwrap().starts_with("1000."));
    let refresh = t["refresh_token"].as_str().unwrap().to_string();

    let r = env.refresh(&env.accounts("us"), &refresh).await;
    assert!(r.get("refresh_token").is_none());
    let access = r["access_token"].as_str().unwrap();
    let (s, _, body) = env
        .get(
            &env.sim.api_url("us").unwrap(),
            access,
            "organizations",
            &[],
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(body["code"], 0);
    assert_eq!(body["organizations"].as_array().unwrap().len(), 2);
    assert_eq!(body["organizations"][0]["is_default_org"], true);
}

#[tokio::test]
async fn multi_dc_sign_in_at_us_for_an_eu_user() {
    let env = start(SimConfig {
        user_region: "eu".into(),
        ..cfg()
    })
    .await;
    let q = env.consent("us", ALL_SCOPES).await;
    assert_eq!(q["location"], "eu");
    assert_eq!(q["accounts-server"], env.accounts("eu"));
    // The code is unknown at the US accounts server (and not used up there).
    let at_us = env.exchange(&env.accounts("us"), &q["code"]).await;
    assert_eq!(at_us["error"], "invalid_code");
    let t = env.exchange(&env.accounts("eu"), &q["code"]).await;
    let access = t["access_token"].as_str().expect("EU exchange works");
    assert_eq!(t["api_domain"], env.sim.api_url("eu").unwrap());
    let (s, _, _) = env
        .get(
            &env.sim.api_url("eu").unwrap(),
            access,
            "organizations",
            &[],
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    let (s, _, body) = env
        .get(
            &env.sim.api_url("us").unwrap(),
            access,
            "organizations",
            &[],
        )
        .await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    assert_eq!(body["code"], 57);
    // The refresh token works at EU only.
    let refresh = t["refresh_token"].as_str().unwrap();
    assert_eq!(
        env.refresh(&env.accounts("us"), refresh).await["error"],
        "invalid_code"
    );
    assert!(env.refresh(&env.accounts("eu"), refresh).await["access_token"].is_string());
    assert_eq!(env.sim.organizations()[0].region, "eu");
}

async fn auth_page(env: &Env, query: &str) -> (StatusCode, Option<String>, String) {
    let resp = env
        .http
        .get(format!("{}/oauth/v2/auth?{query}", env.accounts("us")))
        .send()
        .await
        .unwrap();
    let loc = resp
        .headers()
        .get("location")
        .map(|v| v.to_str().unwrap().to_string());
    (resp.status(), loc, resp.text().await.unwrap())
}

#[tokio::test]
async fn bad_authorization_requests_get_an_error_page_not_a_redirect() {
    let env = start(cfg()).await;
    let id = env.client.client_id.clone();
    let ok = format!(
        "client_id={id}&response_type=code&redirect_uri={}&scope=ZohoBooks.invoices.READ&access_type=offline",
        urlencode(LOOPBACK_REDIRECT)
    );
    let (s, _, html) = auth_page(&env, &ok).await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        html.contains("ZohoBooks.invoices.READ")
            && html.contains("Accept")
            && html.contains("Deny")
    );

    let cases = [
        ok.replace(&id, "1000.UNKNOWNCLIENT"),
        ok.replace("client_id=", "x="),
        ok.replace(
            &urlencode(LOOPBACK_REDIRECT),
            &urlencode("https://evil.example/callback"),
        ),
        ok.replace(
            &urlencode(LOOPBACK_REDIRECT),
            &urlencode("http://127.0.0.1:47823/elsewhere"),
        ),
        ok.replace("response_type=code", "response_type=token"),
        ok.replace("ZohoBooks.invoices.READ", ""),
        ok.replace("ZohoBooks.invoices.READ", "ZohoBooks.invoices.WRITE"),
        ok.replace("ZohoBooks.invoices.READ", "ZohoCRM.modules.ALL"),
        ok.replace("access_type=offline", "access_type=forever"),
        format!("{ok}&prompt=sometimes"),
        format!("{ok}&code_challenge=short&code_challenge_method=S256"),
        format!(
            "{ok}&code_challenge={}&code_challenge_method=MD5",
            "a".repeat(43)
        ),
        format!("{ok}&code_challenge_method=S256"),
    ];
    for q in cases {
        let (s, loc, html) = auth_page(&env, &q).await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{q}");
        assert!(loc.is_none(), "no redirect for {q}");
        assert!(
            html.contains("Invalid request") || html.contains("Invalid Redirect Uri"),
            "{q}"
        );
    }
}

fn urlencode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

#[tokio::test]
async fn consent_page_escapes_the_client_name() {
    let env = start(cfg()).await;
    let mut evil = ClientSpec::generate(99);
    evil.client_name = "<script>alert('x')</script> & Co".into();
    env.sim.register_client(evil.clone());
    let redirect = LOCALHOST_REDIRECT;
    let url = env.sim.authorize_url(
        "us",
        &evil.client_id,
        redirect,
        "ZohoBooks.fullaccess.all",
        None,
    );
    let html = env
        .http
        .get(&url)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!html.contains("<script>"));
    assert!(html.contains("&#60;script&#62;alert(&#39;x&#39;)&#60;/script&#62; &#38; Co"));
    // Whoever watches a demo sees at once that this is not Zoho's own page.
    assert!(
        html.contains("this page stands in for Zoho's sign-in page"),
        "{html}"
    );
    let loc = accept_consent(&url).await.unwrap();
    assert!(loc.starts_with(redirect));
    assert!(!query_of(&loc).contains_key("state"));
}

/// Fact (Zoho's OAuth pages, rclone issue 6163): redirect URIs are matched
/// letter for letter; any other gets Zoho's HTML "Invalid Redirect Uri" page
/// and no redirect. Strict by default.
#[tokio::test]
async fn redirect_uris_are_matched_exactly_as_registered() {
    let env = start(cfg()).await;
    let client = env.client.clone();
    let page_for = |redirect: &str| {
        env.sim.authorize_url(
            "us",
            &client.client_id,
            redirect,
            "ZohoBooks.fullaccess.all",
            None,
        )
    };
    for unregistered in [
        "http://127.0.0.1:55123/oauth/callback",
        "http://localhost:55123/oauth/callback",
        "http://localhost:47823/oauth/callback/",
        "http://LOCALHOST:47823/oauth/callback",
        "https://localhost:47823/oauth/callback",
        "http://[::1]:47823/oauth/callback",
    ] {
        let resp = env.http.get(page_for(unregistered)).send().await.unwrap();
        assert!(resp.headers().get("location").is_none(), "{unregistered}");
        let html = resp.text().await.unwrap();
        assert!(
            html.contains("Invalid Redirect Uri"),
            "{unregistered}: {html}"
        );
        assert!(accept_consent(&page_for(unregistered)).await.is_err());
    }
    for registered in [LOCALHOST_REDIRECT, LOOPBACK_REDIRECT] {
        let loc = accept_consent(&page_for(registered)).await.unwrap();
        assert!(loc.starts_with(&format!("{registered}?code=")), "{loc}");
    }
    // Fact (Zoho's OAuth pages): only http(s) redirect URIs can be
    // registered, so the app link never works at Zoho, even though the
    // client lists it; the demo's lenient mode takes it.
    assert!(client.redirect_uris.iter().any(|u| u == DEEP_LINK_REDIRECT));
    let resp = env
        .http
        .get(page_for(DEEP_LINK_REDIRECT))
        .send()
        .await
        .unwrap();
    assert!(resp.headers().get("location").is_none());
    assert!(resp.text().await.unwrap().contains("Invalid Redirect Uri"));
    let demo = start(SimConfig {
        accept_app_link: true,
        ..cfg()
    })
    .await;
    let demo_page = demo.sim.authorize_url(
        "us",
        &demo.client.client_id,
        DEEP_LINK_REDIRECT,
        "ZohoBooks.fullaccess.all",
        None,
    );
    let loc = accept_consent(&demo_page).await.unwrap();
    assert!(loc.starts_with("zbsetup://oauth/callback?code="), "{loc}");
    // A URI added in the console works from then on.
    let added = "http://localhost:55123/oauth/callback";
    assert!(env.sim.add_redirect_uri(&client.client_id, added));
    assert!(accept_consent(&page_for(added)).await.is_ok());
    // The lenient mode, for demos that need it, takes any loopback port.
    let lenient = start(SimConfig {
        allow_any_loopback_port: true,
        ..cfg()
    })
    .await;
    let url = lenient.sim.authorize_url(
        "us",
        &lenient.client.client_id,
        "http://127.0.0.1:55124/oauth/callback",
        "ZohoBooks.fullaccess.all",
        None,
    );
    assert!(accept_consent(&url).await.is_ok());
}

#[tokio::test]
async fn deny_redirects_with_access_denied() {
    let env = start(cfg()).await;
    let url = env.sim.authorize_url(
        "us",
        &env.client.client_id,
        LOOPBACK_REDIRECT,
        ALL_SCOPES,
        Some("st-9"),
    );
    let q = query_of(&deny_consent(&url).await.unwrap());
    assert_eq!(q["error"], "access_denied");
    assert_eq!(q["state"], "st-9");
    assert!(!q.contains_key("code"));
}

#[tokio::test]
async fn code_exchange_errors() {
    let env = start(cfg()).await;
    let us = env.accounts("us");
    // Bad client id / secret.
    let q = env.consent("us", ALL_SCOPES).await;
    let bad_secret = env
        .token(
            &us,
            &[
                ("grant_type", "authorization_code"),
                ("client_id", &env.client.client_id),
                ("client_secret", "nope"),
                ("redirect_uri", LOOPBACK_REDIRECT),
                ("code", &q["code"]),
            ],
        )
        .await;
    assert_eq!(bad_secret["error"], "invalid_client");
    // Redirect URI must match the one authorized.
    let wrong_redirect = env
        .token(
            &us,
            &[
                ("grant_type", "authorization_code"),
                ("client_id", &env.client.client_id),
                ("client_secret", &env.client.client_secret),
                ("redirect_uri", "zbsetup://oauth/callback"),
                ("code", &q["code"]),
            ],
        )
        .await;
    assert_eq!(wrong_redirect["error"], "invalid_redirect_uri");
    // That attempt used the code up: codes are single-use.
    assert_eq!(env.exchange(&us, &q["code"]).await["error"], "invalid_code");

    // Reused code.
    let q = env.consent("us", ALL_SCOPES).await;
    assert!(env.exchange(&us, &q["code"]).await["access_token"].is_string());
    assert_eq!(env.exchange(&us, &q["code"]).await["error"], "invalid_code");

    // Expired code (default lifetime 120 s).
    let q = env.consent("us", ALL_SCOPES).await;
    env.sim.advance_time(Duration::from_secs(121));
    assert_eq!(env.exchange(&us, &q["code"]).await["error"], "invalid_code");

    // Unknown grant type.
    let g = env.token(&us, &[("grant_type", "password")]).await;
    assert_eq!(g["error"], "unsupported_grant_type");

    // access_type=online: no refresh token.
    let url = env
        .sim
        .authorize_url(
            "us",
            &env.client.client_id,
            LOOPBACK_REDIRECT,
            ALL_SCOPES,
            None,
        )
        .replace("access_type=offline", "access_type=online");
    let q = query_of(&accept_consent(&url).await.unwrap());
    let t = env.exchange(&us, &q["code"]).await;
    assert!(t["access_token"].is_string());
    assert!(t.get("refresh_token").is_none());
}

#[tokio::test]
async fn pkce_verifier_is_checked() {
    let env = start(cfg()).await;
    let us = env.accounts("us");
    let (verifier, challenge) = pkce_pair();
    let authorize = |method: Option<&str>, ch: &str| {
        let mut u = env.sim.authorize_url(
            "us",
            &env.client.client_id,
            LOOPBACK_REDIRECT,
            ALL_SCOPES,
            None,
        );
        u.push_str(&format!("&code_challenge={ch}"));
        if let Some(m) = method {
            u.push_str(&format!("&code_challenge_method={m}"));
        }
        u
    };
    let exchange = |code: String, v: Option<String>| {
        let env = &env;
        let us = us.clone();
        async move {
            let mut form = vec![
                ("grant_type", "authorization_code".to_string()),
                ("client_id", env.client.client_id.clone()),
                ("client_secret", env.client.client_secret.clone()),
                ("redirect_uri", LOOPBACK_REDIRECT.to_string()),
                ("code", code),
            ];
            if let Some(v) = v {
                form.push(("code_verifier", v));
            }
            let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
            env.token(&us, &form).await
        }
    };
    // S256 with a wrong or missing verifier.
    let q = query_of(
        &accept_consent(&authorize(Some("S256"), &challenge))
            .await
            .unwrap(),
    );
    assert_eq!(
        exchange(q["code"].clone(), Some("x".repeat(43))).await["error"],
        "invalid_code"
    );
    let q = query_of(
        &accept_consent(&authorize(Some("S256"), &challenge))
            .await
            .unwrap(),
    );
    assert_eq!(
        exchange(q["code"].clone(), None).await["error"],
        "invalid_code"
    );
    let q = query_of(
        &accept_consent(&authorize(Some("S256"), &challenge))
            .await
            .unwrap(),
    );
    assert!(exchange(q["code"].clone(), Some(verifier.clone())).await["access_token"].is_string());
    // No method means plain: the challenge is the verifier itself.
    let q = query_of(&accept_consent(&authorize(None, &verifier)).await.unwrap());
    assert_eq!(
        exchange(q["code"].clone(), Some(challenge.clone())).await["error"],
        "invalid_code"
    );
    let q = query_of(&accept_consent(&authorize(None, &verifier)).await.unwrap());
    assert!(exchange(q["code"].clone(), Some(verifier.clone())).await["access_token"].is_string());
}

#[tokio::test]
async fn revoked_refresh_token_stops_working_with_its_access_tokens() {
    let env = start(cfg()).await;
    let t = env.connect().await;
    let resp = env
        .http
        .post(format!("{}/oauth/v2/token/revoke", t.accounts))
        .query(&[("token", &t.refresh)])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let body: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(body["status"], "success");
    assert_eq!(
        env.refresh(&t.accounts, &t.refresh).await["error"],
        "invalid_code"
    );
    let (s, _, body) = env
        .get(&t.api_domain, &t.access, "organizations", &[])
        .await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    assert_eq!(body["code"], 57);
}

#[tokio::test]
async fn the_21st_refresh_token_silently_invalidates_the_oldest() {
    let env = start(cfg()).await;
    let mut tokens = Vec::new();
    for i in 0u32..21 {
        // Zoho gives 10 codes per Client ID in 10 minutes.
        if i > 0 && i.is_multiple_of(10) {
            env.sim.advance_time(std::time::Duration::from_secs(600));
        }
        tokens.push(env.connect().await);
    }
    let accounts = tokens[0].accounts.clone();
    assert_eq!(
        env.refresh(&accounts, &tokens[0].refresh).await["error"],
        "invalid_code"
    );
    let (s, _, _) = env
        .get(
            &tokens[0].api_domain,
            &tokens[0].access,
            "organizations",
            &[],
        )
        .await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    for t in &tokens[1..] {
        assert!(env.refresh(&accounts, &t.refresh).await["access_token"].is_string());
    }
}

#[tokio::test]
async fn too_many_access_tokens_per_refresh_token_is_access_denied() {
    let env = start(SimConfig {
        access_tokens_per_refresh_per_10min: 3,
        ..cfg()
    })
    .await;
    let t = env.connect().await;
    for _ in 0..3 {
        assert!(env.refresh(&t.accounts, &t.refresh).await["access_token"].is_string());
    }
    // Fact (Zoho's Kaizen #43, recorded traffic): past the limit, HTTP 400
    // with the recorded body, and sometimes its localised form.
    let denied = env.refresh(&t.accounts, &t.refresh).await;
    assert_eq!(denied["error"], "Access Denied");
    assert_eq!(denied["status"], "failure");
    assert_eq!(
        denied["error_description"],
        "You have made too many requests continuously. Please try again after some time."
    );
    let again = env.refresh(&t.accounts, &t.refresh).await;
    assert_eq!(again["error"], "拒绝访问", "the localised variant");
    assert_eq!(again["status"], "failure");
    // Another refresh token is not affected; ten minutes later this one works again.
    let other = env.connect().await;
    assert!(env.refresh(&t.accounts, &other.refresh).await["access_token"].is_string());
    env.sim.advance_time(Duration::from_secs(600));
    assert!(env.refresh(&t.accounts, &t.refresh).await["access_token"].is_string());
}

/// Fact (Zoho's Kaizen #43): a refresh token has at most 15 live access
/// tokens; the 16th deletes the oldest, which then fails with 401 code 57
/// in whoever still uses it. Reaching 16 takes more than ten minutes (10
/// per 10 minutes), so the clock moves on between the two batches.
#[tokio::test]
async fn the_16th_live_access_token_of_a_refresh_token_deletes_the_oldest() {
    let env = start(cfg()).await;
    assert_eq!(env.sim.config().live_access_tokens_per_refresh, 15);
    let t = env.connect().await;
    // The code exchange made the first; nine refreshes make ten.
    let mut tokens = vec![t.access.clone()];
    for _ in 0..9 {
        let r = env.refresh(&t.accounts, &t.refresh).await;
        tokens.push(r["access_token"].as_str().expect("minted").to_string());
    }
    env.sim.advance_time(Duration::from_secs(601));
    for _ in 0..5 {
        let r = env.refresh(&t.accounts, &t.refresh).await;
        tokens.push(r["access_token"].as_str().expect("minted").to_string());
    }
    assert_eq!(tokens.len(), 15);
    let works = |access: &str| Tokens {
        access: access.to_string(),
        refresh: t.refresh.clone(),
        api_domain: t.api_domain.clone(),
        accounts: t.accounts.clone(),
    };
    let (s, _, _) = env.org_get(&works(&tokens[0]), "invoices", &[]).await;
    assert_eq!(s, StatusCode::OK, "15 live tokens all work");
    let r = env.refresh(&t.accounts, &t.refresh).await;
    let sixteenth = r["access_token"].as_str().expect("minted").to_string();
    let (s, _, body) = env.org_get(&works(&tokens[0]), "invoices", &[]).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED, "the oldest was deleted");
    assert_eq!(body["code"], 57);
    for access in tokens[1..].iter().chain([&sixteenth]) {
        let (s, _, _) = env.org_get(&works(access), "invoices", &[]).await;
        assert_eq!(s, StatusCode::OK, "the other fifteen still work");
    }
    // Another refresh token's access tokens are not affected.
    let other = env.connect().await;
    let (s, _, _) = env.org_get(&other, "invoices", &[]).await;
    assert_eq!(s, StatusCode::OK);
}

#[tokio::test]
async fn expired_access_token_is_refused_and_scopes_are_enforced() {
    let env = start(SimConfig {
        token_ttl: Duration::from_secs(60),
        ..cfg()
    })
    .await;
    let t = env.connect().await;
    let (s, _, _) = env.org_get(&t, "invoices", &[]).await;
    assert_eq!(s, StatusCode::OK);
    env.sim.advance_time(Duration::from_secs(61));
    let (s, _, body) = env.org_get(&t, "invoices", &[]).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    assert_eq!(body["code"], 57);

    // A token for invoices only cannot read bills or /organizations.
    let q = env.consent("us", "ZohoBooks.invoices.READ").await;
    let t2 = env.exchange(&env.accounts("us"), &q["code"]).await;
    let narrow = Tokens {
        access: t2["access_token"].as_str().unwrap().into(),
        refresh: String::new(),
        api_domain: t2["api_domain"].as_str().unwrap().into(),
        accounts: env.accounts("us"),
    };
    assert_eq!(
        env.org_get(&narrow, "invoices", &[]).await.0,
        StatusCode::OK
    );
    assert_eq!(
        env.org_get(&narrow, "bills", &[]).await.0,
        StatusCode::UNAUTHORIZED
    );
    let (s, _, _) = env
        .get(&narrow.api_domain, &narrow.access, "organizations", &[])
        .await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
}

/// The user moved to Europe at runtime (a demo story): a sign-in started at
/// the US accounts server is sent on to Europe, whose code, tokens and
/// organizations work there; the US no longer lists them. Moved back, the
/// sign-in lands in the US again. China's accounts are apart: no move there.
#[tokio::test]
async fn the_home_data_center_can_move_at_runtime() {
    let env = start(cfg()).await;
    assert!(!env.sim.set_home_region("cn"));
    assert!(!env.sim.set_home_region("xx"));
    assert!(env.sim.set_home_region("eu"));
    assert_eq!(env.home(), "eu");
    let q = env.consent("us", ALL_SCOPES).await;
    assert_eq!(q["location"], "eu");
    assert_eq!(q["accounts-server"], env.accounts("eu"));
    let t = env.exchange(&q["accounts-server"], &q["code"]).await;
    assert_eq!(t["api_domain"].as_str(), env.sim.api_url("eu").as_deref());
    assert_eq!(env.sim.organizations()[0].region, "eu");
    assert!(env.sim.set_home_region("us"));
    let q = env.consent("us", ALL_SCOPES).await;
    assert_eq!(q["location"], "us");
}

/// Organizations moved with their user to Europe (demo story 1) are
/// European: euros, and Berlin's time zone in what Zoho answers about them;
/// moved back, they are American again.
#[tokio::test]
async fn organizations_take_their_data_centers_currency_and_time_zone() {
    let env = start(cfg()).await;
    assert_eq!(env.sim.organizations()[0].currency_code, "USD");
    assert!(env.sim.set_home_region("eu"));
    assert_eq!(env.sim.organizations()[0].currency_code, "EUR");
    let q = env.consent("us", ALL_SCOPES).await;
    let t = env.exchange(&q["accounts-server"], &q["code"]).await;
    let tokens = Tokens {
        access: t["access_token"].as_str().unwrap().into(),
        refresh: String::new(),
        api_domain: t["api_domain"].as_str().unwrap().into(),
        accounts: q["accounts-server"].clone(),
    };
    let (status, _, body) = env
        .get(&tokens.api_domain, &tokens.access, "organizations", &[])
        .await;
    assert_eq!(status, StatusCode::OK);
    let org = &body["organizations"][0];
    assert_eq!(org["currency_code"], "EUR", "{org}");
    assert_eq!(org["time_zone"], "Europe/Berlin", "{org}");
    assert!(env.sim.set_home_region("us"));
    assert_eq!(env.sim.organizations()[0].currency_code, "USD");
}

/// Zoho's "Token Validity" pages: "You can generate a maximum of 10 grant
/// tokens in a span of 10 minutes per client ID". The client ID is the
/// platform's too; past it the consent gives no code (`access_denied`).
#[tokio::test]
async fn the_eleventh_code_for_a_client_id_in_ten_minutes_is_refused() {
    let env = start(cfg()).await;
    assert_eq!(env.sim.config().grant_codes_per_client_per_10min, 10);
    for _ in 0..10 {
        let q = env.consent(&env.home(), ALL_SCOPES).await;
        assert!(q.contains_key("code"), "{q:?}");
    }
    let q = env.consent(&env.home(), ALL_SCOPES).await;
    assert_eq!(q.get("error").map(String::as_str), Some("access_denied"));
    assert!(!q.contains_key("code"));
    assert_eq!(q.get("state").map(String::as_str), Some("st-1"));
    // Ten minutes later the Client ID gets codes again.
    env.sim.advance_time(std::time::Duration::from_secs(600));
    let q = env.consent(&env.home(), ALL_SCOPES).await;
    assert!(q.contains_key("code"), "{q:?}");
}
