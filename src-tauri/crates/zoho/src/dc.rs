//! The data-center table: which Zoho accounts server and API domain belong to
//! each region, and therefore which hosts this app trusts at all.
//!
//! Zoho runs separate data centers (us, eu, in, ...). A sign-in redirect names
//! the accounts server to finish on, and the token answer names the API domain
//! to call; both come from outside and are only used when they match an entry
//! of the table in force *exactly* (scheme, host, effective port). The built-in
//! table mirrors `docs/zoho.md`; `ZBSETUP_ENDPOINTS` replaces it with a JSON
//! file (the simulator writes one). [`crate::oauth`] and [`crate::books`] take
//! a [`DataCenter`] from here; nothing in this module does I/O except reading
//! that file.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use zbs_codes::Code;

use serde::{Deserialize, Serialize};
use url::Url;

/// Environment variable naming a JSON endpoints file that replaces the table.
pub const ENDPOINTS_ENV: &str = "ZBSETUP_ENDPOINTS";

/// The largest endpoints file read, in bytes: a table of every region is a
/// few KiB; a path pointing at something endless (`/dev/zero`) is refused.
pub const MAX_ENDPOINTS_FILE: usize = 64 << 10;

/// Path of the Books API below an API domain.
pub const BOOKS_API_PATH: &str = "/books/v3";

/// One row of the built-in table: everything this app knows about a data
/// center, said once.
#[derive(Debug, Clone, Copy)]
pub struct Region {
    /// Region code as Zoho uses it in `location`, e.g. `"us"`.
    pub code: &'static str,
    /// Human name, e.g. `"United States"`.
    pub name: &'static str,
    /// Origin of the accounts (OAuth) server.
    pub accounts: &'static str,
    /// Origin of the API domain.
    pub api: &'static str,
    /// Officially supported by the workflow this app mirrors (us and uk only).
    pub supported: bool,
    /// True for a data center with its own accounts realm (China): its
    /// sign-ins start at its own accounts server. Every other one's start at
    /// Zoho's global accounts ([`GLOBAL_SIGN_IN`]), which send the person on
    /// to their own data center.
    pub own_accounts: bool,
    /// The usual currency of an organization there (what the simulator
    /// gives its organizations at this data center).
    pub currency: &'static str,
    /// The usual time zone there (where the simulated daily quota resets).
    pub time_zone: &'static str,
}

/// The built-in table (docs/zoho.md), in the order people see it. A new
/// data center is one row here; its demo ports are in `zbs-demo`, and the
/// simulator (which keeps its own knowledge of Zoho) is checked against it.
pub const REGIONS: &[Region] = &[
    Region {
        code: "us",
        name: "United States",
        accounts: "https://accounts.zoho.com",
        api: "https://www.zohoapis.com",
        supported: true,
        own_accounts: false,
        currency: "USD",
        time_zone: "America/New_York",
    },
    Region {
        code: "uk",
        name: "United Kingdom",
        accounts: "https://accounts.zoho.uk",
        api: "https://www.zohoapis.uk",
        supported: true,
        own_accounts: false,
        currency: "GBP",
        time_zone: "Europe/London",
    },
    Region {
        code: "eu",
        name: "Europe",
        accounts: "https://accounts.zoho.eu",
        api: "https://www.zohoapis.eu",
        supported: false,
        own_accounts: false,
        currency: "EUR",
        time_zone: "Europe/Berlin",
    },
    Region {
        code: "in",
        name: "India",
        accounts: "https://accounts.zoho.in",
        api: "https://www.zohoapis.in",
        supported: false,
        own_accounts: false,
        currency: "INR",
        time_zone: "Asia/Kolkata",
    },
    Region {
        code: "au",
        name: "Australia",
        accounts: "https://accounts.zoho.com.au",
        api: "https://www.zohoapis.com.au",
        supported: false,
        own_accounts: false,
        currency: "AUD",
        time_zone: "Australia/Sydney",
    },
    Region {
        code: "jp",
        name: "Japan",
        accounts: "https://accounts.zoho.jp",
        api: "https://www.zohoapis.jp",
        supported: false,
        own_accounts: false,
        currency: "JPY",
        time_zone: "Asia/Tokyo",
    },
    Region {
        code: "ca",
        name: "Canada",
        accounts: "https://accounts.zohocloud.ca",
        api: "https://www.zohoapis.ca",
        supported: false,
        own_accounts: false,
        currency: "CAD",
        time_zone: "America/Toronto",
    },
    Region {
        code: "sa",
        name: "Saudi Arabia",
        accounts: "https://accounts.zoho.sa",
        api: "https://www.zohoapis.sa",
        supported: false,
        own_accounts: false,
        currency: "SAR",
        time_zone: "Asia/Riyadh",
    },
    Region {
        code: "ae",
        name: "United Arab Emirates",
        accounts: "https://accounts.zoho.ae",
        api: "https://www.zohoapis.ae",
        supported: false,
        own_accounts: false,
        currency: "AED",
        time_zone: "Asia/Dubai",
    },
    Region {
        code: "cn",
        name: "China",
        accounts: "https://accounts.zoho.com.cn",
        api: "https://www.zohoapis.com.cn",
        supported: false,
        own_accounts: true,
        currency: "CNY",
        time_zone: "Asia/Shanghai",
    },
];

