//! "Copy diagnostics": a plain-text report for support.
//!
//! It lists versions, settings, the data-center table in force, connections
//! and the last failures a person saw. It is built only from what is already
//! free of secrets (no keyring value is ever read into it), so there is
//! nothing to redact after the fact; a test runs canary secrets through it.

use std::fmt::Write as _;

use crate::error::Error;
use crate::Setup;

impl Setup {
    /// The report, for the clipboard or a support ticket.
    /// [`Setup::diagnostics`], and the data centers Zoho's accounts server
    /// lists (`oauth/serverinfo`) that the app's table does not know, asked
    /// now: only named, never used for a sign-in.
    pub async fn diagnostics_asking_zoho(&self, app_version: &str) -> Result<String, Error> {
        let mut out = self.diagnostics(app_version)?;
        let Some(ask) = self.data_centers().get("us").cloned() else {
            return Ok(out);
        };
        let line = match zbs_zoho::dc::unlisted_data_centers(self.data_centers(), &ask).await {
            Ok(unlisted) if unlisted.is_empty() => {
                "Data centers Zoho lists: all known to this app.".to_owned()
            }
            Ok(unlisted) => {
                let named: Vec<String> = unlisted
                    .iter()
                    .map(|(region, server)| format!("{region} ({server})"))
                    .collect();
                format!(
                    "Data centers Zoho lists that this app does not know: {}. Sign-ins there \
                     are not accepted until the app knows them: tell the app's makers.",
                    named.join(", ")
                )
            }
            Err(why) => format!("Data centers Zoho lists: could not be asked ({why})."),
        };
        out.push_str(&line);
        out.push('\n');
        Ok(out)
    }

    pub fn diagnostics(&self, app_version: &str) -> Result<String, Error> {
        let status = self.status()?;
        let mut out = String::new();
        write_settings(&mut out, app_version, &status);
        self.write_data_centers(&mut out);
        self.write_connections(&mut out)?;
        let w = &mut out;
        let _ = writeln!(
            w,
            "Rate limit: {}",
            std::env::var("ZBSETUP_RATE_LIMIT").unwrap_or_else(|_| "100/60s (default)".into())
        );
        let _ = writeln!(w, "Recent problems:");
        for (at, kind, message) in self.store.recent_events(20)? {
            let _ = writeln!(w, "  {at} {kind}: {message}");
        }
        Ok(out)
    }

    /// The data centers the app uses, and where their table comes from.
    fn write_data_centers(&self, w: &mut String) {
        let _ = writeln!(
            w,
            "Data centers ({}):",
            if self.data_centers().is_custom() {
                "from ZBSETUP_ENDPOINTS or demo mode"
            } else {
                "Zoho's"
            }
        );
        for dc in self.data_centers().all() {
            let _ = writeln!(
                w,
                "  {}: accounts {} api {}",
                dc.region,
                zbs_zoho::dc::origin_string(&dc.accounts),
                zbs_zoho::dc::origin_string(&dc.api)
            );
        }
    }

    /// Every stored connection, one a line.
    fn write_connections(&self, w: &mut String) -> Result<(), Error> {
        let connections = self.connections()?;
        let _ = writeln!(w, "Connections ({}):", connections.len());
        for c in &connections {
            let _ = writeln!(
                w,
                "  {} org {} in {} via {}: {:?}, since {}",
                c.id, c.organization_id, c.region, c.api_domain, c.state, c.connected_at
            );
        }
        Ok(())
    }
}

/// The app, the system and the settings the checklist is built on.
fn write_settings(w: &mut String, app_version: &str, status: &crate::Status) {
    let _ = writeln!(w, "Zoho Books Setup {app_version}");
    let _ = writeln!(
        w,
        "System: {} ({} {})",
        os_name(),
        std::env::consts::OS,
        std::env::consts::ARCH
    );
    let _ = writeln!(w, "Profile: {:?}", status.profile);
    let _ = writeln!(w, "Data folder: {}", status.data_dir);
    let _ = writeln!(
        w,
        "Client ID: {}",
        status
            .client_id
            .as_deref()
            .map(shorten)
            .unwrap_or_else(|| "(not saved)".into())
    );
    let _ = writeln!(
        w,
        "Client Secret stored: {}",
        if status.secret_stored && status.profile == crate::Profile::Demo {
            "yes (made up, in the demo's folder)"
        } else if status.secret_stored {
            "yes (in the system keyring)"
        } else {
            "no"
        }
    );
    let _ = writeln!(
        w,
        "Keyring: {}",
        status.keyring_problem.as_deref().unwrap_or("reachable")
    );
    let _ = writeln!(w, "Integration switched on: {}", status.enabled);
    let _ = writeln!(w, "Regions: {}", status.regions.join(", "));
    let _ = writeln!(
        w,
        "Redirect method: {:?}; URIs: {}",
        status.redirect_method,
        status.redirect_uris.join(" ")
    );
    let done: Vec<&str> = status
        .checklist
        .iter()
        .filter(|i| i.done)
        .map(|i| i.id.as_str())
        .collect();
    let _ = writeln!(
        w,
        "Checklist done: {}",
        if done.is_empty() {
            "(none)".into()
        } else {
            done.join(", ")
        }
    );
}

/// The Client ID is not a secret, but support only needs its start.
fn shorten(id: &str) -> String {
    let head: String = id.chars().take(9).collect();
    format!("{head}… ({} characters)", id.chars().count())
}

fn os_name() -> String {
    std::fs::read_to_string("/etc/os-release")
        .ok()
        .and_then(|text| {
            text.lines().find_map(|l| {
                l.strip_prefix("PRETTY_NAME=")
                    .map(|v| v.trim_matches('"').to_owned())
            })
        })
        .unwrap_or_else(|| std::env::consts::OS.to_owned())
}
