//! The test report an admin hands on after "Test your integration": one
//! HTML page (it prints cleanly to PDF) with what was checked and what to
//! do next. It is built only from what the app knows now: the keys' Client
//! ID (shortened), the platform and its callback, both redirect URIs, each
//! connected organization with what was pulled from it and what it cost,
//! the quota Zoho last reported, and warnings. Never a secret or a token.
//!
//! The page is `templates/report.html`, rendered by askama, which escapes
//! every value for HTML; texts from outside (organization names, messages)
//! have their control and bidi characters made visible first ([`Shown`]).

use std::path::{Path, PathBuf};

use askama::Template;
use serde::Serialize;
use ts_rs::TS;

use crate::connect::{Connection, ConnectionState};
use crate::error::Error;
use crate::platform::Handoff;
use crate::Setup;

/// Text for the report: every control, bidi or invisible character (ESC of
/// a terminal sequence, 0x9B, U+202E) shown as a visible escape such as
/// `\u{202e}` instead of being kept raw. The template escapes it for HTML.
struct Shown(String);

impl Shown {
    fn new(text: &str) -> Self {
        if !text.chars().any(zbs_codes::unsafe_to_show) {
            return Shown(text.to_owned());
        }
        Shown(
            text.chars()
                .map(|c| {
                    if zbs_codes::unsafe_to_show(c) {
                        c.escape_unicode().to_string()
                    } else {
                        c.to_string()
                    }
                })
                .collect(),
        )
    }
}

impl std::fmt::Display for Shown {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// One line of a table: what, and its value.
struct Row {
    label: &'static str,
    value: Shown,
}

fn row(label: &'static str, value: &str) -> Row {
    Row {
        label,
        value: Shown::new(value),
    }
}

/// One connected organization's section.
struct OrganizationSection {
    name: Shown,
    rows: Vec<Row>,
}

/// The report page (`templates/report.html`).
#[derive(Template)]
#[template(path = "report.html")]
struct ReportPage {
    verdict: &'static str,
    summary: Vec<Row>,
    organizations: Vec<OrganizationSection>,
    warnings: Vec<Shown>,
    next_steps: Vec<String>,
}

/// A report written to a file.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct SavedReport {
    pub path: String,
    /// The folder it is in, for "Open the folder".
    pub folder: String,
}

/// An RFC 3339 time as people read it, "1 December 2026, 11:58 UTC" (the
/// text as it is when it does not parse).
pub(crate) fn readable_time(rfc3339: &str) -> String {
    let format = time::macros::format_description!(
        "[day padding:none] [month repr:long] [year], [hour]:[minute] UTC"
    );
    time::OffsetDateTime::parse(rfc3339, &time::format_description::well_known::Rfc3339)
        .ok()
        .and_then(|t| t.to_offset(time::UtcOffset::UTC).format(&format).ok())
        .unwrap_or_else(|| rfc3339.to_owned())
}

/// "1000.R1WO…UPHT": enough to recognise the Client ID, not to use it.
fn shorten(id: &str) -> String {
    let chars: Vec<char> = id.chars().collect();
    if chars.len() <= 12 {
        return id.to_owned();
    }
    let head: String = chars[..9].iter().collect();
    let tail: String = chars[chars.len() - 4..].iter().collect();
    format!("{head}…{tail}")
}

impl Setup {
    /// The test report as an HTML page, generated at `now` (RFC 3339).
    pub fn test_report_html(&self, now: &str) -> Result<String, Error> {
        let status = self.status()?;
        let connections = self.connections()?;
        let handoff = crate::platform::handoff_of(&status, &connections, &self.registered_uris()?);
        let mut warnings = Vec::new();
        let mut organizations = Vec::new();
        for c in &connections {
            organizations.push(self.organization_section(c, &mut warnings)?);
        }
        if let Some(w) = self.sign_in_limit_warning()? {
            warnings.push(w);
        }
        if handoff.tested {
            warnings.extend(handoff.not_ready.clone());
        }
        let page = ReportPage {
            verdict: match (handoff.tested, handoff.ready) {
                (true, true) => {
                    "The keys were tested with a sample pull: they work, and the setup is ready to hand on."
                }
                (true, false) => {
                    "The keys were tested with a sample pull and work here, but the setup is not ready to hand on yet (see the warnings)."
                }
                (false, _) => "The keys have not passed a test pull yet.",
            },
            summary: self.summary_rows(now, &status, &handoff),
            organizations,
            warnings: warnings.iter().map(|w| Shown::new(w)).collect(),
            next_steps: next_steps(&handoff),
        };
        page.render().map_err(|e| Error::ReportFailed {
            path: String::new(),
            detail: e.to_string(),
        })
    }