/// Where sign-ins start for every data center without its own accounts
/// realm: accounts.zoho.com.
pub const GLOBAL_SIGN_IN: &str = "us";

/// The built-in row of a region code, if there is one.
pub fn region(code: &str) -> Option<&'static Region> {
    REGIONS.iter().find(|r| r.code == code)
}

/// One Zoho data center.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DataCenter {
    /// Region code as Zoho uses it in `location`, e.g. `"us"`.
    pub region: String,
    /// Human name, e.g. `"United States"`.
    pub name: String,
    /// Origin of the accounts (OAuth) server, e.g. `https://accounts.zoho.com/`.
    pub accounts: Url,
    /// Origin of the API domain, e.g. `https://www.zohoapis.com/`.
    pub api: Url,
    /// Officially supported by the workflow this app mirrors (us and uk only).
    pub supported: bool,
}

impl DataCenter {
    /// `{api}/books/v3`, without a trailing slash.
    pub fn books_base(&self) -> String {
        books_base(&self.api)
    }

    /// The region whose accounts server a sign-in for this data center
    /// starts at: China's own accounts for `cn`, Zoho's global accounts
    /// (`us`) for every other one, including a region the built-in table
    /// does not know.
    pub fn sign_in_at(&self) -> &str {
        if self.own_accounts() {
            &self.region
        } else {
            GLOBAL_SIGN_IN
        }
    }

    /// Whether this data center signs in at its own accounts realm, apart
    /// from Zoho's global one (China).
    pub fn own_accounts(&self) -> bool {
        region(&self.region).is_some_and(|r| r.own_accounts)
    }

    /// For a data center with its own accounts realm, the domain people
    /// know its sign-in by, from the built-in table (`zoho.com.cn`).
    pub fn own_accounts_domain(&self) -> Option<&'static str> {
        region(&self.region)
            .filter(|r| r.own_accounts)
            .map(|r| r.accounts.trim_start_matches("https://accounts."))
    }

    /// `{accounts}{path}`, `path` starting with `/`.
    pub fn accounts_endpoint(&self, path: &str) -> String {
        format!("{}{}", origin_string(&self.accounts), path)
    }
}

/// `{api_domain}/books/v3` for any origin URL.
pub fn books_base(api: &Url) -> String {
    format!("{}{}", origin_string(api), BOOKS_API_PATH)
}

/// The origin of a URL as `scheme://host[:port]`, no trailing slash.
pub fn origin_string(url: &Url) -> String {
    url.origin().ascii_serialization()
}

/// The table in force.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DataCenters {
    centers: Vec<DataCenter>,
    custom: bool,
}

/// Why an endpoints file or origin could not be used.
#[derive(Debug, thiserror::Error)]
pub enum DataCenterError {
    /// The endpoints file could not be read.
    #[error("The endpoints file {path} could not be read: {source}. Check the path in ZBSETUP_ENDPOINTS.")]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// The endpoints file is far larger than a data-center table.
    #[error("The endpoints file {path} is larger than {} KiB, far larger than a data-center table, so it was not read. Check the path in ZBSETUP_ENDPOINTS.", MAX_ENDPOINTS_FILE >> 10)]
    TooLarge { path: PathBuf },
    /// The endpoints file is not the expected JSON shape.
    #[error("The endpoints file {path} is not valid: {reason}. Expected {{\"us\": {{\"accounts\": \"http://127.0.0.1:9001\", \"api\": \"http://127.0.0.1:9002\"}}}}.")]
    Format { path: PathBuf, reason: String },
    /// One entry of the endpoints file is wrong.
    #[error("The endpoints file {path} has a bad entry for region \"{region}\": {reason}.")]
    Entry {
        path: PathBuf,
        region: String,
        reason: String,
    },
}

