//! Plain-language checks of what a person pasted into the key fields.
//!
//! The Client ID and Client Secret are copied by hand from Zoho's API console,
//! so they arrive with stray spaces, line breaks, labels ("Client ID: ..."),
//! smart quotes, invisible characters, or in the wrong field. [`check_keys`]
//! trims surrounding ASCII whitespace and refuses anything else that cannot be
//! part of a key, with a message saying exactly what to fix; it only *warns*
//! when a key merely looks unusual. Messages never repeat the pasted value.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// Which key field a finding is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum KeyField {
    ClientId,
    ClientSecret,
}

impl KeyField {
    fn label(self) -> &'static str {
        match self {
            KeyField::ClientId => "Client ID",
            KeyField::ClientSecret => "Client Secret",
        }
    }
}

/// How serious a finding is: errors block saving, warnings do not.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum Severity {
    Error,
    Warning,
}

/// Declares [`KeyIssueCode`] and each code's name on the wire, once.
macro_rules! key_issue_codes {
    ($($(#[doc = $doc:literal])* $variant:ident = $name:literal,)*) => {
        /// The kinds of problem a pasted key can have, as the window and
        /// the tests tell them apart (`"short_secret"`, ...).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
        #[ts(export)]
        pub enum KeyIssueCode {
            $($(#[doc = $doc])* #[serde(rename = $name)] $variant,)*
        }

        impl KeyIssueCode {
            /// The code's name, as serialized.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(KeyIssueCode::$variant => $name,)*
                }
            }
        }
    };
}

key_issue_codes! {
    /// Nothing was pasted.
    Empty = "empty",
    /// Far longer than a key.
    TooLong = "too_long",
    /// A label ("Client ID:") pasted in front.
    Label = "label",
    /// Quotation marks around it.
    Quotes = "quotes",
    /// A line break inside.
    LineBreak = "line_break",
    /// A space inside.
    InnerSpace = "inner_space",
    /// A character no key has (from a document or chat).
    BadCharacter = "bad_character",
    /// The secret is the ID.
    SameAsId = "same_as_id",
    /// A secret pasted into the ID's field.
    SecretInIdField = "secret_in_id_field",
    /// An ID unlike Zoho's.
    UnusualId = "unusual_id",
    /// An ID pasted into the secret's field.
    IdInSecretField = "id_in_secret_field",
    /// A secret shorter than Zoho's: cut short when copied.
    ShortSecret = "short_secret",
    /// A secret unlike Zoho's.
    UnusualSecret = "unusual_secret",
}

impl PartialEq<&str> for KeyIssueCode {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

/// One finding about one field, in words a non-technical person can act on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct KeyIssue {
    pub field: KeyField,
    pub severity: Severity,
    /// The kind of problem (for tests and the UI).
    pub code: KeyIssueCode,
    pub message: String,
}

/// The outcome of checking both fields.
#[derive(Debug, Clone)]
pub struct CheckedKeys {
    /// The trimmed Client ID (only meaningful when `is_ok()`).
    pub client_id: String,
    /// The trimmed Client Secret (only meaningful when `is_ok()`).
    pub client_secret: secrecy::SecretString,
    pub issues: Vec<KeyIssue>,
}

impl CheckedKeys {
    /// True when no finding blocks saving.
    pub fn is_ok(&self) -> bool {
        !self.issues.iter().any(|i| i.severity == Severity::Error)
    }
}

/// The longest Client ID or Client Secret accepted, in bytes (characters,
/// for the ASCII a key is made of): a hundred times a real one's length, and
/// a bound on what a paste, a pipe or a script can make the app keep.
pub const MAX_KEY_LEN: usize = 4096;

/// Zoho client IDs look like `1000.` followed by 30 letters and digits.
pub fn looks_like_client_id(s: &str) -> bool {
    match s.strip_prefix("1000.") {
        Some(rest) => rest.len() == 30 && rest.chars().all(|c| c.is_ascii_alphanumeric()),
        None => false,
    }
}

/// The length of Zoho's client secrets (lowercase letters and digits).
pub const SECRET_LEN: usize = 42;

/// Zoho client secrets are about 42 lowercase letters and digits.
pub fn looks_like_client_secret(s: &str) -> bool {
    (30..=64).contains(&s.len())
        && s.chars()
            .all(|c| c.is_ascii_digit() || c.is_ascii_lowercase())
}

/// Checks both fields. `client_secret` may be `None` when the person keeps
/// the secret already stored and only changes the ID.
pub fn check_keys(client_id: &str, client_secret: Option<&str>) -> CheckedKeys {
    let mut issues = Vec::new();
    let id = check_one(KeyField::ClientId, client_id, &mut issues);
    let secret = client_secret.and_then(|s| check_one(KeyField::ClientSecret, s, &mut issues));

    if let (Some(id), Some(secret)) = (&id, &secret) {
        if id == secret {
            issues.push(error(
                KeyField::ClientSecret,
                KeyIssueCode::SameAsId,
                "The Client Secret is the same as the Client ID. In the API console, open the \
                 \"Client Secret\" tab and copy the value shown under Client Secret.",
            ));
        }
    }
    if let Some(id) = &id {
        if looks_like_client_secret(id) && !looks_like_client_id(id) {
            issues.push(error(
                KeyField::ClientId,
                KeyIssueCode::SecretInIdField,
                "This looks like the Client Secret, not the Client ID. Paste it into the Client \
                 Secret field, and copy the Client ID (it starts with \"1000.\") into this one.",
            ));
        } else if !looks_like_client_id(id) {
            issues.push(warning(
                KeyField::ClientId,
                KeyIssueCode::UnusualId,
                "This does not look like a usual Zoho Client ID (\"1000.\" followed by 30 letters \
                 and digits). Check that you copied the whole Client ID; you can still save it.",
            ));
        }
    }
    if let Some(secret) = &secret {
        if looks_like_client_id(secret) {
            issues.push(error(
                KeyField::ClientSecret,
                KeyIssueCode::IdInSecretField,
                "This looks like the Client ID, not the Client Secret. Paste it into the Client \
                 ID field, and copy the Client Secret into this one.",
            ));
        } else if looks_like_client_secret(secret) && secret.len() < SECRET_LEN {
            issues.push(warning(
                KeyField::ClientSecret,
                KeyIssueCode::ShortSecret,
                &format!(
                    "This Client Secret has {} characters; Zoho's have {SECRET_LEN}. It was \
                     probably cut short when copied: copy it again from the API console, all of \
                     it.",
                    secret.chars().count()
                ),
            ));
        } else if !looks_like_client_secret(secret) {
            issues.push(warning(
                KeyField::ClientSecret,
                KeyIssueCode::UnusualSecret,
                "This does not look like a usual Zoho Client Secret (about 42 lowercase letters \
                 and digits). Check that you copied all of it; you can still save it.",
            ));
        }
    }

    CheckedKeys {
        client_id: id.unwrap_or_default(),
        client_secret: secrecy::SecretString::from(secret.unwrap_or_default()),
        issues,
    }
}

/// Checks one field; returns the trimmed value when it has no blocking issue.
fn check_one(field: KeyField, raw: &str, issues: &mut Vec<KeyIssue>) -> Option<String> {
    let name = field.label();
    let value = raw.trim_matches(|c: char| c.is_ascii_whitespace());
    if value.is_empty() {
        issues.push(error(
            field,
            KeyIssueCode::Empty,
            &format!("The {name} is empty. Copy it from the API console and paste it here."),
        ));
        return None;
    }
    if value.len() > MAX_KEY_LEN {
        issues.push(error(
            field,
            KeyIssueCode::TooLong,
            &format!(
                "The {name} is longer than {MAX_KEY_LEN} characters, far longer than a Zoho \
                 {name} (about 40). Copy only the {name} from the API console and paste it \
                 again."
            ),
        ));
        return None;
    }
    if let Some(label) = pasted_label(value) {
        issues.push(error(
            field,
            KeyIssueCode::Label,
            &format!(
                "Remove the label \"{label}\" in front: paste only the {name} itself, without \
                 its name."
            ),
        ));
        return None;
    }
    let quotes = [
        '"', '\'', '\u{201C}', '\u{201D}', '\u{2018}', '\u{2019}', '`',
    ];
    if value.starts_with(quotes) || value.ends_with(quotes) {
        issues.push(error(
            field,
            KeyIssueCode::Quotes,
            &format!("Remove the quotation marks around the {name}."),
        ));
        return None;
    }
    for (pos, c) in value.chars().enumerate() {
        let position = pos + 1;
        let problem = match c {
            '\n' | '\r' => Some((
                KeyIssueCode::LineBreak,
                format!(
                    "The {name} has a line break in it (after character {pos}). Copy it again \
                     as one line."
                ),
            )),
            ' ' | '\t' => Some((
                KeyIssueCode::InnerSpace,
                format!(
                    "The {name} has a space in it (character {position}). A {name} has no \
                     spaces: copy it again, or delete the space."
                ),
            )),
            c if !c.is_ascii() || c.is_ascii_control() => Some((
                KeyIssueCode::BadCharacter,
                format!(
                    "The {name} contains {} (character {position}), which cannot be part of \
                     it. This usually comes from copying out of a document or chat: copy the \
                     {name} again straight from the API console.",
                    describe_char(c)
                ),
            )),
            _ => None,
        };
        if let Some((code, message)) = problem {
            issues.push(error(field, code, &message));
            return None;
        }
    }
    Some(value.to_owned())
}

/// Recognises a pasted label such as `Client ID:`, `client_secret=` or `Secret -`.
fn pasted_label(value: &str) -> Option<String> {
    let sep = value.find([':', '='])?;
    let head = &value[..sep];
    let words = head.trim().to_ascii_lowercase().replace(['_', '-'], " ");
    let known = [
        "client id",
        "clientid",
        "client secret",
        "clientsecret",
        "secret",
        "id",
        "application id",
        "application secret",
        "app id",
        "app secret",
        "key",
    ];
    if known.contains(
        &words
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .as_str(),
    ) {
        Some(value[..=sep].trim().to_owned())
    } else {
        None
    }
}

fn describe_char(c: char) -> String {
    let name = match c {
        '\u{00A0}' => "a no-break space",
        '\u{200B}' => "an invisible zero-width space",
        '\u{200C}' | '\u{200D}' | '\u{2060}' | '\u{FEFF}' => "an invisible formatting character",
        '\u{201C}' | '\u{201D}' | '\u{2018}' | '\u{2019}' => "a curly quotation mark",
        '\u{2013}' | '\u{2014}' => "a long dash",
        '\u{2026}' => "an ellipsis (…), which means the value was cut short",
        c if c.is_control() => "an invisible control character",
        _ => "a character that is not a plain letter or digit",
    };
    format!("{name} (U+{:04X})", c as u32)
}

fn error(field: KeyField, code: KeyIssueCode, message: &str) -> KeyIssue {
    KeyIssue {
        field,
        severity: Severity::Error,
        code,
        message: message.into(),
    }
}

fn warning(field: KeyField, code: KeyIssueCode, message: &str) -> KeyIssue {
    KeyIssue {
        field,
        severity: Severity::Warning,
        code,
        message: message.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use secrecy::ExposeSecret;

    const ID: &str = "1000.ABCDEFGHIJ0123456789KLMNOPQRST";
    const SECRET: &str = "0f1e2d3c4b5a69788796a5b4c3d2e1f00123456789";

    /// (case, id, secret, expected error codes; empty = saves)
    #[allow(clippy::type_complexity)]
    const CASES: &[(&str, &str, &str, &[&str])] = &[
        ("clean", ID, SECRET, &[]),
        (
            "trailing newline",
            "1000.ABCDEFGHIJ0123456789KLMNOPQRST\n",
            SECRET,
            &[],
        ),
        (
            "surrounding spaces and tabs",
            "  \t1000.ABCDEFGHIJ0123456789KLMNOPQRST \t",
            SECRET,
            &[],
        ),
        (
            "secret with CRLF",
            ID,
            "0f1e2d3c4b5a69788796a5b4c3d2e1f00123456789\r\n",
            &[],
        ),
        ("empty id", "", SECRET, &["empty"]),
        ("whitespace-only id", " \n\t ", SECRET, &["empty"]),
        ("empty secret", ID, "", &["empty"]),
        (
            "inner space in id",
            "1000.ABCDEFGHIJ 0123456789KLMNOPQRST",
            SECRET,
            &["inner_space"],
        ),
        (
            "tab inside secret",
            ID,
            "0f1e2d3c4b5a6978\t8796a5b4c3d2e1f00123456789",
            &["inner_space"],
        ),
        (
            "line break inside secret",
            ID,
            "0f1e2d3c4b5a6978\n8796a5b4c3d2e1f00123456789",
            &["line_break"],
        ),
        (
            "label on id",
            "Client ID: 1000.ABCDEFGHIJ0123456789KLMNOPQRST",
            SECRET,
            &["label"],
        ),
        (
            "label on secret",
            ID,
            "Client Secret: 0f1e2d3c4b5a69788796a5b4c3d2e1f00123456789",
            &["label"],
        ),
        (
            "snake label",
            "client_id=1000.ABCDEFGHIJ0123456789KLMNOPQRST",
            SECRET,
            &["label"],
        ),
        (
            "application label",
            ID,
            "Application Secret:0f1e2d3c4b5a69788796a5b4c3d2e1f00123456789",
            &["label"],
        ),
        (
            "id in secret field",
            ID,
            "1000.ZYXWVUTSRQ0123456789KLMNOPQRST",
            &["id_in_secret_field"],
        ),
        (
            "secret in id field",
            SECRET,
            SECRET,
            &["same_as_id", "secret_in_id_field"],
        ),
        (
            "swapped fields",
            SECRET,
            ID,
            &["secret_in_id_field", "id_in_secret_field"],
        ),
        (
            "no-break space",
            "1000.ABCDEFGHIJ0123456789\u{00A0}KLMNOPQRST",
            SECRET,
            &["bad_character"],
        ),
        (
            "zero-width space",
            ID,
            "0f1e2d3c4b5a6978\u{200B}8796a5b4c3d2e1f00123456789",
            &["bad_character"],
        ),
        (
            "smart quotes",
            "\u{201C}1000.ABCDEFGHIJ0123456789KLMNOPQRST\u{201D}",
            SECRET,
            &["quotes"],
        ),
        (
            "plain quotes",
            ID,
            "\"0f1e2d3c4b5a69788796a5b4c3d2e1f00123456789\"",
            &["quotes"],
        ),
        (
            "byte order mark",
            "\u{FEFF}1000.ABCDEFGHIJ0123456789KLMNOPQRST",
            SECRET,
            &["bad_character"],
        ),
        (
            "ellipsis (truncated copy)",
            "1000.ABCDEFGHIJ\u{2026}",
            SECRET,
            &["bad_character"],
        ),
        (
            "control character",
            ID,
            "0f1e2d3c4b5a6978\u{7}8796a5b4c3d2e1f00123456789",
            &["bad_character"],
        ),
        ("unusual id only warns", "1000.SHORT", SECRET, &[]),
        (
            "unusual secret only warns",
            ID,
            "Secret-With-Caps-And-Dashes",
            &[],
        ),
    ];

    #[test]
    fn pasted_input_table() {
        assert!(CASES.len() >= 20);
        for (case, id, secret, expected) in CASES {
            let checked = check_keys(id, Some(secret));
            let mut codes: Vec<&str> = checked
                .issues
                .iter()
                .filter(|i| i.severity == Severity::Error)
                .map(|i| i.code.as_str())
                .collect();
            codes.sort_unstable();
            let mut want = expected.to_vec();
            want.sort_unstable();
            assert_eq!(codes, want, "case {case:?}: {:?}", checked.issues);
            assert_eq!(checked.is_ok(), expected.is_empty(), "case {case:?}");
        }
    }

    #[test]
    fn trimmed_values_are_returned() {
        let checked = check_keys(
            " 1000.ABCDEFGHIJ0123456789KLMNOPQRST\n",
            Some("\t".to_owned().as_str()),
        );
        assert!(!checked.is_ok());
        let checked = check_keys(&format!(" {ID}\r\n"), Some(&format!("{SECRET}\n")));
        assert!(checked.is_ok());
        assert_eq!(checked.client_id, ID);
        assert_eq!(checked.client_secret.expose_secret(), SECRET);
        assert!(checked.issues.is_empty());
    }

    #[test]
    fn warnings_do_not_block() {
        let checked = check_keys("1000.SHORT", Some(SECRET));
        assert!(checked.is_ok());
        assert_eq!(checked.issues.len(), 1);
        assert_eq!(checked.issues[0].code, "unusual_id");
        assert_eq!(checked.issues[0].severity, Severity::Warning);
    }

    #[test]
    fn messages_never_repeat_the_secret() {
        for (_, id, secret, _) in CASES {
            for issue in check_keys(id, Some(secret)).issues {
                assert!(!issue.message.contains(SECRET), "{issue:?}");
                assert!(!issue.message.contains("0f1e2d3c4b5a6978"), "{issue:?}");
            }
        }
    }

    #[test]
    fn messages_name_the_invisible_character() {
        let checked = check_keys("1000.ABCDEFGHIJ0123456789\u{00A0}KLMNOPQRST", Some(SECRET));
        assert!(checked.issues[0].message.contains("no-break space"));
        assert!(checked.issues[0].message.contains("character 26"));
    }

    #[test]
    fn an_over_long_key_is_refused_not_warned_about() {
        let huge = "a".repeat(10 << 20);
        let checked = check_keys(ID, Some(&huge));
        assert!(!checked.is_ok(), "a 10 MB secret is refused");
        assert_eq!(checked.issues.len(), 1, "{:?}", checked.issues);
        let issue = &checked.issues[0];
        assert_eq!(
            (issue.field, issue.severity, issue.code.as_str()),
            (KeyField::ClientSecret, Severity::Error, "too_long")
        );
        assert!(issue.message.contains("4096 characters"), "{issue:?}");
        let checked = check_keys(&format!("1000.{}", "A".repeat(5000)), Some(SECRET));
        assert_eq!(checked.issues[0].field, KeyField::ClientId);
        assert_eq!(checked.issues[0].code, "too_long");
        // Just at the limit it is only unusual.
        let checked = check_keys(ID, Some(&"a".repeat(4096)));
        assert!(checked.is_ok(), "{:?}", checked.issues);
    }

    #[test]
    fn id_only_check_keeps_stored_secret() {
        let checked = check_keys(ID, None);
        assert!(checked.is_ok());
    }
}
