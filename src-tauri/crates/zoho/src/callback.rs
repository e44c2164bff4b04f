//! Parsing the OAuth redirect that comes back from Zoho, as a pure function.
//!
//! The redirect reaches the app from outside, either as a deep link
//! (`zbsetup://oauth/callback?...`, forwarded by the desktop shell) or as a
//! request to the loopback listener (`http://127.0.0.1:<port>/oauth/callback?...`,
//! see [`crate::loopback`]). Anyone can craft such a link, so the parser is
//! strict and total: a length cap before anything else, exact scheme, host and
//! path (scheme and host compared case-insensitively, as URLs define them; the
//! path exactly; no percent-encoding in any of them), strict percent-decoding to
//! UTF-8, every parameter at most once, values length-capped, unknown
//! parameters ignored. It never panics. Matching the `state` against the
//! sign-in in progress and checking `accounts-server` against the data-center
//! table are the caller's job ([`crate::oauth`]).

use std::fmt;
use zbs_codes::Code;

use secrecy::SecretString;

/// Custom URL scheme of deep links.
pub const DEEP_LINK_SCHEME: &str = "zbsetup";
/// Host part of the deep-link callback (`zbsetup://oauth/callback`).
pub const DEEP_LINK_HOST: &str = "oauth";
/// Path of the deep-link callback.
pub const DEEP_LINK_PATH: &str = "/callback";
/// Path of the loopback callback (`http://localhost:<port>/oauth/callback`).
pub const LOOPBACK_PATH: &str = "/oauth/callback";
/// Host of the default loopback redirect URI: the one Zoho is known to
/// accept for desktop sign-ins (rclone issue 6163; every desktop tool for
/// Zoho registers it). The listener answers on 127.0.0.1 and ::1, either of
/// which a browser may try for it.
pub const LOCALHOST_HOST: &str = "localhost";
/// Host of the alternative loopback redirect URI: the IPv4 literal.
pub const LOOPBACK_HOST: &str = "127.0.0.1";
/// Port of the loopback listener unless configured otherwise.
pub const DEFAULT_LOOPBACK_PORT: u16 = 47823;
/// Longest accepted callback URL (or query), in bytes.
pub const MAX_CALLBACK_LEN: usize = 8 * 1024;
/// Longest accepted decoded parameter value, in bytes.
pub const MAX_PARAM_LEN: usize = 2048;
/// Most `&`-separated parameters accepted.
pub const MAX_PARAMS: usize = 64;

/// The deep-link redirect URI to register with Zoho.
pub fn deep_link_redirect_uri() -> String {
    format!("{DEEP_LINK_SCHEME}://{DEEP_LINK_HOST}{DEEP_LINK_PATH}")
}

/// The alternative loopback redirect URI for a port (`http://127.0.0.1:…`).
pub fn loopback_redirect_uri(port: u16) -> String {
    format!("http://{LOOPBACK_HOST}:{port}{LOOPBACK_PATH}")
}

/// The default redirect URI for a port (`http://localhost:…`).
pub fn localhost_redirect_uri(port: u16) -> String {
    format!("http://{LOCALHOST_HOST}:{port}{LOOPBACK_PATH}")
}

/// A parsed redirect.
#[derive(Debug, Clone)]
pub struct Callback {
    /// The CSRF `state` echoed by Zoho (not yet checked against anything).
    pub state: String,
    /// Granted (a code) or refused.
    pub outcome: CallbackOutcome,
}

/// What the person decided on Zoho's consent screen.
#[derive(Debug, Clone)]
pub enum CallbackOutcome {
    /// Access granted: a single-use authorization code.
    Code {
        code: SecretString,
        /// Zoho's `location`, e.g. `"eu"`.
        location: Option<String>,
        /// Zoho's `accounts-server`, e.g. `"https://accounts.zoho.eu"`. Untrusted.
        accounts_server: Option<String>,
    },
    /// Access refused or failed (`error`, e.g. `"access_denied"`). Plain data:
    /// the description may contain anything, including HTML; never render it as markup.
    Denied {
        error: String,
        description: Option<String>,
    },
    /// Neither a code nor an error: a broken answer. It still carries a
    /// `state`, so a matching one ends the waiting sign-in (only Zoho knows
    /// the state, so a forged link cannot cancel a sign-in this way).
    NoCode,
}

