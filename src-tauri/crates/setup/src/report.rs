//! The test report an admin hands on after "Test your integration": one
//! HTML page (it prints cleanly to PDF) with what was checked and what to
//! do next. It is built only from what the app knows now: the keys' Client
//! ID (shortened), the platform and its callback, both redirect URIs, each
//! connected organization with what was pulled from it and what it cost,
//! the quota Zoho last reported, and warnings. Never a secret or a token;
//! every text that came from Zoho is escaped where it is written.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// Text from outside (organization names, messages) for the report's HTML:
/// escaped for HTML, and every control, bidi or invisible character (ESC
/// of a terminal sequence, 0x9B, U+202E) shown as a visible escape such as
/// `\u{202e}` instead of being kept raw.
fn esc(text: &str) -> String {
    let shown: String = if text.chars().any(zbs_codes::unsafe_to_show) {
        text.chars()
            .map(|c| {
                if zbs_codes::unsafe_to_show(c) {
                    c.escape_unicode().to_string()
                } else {
                    c.to_string()
                }
            })
            .collect()
    } else {
        text.to_owned()
    };
    html_escape::encode_text(&shown).into_owned()
}
use serde::Serialize;
use ts_rs::TS;

use crate::connect::ConnectionState;
use crate::error::Error;
use crate::Setup;

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

fn row(html: &mut String, label: &str, value: &str) {
    let _ = write!(
        html,
        "<tr><th>{}</th><td>{}</td></tr>",
        esc(label),
        esc(value)
    );
}

const STYLE: &str = "body{font-family:sans-serif;max-width:48rem;margin:2rem auto;color:#1b1b1b;line-height:1.45}\
h1{font-size:1.5rem}h2{font-size:1.15rem;margin-top:1.6rem;border-bottom:1px solid #ccc}\
table{border-collapse:collapse;width:100%}th,td{text-align:left;vertical-align:top;padding:.3rem .5rem;border-bottom:1px solid #e4e4e4}\
th{width:14rem;font-weight:600}td{overflow-wrap:anywhere}.warn{color:#8a4b00}.num{text-align:right}\
@media print{body{margin:0;max-width:none}h2{break-after:avoid}table{break-inside:avoid}}";

