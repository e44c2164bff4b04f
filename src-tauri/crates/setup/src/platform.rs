//! Where the keys will be used: the integration platform the admin's
//! customers connect through (its callback is registered beside the app's
//! own redirect URI, so one Zoho client serves both), and the hand-off card
//! that says what to paste into that platform once the test passed.
//!
//! The callback a person types is checked as Zoho would need it (https, a
//! host, no fragment, no credentials) and kept exactly as typed, because
//! Zoho matches redirect URIs letter for letter.

use serde::{Deserialize, Serialize};
use ts_rs::TS;
use url::Url;

use crate::connect::{Connection, ConnectionState};
use crate::error::Error;
use crate::Setup;

/// Codat's callback for Zoho Books, from its setup guide.
pub const CODAT_CALLBACK: &str = "https://zohobooks.codat.io/oauth/callback";

/// Longest callback URI accepted (Zoho's console takes far less in practice).
const MAX_CALLBACK: usize = 512;
/// Longest platform name accepted.
const MAX_NAME: usize = 60;

/// Where the keys will be used, as the person chose it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[ts(export)]
pub enum PlatformChoice {
    /// Only this app tests with them (no platform's callback to register).
    OnlyThisApp,
    /// Codat, with its documented callback.
    Codat,
    /// Another platform, named by the person, with the callback it documents.
    Other { name: String, callback: String },
}

/// The chosen platform as the window and `zbsetup` show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct PlatformInfo {
    pub choice: PlatformChoice,
    /// A name for people ("Codat", the typed name, or "this app").
    pub name: String,
    /// The platform's redirect URI to register beside the app's, if any.
    pub callback: Option<String>,
    /// What the platform calls the Client ID, the Client Secret and the switch.
    pub labels: HandoffLabels,
}

/// A platform's own words for the fields it asks for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct HandoffLabels {
    pub client_id: String,
    pub client_secret: String,
    pub enabled: String,
}

/// What to paste into the platform, once the keys were tested here. Never
/// holds the secret: it is copied from the keyring by a deliberate action.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct Handoff {
    pub platform: PlatformInfo,
    pub client_id: Option<String>,
    /// The stored secret's last characters behind a mask.
    pub secret_mask: Option<String>,
    /// The data centers that accept these keys: where a sign-in worked or
    /// the last key check was accepted.
    pub accepted_data_centers: Vec<String>,
    /// The permissions Zoho granted the working connections' sign-ins.
    pub scopes: Vec<String>,
    /// Both URIs registered in Zoho's console.
    pub redirect_uris: Vec<String>,
    /// True once "Test your integration" passed with these keys.
    pub tested: bool,
    /// Tested, and the platform's redirect URI was among the addresses the
    /// person confirmed registering in Zoho's console: the setup is ready
    /// to hand on.
    pub ready: bool,
    /// Why it is not ready yet, with the fix, in words; `null` when ready.
    pub not_ready: Option<String>,
}

impl PlatformChoice {
    /// The choice in force and the words the fronts show for it.
    pub fn info(&self) -> PlatformInfo {
        let generic = HandoffLabels {
            client_id: "Client ID".into(),
            client_secret: "Client Secret".into(),
            enabled: "Enabled".into(),
        };
        match self {
            PlatformChoice::OnlyThisApp => PlatformInfo {
                choice: self.clone(),
                name: "this app".into(),
                callback: None,
                labels: generic,
            },
            PlatformChoice::Codat => PlatformInfo {
                choice: self.clone(),
                name: "Codat".into(),
                callback: Some(CODAT_CALLBACK.into()),
                labels: HandoffLabels {
                    client_id: "Application ID".into(),
                    client_secret: "Application Secret".into(),
                    enabled: "Enabled".into(),
                },
            },
            PlatformChoice::Other { name, callback } => PlatformInfo {
                choice: self.clone(),
                name: name.clone(),
                callback: Some(callback.clone()),
                labels: generic,
            },
        }
    }

    /// Checks a choice typed by a person: a name, and the callback as Zoho
    /// needs it. The callback is kept exactly as typed (trimmed of spaces
    /// around it), since Zoho compares redirect URIs letter for letter.
    pub fn checked(self) -> Result<PlatformChoice, Error> {
        let PlatformChoice::Other { name, callback } = self else {
            return Ok(self);
        };
        let name = name.trim();
        if name.is_empty() {
            return Err(Error::InvalidPlatform {
                reason: "Give the platform a name, as your customers know it.".into(),
            });
        }
        if name.chars().count() > MAX_NAME || name.chars().any(zbs_codes::unsafe_to_show) {
            return Err(Error::InvalidPlatform {
                reason: format!(
                    "The platform's name must be at most {MAX_NAME} characters, without line \
                     breaks or invisible characters (such as right-to-left or zero-width marks, \
                     which a copied name can carry): type the name again."
                ),
            });
        }
        if name.eq_ignore_ascii_case("codat") {
            return Ok(PlatformChoice::Codat);
        }
        let callback = check_callback(&callback)?;
        Ok(PlatformChoice::Other {
            name: name.to_owned(),
            callback,
        })
    }
}