impl DataCenterError {
    /// Stable code for the UI and scripts.
    pub fn code(&self) -> Code {
        match self {
            DataCenterError::Read { .. } => Code::EndpointsUnreadable,
            DataCenterError::Format { .. } | DataCenterError::TooLarge { .. } => {
                Code::EndpointsInvalid
            }
            DataCenterError::Entry { .. } => Code::EndpointsBadEntry,
        }
    }
}

#[derive(Deserialize)]
struct FileEntry {
    accounts: String,
    api: String,
    #[serde(default)]
    name: Option<String>,
}

impl DataCenters {
    /// Zoho's real table (docs/zoho.md).
    pub fn builtin() -> Self {
        let centers = REGIONS
            .iter()
            .filter_map(|r| {
                Some(DataCenter {
                    region: r.code.to_owned(),
                    name: r.name.to_owned(),
                    accounts: Url::parse(r.accounts).ok()?,
                    api: Url::parse(r.api).ok()?,
                    supported: r.supported,
                })
            })
            .collect();
        DataCenters {
            centers,
            custom: false,
        }
    }

    /// Reads an endpoints file (`{"us": {"accounts": "...", "api": "..."}}`).
    pub fn from_file(path: &Path) -> Result<Self, DataCenterError> {
        use std::io::Read;
        let read = |source| DataCenterError::Read {
            path: path.to_owned(),
            source,
        };
        // Only a regular file: a FIFO or a device would block or never end.
        match std::fs::metadata(path) {
            Ok(m) if !m.is_file() => {
                return Err(read(std::io::Error::other(
                    "it is not a regular file (a folder, a pipe or a device)",
                )))
            }
            Ok(_) => {}
            Err(e) => return Err(read(e)),
        }
        let mut bytes = Vec::new();
        std::fs::File::open(path)
            .and_then(|f| {
                f.take(MAX_ENDPOINTS_FILE as u64 + 1)
                    .read_to_end(&mut bytes)
            })
            .map_err(read)?;
        if bytes.len() > MAX_ENDPOINTS_FILE {
            return Err(DataCenterError::TooLarge {
                path: path.to_owned(),
            });
        }
        let text = String::from_utf8(bytes).map_err(|_| DataCenterError::Format {
            path: path.to_owned(),
            reason: "it is not text (UTF-8)".into(),
        })?;
        Self::from_json(&text).map_err(|e| e.with_path(path))
    }

    /// Parses the endpoints JSON (the file's content).
    pub fn from_json(text: &str) -> Result<Self, DataCenterError> {
        let no_path = PathBuf::new();
        let map: BTreeMap<String, FileEntry> =
            serde_json::from_str(text).map_err(|e| DataCenterError::Format {
                path: no_path.clone(),
                reason: format!("{e}"),
            })?;
        if map.is_empty() {
            return Err(DataCenterError::Format {
                path: no_path,
                reason: "it lists no region".into(),
            });
        }
        let builtin = Self::builtin();
        let mut centers = Vec::with_capacity(map.len());
        for (region, entry) in map {
            let bad = |reason: String| DataCenterError::Entry {
                path: PathBuf::new(),
                region: truncate(&region, 40),
                reason,
            };
            if !is_region_code(&region) {
                return Err(bad(
                    "region codes are two or three lowercase letters, like \"us\"".into(),
                ));
            }
            let accounts = parse_origin(&entry.accounts)
                .and_then(encrypted_unless_loopback)
                .map_err(|r| bad(format!("accounts: {r}")))?;
            let api = parse_origin(&entry.api)
                .and_then(encrypted_unless_loopback)
                .map_err(|r| bad(format!("api: {r}")))?;
            let known = builtin.get(&region);
            centers.push(DataCenter {
                name: entry
                    .name
                    .filter(|n| !n.trim().is_empty())
                    .or_else(|| known.map(|k| k.name.clone()))
                    .unwrap_or_else(|| region.to_uppercase()),
                supported: known.map(|k| k.supported).unwrap_or(false),
                region,
                accounts,
                api,
            });
        }
        // Builtin order first (us, uk, eu, ...), then new regions alphabetically.
        let rank = |r: &str| {
            REGIONS
                .iter()
                .position(|b| b.code == r)
                .unwrap_or(REGIONS.len())
        };
        centers.sort_by(|a, b| {
            rank(&a.region)
                .cmp(&rank(&b.region))
                .then(a.region.cmp(&b.region))
        });
        Ok(DataCenters {
            centers,
            custom: true,
        })
    }