/// Why a redirect was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CallbackError {
    #[error("The sign-in link is far longer than a genuine one, so it was ignored. Start the connection again from Zoho Books Setup.")]
    TooLong,
    #[error("This is not a Zoho Books Setup sign-in link, so it was ignored.")]
    NotACallback,
    #[error("The sign-in link is damaged or incomplete, so it was ignored. Start the connection again from Zoho Books Setup.")]
    Malformed,
    #[error("The sign-in link contains characters that cannot be read, so it was ignored. Start the connection again from Zoho Books Setup.")]
    InvalidEncoding,
    #[error("The sign-in link repeats the \"{0}\" field, which a genuine link never does, so it was ignored. Start the connection again from Zoho Books Setup.")]
    DuplicateParameter(String),
    #[error("The sign-in link has too many fields to be genuine, so it was ignored. Start the connection again from Zoho Books Setup.")]
    TooManyParameters,
    #[error("The \"{0}\" field of the sign-in link is far longer than a genuine one, so the link was ignored. Start the connection again from Zoho Books Setup.")]
    ParameterTooLong(String),
    #[error("The \"{0}\" field of the sign-in link is not valid, so the link was ignored. Start the connection again from Zoho Books Setup.")]
    InvalidParameter(String),
    #[error("The sign-in link lacks its security check (state), so it cannot be matched to a sign-in started here. Start the connection again from Zoho Books Setup.")]
    MissingState,
    #[error("Zoho's answer contains no authorization code, so this sign-in cannot finish. Start the connection again from Zoho Books Setup.")]
    MissingCode,
    #[error("The sign-in link says both that access was granted and that it was refused, so it was ignored. Start the connection again from Zoho Books Setup.")]
    Conflicting,
}

impl CallbackError {
    /// Stable code for the UI and scripts.
    pub fn code(&self) -> Code {
        match self {
            CallbackError::TooLong => Code::CallbackTooLong,
            CallbackError::NotACallback => Code::NotACallback,
            CallbackError::Malformed => Code::CallbackMalformed,
            CallbackError::InvalidEncoding => Code::CallbackBadEncoding,
            CallbackError::DuplicateParameter(_) => Code::CallbackDuplicateParameter,
            CallbackError::TooManyParameters => Code::CallbackTooManyParameters,
            CallbackError::ParameterTooLong(_) => Code::CallbackParameterTooLong,
            CallbackError::InvalidParameter(_) => Code::CallbackInvalidParameter,
            CallbackError::MissingState => Code::CallbackMissingState,
            CallbackError::MissingCode => Code::CallbackMissingCode,
            CallbackError::Conflicting => Code::CallbackConflicting,
        }
    }
}

/// Parses a full redirect URL, deep link or loopback form.
pub fn parse_callback(url: &str) -> Result<Callback, CallbackError> {
    if url.len() > MAX_CALLBACK_LEN {
        return Err(CallbackError::TooLong);
    }
    // Only printable ASCII: browsers and the OS percent-encode everything else.
    // This also rules out whitespace that URL parsers would silently strip.
    if !url.bytes().all(|b| (0x21..=0x7e).contains(&b)) {
        return Err(CallbackError::Malformed);
    }
    if url.contains('#') {
        return Err(CallbackError::Malformed);
    }
    let (prefix, query) = match url.split_once('?') {
        Some((p, q)) => (p, q),
        None => (url, ""),
    };
    check_prefix(prefix)?;
    parse_callback_query(query)
}

/// Checks `scheme://host[:port]/path` against the two accepted forms.
fn check_prefix(prefix: &str) -> Result<(), CallbackError> {
    if prefix.contains('%') {
        // No percent-encoded scheme, host or path: a genuine link never has one.
        return Err(CallbackError::NotACallback);
    }
    let (scheme, rest) = prefix
        .split_once("://")
        .ok_or(CallbackError::NotACallback)?;
    let (authority, path) = match rest.find('/') {
        Some(i) => rest.split_at(i),
        None => (rest, ""),
    };
    if scheme.eq_ignore_ascii_case(DEEP_LINK_SCHEME) {
        if authority.eq_ignore_ascii_case(DEEP_LINK_HOST) && path == DEEP_LINK_PATH {
            return Ok(());
        }
        return Err(CallbackError::NotACallback);
    }
    if scheme.eq_ignore_ascii_case("http") {
        let (host, port) = authority
            .split_once(':')
            .ok_or(CallbackError::NotACallback)?;
        if !matches!(host, LOOPBACK_HOST | LOCALHOST_HOST) || path != LOOPBACK_PATH {
            return Err(CallbackError::NotACallback);
        }
        if port.is_empty() || port.len() > 5 || !port.bytes().all(|b| b.is_ascii_digit()) {
            return Err(CallbackError::Malformed);
        }
        return match port.parse::<u32>() {
            Ok(p) if (1..=65535).contains(&p) => Ok(()),
            _ => Err(CallbackError::Malformed),
        };
    }
    Err(CallbackError::NotACallback)
}

