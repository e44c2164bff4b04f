//! The data generator. Every record is a pure function of (organization
//! seed, entity, index): nothing is materialised, so 100,000 invoices cost
//! nothing at startup and a page costs only its own rows. Payload shapes come
//! from `shapes.json` (every field of Zoho's list rows and detail objects,
//! with neutral values); the generator overwrites the fields that carry
//! meaning. Ids are derived from the index, so re-pulls upsert the same ids.
//!
//! Index 0 is the oldest record; creation time grows with the index, so
//! records added at runtime (`SimHandle::add_records`) are the newest.

mod words;

use std::collections::HashMap;
use std::fmt;
use std::str::FromStr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::OnceLock;

use serde_json::{json, Map, Value};

use crate::config::OrgSpec;
use words::*;

/// Something the Books API lists. Customers and vendors are both served at
/// `/contacts` (told apart by `contact_type`) but counted separately.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Entity {
    Customers,
    Vendors,
    Invoices,
    CreditNotes,
    Bills,
    Items,
    ChartOfAccounts,
    CustomerPayments,
    VendorPayments,
    Estimates,
    Expenses,
    PurchaseOrders,
}

impl Entity {
    /// Every entity the simulator serves.
    pub const ALL: [Entity; 12] = [
        Entity::Customers,
        Entity::Vendors,
        Entity::Invoices,
        Entity::CreditNotes,
        Entity::Bills,
        Entity::Items,
        Entity::ChartOfAccounts,
        Entity::CustomerPayments,
        Entity::VendorPayments,
        Entity::Estimates,
        Entity::Expenses,
        Entity::PurchaseOrders,
    ];

    /// The name used by the CLI (`customers`, `invoices`, ...).
    pub fn name(self) -> &'static str {
        match self {
            Entity::Customers => "customers",
            Entity::Vendors => "vendors",
            Entity::Invoices => "invoices",
            Entity::CreditNotes => "creditnotes",
            Entity::Bills => "bills",
            Entity::Items => "items",
            Entity::ChartOfAccounts => "chartofaccounts",
            Entity::CustomerPayments => "customerpayments",
            Entity::VendorPayments => "vendorpayments",
            Entity::Estimates => "estimates",
            Entity::Expenses => "expenses",
            Entity::PurchaseOrders => "purchaseorders",
        }
    }

    /// Parses a CLI entity name.
    pub fn from_name(name: &str) -> Option<Entity> {
        Entity::ALL.into_iter().find(|e| e.name() == name)
    }

    /// The Books API path segment (`/books/v3/<resource>`), also the list key.
    pub fn resource(self) -> &'static str {
        match self {
            Entity::Customers | Entity::Vendors => "contacts",
            other => other.name(),
        }
    }

    /// The key of the single record in a detail response.
    pub fn detail_key(self) -> &'static str {
        match self {
            Entity::Customers | Entity::Vendors => "contact",
            Entity::Invoices => "invoice",
            Entity::CreditNotes => "creditnote",
            Entity::Bills => "bill",
            Entity::Items => "item",
            Entity::ChartOfAccounts => "chart_of_account",
            Entity::CustomerPayments => "payment",
            Entity::VendorPayments => "vendorpayment",
            Entity::Estimates => "estimate",
            Entity::Expenses => "expense",
            Entity::PurchaseOrders => "purchaseorder",
        }
    }

    pub(crate) fn index(self) -> usize {
        self as usize
    }

    /// Two digits inside every generated id.
    fn code(self) -> u64 {
        11 + self as u64
    }

    /// `report_name` and `applied_filter` of the list's `page_context`.
    pub(crate) fn report(self) -> (&'static str, &'static str) {
        match self {
            Entity::Customers | Entity::Vendors => ("Contacts", "Status.All"),
            Entity::Invoices => ("Invoices", "Status.All"),
            Entity::CreditNotes => ("Credit Notes", "Status.All"),
            Entity::Bills => ("Bills", "Status.All"),
            Entity::Items => ("Items", "Status.All"),
            Entity::ChartOfAccounts => ("List Chart Of Accounts", "AccountType.Active"),
            Entity::CustomerPayments => ("Payments Received", "PaymentMode.All"),
            Entity::VendorPayments => ("Payments Made", "PaymentMode.All"),
            Entity::Estimates => ("Quotes", "Status.All"),
            Entity::Expenses => ("Expenses", "Status.All"),
            Entity::PurchaseOrders => ("Purchase Orders", "Status.All"),
        }
    }

    /// The order a list is in when it names none: `(sort_column,
    /// ascending)` as the recorded answers' `page_context` shows it.
    pub fn default_order(self) -> (&'static str, bool) {
        match self {
            Entity::Customers | Entity::Vendors => ("contact_name", true),
            Entity::Items => ("name", true),
            Entity::ChartOfAccounts => ("account_type", true),
            Entity::CustomerPayments | Entity::VendorPayments => ("date", false),
            _ => ("created_time", false),
        }
    }

    /// Whether a list of this entity sorts by `column` when asked to. The
    /// chart of accounts only sorts by its own columns (whether Zoho sorts
    /// it by creation is unverified, so the simulator takes the answer that
    /// is harder on clients: it keeps its own order and says so).
    pub fn sorts_by(self, column: &str) -> bool {
        let own = self.default_order().0;
        match self {
            Entity::ChartOfAccounts => matches!(column, "account_type" | "account_name"),
            _ => column == own || matches!(column, "created_time" | "last_modified_time"),
        }
    }

    /// The largest (and default) `per_page` of a list: the chart of
    /// accounts answers with 5000, everything else with 200.
    pub fn max_per_page(self) -> u64 {
        if self == Entity::ChartOfAccounts {
            5000
        } else {
            200
        }
    }

    /// The OAuth scope module that grants reading this entity.
    pub fn scope_module(self) -> &'static str {
        match self {
            Entity::Customers | Entity::Vendors => "contacts",
            Entity::Items => "settings",
            Entity::ChartOfAccounts => "accountants",
            Entity::CustomerPayments => "customerpayments",
            Entity::VendorPayments => "vendorpayments",
            other => other.name(),
        }
    }
}

impl fmt::Display for Entity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Entity {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Entity::from_name(s).ok_or_else(|| format!("unknown entity {s:?}"))
    }
}

// ---------------------------------------------------------------------------
// Shapes

struct Shape {
    list: Map<String, Value>,
    detail: Map<String, Value>,
    nested: Map<String, Value>,
}

fn shapes() -> &'static HashMap<String, Shape> {
    static SHAPES: OnceLock<HashMap<String, Shape>> = OnceLock::new();
    SHAPES.get_or_init(|| {
        let raw: Map<String, Value> = serde_json::from_str(include_str!("shapes.json"))
            .expect("shapes.json is valid JSON (checked by a unit test)");
        raw.into_iter()
            .map(|(k, v)| {
                let obj = |key: &str| match v.get(key) {
                    Some(Value::Object(m)) => m.clone(),
                    _ => Map::new(),
                };
                let shape = Shape {
                    list: obj("list"),
                    detail: obj("detail"),
                    nested: obj("nested"),
                };
                (k, shape)
            })
            .collect()
    })
}

fn shape(resource: &str) -> &'static Shape {
    static EMPTY: OnceLock<Shape> = OnceLock::new();
    shapes().get(resource).unwrap_or_else(|| {
        EMPTY.get_or_init(|| Shape {
            list: Map::new(),
            detail: Map::new(),
            nested: Map::new(),
        })
    })
}

