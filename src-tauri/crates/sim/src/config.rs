//! What a simulator run looks like: `SimConfig` (limits, lifetimes, the
//! simulated user and their organizations, registered API clients, where to
//! listen) with defaults that mirror Zoho, plus `OrgSpec`, `ClientSpec` and
//! `Plan`. `lib.rs` turns a config into running servers.

use std::collections::BTreeMap;
use std::net::{IpAddr, Ipv4Addr};
use std::time::Duration;

use rand::{Rng, SeedableRng};

/// The data centers Zoho runs, by the region code used in redirects
/// (`location=eu`) and in the endpoints file.
pub const REGIONS: [&str; 10] = ["us", "uk", "eu", "in", "au", "jp", "ca", "sa", "ae", "cn"];

/// The deep link the desktop app registers for OAuth callbacks.
pub const DEEP_LINK_REDIRECT: &str = "zbsetup://oauth/callback";
/// The default redirect URI of the app and the CLI.
pub const LOCALHOST_REDIRECT: &str = "http://localhost:47823/oauth/callback";
/// The alternative loopback redirect URI (the IPv4 literal).
pub const LOOPBACK_REDIRECT: &str = "http://127.0.0.1:47823/oauth/callback";

/// A Zoho Books subscription plan: decides the default daily API quota and
/// concurrency cap of an organization, and what `/organizations` reports.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Plan {
    Free,
    Standard,
    Professional,
    Premium,
}

impl Plan {
    /// Daily API calls allowed (Zoho's published figures).
    pub fn daily_quota(self) -> u32 {
        match self {
            Plan::Free => 1_000,
            Plan::Standard => 2_000,
            Plan::Professional => 5_000,
            Plan::Premium => 10_000,
        }
    }

    /// Concurrent in-flight requests allowed (Zoho's figures are unverified).
    pub fn concurrency(self) -> u32 {
        match self {
            Plan::Free => 5,
            _ => 10,
        }
    }

    pub(crate) fn name(self) -> &'static str {
        match self {
            Plan::Free => "Free",
            Plan::Standard => "Standard",
            Plan::Professional => "Professional",
            Plan::Premium => "Premium",
        }
    }

    pub(crate) fn plan_type(self) -> u32 {
        match self {
            Plan::Free => 0,
            Plan::Standard => 2,
            Plan::Professional => 3,
            Plan::Premium => 4,
        }
    }
}

/// One organization owned by the simulated user. It lives in the user's
/// home data center.
#[derive(Clone, Debug)]
pub struct OrgSpec {
    /// Zoho's numeric organization id, as a string (e.g. "775501234").
    pub organization_id: String,
    pub name: String,
    /// ISO currency code; `None` picks the home region's currency.
    pub currency_code: Option<String>,
    pub plan: Plan,
    /// The organization Zoho marks `is_default_org`.
    pub is_default: bool,
    /// Overrides `SimConfig::records_per_entity` for this organization.
    pub records_per_entity: Option<u64>,
    /// The daily quota Zoho's headers show for it, when not the plan's: a
    /// trial organization on the Professional plan was recorded with
    /// `X-Rate-Limit-Limit: 1000` (`docs/zoho.md`).
    pub daily_quota: Option<u32>,
}

impl OrgSpec {
    /// A Free-plan organization with the region's currency.
    pub fn new(organization_id: impl Into<String>, name: impl Into<String>) -> Self {
        Self {
            organization_id: organization_id.into(),
            name: name.into(),
            currency_code: None,
            plan: Plan::Free,
            is_default: false,
            records_per_entity: None,
            daily_quota: None,
        }
    }
}

/// An API client registered in the (simulated) Zoho API console, with its
/// console Settings tab: the data centers switched on for it, and whether
/// they share one secret ("Use the same OAuth credentials for all data
/// centers") or some have their own. As at Zoho, a code exchange or refresh
/// at a data center that is not switched on, or with another data center's
/// secret, answers `invalid_client`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClientSpec {
    pub client_id: String,
    pub client_secret: String,
    /// Shown to the user on the consent page.
    pub client_name: String,
    /// Authorized redirect URIs, matched exactly (see
    /// `SimConfig::allow_any_loopback_port` for the loopback exception).
    pub redirect_uris: Vec<String>,
    /// The data centers switched on for the client; `None`: every one (a
    /// console set up as the checklist says).
    pub data_centers: Option<Vec<String>>,
    /// Data centers with a secret of their own (same credentials unticked);
    /// the others use `client_secret`.
    pub own_secrets: BTreeMap<String, String>,
}