    /// A data center's name ("Europe"), else its code in capitals.
    fn data_center_name(&self, region: &str) -> String {
        self.data_centers()
            .get(region)
            .map_or_else(|| region.to_uppercase(), |d| d.name.clone())
    }

    /// The report's first table: the keys, where they are used and accepted.
    fn summary_rows(&self, now: &str, status: &crate::Status, handoff: &Handoff) -> Vec<Row> {
        let client_id = status
            .client_id
            .as_deref()
            .map_or("not saved".to_owned(), shorten);
        let secret = if status.secret_stored && status.profile == crate::Profile::Demo {
            "made up for the demo, kept in its folder (not in this report)"
        } else if status.secret_stored {
            "in the system keyring (not in this report)"
        } else {
            "not saved"
        };
        let mut rows = vec![
            row("Date", &readable_time(now)),
            row("Client ID", &client_id),
            row("Client Secret", secret),
            row("Used by", &handoff.platform.name),
        ];
        if let Some(cb) = &handoff.platform.callback {
            rows.push(row("Platform's callback", cb));
        }
        for (i, uri) in handoff.redirect_uris.iter().enumerate() {
            let label = if i == 0 {
                "Redirect URI (this app)"
            } else {
                "Redirect URI (platform)"
            };
            rows.push(row(label, uri));
        }
        rows.push(row(
            "Data centers chosen",
            &status.regions.join(", ").to_uppercase(),
        ));
        let accepted = if handoff.accepted_data_centers.is_empty() {
            "no data center yet".to_owned()
        } else {
            let names: Vec<String> = handoff
                .accepted_data_centers
                .iter()
                .map(|r| self.data_center_name(r))
                .collect();
            names.join(", ")
        };
        rows.push(row("Keys accepted at", &accepted));
        let scopes = if handoff.scopes.is_empty() {
            "none yet".to_owned()
        } else {
            handoff.scopes.join(", ")
        };
        rows.push(row("Permissions granted", &scopes));
        rows
    }

    /// One connected organization: who signed in, what it allows, what was
    /// pulled and what it cost; a warning when Zoho no longer accepts it.
    fn organization_section(
        &self,
        c: &Connection,
        warnings: &mut Vec<String>,
    ) -> Result<OrganizationSection, Error> {
        let name = c.label.clone().unwrap_or(c.organization_name.clone());
        let mut rows = vec![
            row("Organization ID", &c.organization_id),
            row("Data center", &self.data_center_name(&c.region)),
            row("Connected", &readable_time(&c.connected_at)),
        ];
        if let Some(email) = &c.zoho_user_email {
            let who = match &c.zoho_user_role {
                Some(role) => format!("{email} (role: {role})"),
                None => email.clone(),
            };
            rows.push(row("Signed in as", &who));
        }
        let readable: Vec<&str> = c.can_read.iter().map(|e| e.label()).collect();
        rows.push(row("Allowed to read", &crate::connect::and_list(&readable)));
        if c.state == ConnectionState::NeedsReconnect {
            warnings.push(format!(
                "Zoho no longer accepts the sign-in of {name}: connect it again before relying on it."
            ));
            rows.push(row("State", "needs reconnecting"));
        }
        let puller = self.puller()?;
        let pulled: Vec<String> = puller
            .counts(&c.id)?
            .iter()
            .map(|e| {
                let name = e
                    .entity
                    .parse::<zbs_zoho::Entity>()
                    .map_or(e.entity.as_str(), |t| t.label());
                format!("{} {name}", e.records)
            })
            .collect();
        let pulled = if pulled.is_empty() {
            "nothing yet".to_owned()
        } else {
            pulled.join(", ")
        };
        rows.push(row("Sample data pulled", &pulled));
        let calls: u64 = puller
            .history(Some(&c.id), 1000)?
            .iter()
            .map(|p| p.calls)
            .sum();
        rows.push(row("API calls used by pulls", &calls.to_string()));
        if let Some(q) = puller.quota(&c.organization_id)? {
            if let (Some(left), Some(limit)) = (q.remaining, q.daily_limit) {
                let seen = readable_time(&q.seen_at);
                rows.push(row(
                    "Daily API calls left",
                    &format!("{left} of {limit} (as Zoho reported on {seen})"),
                ));
            }
        }
        Ok(OrganizationSection {
            name: Shown::new(&name),
            rows,
        })
    }
}