impl Setup {
    /// The test report as an HTML page, generated at `now` (RFC 3339).
    pub fn test_report_html(&self, now: &str) -> Result<String, Error> {
        let status = self.status()?;
        let connections = self.connections()?;
        let handoff = crate::platform::handoff_of(&status, &connections);
        let mut warnings: Vec<String> = Vec::new();
        let mut h = String::new();
        let _ = write!(
            h,
            "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">\
             <title>Zoho Books integration test report</title><style>{STYLE}</style></head><body>\
             <h1>Zoho Books integration test report</h1>"
        );
        let verdict = if handoff.tested {
            "The keys were tested with a sample pull: they work."
        } else {
            "The keys have not passed a test pull yet."
        };
        let _ = write!(h, "<p><strong>{}</strong></p><table>", esc(verdict));
        row(&mut h, "Date", &readable_time(now));
        row(
            &mut h,
            "Client ID",
            &status
                .client_id
                .as_deref()
                .map_or("not saved".to_owned(), shorten),
        );
        row(
            &mut h,
            "Client Secret",
            if status.secret_stored && status.profile == crate::Profile::Demo {
                "made up for the demo, kept in its folder (not in this report)"
            } else if status.secret_stored {
                "in the system keyring (not in this report)"
            } else {
                "not saved"
            },
        );
        row(&mut h, "Used by", &handoff.platform.name);
        if let Some(cb) = &handoff.platform.callback {
            row(&mut h, "Platform's callback", cb);
        }
        for (i, uri) in handoff.redirect_uris.iter().enumerate() {
            row(
                &mut h,
                if i == 0 {
                    "Redirect URI (this app)"
                } else {
                    "Redirect URI (platform)"
                },
                uri,
            );
        }
        row(
            &mut h,
            "Data centers chosen",
            &status.regions.join(", ").to_uppercase(),
        );
        let dc_name = |region: &str| {
            self.data_centers()
                .get(region)
                .map_or_else(|| region.to_uppercase(), |d| d.name.clone())
        };
        row(
            &mut h,
            "Keys accepted at",
            &if handoff.accepted_data_centers.is_empty() {
                "no data center yet".to_owned()
            } else {
                handoff
                    .accepted_data_centers
                    .iter()
                    .map(|r| dc_name(r))
                    .collect::<Vec<_>>()
                    .join(", ")
            },
        );
        row(
            &mut h,
            "Permissions granted",
            &if handoff.scopes.is_empty() {
                "none yet".to_owned()
            } else {
                handoff.scopes.join(", ")
            },
        );
        h.push_str("</table>");

        h.push_str("<h2>Organizations connected</h2>");
        if connections.is_empty() {
            h.push_str("<p>None yet.</p>");
        }
        for c in &connections {
            let name = c.label.clone().unwrap_or(c.organization_name.clone());
            let _ = write!(h, "<h3>{}</h3><table>", esc(&name));
            row(&mut h, "Organization ID", &c.organization_id);
            row(&mut h, "Data center", &dc_name(&c.region));
            row(&mut h, "Connected", &readable_time(&c.connected_at));
            if let Some(email) = &c.zoho_user_email {
                let who = match &c.zoho_user_role {
                    Some(role) => format!("{email} (role: {role})"),
                    None => email.clone(),
                };
                row(&mut h, "Signed in as", &who);
            }
            let readable: Vec<&str> = c.can_read.iter().map(|e| e.label()).collect();
            row(
                &mut h,
                "Allowed to read",
                &crate::connect::and_list(&readable),
            );
            if c.state == ConnectionState::NeedsReconnect {
                warnings.push(format!(
                    "Zoho no longer accepts the sign-in of {name}: connect it again before relying on it."
                ));
                row(&mut h, "State", "needs reconnecting");
            }
            let puller = self.puller()?;
            let counts = puller.counts(&c.id)?;
            let pulled = counts
                .iter()
                .map(|e| {
                    let name = e
                        .entity
                        .parse::<zbs_zoho::Entity>()
                        .map_or(e.entity.as_str(), |t| t.label());
                    format!("{} {name}", e.records)
                })
                .collect::<Vec<_>>()
                .join(", ");
            row(
                &mut h,
                "Sample data pulled",
                if pulled.is_empty() {
                    "nothing yet"
                } else {
                    &pulled
                },
            );
            let history = puller.history(Some(&c.id), 1000)?;
            let calls: u64 = history.iter().map(|p| p.calls).sum();
            row(&mut h, "API calls used by pulls", &calls.to_string());
            if let Some(q) = puller.quota(&c.organization_id)? {
                if let (Some(left), Some(limit)) = (q.remaining, q.daily_limit) {
                    row(
                        &mut h,
                        "Daily API calls left",
                        &format!(
                            "{left} of {limit} (as Zoho reported on {})",
                            readable_time(&q.seen_at)
                        ),
                    );
                }
            }
            h.push_str("</table>");
        }
        if let Some(w) = self.sign_in_limit_warning()? {
            warnings.push(w);
        }
        h.push_str("<h2>Warnings</h2>");
        if warnings.is_empty() {
            h.push_str("<p>None.</p>");
        } else {
            h.push_str("<ul>");
            for w in &warnings {
                let _ = write!(h, "<li class=\"warn\">{}</li>", esc(w));
            }
            h.push_str("</ul>");
        }
        h.push_str("<h2>What to do next</h2><ol>");
        let labels = &handoff.platform.labels;
        let steps: Vec<String> = if handoff.platform.callback.is_some() {
            vec![
                format!(
                    "In {}, enter the Client ID as \"{}\" and the Client Secret as \"{}\" (copy it from this app's hand-off card), and switch \"{}\" on.",
                    handoff.platform.name, labels.client_id, labels.client_secret, labels.enabled
                ),
                "Check that both redirect URIs above are in the API console's \"Authorized Redirect URIs\".".to_owned(),
                "Send your customers their connection links.".to_owned(),
            ]
        } else {
            vec![
                "Choose where the keys will be used (\"Before you start\"), so the platform's callback is registered too.".to_owned(),
                "Then hand the keys on with this app's hand-off card.".to_owned(),
            ]
        };
        for s in steps {
            let _ = write!(h, "<li>{}</li>", esc(&s));
        }
        h.push_str("</ol></body></html>");
        Ok(h)
    }

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
        assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;img"));
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
            "Signed in as</th><td>&lt;b&gt;admin&lt;/b&gt;@example.com (role: Admin &lt;i&gt;)"
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