/// Why a platform's callback URI cannot be registered, in words for a person.
fn refuse(reason: impl Into<String>) -> Error {
    Error::InvalidCallback {
        reason: reason.into(),
    }
}

/// Checks a platform's callback URI; returns it exactly as typed (trimmed).
pub fn check_callback(text: &str) -> Result<String, Error> {
    let text = text.trim();
    if text.is_empty() {
        return Err(refuse(
            "Paste the platform's callback (redirect) URI from its setup guide.",
        ));
    }
    if text.len() > MAX_CALLBACK {
        return Err(refuse(format!(
            "That is longer than any callback URI ({} characters; at most {MAX_CALLBACK}).",
            text.len()
        )));
    }
    if text.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(refuse(
            "A callback URI has no spaces or line breaks: copy it again from the platform's guide.",
        ));
    }
    if !text.is_ascii() {
        return Err(refuse(
            "The callback URI has characters Zoho does not accept in redirect URIs: copy it again from the platform's guide.",
        ));
    }
    let url = Url::parse(text).map_err(|_| {
        refuse("That is not a web address. It should look like https://platform.example/oauth/callback.")
    })?;
    if url.scheme() != "https" {
        return Err(refuse(
            "The platform's callback must start with https:// (Zoho sends your customers' sign-ins there).",
        ));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(refuse(
            "The callback URI must not contain a user name or password.",
        ));
    }
    if text.contains('#') {
        return Err(refuse(
            "The callback URI must not contain a # part: Zoho cannot send sign-ins to one.",
        ));
    }
    match url.host() {
        Some(url::Host::Domain(d)) if d.contains('.') => {}
        Some(url::Host::Domain(_)) | None => {
            return Err(refuse(
                "The callback URI needs the platform's full host name, like platform.example.",
            ))
        }
        Some(_) => {
            return Err(refuse(
                "The callback URI is an IP address: use the host name the platform's guide gives.",
            ))
        }
    }
    Ok(text.to_owned())
}

impl Setup {
    /// Where the keys will be used: Codat until the person chooses
    /// another platform (or only this app), so that a setup skimmed through
    /// still registers the callback its customers' sign-ins need.
    pub fn platform(&self) -> Result<PlatformChoice, Error> {
        Ok(self
            .store
            .get(crate::keys::PLATFORM)?
            .unwrap_or(PlatformChoice::Codat))
    }

    /// Chooses where the keys will be used (checked first).
    pub fn set_platform(&self, choice: PlatformChoice) -> Result<crate::Status, Error> {
        let choice = choice.checked()?;
        self.store.set(crate::keys::PLATFORM, &choice)?;
        tracing::info!(platform = %choice.info().name, "platform chosen");
        self.status()
    }

    /// What to paste into the platform, and what the test showed.
    pub fn handoff(&self) -> Result<Handoff, Error> {
        Ok(handoff_of(
            &self.status()?,
            &self.connections()?,
            &self.registered_uris()?,
        ))
    }
}

/// Why a setup is not ready to hand on, in words with the fix.
fn not_ready(status: &crate::Status, tested: bool, registered: &[String]) -> Option<String> {
    let platform = &status.platform;
    let Some(callback) = &platform.callback else {
        return Some(
            "No integration platform is chosen (\u{201c}Only this app\u{201d}): choose the \
             platform your customers connect through in \u{201c}Before you start\u{201d}, \
             and register its callback too."
                .into(),
        );
    };
    if !registered.iter().any(|u| u == callback) {
        return Some(format!(
            "{name}'s callback, {callback}, was not among the addresses you confirmed adding \
             in Zoho's API console, so your customers' sign-ins through {name} would be \
             refused. In \u{201c}Register the application in Zoho\u{201d}, add it as another \
             Authorized Redirect URI (click + beside the field and paste it), then tick \
             \u{201c}Authorized Redirect URIs\u{201d} again.",
            name = platform.name
        ));
    }
    (!tested).then(|| {
        "Test your integration first: connect an organization and pull a sample.".to_owned()
    })
}