/// What to do next: hand the keys to the platform, or choose one first.
fn next_steps(handoff: &Handoff) -> Vec<String> {
    let platform = &handoff.platform;
    if platform.callback.is_none() {
        return vec![
            "Choose where the keys will be used (\"Before you start\"), so the platform's callback is registered too.".to_owned(),
            "Then hand the keys on with this app's hand-off card.".to_owned(),
        ];
    }
    let labels = &platform.labels;
    vec![
        format!(
            "In {}, enter the Client ID as \"{}\" and the Client Secret as \"{}\" (copy it from this app's hand-off card), and switch \"{}\" on.",
            platform.name, labels.client_id, labels.client_secret, labels.enabled
        ),
        "Check that both redirect URIs above are in the API console's \"Authorized Redirect URIs\".".to_owned(),
        "Send your customers their connection links.".to_owned(),
    ]
}

impl Setup {
    /// The name the window suggests for the test report, with today's date.
    pub fn test_report_file_name(&self) -> String {
        format!("Zoho Books test report {}.html", crate::today())
    }

    fn test_report_now(&self) -> Result<String, Error> {
        let stamp = time::OffsetDateTime::now_utc()
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap_or_default();
        self.test_report_html(&stamp)
    }

    /// Writes the test report into `dir` (created if missing) as a new file
    /// named with the date; never replaces a file (`zbsetup report --out`).
    pub fn save_test_report(&self, dir: &Path) -> Result<SavedReport, Error> {
        let html = self.test_report_now()?;
        let day = crate::today();
        let fail = |e: std::io::Error, path: &Path| Error::ReportFailed {
            path: path.display().to_string(),
            detail: e.to_string(),
        };
        // The folders made here are private like the report (0700).
        let mut builder = std::fs::DirBuilder::new();
        builder.recursive(true);
        #[cfg(unix)]
        std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
        builder.create(dir).map_err(|e| fail(e, dir))?;
        for n in 1..1000 {
            let name = if n == 1 {
                format!("Zoho Books test report {day}.html")
            } else {
                format!("Zoho Books test report {day} ({n}).html")
            };
            let path: PathBuf = dir.join(name);
            let mut options = std::fs::OpenOptions::new();
            options.write(true).create_new(true);
            // Names of customers' organizations: readable only by the person.
            #[cfg(unix)]
            std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
            let file = options.open(&path);
            match file {
                Ok(mut f) => {
                    use std::io::Write as _;
                    f.write_all(html.as_bytes()).map_err(|e| fail(e, &path))?;
                    tracing::info!("test report saved");
                    return Ok(saved(&path));
                }
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
                Err(e) => return Err(fail(e, &path)),
            }
        }
        Err(Error::ReportFailed {
            path: dir.display().to_string(),
            detail: "too many reports of today in this folder".into(),
        })
    }

    /// Writes the test report as `path`, the file the person chose in the
    /// save dialog (which asked before replacing one). It is written beside
    /// it first and moved into place, so a failure leaves any old file whole.
    pub fn save_test_report_as(&self, path: &Path) -> Result<SavedReport, Error> {
        let html = self.test_report_now()?;
        let fail = |e: std::io::Error| Error::ReportFailed {
            path: path.display().to_string(),
            detail: e.to_string(),
        };
        if path.is_dir() {
            return Err(fail(std::io::Error::other("that is a folder")));
        }
        let dir = match path.parent() {
            Some(d) if !d.as_os_str().is_empty() => d,
            _ => Path::new("."),
        };
        // tempfile's files are readable by the person only, as a report should be.
        let mut tmp = tempfile::Builder::new()
            .prefix(".zoho-books-test-report.")
            .suffix(".part")
            .tempfile_in(dir)
            .map_err(fail)?;
        use std::io::Write as _;
        tmp.write_all(html.as_bytes()).map_err(fail)?;
        tmp.as_file().sync_all().map_err(fail)?;
        tmp.persist(path).map_err(|e| fail(e.error))?;
        tracing::info!("test report saved where the person chose");
        Ok(saved(path))
    }
}