    /// `ZBSETUP_ENDPOINTS` when set (and non-empty), else the built-in table.
    pub fn from_env() -> Result<Self, DataCenterError> {
        match std::env::var_os(ENDPOINTS_ENV) {
            Some(p) if !p.is_empty() => Self::from_file(Path::new(&p)),
            _ => Ok(Self::builtin()),
        }
    }

    pub(crate) fn from_parts(centers: Vec<DataCenter>, custom: bool) -> Self {
        DataCenters { centers, custom }
    }

    /// The data center of a region code (exact, lowercase).
    pub fn get(&self, region: &str) -> Option<&DataCenter> {
        self.centers.iter().find(|d| d.region == region)
    }

    /// All data centers, builtin order first.
    pub fn all(&self) -> &[DataCenter] {
        &self.centers
    }

    /// True when the table came from an endpoints file.
    pub fn is_custom(&self) -> bool {
        self.custom
    }

    /// The data center whose accounts server is exactly this origin.
    pub fn by_accounts_server(&self, server: &str) -> Option<&DataCenter> {
        let key = OriginKey::parse(server)?;
        self.centers
            .iter()
            .find(|d| OriginKey::of(&d.accounts).as_ref() == Some(&key))
    }

    /// The data center whose API domain is exactly this origin.
    pub fn by_api_domain(&self, domain: &str) -> Option<&DataCenter> {
        let key = OriginKey::parse(domain)?;
        self.centers
            .iter()
            .find(|d| OriginKey::of(&d.api).as_ref() == Some(&key))
    }
}

impl DataCenterError {
    fn with_path(self, p: &Path) -> Self {
        match self {
            DataCenterError::Format { reason, .. } => DataCenterError::Format {
                path: p.to_owned(),
                reason,
            },
            DataCenterError::Entry { region, reason, .. } => DataCenterError::Entry {
                path: p.to_owned(),
                region,
                reason,
            },
            other => other,
        }
    }
}

/// `[a-z]{2,3}`.
/// Data centers Zoho's `GET {accounts}/oauth/serverinfo` lists
/// (`{"result": "success", "locations": {"us": "https://accounts.zoho.com",
/// ...}}`) that `known` lacks, or lists at another accounts server: each
/// `(region, accounts server)`, cleaned for display. Read only when a person
/// asks for the support report; what it says is never trusted as a
/// sign-in server, only named.
pub async fn unlisted_data_centers(
    known: &DataCenters,
    ask: &DataCenter,
) -> Result<Vec<(String, String)>, String> {
    let url = ask
        .accounts
        .join("oauth/serverinfo")
        .map_err(|_| "no serverinfo address".to_owned())?;
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(std::time::Duration::from_secs(5))
        .build()
        .map_err(|e| e.to_string())?;
    let answer = http
        .get(url)
        .send()
        .await
        .map_err(|_| "not reachable".to_owned())?;
    if !answer.status().is_success() {
        return Err(format!("HTTP {}", answer.status().as_u16()));
    }
    let body = answer.bytes().await.map_err(|_| "cut off".to_owned())?;
    if body.len() > 64 * 1024 {
        return Err("answer too large".into());
    }
    let value: serde_json::Value =
        serde_json::from_slice(&body).map_err(|_| "not JSON".to_owned())?;
    let locations = value
        .get("locations")
        .and_then(serde_json::Value::as_object)
        .ok_or_else(|| "no locations".to_owned())?;
    let clean = |s: &str| -> String {
        s.chars()
            .filter(|c| c.is_ascii_graphic())
            .take(100)
            .collect()
    };
    let mut unlisted = Vec::new();
    for (region, server) in locations.iter().take(64) {
        let Some(server) = server.as_str() else {
            continue;
        };
        let same = known.get(region).is_some_and(|dc| {
            parse_origin(server).is_ok_and(|u| origin_string(&u) == origin_string(&dc.accounts))
        });
        if !same {
            unlisted.push((clean(region), clean(server)));
        }
    }
    Ok(unlisted)
}