fn nested(resource: &str, key: &str) -> Map<String, Value> {
    match shape(resource).nested.get(key) {
        Some(Value::Object(m)) => m.clone(),
        _ => Map::new(),
    }
}

/// Sets `key` only if the shape has it, keeping the shape's JSON type where
/// the value is a number but Zoho sends a string.
fn put(m: &mut Map<String, Value>, key: &str, v: impl Into<Value>) {
    if let Some(slot) = m.get_mut(key) {
        let v = v.into();
        *slot = match (&*slot, v) {
            (Value::String(_), Value::Number(n)) => Value::String(n.to_string()),
            (Value::String(_), Value::Bool(b)) => Value::String(b.to_string()),
            (_, v) => v,
        };
    }
}

// ---------------------------------------------------------------------------
// Deterministic randomness

fn mix(mut x: u64) -> u64 {
    x ^= x >> 30;
    x = x.wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x ^= x >> 27;
    x = x.wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

pub(crate) fn hash_str(s: &str) -> u64 {
    s.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ b as u64).wrapping_mul(0x100_0000_01b3)
    })
}

struct Rng(u64);

impl Rng {
    fn new(seed: u64, salt: u64, i: u64) -> Self {
        Rng(mix(seed
            ^ mix(
                salt.wrapping_mul(0x9e37_79b9_7f4a_7c15) ^ mix(i.wrapping_add(1))
            )))
    }
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        mix(self.0)
    }
    fn below(&mut self, n: u64) -> u64 {
        if n == 0 {
            0
        } else {
            self.next() % n
        }
    }
    fn range(&mut self, lo: i64, hi: i64) -> i64 {
        lo + self.below((hi - lo + 1).max(1) as u64) as i64
    }
    fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.below(xs.len() as u64) as usize]
    }
}

// ---------------------------------------------------------------------------
// Dates

/// 2024-01-01T00:00:00Z: the oldest generated record is created that day.
const ANCHOR: i64 = 1_704_067_200;
const DAY: i64 = 86_400;