impl Setup {
    /// Saves the test report in the person's Downloads folder (else
    /// `reports/` in the data folder): `zbsetup report` without `--out`.
    pub fn save_test_report_to_downloads(&self) -> Result<SavedReport, Error> {
        let dir = dirs::download_dir().unwrap_or_else(|| self.data_dir().join("reports"));
        self.save_test_report(&dir)
    }
}

fn saved(path: &Path) -> SavedReport {
    SavedReport {
        path: path.display().to_string(),
        folder: path
            .parent()
            .map(|p| p.display().to_string())
            .unwrap_or_default(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Names come from Zoho (and so from whoever named the organization):
    /// they are written as text, never as markup.
    #[test]
    fn organization_names_are_escaped_and_no_key_is_written_whole() {
        let dir = tempfile::tempdir().unwrap();
        let setup = Setup::open(crate::OpenOptions {
            data_dir: Some(dir.path().to_owned()),
            profile: crate::Profile::Real,
            data_centers: Some(zbs_zoho::dc::DataCenters::builtin()),
            keyring_service: Some("zbs-report-unit-test".into()),
        })
        .unwrap();
        let hostile = "<script>alert(1)</script> & <img src=x onerror=alert(2)>";
        setup
            .store
            .save_connection(&crate::store::NewConnection {
                id: "c1",
                organization_id: "775501234",
                organization_name: hostile,
                region: "eu",
                accounts_server: "https://accounts.zoho.eu",
                api_domain: "https://www.zohoapis.eu",
                plan: None,
                currency: Some("EUR"),
                connected_at: "2026-12-01T10:00:00Z",
                zoho_user_email: Some("<b>admin</b>@example.com"),
                zoho_user_role: Some("Admin <i>"),
                granted_scopes: "ZohoBooks.settings.READ,ZohoBooks.invoices.READ",
                time_zone: None,
            })
            .unwrap();
        setup
            .store
            .set(
                crate::keys::CLIENT_ID,
                &"1000.ABCDEFGHIJKLMNOPQRSTUVWXYZ0123",
            )
            .unwrap();
        let html = setup.test_report_html("2026-12-01T10:00:00Z").unwrap();
        assert!(
            !html.contains("<script>alert") && !html.contains("<img"),
            "{html}"
        );
        assert!(html.contains("&#60;script&#62;alert(1)&#60;/script&#62; &#38; &#60;img"));
        assert!(
            !html.contains("1000.ABCDEFGHIJKLMNOPQRSTUVWXYZ0123"),
            "the Client ID is shortened"
        );
        assert!(html.contains("1000.ABCD…0123"));
        assert!(html.contains("Data center</th><td>Europe"), "{html}");
        // Times as people read them, and what Zoho granted, not every scope.
        assert!(
            html.contains("Connected</th><td>1 December 2026, 10:00 UTC"),
            "{html}"
        );
        assert!(
            html.contains("Date</th><td>1 December 2026, 10:00 UTC"),
            "{html}"
        );
        assert!(!html.contains("T10:00:00Z"), "{html}");
        assert!(
            html.contains(
                "Permissions granted</th><td>ZohoBooks.settings.READ, ZohoBooks.invoices.READ</td>"
            ),
            "{html}"
        );
        assert!(html.contains(
            "Signed in as</th><td>&#60;b&#62;admin&#60;/b&#62;@example.com (role: Admin &#60;i&#62;)"
        ));
        // What Zoho granted the sign-in, in words.
        assert!(
            html.contains("Allowed to read</th><td>invoices and items</td>"),
            "{html}"
        );
    }

    #[test]
    fn a_client_id_is_shortened() {
        assert_eq!(
            shorten("1000.R1WOI0D8F410HPHO6FB1OVS8MGUPHT"),
            "1000.R1WO…UPHT"
        );
        assert_eq!(shorten("short"), "short");
    }
}