/// The hand-off card from a status, the connections just read and the
/// redirect URIs the person confirmed registering.
pub(crate) fn handoff_of(
    status: &crate::Status,
    connections: &[Connection],
    registered: &[String],
) -> Handoff {
    let working: Vec<&Connection> = connections
        .iter()
        .filter(|c| c.state == ConnectionState::Ok)
        .collect();
    // Where a sign-in worked, and where the last key check was accepted.
    let mut accepted: Vec<String> = working.iter().map(|c| c.region.clone()).collect();
    if let Some(check) = &status.key_check {
        accepted.extend(
            check
                .data_centers
                .iter()
                .filter(|d| d.status == crate::keycheck::KeyCheckStatus::Ok)
                .map(|d| d.region.clone()),
        );
    }
    accepted.sort();
    accepted.dedup();
    // What Zoho granted the working connections' sign-ins, not every scope.
    let mut readable: Vec<zbs_zoho::Entity> = working
        .iter()
        .flat_map(|c| c.can_read.iter().copied())
        .collect();
    readable.sort();
    readable.dedup();
    let scopes = if working.is_empty() {
        Vec::new()
    } else {
        zbs_zoho::oauth::scopes_for(&readable)
    };
    let tested = status
        .checklist
        .iter()
        .any(|i| i.id == crate::checklist::StepId::Test && i.done);
    let not_ready = not_ready(status, tested, registered);
    Handoff {
        platform: status.platform.clone(),
        client_id: status.client_id.clone(),
        secret_mask: status.secret_mask.clone(),
        accepted_data_centers: accepted,
        scopes,
        redirect_uris: status.redirect_uris.clone(),
        tested,
        ready: not_ready.is_none(),
        not_ready,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reason(text: &str) -> String {
        match check_callback(text) {
            Err(Error::InvalidCallback { reason }) => reason,
            other => panic!("{text:?} was not refused: {other:?}"),
        }
    }

    #[test]
    fn a_good_callback_is_kept_exactly_as_typed() {
        for ok in [
            "https://zohobooks.codat.io/oauth/callback",
            "https://platform.example/Callback/Zoho?tenant=A%2Fb",
            "https://platform.example:8443/cb/",
            "  https://platform.example/cb  ",
        ] {
            assert_eq!(check_callback(ok).unwrap(), ok.trim(), "{ok}");
        }
    }

    #[test]
    fn hostile_and_malformed_callbacks_are_refused_with_a_reason() {
        let cases = [
            ("", "Paste"),
            ("http://platform.example/cb", "https://"),
            ("https://platform.example/cb#frag", "# part"),
            ("https://platform.example/cb#", "# part"),
            (
                "https://user:pw@platform.example/cb",
                "user name or password",
            ),
            ("https://user@platform.example/cb", "user name or password"),
            ("javascript:alert(1)", "https://"),
            ("zbsetup://oauth/callback", "https://"),
            ("file:///etc/passwd", "https://"),
            ("https://10.0.0.1/cb", "IP address"),
            ("https://[::1]/cb", "IP address"),
            ("https://localhost/cb", "full host name"),
            ("https://platform.example/c b", "no spaces"),
            ("https://platform.example/c\nb", "no spaces"),
            (
                "https://platform.example/\u{202e}cb",
                "characters Zoho does not accept",
            ),
            (
                "https://plätform.example/cb",
                "characters Zoho does not accept",
            ),
            ("not a url", "no spaces"),
            ("platform.example/cb", "not a web address"),
        ];
        for (text, expect) in cases {
            let r = reason(text);
            assert!(r.contains(expect), "{text:?}: {r}");
        }
        let long = format!("https://platform.example/{}", "a".repeat(600));
        assert!(reason(&long).contains("longer"));
    }

    #[test]
    fn codat_by_name_is_codat_with_its_callback_and_labels() {
        let c = PlatformChoice::Other {
            name: " codat ".into(),
            callback: "https://elsewhere.example/cb".into(),
        }
        .checked()
        .unwrap();
        assert_eq!(c, PlatformChoice::Codat);
        let info = c.info();
        assert_eq!(info.callback.as_deref(), Some(CODAT_CALLBACK));
        assert_eq!(info.labels.client_id, "Application ID");
        assert_eq!(info.labels.client_secret, "Application Secret");
        assert_eq!(info.labels.enabled, "Enabled");
    }

    #[test]
    fn a_platform_needs_a_plain_name() {
        for name in ["", "   ", "a\nb", &"x".repeat(61)] {
            let r = PlatformChoice::Other {
                name: name.into(),
                callback: "https://platform.example/cb".into(),
            }
            .checked();
            assert!(
                matches!(r, Err(Error::InvalidPlatform { .. })),
                "{name:?}: {r:?}"
            );
        }
    }
}