impl ClientSpec {
    /// A made-up but realistic client: id `1000.` + 30 uppercase letters and
    /// digits, a 42-character lowercase hex secret, and the default redirect
    /// URIs. The same seed gives the same client.
    pub fn generate(seed: u64) -> Self {
        const ALNUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
        const HEX: &[u8] = b"0123456789abcdef";
        let mut rng = rand::rngs::StdRng::seed_from_u64(seed ^ 0x005E_EDC1_1E17_u64);
        let id: String = (0..30)
            .map(|_| ALNUM[rng.gen_range(0..ALNUM.len())] as char)
            .collect();
        let secret: String = (0..42)
            .map(|_| HEX[rng.gen_range(0..HEX.len())] as char)
            .collect();
        Self {
            client_id: format!("1000.{id}"),
            client_secret: secret,
            client_name: "Zoho Books Setup".to_string(),
            redirect_uris: Self::default_redirect_uris(),
            data_centers: None,
            own_secrets: BTreeMap::new(),
        }
    }

    /// Whether `secret` opens this client at `region`'s accounts server.
    pub fn accepts(&self, region: &str, secret: &str) -> bool {
        let switched_on = self
            .data_centers
            .as_ref()
            .is_none_or(|on| on.iter().any(|r| r == region));
        let expected = self.own_secrets.get(region).unwrap_or(&self.client_secret);
        switched_on && expected == secret
    }

    /// What a console set up as the checklist says has registered: the
    /// app's default `localhost` URI, plus its two alternatives (the
    /// `127.0.0.1` form and the app link).
    pub fn default_redirect_uris() -> Vec<String> {
        vec![
            LOCALHOST_REDIRECT.to_string(),
            LOOPBACK_REDIRECT.to_string(),
            DEEP_LINK_REDIRECT.to_string(),
        ]
    }
}

/// Everything a simulator run needs. `SimConfig::default()` mirrors Zoho:
/// 100 requests per 60 s per organization, daily quota and concurrency by
/// plan, 1-hour access tokens, 2-minute codes, 10 access tokens per refresh
/// token per 10 minutes, 20 refresh tokens per user and client.
#[derive(Clone, Debug)]
pub struct SimConfig {
    /// Seed of the data generator (and of the 5xx-probability fault).
    pub seed: u64,
    /// Records generated per entity (customers and vendors count separately).
    pub records_per_entity: u64,
    /// Requests allowed per organization in any sliding window of this length.
    pub rate_limit: (u32, Duration),
    /// Daily API calls per organization; `None` = by the organization's plan.
    pub daily_quota: Option<u32>,
    /// Concurrent requests per organization; `None` = by plan.
    pub concurrency: Option<u32>,
    /// Whether throttling answers (HTTP 429, codes 44, 45 and 1070) carry
    /// the `X-Rate-Limit-*` headers: `None` (the default) alternates, the
    /// first without, as Zoho's are not always there; `Some` always or never.
    pub throttle_headers: Option<bool>,
    /// Authorization codes Zoho gives per Client ID in 10 minutes (its
    /// "Token Validity" pages: 10); past it the consent answers
    /// `error=access_denied`.
    pub grant_codes_per_client_per_10min: u32,
    /// Data centers `GET /oauth/serverinfo` lists beside the simulated
    /// ones (region -> accounts server): one Zoho has added that the app's
    /// table does not know yet.
    pub serverinfo_extra: BTreeMap<String, String>,
    /// Access-token lifetime (`expires_in`).
    pub token_ttl: Duration,
    /// Authorization-code lifetime.
    pub code_ttl: Duration,
    /// Access tokens one refresh token may mint (refresh grants) per 10 minutes.
    pub access_tokens_per_refresh_per_10min: u32,
    /// Live access tokens one refresh token may have (Zoho: 15); minting
    /// one more deletes the oldest, which then gets 401 code 57.
    pub live_access_tokens_per_refresh: usize,
    /// Live refresh tokens per user and client; one more silently deletes the oldest.
    pub max_refresh_tokens: u32,
    /// The simulated user's home data center; their organizations live there.
    pub user_region: String,
    /// The simulated user's name (shown as `contact_name`, `created_by`).
    pub user_name: String,
    pub user_email: String,
    /// The simulated user's role in their organizations (`GET /users/me`).
    pub user_role: String,
    /// Modules (scope names: `bills`, `contacts`, ...) the user's role may
    /// not read. As at Zoho, reading one answers 401 code 57 although the
    /// token is valid and other modules answer.
    pub role_denies: Vec<String>,
    pub organizations: Vec<OrgSpec>,
    pub clients: Vec<ClientSpec>,
    /// Lenient: accept any `http://127.0.0.1:<port>/oauth/callback` (and
    /// `localhost`) for a client that registered a loopback callback on some
    /// port. Off by default: Zoho matches redirect URIs letter for letter.
    pub allow_any_loopback_port: bool,
    /// Lenient, for the demo only: accept the app link
    /// (`zbsetup://oauth/callback`) as a registered redirect URI. Zoho's
    /// console refuses every URI that is not http(s), so this is off by
    /// default and an app-link sign-in then gets "Invalid Redirect Uri".
    pub accept_app_link: bool,
    /// Check that the token's scopes cover the module being read (Zoho does).
    pub enforce_scopes: bool,
    /// Address every listener binds to.
    pub bind: IpAddr,
    /// Fixed `(accounts, api)` ports per region; others get ephemeral ports.
    pub ports: BTreeMap<String, (u16, u16)>,
    /// Regions to serve (default: all of `REGIONS`).
    pub regions: Vec<String>,
}