fn civil(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

// ---------------------------------------------------------------------------
// Locale of an organization

pub(crate) struct Locale {
    pub currency_code: &'static str,
    pub symbol: &'static str,
    pub currency_name: &'static str,
    pub country: &'static str,
    pub country_code: &'static str,
    pub time_zone: &'static str,
    pub offset_min: i64,
    pub tax_name: &'static str,
    pub tax_bp: i64,
    pub dial: &'static str,
    /// Price multiplier against USD-ish base prices.
    pub scale: i64,
    pub precision: u32,
    pub date_format: &'static str,
}

const LOCALES: &[(&str, Locale)] = &[
    (
        "us",
        Locale {
            currency_code: "USD",
            symbol: "$",
            currency_name: "United States Dollar",
            country: "U.S.A",
            country_code: "US",
            time_zone: "America/New_York",
            offset_min: -300,
            tax_name: "Sales Tax",
            tax_bp: 825,
            dial: "1",
            scale: 1,
            precision: 2,
            date_format: "MM/dd/yyyy",
        },
    ),
    (
        "uk",
        Locale {
            currency_code: "GBP",
            symbol: "£",
            currency_name: "Pound Sterling",
            country: "United Kingdom",
            country_code: "GB",
            time_zone: "Europe/London",
            offset_min: 0,
            tax_name: "VAT",
            tax_bp: 2000,
            dial: "44",
            scale: 1,
            precision: 2,
            date_format: "dd/MM/yyyy",
        },
    ),
    (
        "eu",
        Locale {
            currency_code: "EUR",
            symbol: "€",
            currency_name: "Euro",
            country: "Germany",
            country_code: "DE",
            time_zone: "Europe/Berlin",
            offset_min: 60,
            tax_name: "MwSt",
            tax_bp: 1900,
            dial: "49",
            scale: 1,
            precision: 2,
            date_format: "dd.MM.yyyy",
        },
    ),
    (
        "in",
        Locale {
            currency_code: "INR",
            symbol: "₹",
            currency_name: "Indian Rupee",
            country: "India",
            country_code: "IN",
            time_zone: "Asia/Kolkata",
            offset_min: 330,
            tax_name: "GST",
            tax_bp: 1800,
            dial: "91",
            scale: 80,
            precision: 2,
            date_format: "dd/MM/yyyy",
        },
    ),
    (
        "au",
        Locale {
            currency_code: "AUD",
            symbol: "$",
            currency_name: "Australian Dollar",
            country: "Australia",
            country_code: "AU",
            time_zone: "Australia/Sydney",
            offset_min: 600,
            tax_name: "GST",
            tax_bp: 1000,
            dial: "61",
            scale: 1,
            precision: 2,
            date_format: "dd/MM/yyyy",
        },
    ),
    (
        "jp",
        Locale {
            currency_code: "JPY",
            symbol: "¥",
            currency_name: "Japanese Yen",
            country: "Japan",
            country_code: "JP",
            time_zone: "Asia/Tokyo",
            offset_min: 540,
            tax_name: "JCT",
            tax_bp: 1000,
            dial: "81",
            scale: 150,
            precision: 0,
            date_format: "yyyy/MM/dd",
        },
    ),
    (
        "ca",
        Locale {
            currency_code: "CAD",
            symbol: "$",
            currency_name: "Canadian Dollar",
            country: "Canada",
            country_code: "CA",
            time_zone: "America/Toronto",
            offset_min: -300,
            tax_name: "HST",
            tax_bp: 1300,
            dial: "1",
            scale: 1,
            precision: 2,
            date_format: "MM/dd/yyyy",
        },
    ),
    (
        "sa",
        Locale {
            currency_code: "SAR",
            symbol: "SAR",
            currency_name: "Saudi Riyal",
            country: "Saudi Arabia",
            country_code: "SA",
            time_zone: "Asia/Riyadh",
            offset_min: 180,
            tax_name: "VAT",
            tax_bp: 1500,
            dial: "966",
            scale: 4,
            precision: 2,
            date_format: "dd/MM/yyyy",
        },
    ),
    (
        "ae",
        Locale {
            currency_code: "AED",
            symbol: "AED",
            currency_name: "UAE Dirham",
            country: "United Arab Emirates",
            country_code: "AE",
            time_zone: "Asia/Dubai",
            offset_min: 240,
            tax_name: "VAT",
            tax_bp: 500,
            dial: "971",
            scale: 4,
            precision: 2,
            date_format: "dd/MM/yyyy",
        },
    ),
    (
        "cn",
        Locale {
            currency_code: "CNY",
            symbol: "¥",
            currency_name: "Yuan Renminbi",
            country: "China",
            country_code: "CN",
            time_zone: "Asia/Shanghai",
            offset_min: 480,
            tax_name: "VAT",
            tax_bp: 1300,
            dial: "86",
            scale: 7,
            precision: 2,
            date_format: "yyyy-MM-dd",
        },
    ),
];

/// The place in [`LOCALES`] of the locale of an organization at `region`
/// (or of the currency its spec names): the first (US) for a region the
/// simulator has no locale for, which a test keeps from happening.
fn locale_index(region: &str, currency: Option<&str>) -> usize {
    currency
        .and_then(|c| {
            LOCALES
                .iter()
                .position(|(_, l)| l.currency_code.eq_ignore_ascii_case(c))
        })
        .or_else(|| LOCALES.iter().position(|(r, _)| *r == region))
        .unwrap_or(0)
}

/// The currency code and time zone the simulator gives organizations at
/// `region`, if it has a locale for it.
pub fn region_locale(region: &str) -> Option<(&'static str, &'static str)> {
    LOCALES
        .iter()
        .find(|(r, _)| *r == region)
        .map(|(_, l)| (l.currency_code, l.time_zone))
}

// ---------------------------------------------------------------------------
// Facts shared by several entities

struct Address {
    street: String,
    city: &'static str,
    state: &'static str,
    zip: String,
}

struct Party {
    id: String,
    name: String,
    first: &'static str,
    last: &'static str,
    email: String,
    phone: String,
    website: String,
    addr: Address,
    created: i64,
    terms: i64,
    receivable: i64,
    payable: i64,
}

struct ItemFacts {
    id: String,
    name: String,
    description: String,
    unit: &'static str,
    rate: i64,
    purchase_rate: i64,
    sku: String,
    service: bool,
    created: i64,
}

struct Line {
    id: String,
    item: ItemFacts,
    qty: i64,
    rate: i64,
    total: i64,
    tax: i64,
}

struct Lines {
    lines: Vec<Line>,
    sub_total: i64,
    tax_total: i64,
    total: i64,
}

/// The header of a sales or purchase document.
struct Doc {
    id: String,
    number: String,
    party: Party,
    created: i64,
    modified: i64,
    date: i64,
    due: i64,
    lines: Lines,
    status: &'static str,
    balance: i64,
    reference: String,
}

fn money(cents: i64) -> Value {
    if cents % 100 == 0 {
        Value::from(cents / 100)
    } else {
        Value::from(cents as f64 / 100.0)
    }
}

fn slug(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .flat_map(|c| c.to_lowercase())
        .take(20)
        .collect()
}

/// One organization's generator: its seed, id prefix, locale and the record
/// counts it started with (references point into those, so they stay put
/// when records are added at runtime).
pub(crate) struct OrgData {
    pub spec: OrgSpec,
    /// The place of its locale in [`LOCALES`]: its data center's, which
    /// changes when the user's account moves (unless the spec names a currency).
    locale: AtomicUsize,
    seed: u64,
    prefix: u64,
    base: [u64; 12],
    user_name: String,
    user_email: String,
}

impl OrgData {
    pub(crate) fn new(
        spec: OrgSpec,
        region: &str,
        seed: u64,
        records: u64,
        user_name: &str,
        user_email: &str,
    ) -> Self {
        let org_seed = mix(seed ^ hash_str(&spec.organization_id));
        let prefix = 100_000 + mix(org_seed ^ 0x1d) % 900_000;
        let locale = AtomicUsize::new(locale_index(region, spec.currency_code.as_deref()));
        Self {
            spec,
            locale,
            seed: org_seed,
            prefix,
            base: [records; 12],
            user_name: user_name.to_string(),
            user_email: user_email.to_string(),
        }
    }

    /// The organization's currency, time zone and formats.
    pub(crate) fn locale(&self) -> &'static Locale {
        &LOCALES[self.locale.load(Ordering::Relaxed)].1
    }

    /// The organization now lives at `region` (its user's account moved
    /// there): it takes that region's currency and time zone, unless its
    /// spec names a currency.
    pub(crate) fn move_to(&self, region: &str) {
        if self.spec.currency_code.is_none() {
            self.locale
                .store(locale_index(region, None), Ordering::Relaxed);
        }
    }

    fn id(&self, code: u64, n: u64) -> String {
        format!("{}{:02}{:010}", self.prefix, code, n)
    }

    /// The stable id of record `i` of `e`.
    pub(crate) fn record_id(&self, e: Entity, i: u64) -> String {
        self.id(e.code(), i + 1)
    }

    /// The index of a record id of `e`, if it has this organization's shape.
    pub(crate) fn parse_id(&self, e: Entity, id: &str) -> Option<u64> {
        let head = format!("{}{:02}", self.prefix, e.code());
        let tail = id.strip_prefix(&head)?;
        if tail.len() != 10 || !tail.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        tail.parse::<u64>().ok()?.checked_sub(1)
    }

    fn fixed_id(&self, n: u64) -> String {
        format!("{}{:012}", self.prefix, n)
    }

    fn currency_id(&self) -> String {
        self.fixed_id(97)
    }

    fn rng(&self, e: Entity, i: u64, salt: u64) -> Rng {
        Rng::new(self.seed, e.code() * 1000 + salt, i)
    }

    fn unit(&self) -> i64 {
        if self.locale().precision == 0 {
            100
        } else {
            1
        }
    }

    fn round_unit(&self, cents: i64) -> i64 {
        let u = self.unit();
        (cents + u / 2) / u * u
    }

    /// When record `i` of `e` was created (Unix seconds): grows with `i`.
    pub(crate) fn created_time(&self, e: Entity, i: u64) -> i64 {
        self.created(e, i)
    }

    fn created(&self, e: Entity, i: u64) -> i64 {
        let base = self.base[e.index()].max(1) as i64;
        let step = (2 * 365 * DAY / base).clamp(60, 3 * DAY);
        let jitter = self.rng(e, i, 1).below((step / 2).max(1) as u64) as i64;
        ANCHOR + 8 * 3600 + i as i64 * step + jitter
    }

    fn local(&self, secs: i64) -> i64 {
        secs + self.locale().offset_min * 60
    }

    fn date(&self, secs: i64) -> String {
        let (y, m, d) = civil(self.local(secs).div_euclid(DAY));
        format!("{y:04}-{m:02}-{d:02}")
    }

    fn date_display(&self, secs: i64) -> String {
        let (y, m, d) = civil(self.local(secs).div_euclid(DAY));
        match self.locale().date_format {
            "MM/dd/yyyy" => format!("{m:02}/{d:02}/{y:04}"),
            "dd.MM.yyyy" => format!("{d:02}.{m:02}.{y:04}"),
            "yyyy/MM/dd" => format!("{y:04}/{m:02}/{d:02}"),
            "yyyy-MM-dd" => format!("{y:04}-{m:02}-{d:02}"),
            _ => format!("{d:02}/{m:02}/{y:04}"),
        }
    }

    fn datetime(&self, secs: i64) -> String {
        let local = self.local(secs);
        let (y, m, d) = civil(local.div_euclid(DAY));
        let t = local.rem_euclid(DAY);
        let off = self.locale().offset_min;
        let sign = if off < 0 { '-' } else { '+' };
        format!(
            "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}{sign}{:02}{:02}",
            t / 3600,
            t / 60 % 60,
            t % 60,
            off.abs() / 60,
            off.abs() % 60
        )
    }

    fn address(&self, rng: &mut Rng) -> Address {
        let (city, state, pattern) = *rng.pick(places(self.locale().country_code));
        let zip = pattern
            .chars()
            .map(|c| match c {
                '#' => char::from(b'0' + rng.below(10) as u8),
                '@' => char::from(b'A' + rng.below(26) as u8),
                other => other,
            })
            .collect();
        Address {
            street: format!("{} {}", rng.range(1, 240), rng.pick(STREETS)),
            city,
            state,
            zip,
        }
    }

    fn party(&self, vendor: bool, i: u64) -> Party {
        let e = if vendor {
            Entity::Vendors
        } else {
            Entity::Customers
        };
        let mut rng = self.rng(e, i, 2);
        let name = if vendor {
            let n = (VENDOR_PREFIX.len() * VENDOR_CORE.len()) as u64;
            let k = (i % n) * 7 % n;
            let base = format!(
                "{} {}",
                VENDOR_PREFIX[(k % VENDOR_PREFIX.len() as u64) as usize],
                VENDOR_CORE[(k / VENDOR_PREFIX.len() as u64) as usize]
            );
            if i >= n {
                format!("{base} {}", i / n + 1)
            } else {
                base
            }
        } else {
            let (a, b, c) = (
                COMPANY_PREFIX.len() as u64,
                COMPANY_CORE.len() as u64,
                COMPANY_SUFFIX.len() as u64,
            );
            let n = a * b * c;
            let k = (i % n) * 7919 % n;
            let base = format!(
                "{} {} {}",
                COMPANY_PREFIX[(k % a) as usize],
                COMPANY_CORE[(k / a % b) as usize],
                COMPANY_SUFFIX[(k / a / b) as usize]
            );
            if i >= n {
                format!("{base} {}", i / n + 1)
            } else {
                base
            }
        };
        let first = *rng.pick(FIRST_NAMES);
        let last = *rng.pick(LAST_NAMES);
        let domain = format!("{}.example", slug(&name));
        Party {
            id: self.record_id(e, i),
            email: format!("{}.{}@{domain}", slug(first), slug(last)),
            phone: format!(
                "+{} {:03} {:03} {:04}",
                self.locale().dial,
                rng.range(200, 989),
                rng.range(100, 999),
                rng.below(10_000)
            ),
            website: format!("https://www.{domain}"),
            addr: self.address(&mut rng),
            created: self.created(e, i),
            terms: *rng.pick(&[15, 30, 30, 45, 60]),
            receivable: if vendor {
                0
            } else {
                self.round_unit(rng.range(0, 2_500_000) * self.locale().scale)
            },
            payable: if vendor {
                self.round_unit(rng.range(0, 1_500_000) * self.locale().scale)
            } else {
                0
            },
            name,
            first,
            last,
        }
    }

    fn item(&self, i: u64) -> ItemFacts {
        let mut rng = self.rng(Entity::Items, i, 3);
        let n = ITEM_PRODUCTS.len() as u64;
        let (product, unit, price, service) = ITEM_PRODUCTS[(i % n) as usize];
        let adj = ITEM_ADJECTIVES[(i / n % ITEM_ADJECTIVES.len() as u64) as usize];
        let block = i / (n * ITEM_ADJECTIVES.len() as u64);
        let name = if block > 0 {
            format!("{adj} {product} {}", block + 1)
        } else {
            format!("{adj} {product}")
        };
        let rate = self
            .round_unit((price * rng.range(80, 140) / 100 / 50 * 50).max(50) * self.locale().scale);
        let purchase_rate = self.round_unit(rate * rng.range(45, 75) / 100);
        ItemFacts {
            id: self.record_id(Entity::Items, i),
            description: format!("{adj} {} ({unit})", product.to_lowercase()),
            unit,
            rate,
            purchase_rate,
            sku: format!("SKU-{:05}", i + 1),
            service,
            created: self.created(Entity::Items, i),
            name,
        }
    }

    fn pick_ref(&self, rng: &mut Rng, e: Entity) -> u64 {
        rng.below(self.base[e.index()].max(1))
    }

    fn lines(&self, parent: Entity, i: u64, rng: &mut Rng, purchase: bool) -> Lines {
        let count = rng.range(1, 4) as u64;
        let mut lines = Vec::with_capacity(count as usize);
        let (mut sub, mut tax_total) = (0, 0);
        for k in 0..count {
            let item = self.item(self.pick_ref(rng, Entity::Items));
            let qty = rng.range(1, 12);
            let rate = if purchase {
                item.purchase_rate
            } else {
                item.rate
            };
            let total = qty * rate;
            let tax = self.round_unit(total * self.locale().tax_bp / 10_000);
            sub += total;
            tax_total += tax;
            lines.push(Line {
                id: self.id(parent.code() + 60, (i + 1) * 10 + k),
                item,
                qty,
                rate,
                total,
                tax,
            });
        }
        Lines {
            lines,
            sub_total: sub,
            tax_total,
            total: sub + tax_total,
        }
    }

    fn account(&self, i: u64) -> (String, String, &'static str, String) {
        let n = ACCOUNTS.len() as u64;
        let (name, kind, code) = ACCOUNTS[(i % n) as usize];
        let (name, code) = if i >= n {
            (
                format!("{name} {}", i / n + 1),
                format!("{code}-{}", i / n + 1),
            )
        } else {
            (name.to_string(), code.to_string())
        };
        (self.record_id(Entity::ChartOfAccounts, i), name, kind, code)
    }

    fn account_ref(&self, i: u64) -> (String, String) {
        let (id, name, _, _) = self.account(i);
        (id, name)
    }

    fn tax_id(&self) -> String {
        if self.locale().tax_bp > 0 {
            self.fixed_id(50_001)
        } else {
            String::new()
        }
    }

    fn tax_name(&self) -> String {
        format!(
            "{} ({}%)",
            self.locale().tax_name,
            self.locale().tax_bp as f64 / 100.0
        )
    }

    fn tax_percentage(&self) -> Value {
        let bp = self.locale().tax_bp;
        if bp % 100 == 0 {
            Value::from(bp / 100)
        } else {
            Value::from(bp as f64 / 100.0)
        }
    }

    /// A sales or purchase document of `e`, index `i`.
    fn doc(&self, e: Entity, i: u64) -> Doc {
        let mut rng = self.rng(e, i, 4);
        let purchase = matches!(e, Entity::Bills | Entity::PurchaseOrders);
        let party = if purchase {
            self.party(true, self.pick_ref(&mut rng, Entity::Vendors))
        } else {
            self.party(false, self.pick_ref(&mut rng, Entity::Customers))
        };
        let lines = self.lines(e, i, &mut rng, purchase);
        let created = self.created(e, i);
        let date = created - created.rem_euclid(DAY);
        let due = date + party.terms * DAY;
        let roll = rng.below(100);
        let (status, balance) = match e {
            Entity::Invoices | Entity::Bills => match roll {
                0..=54 => ("paid", 0),
                55..=64 => {
                    let paid = self.round_unit(lines.total * rng.range(30, 70) / 100);
                    ("partially_paid", lines.total - paid)
                }
                65..=79 if e == Entity::Invoices => ("sent", lines.total),
                65..=79 => ("open", lines.total),
                80..=89 => ("overdue", lines.total),
                90..=96 if e == Entity::Invoices => ("draft", lines.total),
                90..=96 => ("open", lines.total),
                _ => ("void", 0),
            },
            Entity::CreditNotes => match roll {
                0..=39 => ("open", lines.total),
                40..=94 => ("closed", 0),
                _ => ("void", 0),
            },
            Entity::Estimates => (
                *rng.pick(&[
                    "draft", "sent", "accepted", "invoiced", "declined", "expired",
                ]),
                0,
            ),
            Entity::PurchaseOrders => (
                *rng.pick(&["draft", "open", "billed", "billed", "closed"]),
                0,
            ),
            _ => ("open", lines.total),
        };
        let prefix = match e {
            Entity::Invoices => "INV-",
            Entity::CreditNotes => "CN-",
            Entity::Bills => "BILL-",
            Entity::Estimates => "QT-",
            Entity::PurchaseOrders => "PO-",
            _ => "",
        };
        let reference = if rng.below(3) == 0 {
            format!("REF-{}", rng.range(1000, 99_999))
        } else {
            String::new()
        };
        Doc {
            id: self.record_id(e, i),
            number: format!("{prefix}{:06}", i + 1),
            party,
            modified: created + rng.range(60, 3 * DAY),
            created,
            date,
            due,
            lines,
            status,
            balance,
            reference,
        }
    }

    fn line_items_json(&self, e: Entity, doc: &Doc, purchase: bool) -> Value {
        let resource = e.resource();
        let (acct_id, acct_name) =
            self.account_ref(if purchase { acct::COGS } else { acct::SALES });
        let out: Vec<Value> = doc
            .lines
            .lines
            .iter()
            .enumerate()
            .map(|(k, l)| {
                let mut m = nested(resource, "line_items");
                put(&mut m, "line_item_id", l.id.clone());
                put(&mut m, "item_id", l.item.id.clone());
                put(&mut m, "item_order", k as u64 + 1);
                put(&mut m, "name", l.item.name.clone());
                put(&mut m, "description", l.item.description.clone());
                put(&mut m, "unit", l.item.unit);
                put(&mut m, "quantity", l.qty);
                put(&mut m, "rate", money(l.rate));
                put(&mut m, "bcy_rate", money(l.rate));
                if !purchase {
                    put(&mut m, "sales_rate", money(l.item.rate));
                }
                put(&mut m, "item_total", money(l.total));
                put(&mut m, "account_id", acct_id.clone());
                put(&mut m, "account_name", acct_name.clone());
                put(&mut m, "tax_id", self.tax_id());
                put(&mut m, "tax_name", self.tax_name());
                put(&mut m, "tax_percentage", self.tax_percentage());
                put(&mut m, "tax_type", "tax");
                if l.tax > 0 {
                    put(
                        &mut m,
                        "line_item_taxes",
                        json!([{ "tax_id": self.tax_id(), "tax_name": self.tax_name(), "tax_amount": money(l.tax) }]),
                    );
                }
                put(&mut m, "item_type", if purchase { "purchases" } else { "sales" });
                if purchase {
                    put(&mut m, "purchase_rate", money(l.item.purchase_rate));
                    put(&mut m, "bill_id", doc.id.clone());
                }
                Value::Object(m)
            })
            .collect();
        Value::Array(out)
    }

    fn address_json(&self, template: Option<&Value>, p: &Party) -> Value {
        let mut m = match template {
            Some(Value::Object(m)) => m.clone(),
            _ => Map::new(),
        };
        put(&mut m, "address", p.addr.street.clone());
        put(&mut m, "street", p.addr.street.clone());
        put(&mut m, "city", p.addr.city);
        put(&mut m, "state", p.addr.state);
        put(&mut m, "zip", p.addr.zip.clone());
        put(&mut m, "zipcode", p.addr.zip.clone());
        put(&mut m, "country", self.locale().country);
        put(&mut m, "country_code", self.locale().country_code);
        put(&mut m, "attention", format!("{} {}", p.first, p.last));
        put(&mut m, "phone", p.phone.clone());
        Value::Object(m)
    }

    fn common(&self, m: &mut Map<String, Value>, created: i64, modified: i64) {
        put(m, "currency_id", self.currency_id());
        put(m, "currency_code", self.locale().currency_code);
        put(m, "currency_symbol", self.locale().symbol);
        put(
            m,
            "currency_name_formatted",
            format!(
                "{}- {}",
                self.locale().currency_code,
                self.locale().currency_name
            ),
        );
        put(m, "price_precision", self.locale().precision);
        put(m, "exchange_rate", 1);
        put(m, "created_time", self.datetime(created));
        put(m, "last_modified_time", self.datetime(modified));
        put(m, "updated_time", self.datetime(modified));
        put(m, "created_date", self.date(created));
        put(m, "created_time_formatted", self.date_display(created));
        put(
            m,
            "last_modified_time_formatted",
            self.date_display(modified),
        );
        put(m, "created_by", self.user_name.clone());
        put(m, "created_by_name", self.user_name.clone());
        put(m, "template_id", self.fixed_id(17_001));
        put(m, "template_name", "Standard Template");
    }

    fn fill_doc(&self, e: Entity, doc: &Doc, m: &mut Map<String, Value>) {
        let purchase = matches!(e, Entity::Bills | Entity::PurchaseOrders);
        self.common(m, doc.created, doc.modified);
        let id_key = match e {
            Entity::Invoices => "invoice_id",
            Entity::CreditNotes => "creditnote_id",
            Entity::Bills => "bill_id",
            Entity::Estimates => "estimate_id",
            _ => "purchaseorder_id",
        };
        put(m, id_key, doc.id.clone());
        let number_key = match e {
            Entity::Invoices => "invoice_number",
            Entity::CreditNotes => "creditnote_number",
            Entity::Bills => "bill_number",
            Entity::Estimates => "estimate_number",
            _ => "purchaseorder_number",
        };
        put(m, number_key, doc.number.clone());
        if purchase {
            put(m, "vendor_id", doc.party.id.clone());
            put(m, "vendor_name", doc.party.name.clone());
        } else {
            put(m, "customer_id", doc.party.id.clone());
            put(m, "customer_name", doc.party.name.clone());
            put(m, "email", doc.party.email.clone());
        }
        put(m, "company_name", doc.party.name.clone());
        put(m, "status", doc.status);
        put(m, "current_sub_status", doc.status);
        put(m, "order_status", doc.status);
        put(m, "reference_number", doc.reference.clone());
        put(m, "date", self.date(doc.date));
        put(m, "issued_date", self.date(doc.date));
        put(m, "due_date", self.date(doc.due));
        put(m, "delivery_date", self.date(doc.due));
        put(m, "expiry_date", self.date(doc.due));
        put(m, "payment_terms", doc.party.terms);
        put(m, "payment_terms_label", format!("Net {}", doc.party.terms));
        put(m, "country", self.locale().country);
        put(m, "phone", doc.party.phone.clone());
        put(m, "total", money(doc.lines.total));
        put(m, "bcy_total", money(doc.lines.total));
        put(m, "sub_total", money(doc.lines.sub_total));
        put(m, "bcy_sub_total", money(doc.lines.sub_total));
        put(m, "tax_total", money(doc.lines.tax_total));
        put(m, "bcy_tax_total", money(doc.lines.tax_total));
        put(m, "total_taxable_amount", money(doc.lines.sub_total));
        put(m, "balance", money(doc.balance));
        put(m, "balance_due", money(doc.balance));
        let paid = if doc.status == "void" {
            0
        } else {
            doc.lines.total - doc.balance
        };
        put(m, "payment_made", money(paid));
        if matches!(e, Entity::Invoices) && paid > 0 {
            put(m, "last_payment_date", self.date(doc.date + 3 * DAY));
        }
        put(m, "is_emailed", doc.status != "draft");
        let (acct_id, acct_name) = self.account_ref(if purchase {
            acct::PAYABLE
        } else {
            acct::RECEIVABLE
        });
        put(m, "account_id", acct_id);
        put(m, "account_name", acct_name);
        if m.contains_key("line_items") {
            m.insert("line_items".into(), self.line_items_json(e, doc, purchase));
        }
        if let Some(t) = m.get("billing_address").cloned() {
            m.insert(
                "billing_address".into(),
                self.address_json(Some(&t), &doc.party),
            );
        }
        if let Some(t) = m.get("shipping_address").cloned() {
            m.insert(
                "shipping_address".into(),
                self.address_json(Some(&t), &doc.party),
            );
        }
        if let Some(t) = m.get("customer_default_billing_address").cloned() {
            m.insert(
                "customer_default_billing_address".into(),
                self.address_json(Some(&t), &doc.party),
            );
        }
        if let Some(Value::Object(c)) = m.get_mut("contact") {
            put(c, "customer_balance", money(doc.party.receivable));
        }
        if self.locale().tax_bp > 0 && doc.lines.tax_total > 0 && m.contains_key("taxes") {
            m.insert(
                "taxes".into(),
                json!([{ "tax_name": self.tax_name(), "tax_amount": money(doc.lines.tax_total) }]),
            );
        }
    }

    fn fill_contact(&self, vendor: bool, i: u64, m: &mut Map<String, Value>) {
        let p = self.party(vendor, i);
        let modified = p.created + self.rng(Entity::Customers, i, 9).range(60, 30 * DAY);
        self.common(m, p.created, modified);
        put(m, "contact_id", p.id.clone());
        put(m, "contact_name", p.name.clone());
        put(m, "customer_name", p.name.clone());
        put(m, "vendor_name", p.name.clone());
        put(m, "company_name", p.name.clone());
        put(m, "website", p.website.clone());
        put(m, "language_code", "en");
        put(m, "language_code_formatted", "English");
        let (kind, formatted) = if vendor {
            ("vendor", "Vendor")
        } else {
            ("customer", "Customer")
        };
        put(m, "contact_type", kind);
        put(m, "contact_type_formatted", formatted);
        put(m, "status", "active");
        put(m, "customer_sub_type", "business");
        put(m, "payment_terms", p.terms);
        put(m, "payment_terms_label", format!("Net {}", p.terms));
        put(m, "outstanding_receivable_amount", money(p.receivable));
        put(m, "outstanding_receivable_amount_bcy", money(p.receivable));
        put(m, "outstanding_payable_amount", money(p.payable));
        put(m, "outstanding_payable_amount_bcy", money(p.payable));
        put(m, "first_name", p.first);
        put(m, "last_name", p.last);
        put(m, "email", p.email.clone());
        put(m, "phone", p.phone.clone());
        put(m, "mobile", p.phone.clone());
        put(m, "contact_salutation", "");
        put(
            m,
            "primary_contact_id",
            self.id(Entity::Customers.code() + 40, i * 2 + vendor as u64 + 1),
        );
        if let Some(t) = m.get("billing_address").cloned() {
            let mut a = self.address_json(Some(&t), &p);
            if let Value::Object(am) = &mut a {
                put(
                    am,
                    "address_id",
                    self.id(Entity::Customers.code() + 30, i * 2 + vendor as u64 + 1),
                );
            }
            m.insert("billing_address".into(), a);
        }
        if let Some(t) = m.get("shipping_address").cloned() {
            m.insert("shipping_address".into(), self.address_json(Some(&t), &p));
        }
        if m.contains_key("contact_persons") {
            m.insert(
                "contact_persons".into(),
                json!([{
                    "contact_person_id": self.id(Entity::Customers.code() + 40, i * 2 + vendor as u64 + 1),
                    "salutation": "",
                    "first_name": p.first,
                    "last_name": p.last,
                    "email": p.email,
                    "phone": p.phone,
                    "mobile": p.phone,
                    "designation": "",
                    "department": "",
                    "skype": "",
                    "is_primary_contact": true,
                    "enable_portal": false,
                }]),
            );
        }
        if m.contains_key("customer_currency_summaries") {
            let mut s = nested("contacts", "customer_currency_summaries");
            put(&mut s, "currency_id", self.currency_id());
            put(&mut s, "currency_code", self.locale().currency_code);
            put(&mut s, "currency_symbol", self.locale().symbol);
            put(&mut s, "price_precision", self.locale().precision);
            put(&mut s, "is_base_currency", true);
            put(
                &mut s,
                "currency_name_formatted",
                format!(
                    "{}- {}",
                    self.locale().currency_code,
                    self.locale().currency_name
                ),
            );
            put(&mut s, "outstanding_receivable_amount", money(p.receivable));
            m.insert("customer_currency_summaries".into(), json!([s]));
        }
        put(m, "created_by_name", self.user_name.clone());
    }

    fn fill_item(&self, i: u64, m: &mut Map<String, Value>) {
        let it = self.item(i);
        let modified = it.created + DAY;
        self.common(m, it.created, modified);
        put(m, "item_id", it.id.clone());
        put(m, "name", it.name.clone());
        put(m, "item_name", it.name.clone());
        put(m, "unit", it.unit);
        put(m, "status", "active");
        put(m, "description", it.description.clone());
        put(m, "purchase_description", it.description.clone());
        put(m, "rate", money(it.rate));
        put(m, "sales_rate", money(it.rate));
        put(m, "pricebook_rate", money(it.rate));
        put(m, "purchase_rate", money(it.purchase_rate));
        put(m, "sku", it.sku.clone());
        put(m, "tax_id", self.tax_id());
        put(m, "tax_name", self.tax_name());
        put(m, "tax_percentage", self.tax_percentage());
        let (sid, sname) = self.account_ref(acct::SALES);
        let (pid, pname) = self.account_ref(acct::COGS);
        put(m, "account_id", sid);
        put(m, "account_name", sname);
        put(m, "purchase_account_id", pid);
        put(m, "purchase_account_name", pname);
        put(m, "can_be_sold", true);
        put(m, "can_be_purchased", true);
        put(m, "item_type", "sales_and_purchases");
        put(
            m,
            "product_type",
            if it.service { "service" } else { "goods" },
        );
        put(m, "created_at", self.date(it.created));
    }

    fn fill_account(&self, i: u64, m: &mut Map<String, Value>) {
        let (id, name, kind, code) = self.account(i);
        let created = self.created(Entity::ChartOfAccounts, i);
        self.common(m, created, created);
        put(m, "account_id", id);
        put(m, "account_name", name.clone());
        put(m, "account_code", code);
        put(m, "account_type", kind);
        put(m, "account_type_formatted", kind.replace('_', " "));
        put(m, "description", format!("{name} account"));
        put(m, "is_active", true);
        put(m, "is_user_created", i >= 15);
        put(m, "is_system_account", i < 15);
        put(m, "status", "active");
        put(
            m,
            "isdebit",
            matches!(
                kind,
                "expense"
                    | "cost_of_goods_sold"
                    | "cash"
                    | "bank"
                    | "accounts_receivable"
                    | "stock"
                    | "other_current_asset"
                    | "fixed_asset"
                    | "other_expense"
            ),
        );
        put(m, "closing_balance", 0);
    }

    /// Finds a paid or part-paid document of `e` to settle (a few tries).
    fn settled(&self, e: Entity, rng: &mut Rng) -> Doc {
        let mut doc = self.doc(e, self.pick_ref(rng, e));
        for _ in 0..6 {
            if doc.balance < doc.lines.total && doc.status != "void" {
                break;
            }
            doc = self.doc(e, self.pick_ref(rng, e));
        }
        doc
    }

    fn fill_customer_payment(&self, i: u64, m: &mut Map<String, Value>) {
        let e = Entity::CustomerPayments;
        let mut rng = self.rng(e, i, 5);
        let inv = self.settled(Entity::Invoices, &mut rng);
        let amount = if inv.balance < inv.lines.total {
            inv.lines.total - inv.balance
        } else {
            inv.lines.total
        };
        let created = self.created(e, i);
        self.common(m, created, created + 600);
        let mode = *rng.pick(&["cash", "banktransfer", "check", "creditcard"]);
        let (acct_id, acct_name) = self.account_ref(if mode == "cash" {
            acct::PETTY_CASH
        } else {
            acct::UNDEPOSITED
        });
        put(m, "payment_id", self.record_id(e, i));
        put(m, "payment_number", format!("{}", i + 1));
        put(m, "invoice_numbers", inv.number.clone());
        put(m, "date", self.date(created));
        put(m, "payment_mode", mode);
        put(m, "payment_mode_formatted", mode);
        put(m, "amount", money(amount));
        put(m, "bcy_amount", money(amount));
        put(m, "unused_amount", 0);
        put(m, "bcy_unused_amount", 0);
        put(m, "account_id", acct_id);
        put(m, "account_name", acct_name);
        put(m, "account_type", "cash");
        put(m, "description", format!("Payment for {}", inv.number));
        put(m, "customer_id", inv.party.id.clone());
        put(m, "customer_name", inv.party.name.clone());
        put(m, "payment_type", "invoice_payment");
        put(m, "payment_status", "paid");
        put(
            m,
            "reference_number",
            format!("TXN-{:08}", rng.below(100_000_000)),
        );
        if m.contains_key("invoices") {
            let mut a = nested("customerpayments", "invoices");
            put(&mut a, "invoice_number", inv.number.clone());
            put(&mut a, "invoice_payment_id", self.id(e.code() + 60, i + 1));
            put(&mut a, "invoice_id", inv.id.clone());
            put(&mut a, "invoice_customer_id", inv.party.id.clone());
            put(&mut a, "invoice_customer_name", inv.party.name.clone());
            put(&mut a, "amount_applied", money(amount));
            put(&mut a, "total", money(inv.lines.total));
            put(&mut a, "balance", money(inv.balance));
            put(&mut a, "date", self.date(inv.date));
            put(&mut a, "due_date", self.date(inv.due));
            put(&mut a, "price_precision", self.locale().precision);
            put(&mut a, "apply_date", self.date(created));
            m.insert("invoices".into(), json!([a]));
        }
    }

    fn fill_vendor_payment(&self, i: u64, m: &mut Map<String, Value>) {
        let e = Entity::VendorPayments;
        let mut rng = self.rng(e, i, 5);
        let bill = self.settled(Entity::Bills, &mut rng);
        let amount = if bill.balance < bill.lines.total {
            bill.lines.total - bill.balance
        } else {
            bill.lines.total
        };
        let created = self.created(e, i);
        self.common(m, created, created + 600);
        let mode = *rng.pick(&["Bank Transfer", "Check", "Cash", "Credit Card"]);
        let (acct_id, acct_name) = self.account_ref(acct::CHECKING);
        put(m, "payment_id", self.record_id(e, i));
        put(m, "payment_number", format!("{}", i + 1));
        put(m, "vendor_id", bill.party.id.clone());
        put(m, "vendor_name", bill.party.name.clone());
        put(m, "status", "paid");
        put(m, "bill_numbers", bill.number.clone());
        put(m, "payment_mode", mode);
        put(m, "description", format!("Payment for {}", bill.number));
        put(m, "date", self.date(created));
        put(
            m,
            "reference_number",
            format!("PAY-{:06}", rng.below(1_000_000)),
        );
        put(m, "amount", money(amount));
        put(m, "bcy_amount", money(amount));
        put(m, "balance", 0);
        put(m, "bcy_balance", 0);
        put(m, "paid_through_account_id", acct_id);
        put(m, "paid_through_account_name", acct_name);
        put(m, "paid_through_account_type", "bank");
        if let Some(t) = m.get("billing_address").cloned() {
            m.insert(
                "billing_address".into(),
                self.address_json(Some(&t), &bill.party),
            );
        }
        if m.contains_key("bills") {
            let mut b = nested("vendorpayments", "bills");
            put(&mut b, "bill_number", bill.number.clone());
            put(&mut b, "bill_payment_id", self.id(e.code() + 60, i + 1));
            put(&mut b, "bill_id", bill.id.clone());
            put(&mut b, "total", money(bill.lines.total));
            put(&mut b, "balance", money(bill.balance));
            put(&mut b, "amount_applied", money(amount));
            put(&mut b, "apply_date", self.date(created));
            put(&mut b, "date", self.date(bill.date));
            put(&mut b, "due_date", self.date(bill.due));
            put(&mut b, "price_precision", self.locale().precision);
            m.insert("bills".into(), json!([b]));
        }
    }

    fn fill_expense(&self, i: u64, m: &mut Map<String, Value>) {
        let e = Entity::Expenses;
        let mut rng = self.rng(e, i, 6);
        let created = self.created(e, i);
        self.common(m, created, created + 3600);
        let vendor = self.party(true, self.pick_ref(&mut rng, Entity::Vendors));
        let (acct_id, acct_name) = self.account_ref(*rng.pick(acct::EXPENSES));
        let (paid_id, paid_name) = self.account_ref(acct::PETTY_CASH);
        let net = self.round_unit(rng.range(500, 120_000) * self.locale().scale);
        let tax = self.round_unit(net * self.locale().tax_bp / 10_000);
        let billable = rng.below(4) == 0;
        put(m, "expense_id", self.record_id(e, i));
        put(m, "date", self.date(created));
        put(m, "user_name", self.user_name.clone());
        put(m, "account_id", acct_id.clone());
        put(m, "account_name", acct_name.clone());
        put(m, "paid_through_account_id", paid_id);
        put(m, "paid_through_account_name", paid_name);
        put(m, "description", format!("{acct_name} - {}", vendor.name));
        put(m, "total", money(net + tax));
        put(m, "bcy_total", money(net + tax));
        put(m, "total_without_tax", money(net));
        put(m, "bcy_total_without_tax", money(net));
        put(m, "sub_total", money(net));
        put(m, "amount", money(net));
        put(m, "tax_amount", money(tax));
        put(m, "tax_id", self.tax_id());
        put(m, "tax_name", self.tax_name());
        put(m, "tax_percentage", self.tax_percentage());
        put(m, "is_billable", billable);
        put(
            m,
            "status",
            if billable { "unbilled" } else { "nonbillable" },
        );
        put(m, "vendor_id", vendor.id.clone());
        put(m, "vendor_name", vendor.name.clone());
        put(m, "reference_number", format!("RCPT-{:05}", i + 1));
        put(m, "transaction_type", "expense");
        put(m, "transaction_type_formatted", "Expense");
        put(m, "user_email", self.user_email.clone());
        put(m, "payment_mode", "Cash");
        if m.contains_key("line_items") {
            let mut l = nested("expenses", "line_items");
            put(&mut l, "line_item_id", self.id(e.code() + 60, (i + 1) * 10));
            put(&mut l, "account_id", acct_id);
            put(&mut l, "account_name", acct_name);
            put(&mut l, "description", vendor.name.clone());
            put(&mut l, "tax_amount", money(tax));
            put(&mut l, "tax_id", self.tax_id());
            put(&mut l, "tax_name", self.tax_name());
            put(&mut l, "tax_percentage", self.tax_percentage());
            put(&mut l, "item_total", money(net));
            put(&mut l, "amount", money(net));
            put(&mut l, "item_order", 1);
            m.insert("line_items".into(), json!([l]));
        }
    }

    fn fill(&self, e: Entity, i: u64, m: &mut Map<String, Value>) {
        match e {
            Entity::Customers => self.fill_contact(false, i, m),
            Entity::Vendors => self.fill_contact(true, i, m),
            Entity::Items => self.fill_item(i, m),
            Entity::ChartOfAccounts => self.fill_account(i, m),
            Entity::CustomerPayments => self.fill_customer_payment(i, m),
            Entity::VendorPayments => self.fill_vendor_payment(i, m),
            Entity::Expenses => self.fill_expense(i, m),
            Entity::Invoices
            | Entity::CreditNotes
            | Entity::Bills
            | Entity::Estimates
            | Entity::PurchaseOrders => {
                let doc = self.doc(e, i);
                self.fill_doc(e, &doc, m);
            }
        }
    }

    /// Record `i` of `e` after its `n`th edit at `at` (seconds): the
    /// fields a person changes (a name, a date, an amount) and the
    /// modification time. Each edit is one a client's paging can trip on:
    /// names move to the front of a by-name list, payment dates move back.
    pub(crate) fn apply_edit(
        &self,
        e: Entity,
        i: u64,
        n: u32,
        at: i64,
        m: &mut Map<String, Value>,
    ) {
        const RENAMES: [&str; 4] = ["Abbey", "Acorn", "Alder", "Amber"];
        let prefix = RENAMES[(i as usize + n as usize) % RENAMES.len()];
        let rename = |m: &mut Map<String, Value>, key: &str| {
            if let Some(Value::String(old)) = m.get(key) {
                let new = format!("{prefix} {old}");
                m.insert(key.to_string(), Value::String(new));
            }
        };
        match e {
            Entity::Customers | Entity::Vendors => {
                for key in [
                    "contact_name",
                    "company_name",
                    "customer_name",
                    "vendor_name",
                ] {
                    rename(m, key);
                }
            }
            Entity::Items => rename(m, "name"),
            Entity::ChartOfAccounts => rename(m, "account_name"),
            Entity::CustomerPayments | Entity::VendorPayments => {
                let back = self.created(e, i) - (400 + i64::from(n)) * DAY;
                put(m, "date", self.date(back));
            }
            _ => {
                if let Some(total) = m.get("total").and_then(Value::as_f64) {
                    put(m, "total", total + f64::from(n));
                }
            }
        }
        put(m, "last_modified_time", self.datetime(at));
        put(m, "updated_time", self.datetime(at));
        put(m, "last_modified_time_formatted", self.date_display(at));
    }

    /// Record `i` of `e` as a list row (no line items, no addresses).
    pub(crate) fn list_row(&self, e: Entity, i: u64) -> Value {
        let mut m = shape(e.resource()).list.clone();
        self.fill(e, i, &mut m);
        Value::Object(m)
    }

    /// Record `i` of `e` as a detail object (with line items, addresses...).
    pub(crate) fn detail(&self, e: Entity, i: u64) -> Value {
        let mut m = shape(e.resource()).detail.clone();
        self.fill(e, i, &mut m);
        Value::Object(m)
    }

    /// This organization as a row of `GET /organizations`.
    pub(crate) fn organization_row(&self) -> Value {
        let mut m = shape("organizations").list.clone();
        let s = &self.spec;
        put(&mut m, "organization_id", s.organization_id.clone());
        put(&mut m, "name", s.name.clone());
        put(&mut m, "contact_name", self.user_name.clone());
        put(&mut m, "email", self.user_email.clone());
        put(&mut m, "is_default_org", s.is_default);
        put(&mut m, "language_code", "en");
        put(
            &mut m,
            "fiscal_year_start_month",
            if self.locale().country_code == "GB" {
                4
            } else {
                1
            },
        );
        put(&mut m, "account_created_date", self.date(ANCHOR - 30 * DAY));
        put(&mut m, "time_zone", self.locale().time_zone);
        put(&mut m, "is_dst_active", false);
        put(&mut m, "date_format", self.locale().date_format);
        put(
            &mut m,
            "field_separator",
            if self.locale().date_format.contains('.') {
                "."
            } else {
                "/"
            },
        );
        put(&mut m, "industry_type", "Retail");
        put(&mut m, "industry_size", "11-50");
        put(&mut m, "currency_id", self.currency_id());
        put(&mut m, "currency_code", self.locale().currency_code);
        put(&mut m, "currency_symbol", self.locale().symbol);
        put(&mut m, "currency_format", "###,##0.00");
        put(&mut m, "price_precision", self.locale().precision);
        put(&mut m, "plan_type", s.plan.plan_type());
        put(&mut m, "plan_name", s.plan.name());
        put(&mut m, "plan_period", "Month");
        put(&mut m, "country_code", self.locale().country_code);
        put(&mut m, "country_name", self.locale().country);
        put(&mut m, "portal_name", slug(&s.name));
        if let Some(Value::Object(o)) = m.get_mut("org_settings") {
            put(o, "is_org_active", true);
        }
        Value::Object(m)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn org() -> OrgData {
        OrgData::new(
            OrgSpec::new("775501234", "Test Org"),
            "uk",
            7,
            100,
            "A B",
            "a@b.example",
        )
    }

    #[test]
    fn shapes_parse_and_cover_every_entity() {
        for e in Entity::ALL {
            assert!(!shape(e.resource()).list.is_empty(), "{e}");
            assert!(!shape(e.resource()).detail.is_empty(), "{e}");
        }
        assert!(!shape("organizations").list.is_empty());
    }

    #[test]
    fn ids_round_trip() {
        let o = org();
        for e in Entity::ALL {
            for i in [0, 1, 99, 99_999] {
                assert_eq!(o.parse_id(e, &o.record_id(e, i)), Some(i));
            }
        }
        assert_eq!(
            o.parse_id(Entity::Invoices, &o.record_id(Entity::Bills, 3)),
            None
        );
        assert_eq!(o.parse_id(Entity::Invoices, "abc"), None);
    }

    #[test]
    fn invoice_totals_add_up() {
        let o = org();
        for i in 0..200 {
            let d = o.doc(Entity::Invoices, i);
            let sum: i64 = d.lines.lines.iter().map(|l| l.total + l.tax).sum();
            assert_eq!(sum, d.lines.total);
            assert!(d.balance <= d.lines.total && d.balance >= 0);
        }
    }

    #[test]
    fn generation_is_deterministic() {
        assert_eq!(
            org().detail(Entity::Invoices, 5),
            org().detail(Entity::Invoices, 5)
        );
        assert_ne!(
            org().detail(Entity::Invoices, 5),
            org().detail(Entity::Invoices, 6)
        );
    }

    #[test]
    fn dates_format() {
        assert_eq!(civil(0), (1970, 1, 1));
        assert_eq!(civil(19_723), (2024, 1, 1));
        let o = org();
        assert_eq!(o.datetime(ANCHOR), "2024-01-01T00:00:00+0000");
    }
}
