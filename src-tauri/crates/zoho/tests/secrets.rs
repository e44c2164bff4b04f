//! `Debug` of every type that holds a secret shows no secret.

use std::time::Duration;

use url::Url;
use zbs_zoho::oauth::{authorize, OAuthClient, TokenSet};
use zbs_zoho::{parse_callback, DataCenters, ExposeSecret, SecretString};

#[test]
fn debug_never_shows_secrets() {
    let dcs = DataCenters::builtin();
    let request = authorize(
        dcs.get("us").expect("us"),
        "1000.CLIENTID",
        "zbsetup://oauth/callback",
        &[],
    )
    .expect("authorize");
    let verifier = request.pending.verifier().expose_secret().to_owned();
    let client = OAuthClient::new("1000.CLIENTID", SecretString::from("CLIENT-SECRET-VALUE"))
        .expect("client");
    let tokens = TokenSet {
        access_token: SecretString::from("ACCESS-TOKEN-VALUE"),
        refresh_token: Some(SecretString::from("REFRESH-TOKEN-VALUE")),
        expires_in: Duration::from_secs(3600),
        api_domain: Url::parse("https://www.zohoapis.com").expect("url"),
        scope: None,
        region: "us".into(),
    };
    let callback =
        parse_callback("zbsetup://oauth/callback?code=AUTH-CODE-VALUE&state=s").expect("callback");

    let shown = [
        format!("{request:?}"),
        format!("{:?}", request.pending),
        format!("{client:?}"),
        format!("{tokens:?}"),
        format!("{:#?}", tokens),
        format!("{callback:?}"),
        format!("{:?}", callback.outcome),
        format!("{}", callback.outcome),
    ];
    for text in &shown {
        for secret in [
            verifier.as_str(),
            "CLIENT-SECRET-VALUE",
            "ACCESS-TOKEN-VALUE",
            "REFRESH-TOKEN-VALUE",
            "AUTH-CODE-VALUE",
        ] {
            assert!(!text.contains(secret), "{secret} leaked in {text}");
        }
    }
    // The non-secret parts stay visible for debugging.
    assert!(shown[2].contains("1000.CLIENTID"));
    assert!(shown[3].contains("zohoapis"));
}