impl Default for SimConfig {
    fn default() -> Self {
        let seed = 42;
        let mut first = OrgSpec::new("775501234", "Harbour Lane Trading Ltd");
        first.is_default = true;
        // As recorded: a Professional-plan trial with 1,000 calls a day.
        first.plan = Plan::Professional;
        first.daily_quota = Some(1_000);
        let second = OrgSpec::new("775501987", "Harbour Lane Services Ltd");
        Self {
            seed,
            records_per_entity: 50,
            rate_limit: (100, Duration::from_secs(60)),
            daily_quota: None,
            concurrency: None,
            throttle_headers: None,
            grant_codes_per_client_per_10min: 10,
            serverinfo_extra: BTreeMap::new(),
            token_ttl: Duration::from_secs(3600),
            code_ttl: Duration::from_secs(120),
            access_tokens_per_refresh_per_10min: 10,
            live_access_tokens_per_refresh: 15,
            max_refresh_tokens: 20,
            user_region: "us".to_string(),
            user_name: "Alex Morgan".to_string(),
            user_email: "alex.morgan@harbourlane.example".to_string(),
            user_role: "admin".to_string(),
            role_denies: Vec::new(),
            organizations: vec![first, second],
            clients: vec![ClientSpec::generate(seed)],
            allow_any_loopback_port: false,
            accept_app_link: false,
            enforce_scopes: true,
            bind: IpAddr::V4(Ipv4Addr::LOCALHOST),
            ports: BTreeMap::new(),
            regions: REGIONS.iter().map(|r| r.to_string()).collect(),
        }
    }
}

impl SimConfig {
    pub(crate) fn validate(&self) -> Result<(), String> {
        for r in &self.regions {
            if !REGIONS.contains(&r.as_str()) {
                return Err(format!("unknown region {r:?}"));
            }
        }
        if !self.regions.contains(&self.user_region) {
            return Err(format!(
                "the user's home region {:?} is not served",
                self.user_region
            ));
        }
        let mut seen = std::collections::HashSet::new();
        for o in &self.organizations {
            if o.organization_id.is_empty()
                || !o.organization_id.bytes().all(|b| b.is_ascii_digit())
            {
                return Err(format!(
                    "organization id {:?} must be digits",
                    o.organization_id
                ));
            }
            if !seen.insert(o.organization_id.clone()) {
                return Err(format!("duplicate organization id {}", o.organization_id));
            }
        }
        if self.rate_limit.0 == 0 || self.rate_limit.1.is_zero() {
            return Err("the rate limit needs a positive budget and window".into());
        }
        Ok(())
    }
}