#[derive(Default)]
struct Fields {
    state: Option<String>,
    code: Option<String>,
    error: Option<String>,
    error_description: Option<String>,
    location: Option<String>,
    accounts_server: Option<String>,
}

/// Parses only the query part (after `?`), as the loopback listener receives it.
pub fn parse_callback_query(query: &str) -> Result<Callback, CallbackError> {
    if query.len() > MAX_CALLBACK_LEN {
        return Err(CallbackError::TooLong);
    }
    if !query.bytes().all(|b| (0x21..=0x7e).contains(&b)) || query.contains('#') {
        return Err(CallbackError::Malformed);
    }
    let mut fields = Fields::default();
    let mut seen: Vec<String> = Vec::new();
    for (i, pair) in query.split('&').filter(|p| !p.is_empty()).enumerate() {
        if i >= MAX_PARAMS {
            return Err(CallbackError::TooManyParameters);
        }
        let (raw_key, raw_value) = pair.split_once('=').unwrap_or((pair, ""));
        let key = decode_component(raw_key)?;
        if seen.contains(&key) {
            return Err(CallbackError::DuplicateParameter(display_name(&key)));
        }
        let value = decode_component(raw_value)?;
        let slot = match key.as_str() {
            "state" => &mut fields.state,
            "code" => &mut fields.code,
            "error" => &mut fields.error,
            "error_description" => &mut fields.error_description,
            "location" => &mut fields.location,
            "accounts-server" => &mut fields.accounts_server,
            _ => {
                // Unknown parameters are ignored (but still count for duplicates).
                seen.push(key);
                continue;
            }
        };
        if value.len() > MAX_PARAM_LEN {
            return Err(CallbackError::ParameterTooLong(key));
        }
        *slot = Some(value);
        seen.push(key);
    }

    let state = non_empty(fields.state).ok_or(CallbackError::MissingState)?;
    check_plain(&state, "state")?;
    let error = non_empty(fields.error);
    let code = non_empty(fields.code);

    let outcome = match (error, code) {
        (Some(_), Some(_)) => return Err(CallbackError::Conflicting),
        (Some(error), None) => {
            check_plain(&error, "error")?;
            let description = non_empty(fields.error_description).map(|d| {
                d.chars()
                    .map(|c| if c.is_control() { ' ' } else { c })
                    .collect::<String>()
            });
            CallbackOutcome::Denied { error, description }
        }
        (None, Some(code)) => {
            check_plain(&code, "code")?;
            let location = non_empty(fields.location);
            if let Some(l) = &location {
                if l.len() > 16 || !l.bytes().all(|b| b.is_ascii_alphanumeric()) {
                    return Err(CallbackError::InvalidParameter("location".into()));
                }
            }
            let accounts_server = non_empty(fields.accounts_server);
            if let Some(s) = &accounts_server {
                check_plain(s, "accounts-server")?;
            }
            CallbackOutcome::Code {
                code: SecretString::from(code),
                location,
                accounts_server,
            }
        }
        (None, None) => CallbackOutcome::NoCode,
    };
    Ok(Callback { state, outcome })
}

fn non_empty(v: Option<String>) -> Option<String> {
    v.filter(|s| !s.is_empty())
}

/// Values used as tokens or URLs: no whitespace or control characters.
fn check_plain(v: &str, name: &str) -> Result<(), CallbackError> {
    if v.chars().any(|c| c.is_control() || c.is_whitespace()) {
        return Err(CallbackError::InvalidParameter(name.into()));
    }
    Ok(())
}