pub fn is_region_code(s: &str) -> bool {
    (2..=3).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_lowercase())
}

fn truncate(s: &str, max: usize) -> String {
    s.chars().take(max).collect()
}

/// An endpoint of the endpoints file: plain `http://` only to this computer
/// (a simulator or a test server); anywhere else the Client Secret and
/// tokens would cross the network unencrypted.
fn encrypted_unless_loopback(url: Url) -> Result<Url, String> {
    let loopback = match url.host() {
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        None => false,
    };
    if url.scheme() == "http" && !loopback {
        return Err(format!(
            "plain http:// is allowed only to this computer (127.0.0.1, ::1 or localhost), \
             not to {}: use https://",
            truncate(url.host_str().unwrap_or_default(), 80)
        ));
    }
    Ok(url)
}

/// Parses an origin: absolute http(s), a host, no userinfo, path empty or
/// `/`, no query, no fragment. Returns the normalised URL (path `/`).
pub fn parse_origin(s: &str) -> Result<Url, String> {
    if s.is_empty() {
        return Err("it is empty".into());
    }
    if s.bytes().any(|b| b <= b' ' || b == 0x7f) {
        return Err("it contains spaces or control characters".into());
    }
    let url = Url::parse(s).map_err(|e| format!("\"{}\" is not a URL ({e})", truncate(s, 80)))?;
    if url.scheme() != "http" && url.scheme() != "https" {
        return Err("only http:// and https:// origins are allowed".into());
    }
    if url.host().is_none() {
        return Err("the URL has no host".into());
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err("the URL must not contain a user name or password".into());
    }
    if url.path() != "/" && !url.path().is_empty() {
        return Err("the URL must be an origin only, without a path".into());
    }
    // `Url` drops an empty `?`/`#`; check the raw text as well.
    if url.query().is_some() || s.contains('?') {
        return Err("the URL must not contain a query".into());
    }
    if url.fragment().is_some() || s.contains('#') {
        return Err("the URL must not contain a fragment".into());
    }
    Ok(url)
}

/// What two origins must share to be "the same server".
#[derive(Debug, PartialEq, Eq)]
struct OriginKey {
    scheme: String,
    host: String,
    port: u16,
}

impl OriginKey {
    fn parse(s: &str) -> Option<Self> {
        Self::of(&parse_origin(s).ok()?)
    }

