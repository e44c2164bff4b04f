//! Fuzzing `parse_callback` with arbitrary and near-valid inputs.
//!
//! Uses proptest's default configuration, which reads `PROPTEST_CASES` from the
//! environment (CI sets a large number; the default is 256).

use proptest::prelude::*;
use zbs_zoho::callback::{parse_callback, parse_callback_query, CallbackOutcome};
use zbs_zoho::ExposeSecret;

fn enc(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

fn prefix() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("zbsetup://oauth/callback".to_owned()),
        Just("ZBSETUP://Oauth/callback".to_owned()),
        Just("http://127.0.0.1:47823/oauth/callback".to_owned()),
        (1u32..70000).prop_map(|p| format!("http://127.0.0.1:{p}/oauth/callback")),
        Just("zbsetup://oauth/callback/".to_owned()),
        Just("javascript://oauth/callback".to_owned()),
        Just("file:///oauth/callback".to_owned()),
        Just("http://localhost:1/oauth/callback".to_owned()),
        "[a-zA-Z:/%.0-9]{0,30}",
    ]
}

fn key() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("state".to_owned()),
        Just("code".to_owned()),
        Just("error".to_owned()),
        Just("error_description".to_owned()),
        Just("location".to_owned()),
        Just("accounts-server".to_owned()),
        "[a-z_%+-]{0,8}",
    ]
}

fn value() -> impl Strategy<Value = String> {
    prop_oneof![
        "[A-Za-z0-9._~-]{0,40}",
        any::<String>().prop_map(|s| enc(&s)),
        "[%A-Fa-f0-9+&=]{0,20}",
        Just("%FF".to_owned()),
        Just("%ZZ".to_owned()),
    ]
}

proptest! {
    #[test]
    fn arbitrary_strings_never_panic(s in any::<String>()) {
        let _ = parse_callback(&s);
        let _ = parse_callback_query(&s);
    }

    #[test]
    fn arbitrary_printable_never_panic(s in "[ -~]{0,300}") {
        let _ = parse_callback(&s);
        let _ = parse_callback_query(&s);
    }

    #[test]
    fn near_valid_urls(
        p in prefix(),
        params in proptest::collection::vec((key(), value()), 0..8),
        sep in prop_oneof![Just("?"), Just("#"), Just("?&"), Just("")],
    ) {
        let query: Vec<String> = params.iter().map(|(k, v)| format!("{k}={v}")).collect();
        let url = format!("{p}{sep}{}", query.join("&"));
        if let Ok(cb) = parse_callback(&url) {
            prop_assert!(!cb.state.is_empty());
            let raw_state = params.iter().find(|(k, _)| k == "state").map(|(_, v)| v.clone());
            prop_assert!(raw_state.is_some());
        }
    }

    #[test]
    fn valid_callbacks_round_trip(
        state in any::<String>().prop_filter("plain", |s| !s.is_empty() && !s.chars().any(|c| c.is_control() || c.is_whitespace())),
        code in "[A-Za-z0-9.]{1,80}",
        loopback in any::<bool>(),
        extra in proptest::collection::vec(("[a-z]{3,6}x", "[a-z0-9]{0,6}"), 0..4),
    ) {
        let base = if loopback {
            "http://127.0.0.1:47823/oauth/callback"
        } else {
            "zbsetup://oauth/callback"
        };
        let mut url = format!("{base}?code={}&state={}", enc(&code), enc(&state));
        let mut seen = std::collections::HashSet::new();
        for (k, v) in &extra {
            if seen.insert(k.clone()) {
                url.push_str(&format!("&{k}={v}"));
            }
        }
        match parse_callback(&url) {
            Ok(cb) => {
                prop_assert_eq!(&cb.state, &state);
                match cb.outcome {
                    CallbackOutcome::Code { code: c, .. } => prop_assert_eq!(c.expose_secret(), code.as_str()),
                    other => prop_assert!(false, "expected a code, got {}", other),
                }
            }
            Err(e) => {
                // Only the length caps may refuse a well-formed callback.
                prop_assert!(
                    matches!(e.code(), zbs_codes::Code::CallbackTooLong | zbs_codes::Code::CallbackParameterTooLong),
                    "refused: {}", e.code()
                );
            }
        }
    }
}