/// Names of unknown parameters are not echoed back (they are attacker-chosen).
fn display_name(key: &str) -> String {
    match key {
        "state" | "code" | "error" | "error_description" | "location" | "accounts-server" => {
            key.to_owned()
        }
        _ => "unknown".to_owned(),
    }
}

/// Form-urlencoded component decoding: `+` is a space, `%XX` must be two hex
/// digits, the result must be UTF-8.
fn decode_component(s: &str) -> Result<String, CallbackError> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' => {
                let hi = bytes.get(i + 1).and_then(|b| hex(*b));
                let lo = bytes.get(i + 2).and_then(|b| hex(*b));
                match (hi, lo) {
                    (Some(h), Some(l)) => out.push(h << 4 | l),
                    _ => return Err(CallbackError::InvalidEncoding),
                }
                i += 3;
            }
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(out).map_err(|_| CallbackError::InvalidEncoding)
}

fn hex(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

impl fmt::Display for CallbackOutcome {
    /// A short, secret-free description (`granted` / `refused: <error>`).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CallbackOutcome::Code { .. } => f.write_str("granted"),
            CallbackOutcome::Denied { error, .. } => write!(f, "refused: {error}"),
            CallbackOutcome::NoCode => f.write_str("no code"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use secrecy::ExposeSecret;

    enum Expect {
        Yields(&'static str, &'static str),
        Denied(&'static str, &'static str),
        NoCode(&'static str),
        Fails(Code),
    }
    use Expect::*;

    #[allow(clippy::useless_format)] // one uniform table
    fn cases() -> Vec<(String, Expect)> {
        let dl = "zbsetup://oauth/callback";
        let lb = "http://127.0.0.1:47823/oauth/callback";
        let s = |x: &str| x.to_owned();
        vec![
            // valid forms
            (format!("{dl}?code=1000.abc&state=S1"), Yields("S1", "1000.abc")),
            (format!("{lb}?state=S2&code=1000.def&location=eu&accounts-server=https%3A%2F%2Faccounts.zoho.eu"), Yields("S2", "1000.def")),
            (format!("http://127.0.0.1:1/oauth/callback?code=c&state=s"), Yields("s", "c")),
            (format!("http://127.0.0.1:65535/oauth/callback?code=c&state=s"), Yields("s", "c")),
            (format!("{dl}?code=c&state=s&extra=1&utm_source=x"), Yields("s", "c")),
            (format!("{dl}?code=c&state=s&&"), Yields("s", "c")),
            (format!("{dl}?code=c%2Bd&state=a+b"), Fails(Code::CallbackInvalidParameter)),
            (format!("{dl}?code=c%2Bd&state=a%2Bb"), Yields("a+b", "c+d")),
            (format!("{dl}?error=access_denied&state=s&error_description=%3Cscript%3Ealert(1)%3C%2Fscript%3E"), Denied("s", "<script>alert(1)</script>")),
            (format!("{dl}?error=access_denied&state=s&code="), Denied("s", "")),
            // case handling: scheme and host case-insensitive, path exact
            (format!("ZBSETUP://OAUTH/callback?code=c&state=s"), Yields("s", "c")),
            (format!("HTTP://127.0.0.1:47823/oauth/callback?code=c&state=s"), Yields("s", "c")),
            (format!("zbsetup://oauth/CALLBACK?code=c&state=s"), Fails(Code::NotACallback)),
            (format!("http://127.0.0.1:47823/OAuth/callback?code=c&state=s"), Fails(Code::NotACallback)),
            // percent-encoded prefix
            (format!("zbsetup://%6Fauth/callback?code=c&state=s"), Fails(Code::NotACallback)),
            (format!("zbsetup://oauth/%63allback?code=c&state=s"), Fails(Code::NotACallback)),
            (format!("http://127.0.0.1:47823/oauth%2Fcallback?code=c&state=s"), Fails(Code::NotACallback)),
            // wrong schemes, hosts, paths
            (s("javascript:alert(1)//zbsetup://oauth/callback?code=c&state=s"), Fails(Code::NotACallback)),
            (s("javascript://oauth/callback?code=c&state=s"), Fails(Code::NotACallback)),
            (s("file:///etc/passwd?code=c&state=s"), Fails(Code::NotACallback)),
            (s("file://oauth/callback?code=c&state=s"), Fails(Code::NotACallback)),
            (s("https://127.0.0.1:47823/oauth/callback?code=c&state=s"), Fails(Code::NotACallback)),
            (s("http://localhost:47823/oauth/callback?code=c&state=s"), Yields("s", "c")),
            (s("http://localhost.evil.com:47823/oauth/callback?code=c&state=s"), Fails(Code::NotACallback)),
            (s("http://LOCALHOST:47823/oauth/callback?code=c&state=s"), Fails(Code::NotACallback)),
            (s("http://evil.com:47823/oauth/callback?code=c&state=s"), Fails(Code::NotACallback)),
            (s("http://127.0.0.1.evil.com:80/oauth/callback?code=c&state=s"), Fails(Code::NotACallback)),
            (s("http://user@127.0.0.1:47823/oauth/callback?code=c&state=s"), Fails(Code::NotACallback)),
            (s("http://127.0.0.1/oauth/callback?code=c&state=s"), Fails(Code::NotACallback)),
            (s("http://127.0.0.1:0/oauth/callback?code=c&state=s"), Fails(Code::CallbackMalformed)),
            (s("http://127.0.0.1:99999/oauth/callback?code=c&state=s"), Fails(Code::CallbackMalformed)),
            (s("http://127.0.0.1:+80/oauth/callback?code=c&state=s"), Fails(Code::CallbackMalformed)),
            (s("zbsetup://evil/callback?code=c&state=s"), Fails(Code::NotACallback)),
            (s("zbsetup://oauth/callback/?code=c&state=s"), Fails(Code::NotACallback)),
            (s("zbsetup://oauth/callback/../callback?code=c&state=s"), Fails(Code::NotACallback)),
            (s("zbsetup://oauth?code=c&state=s"), Fails(Code::NotACallback)),
            (s("zbsetup:oauth/callback?code=c&state=s"), Fails(Code::NotACallback)),
            (s("zbsetup://oauth:80/callback?code=c&state=s"), Fails(Code::NotACallback)),
            (s(""), Fails(Code::NotACallback)),
            (s("?code=c&state=s"), Fails(Code::NotACallback)),
            // whitespace, fragments
            (format!(" {dl}?code=c&state=s"), Fails(Code::CallbackMalformed)),
            (format!("{dl}?code=c&state=s\n"), Fails(Code::CallbackMalformed)),
            (format!("{dl}?code=c&state=s#frag"), Fails(Code::CallbackMalformed)),
            (format!("{dl}?code=caf\u{e9}&state=s"), Fails(Code::CallbackMalformed)),
            // duplicates
            (format!("{dl}?code=c&state=s&state=t"), Fails(Code::CallbackDuplicateParameter)),
            (format!("{dl}?code=c&code=d&state=s"), Fails(Code::CallbackDuplicateParameter)),
            (format!("{dl}?code=c&state=s&x=1&x=2"), Fails(Code::CallbackDuplicateParameter)),
            (format!("{dl}?code=c&state=s&st%61te=t"), Fails(Code::CallbackDuplicateParameter)),
            // missing values
            (format!("{dl}?code=c"), Fails(Code::CallbackMissingState)),
            (format!("{dl}?code=c&state="), Fails(Code::CallbackMissingState)),
            (format!("{dl}?code=c&state"), Fails(Code::CallbackMissingState)),
            (format!("{dl}?state=s"), NoCode("s")),
            (format!("{dl}?state=s&code="), NoCode("s")),
            (format!("{dl}?state=s&code=&error="), NoCode("s")),
            (format!("{dl}"), Fails(Code::CallbackMissingState)),
            (format!("{dl}?error=access_denied&code=c&state=s"), Fails(Code::CallbackConflicting)),
            // encoding
            (format!("{dl}?code=%FF&state=s"), Fails(Code::CallbackBadEncoding)),
            (format!("{dl}?code=%ZZ&state=s"), Fails(Code::CallbackBadEncoding)),
            (format!("{dl}?code=c%&state=s"), Fails(Code::CallbackBadEncoding)),
            (format!("{dl}?code=c%4&state=s"), Fails(Code::CallbackBadEncoding)),
            (format!("{dl}?code=c%00&state=s"), Fails(Code::CallbackInvalidParameter)),
            (format!("{dl}?code=c&state=s%0A"), Fails(Code::CallbackInvalidParameter)),
            (format!("{dl}?code=c&state=s&location=e%20u"), Fails(Code::CallbackInvalidParameter)),
            (format!("{dl}?code=c&state=%E2%9C%93"), Yields("\u{2713}", "c")),
            // lengths
            (format!("{dl}?code=c&state=s&x={}", "a".repeat(64 * 1024)), Fails(Code::CallbackTooLong)),
            (format!("{dl}?code=c&state=s&x={}", "a".repeat(2 * 1024 * 1024)), Fails(Code::CallbackTooLong)),
            (format!("{dl}?code={}&state=s", "a".repeat(MAX_PARAM_LEN + 1)), Fails(Code::CallbackParameterTooLong)),
            (format!("{dl}?code={}&state=s", "a".repeat(MAX_PARAM_LEN)), Yields("s", "")),
            (format!("{dl}?code=c&state=s{}", (0..70).map(|i| format!("&x{i}")).collect::<String>()), Fails(Code::CallbackTooManyParameters)),
        ]
    }

    #[test]
    fn table() {
        let cases = cases();
        assert!(cases.len() >= 30);
        for (url, expect) in cases {
            let shown: String = url.chars().take(120).collect();
            let got = parse_callback(&url);
            match (expect, got) {
                (Yields(state, code), Ok(cb)) => {
                    assert_eq!(cb.state, state, "{shown}");
                    match cb.outcome {
                        CallbackOutcome::Code { code: c, .. } => {
                            if !code.is_empty() {
                                assert_eq!(c.expose_secret(), code, "{shown}");
                            }
                        }
                        other => panic!("{shown}: expected code, got {other}"),
                    }
                }
                (Denied(state, desc), Ok(cb)) => {
                    assert_eq!(cb.state, state, "{shown}");
                    match cb.outcome {
                        CallbackOutcome::Denied { error, description } => {
                            assert_eq!(error, "access_denied");
                            if !desc.is_empty() {
                                assert_eq!(description.as_deref(), Some(desc), "{shown}");
                            }
                        }
                        other => panic!("{shown}: expected denied, got {other}"),
                    }
                }
                (NoCode(state), Ok(cb)) => {
                    assert_eq!(cb.state, state, "{shown}");
                    assert!(matches!(cb.outcome, CallbackOutcome::NoCode), "{shown}");
                }
                (Fails(code), Err(e)) => {
                    assert_eq!(e.code(), code, "{shown}: {e}");
                    assert!(!e.to_string().is_empty());
                }
                (Fails(code), Ok(cb)) => panic!("{shown}: expected {code}, got {}", cb.outcome),
                (_, Err(e)) => panic!("{shown}: expected success, got {}", e.code()),
            }
        }
    }

    #[test]
    fn loopback_fields() {
        let cb = parse_callback(
            "http://127.0.0.1:5000/oauth/callback?state=S&code=1000.x&location=eu&accounts-server=https%3A%2F%2Faccounts.zoho.eu",
        )
        .expect("valid");
        match cb.outcome {
            CallbackOutcome::Code {
                location,
                accounts_server,
                ..
            } => {
                assert_eq!(location.as_deref(), Some("eu"));
                assert_eq!(accounts_server.as_deref(), Some("https://accounts.zoho.eu"));
            }
            other => panic!("{other}"),
        }
        let q = parse_callback_query("state=S&code=C").expect("valid query");
        assert_eq!(q.state, "S");
        assert_eq!(
            parse_callback_query("").map_err(|e| e.code()).err(),
            Some(Code::CallbackMissingState)
        );
    }

    #[test]
    fn debug_hides_code() {
        let cb = parse_callback("zbsetup://oauth/callback?code=SECRETCODE123&state=s").expect("ok");
        let dbg = format!("{cb:?}");
        assert!(!dbg.contains("SECRETCODE123"), "{dbg}");
        assert!(!format!("{}", cb.outcome).contains("SECRETCODE123"));
    }

    #[test]
    fn redirect_uris() {
        assert_eq!(deep_link_redirect_uri(), "zbsetup://oauth/callback");
        assert_eq!(
            loopback_redirect_uri(DEFAULT_LOOPBACK_PORT),
            "http://127.0.0.1:47823/oauth/callback"
        );
        assert!(parse_callback(&format!("{}?code=c&state=s", deep_link_redirect_uri())).is_ok());
        assert!(parse_callback(&format!("{}?code=c&state=s", loopback_redirect_uri(8080))).is_ok());
    }
}