    fn of(url: &Url) -> Option<Self> {
        Some(OriginKey {
            scheme: url.scheme().to_owned(),
            host: url.host_str()?.to_ascii_lowercase(),
            port: url.port_or_known_default()?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_matches_zoho_md() {
        let dcs = DataCenters::builtin();
        assert!(!dcs.is_custom());
        let expect = [
            (
                "us",
                "https://accounts.zoho.com",
                "https://www.zohoapis.com",
            ),
            ("uk", "https://accounts.zoho.uk", "https://www.zohoapis.uk"),
            ("eu", "https://accounts.zoho.eu", "https://www.zohoapis.eu"),
            ("in", "https://accounts.zoho.in", "https://www.zohoapis.in"),
            (
                "au",
                "https://accounts.zoho.com.au",
                "https://www.zohoapis.com.au",
            ),
            ("jp", "https://accounts.zoho.jp", "https://www.zohoapis.jp"),
            (
                "ca",
                "https://accounts.zohocloud.ca",
                "https://www.zohoapis.ca",
            ),
            ("sa", "https://accounts.zoho.sa", "https://www.zohoapis.sa"),
            ("ae", "https://accounts.zoho.ae", "https://www.zohoapis.ae"),
            (
                "cn",
                "https://accounts.zoho.com.cn",
                "https://www.zohoapis.com.cn",
            ),
        ];
        assert_eq!(dcs.all().len(), expect.len());
        for (dc, (region, accounts, api)) in dcs.all().iter().zip(expect) {
            assert_eq!(dc.region, region);
            assert_eq!(origin_string(&dc.accounts), accounts);
            assert_eq!(origin_string(&dc.api), api);
            assert_eq!(dc.supported, region == "us" || region == "uk", "{region}");
            assert_eq!(
                dcs.by_accounts_server(accounts).map(|d| &*d.region),
                Some(region)
            );
            assert_eq!(dcs.by_api_domain(api).map(|d| &*d.region), Some(region));
        }
        assert_eq!(
            dcs.get("us").map(|d| d.name.as_str()),
            Some("United States")
        );
        assert_eq!(
            dcs.get("eu").map(|d| d.books_base()).as_deref(),
            Some("https://www.zohoapis.eu/books/v3")
        );
        assert_eq!(
            dcs.get("ca")
                .map(|d| d.accounts_endpoint("/oauth/v2/token"))
                .as_deref(),
            Some("https://accounts.zohocloud.ca/oauth/v2/token")
        );
        assert!(dcs.get("US").is_none());
        assert!(dcs.get("xx").is_none());
    }

    #[test]
    fn origin_matching_is_exact() {
        let dcs = DataCenters::builtin();
        let hit = |s: &str| dcs.by_accounts_server(s).map(|d| d.region.clone());
        assert_eq!(hit("https://accounts.zoho.eu").as_deref(), Some("eu"));
        assert_eq!(hit("https://accounts.zoho.eu/").as_deref(), Some("eu"));
        assert_eq!(hit("https://ACCOUNTS.Zoho.EU").as_deref(), Some("eu"));
        assert_eq!(hit("https://accounts.zoho.eu:443").as_deref(), Some("eu"));
        for bad in [
            "http://accounts.zoho.eu",
            "https://accounts.zoho.eu:8443",
            "https://user@accounts.zoho.eu",
            "https://user:pw@accounts.zoho.eu",
            "https://accounts.zoho.eu/oauth",
            "https://accounts.zoho.eu/oauth/v2/token",
            "https://accounts.zoho.eu?x=1",
            "https://accounts.zoho.eu?",
            "https://accounts.zoho.eu#f",
            "https://accounts.zoho.eu.evil.com",
            "https://evilaccounts.zoho.eu",
            "https://accounts.zoho.eu.",
            "https://accounts-zoho.eu",
            "https://accounts.zoho.com.evil.cn",
            "https://www.zohoapis.eu",
            "accounts.zoho.eu",
            "//accounts.zoho.eu",
            "ftp://accounts.zoho.eu",
            "https://accounts.zoho.eu\n",
            " https://accounts.zoho.eu",
            "https://accounts.zo\tho.eu",
            "",
            "https://",
            "javascript:alert(1)",
        ] {
            assert_eq!(hit(bad), None, "{bad:?} must not match");
        }
        assert!(dcs.by_api_domain("http://www.zohoapis.com").is_none());
        assert!(dcs.by_api_domain("https://www.zohoapis.com:444").is_none());
        assert!(dcs
            .by_api_domain("https://www.zohoapis.com/books/v3")
            .is_none());
        assert!(dcs
            .by_api_domain("https://www.zohoapis.zohocloud.ca")
            .is_none());
    }

    #[test]
    fn endpoints_file_good() {
        let dcs = DataCenters::from_json(
            r#"{"eu": {"accounts": "http://127.0.0.1:9003", "api": "http://127.0.0.1:9004/"},
                "us": {"accounts": "http://127.0.0.1:9001", "api": "http://127.0.0.1:9002", "extra": 1},
                "zz": {"accounts": "https://localhost:1", "api": "https://localhost:2", "name": "Test"}}"#,
        )
        .expect("valid");
        assert!(dcs.is_custom());
        let regions: Vec<_> = dcs.all().iter().map(|d| d.region.as_str()).collect();
        assert_eq!(regions, ["us", "eu", "zz"]);
        let us = dcs.get("us").expect("us");
        assert_eq!(us.name, "United States");
        assert!(us.supported);
        assert_eq!(us.books_base(), "http://127.0.0.1:9002/books/v3");
        assert_eq!(dcs.get("zz").map(|d| d.name.as_str()), Some("Test"));
        assert!(!dcs.get("zz").map(|d| d.supported).unwrap_or(true));
        assert_eq!(
            dcs.by_accounts_server("http://127.0.0.1:9003")
                .map(|d| &*d.region),
            Some("eu")
        );
        assert!(dcs.by_accounts_server("http://localhost:9003").is_none());
        assert!(dcs.by_accounts_server("https://127.0.0.1:9003").is_none());
        assert!(dcs.by_accounts_server("http://127.0.0.1:9005").is_none());
        assert!(dcs
            .by_accounts_server("https://accounts.zoho.com")
            .is_none());
        assert_eq!(
            dcs.by_api_domain("http://127.0.0.1:9004")
                .map(|d| &*d.region),
            Some("eu")
        );
    }

    #[test]
    fn endpoints_file_bad() {
        let cases = [
            ("", Code::EndpointsInvalid),
            ("[]", Code::EndpointsInvalid),
            ("{}", Code::EndpointsInvalid),
            (
                r#"{"us": {"accounts": "http://127.0.0.1:9001"}}"#,
                Code::EndpointsInvalid,
            ),
            (
                r#"{"US": {"accounts": "http://a", "api": "http://b"}}"#,
                Code::EndpointsBadEntry,
            ),
            (
                r#"{"usa1": {"accounts": "http://a", "api": "http://b"}}"#,
                Code::EndpointsBadEntry,
            ),
            (
                r#"{"u": {"accounts": "http://a", "api": "http://b"}}"#,
                Code::EndpointsBadEntry,
            ),
            (
                r#"{"us": {"accounts": "ftp://a", "api": "http://b"}}"#,
                Code::EndpointsBadEntry,
            ),
            (
                r#"{"us": {"accounts": "http://a/x", "api": "http://b"}}"#,
                Code::EndpointsBadEntry,
            ),
            (
                r#"{"us": {"accounts": "http://a", "api": "http://u:p@b"}}"#,
                Code::EndpointsBadEntry,
            ),
            (
                r#"{"us": {"accounts": "http://a?q", "api": "http://b"}}"#,
                Code::EndpointsBadEntry,
            ),
            (
                r#"{"us": {"accounts": "http://a#f", "api": "http://b"}}"#,
                Code::EndpointsBadEntry,
            ),
            (
                r#"{"us": {"accounts": "127.0.0.1:9001", "api": "http://b"}}"#,
                Code::EndpointsBadEntry,
            ),
            (
                r#"{"us": {"accounts": "", "api": "http://b"}}"#,
                Code::EndpointsBadEntry,
            ),
            (
                r#"{"us": {"accounts": "http://accounts.example", "api": "https://b"}}"#,
                Code::EndpointsBadEntry,
            ),
            (
                r#"{"us": {"accounts": "https://a", "api": "http://10.0.0.7:9002"}}"#,
                Code::EndpointsBadEntry,
            ),
        ];
        // Plain http to this computer is fine.
        DataCenters::from_json(
            r#"{"us": {"accounts": "http://localhost:9001", "api": "http://[::1]:9002"},
                "eu": {"accounts": "http://127.0.0.1:9003", "api": "https://b.example"}}"#,
        )
        .expect("loopback http");
        for (json, code) in cases {
            let err = DataCenters::from_json(json).expect_err(json);
            assert_eq!(err.code(), code, "{json}: {err}");
        }
    }

    #[test]
    fn endpoints_file_errors_name_the_file() {
        let dir = std::env::temp_dir().join(format!("zbs-zoho-dc-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("tmp");
        let file = dir.join("endpoints.json");
        std::fs::write(
            &file,
            r#"{"us": {"accounts": "http://a/path", "api": "http://b"}}"#,
        )
        .expect("write");
        let err = DataCenters::from_file(&file).expect_err("bad");
        let msg = err.to_string();
        assert!(msg.contains("endpoints.json"), "{msg}");
        assert!(msg.contains("\"us\""), "{msg}");
        assert!(msg.contains("path"), "{msg}");
        let missing = DataCenters::from_file(&dir.join("missing.json")).expect_err("missing");
        assert_eq!(missing.code(), Code::EndpointsUnreadable);
        assert!(missing.to_string().contains("missing.json"));
        let _ = std::fs::remove_dir_all(&dir);
    }
}
