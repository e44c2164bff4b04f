//! The Zoho Books API v3 client: organizations, paged lists and single
//! records, with the rate-limit headers of every answer.
//!
//! [`BooksClient`] talks to `{api_domain}/books/v3` (the API domain comes from
//! a [`crate::oauth::TokenSet`], already checked against the data-center
//! table) with `Authorization: Zoho-oauthtoken <token>`, no redirects and
//! timeouts. Zoho reports many errors as a JSON `code` (sometimes with HTTP
//! 200): a non-zero `code` is always an error. [`Entity`] names the record
//! types of a pull, each declared once in `entity.rs`;
//! [`types`] has the typed key columns. Throttling, paging strategy and
//! storage belong to the `zbs-pull` crate; this module does single calls.

use zbs_codes::Code;
mod answer;
mod entity;
pub mod types;

use std::fmt;
use std::time::Duration;

use reqwest::header::{HeaderMap, HeaderValue, ACCEPT, AUTHORIZATION};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use serde_json::Value;
use url::Url;

use crate::dc::books_base;
use answer::{classify, Wanted};
pub use entity::{Detail, Entity, UnknownEntity};
pub use types::{Organization, PageContext};

/// Connect timeout of API calls.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// Total timeout of one API call.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(60);
/// Largest answer read (a 200-record page is a few hundred KiB).
const MAX_BODY: usize = 32 * 1024 * 1024;
/// Largest page size Zoho serves.
pub const MAX_PER_PAGE: u32 = 200;

/// The `X-Rate-Limit-*` headers of an answer (daily quota per organization).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RateInfo {
    pub limit: Option<u64>,
    pub remaining: Option<u64>,
    /// Seconds until the daily window resets.
    pub reset_secs: Option<u64>,
}

impl RateInfo {
    /// Reads the headers (case-insensitive); unreadable values are `None`.
    pub fn from_headers(headers: &HeaderMap) -> Self {
        let num = |name: &str| {
            headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.trim().parse::<u64>().ok())
        };
        RateInfo {
            limit: num("x-rate-limit-limit"),
            remaining: num("x-rate-limit-remaining"),
            reset_secs: num("x-rate-limit-reset"),
        }
    }
}

/// Which of Zoho's per-organization limits a throttling answer (HTTP 429)
/// names, by Zoho's documented code (Books API v3 introduction, "API Call
/// Limit" and "Concurrent Rate Limiter"; `docs/zoho.md`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Throttle {
    /// Code 44 (and a 429 without a code): 100 requests a minute. Waiting
    /// out the minute helps.
    Minute,
    /// Code 45: the day's quota ("... exceeded the maximum call rate limit
    /// of 1000.": no word says "day"), or no calls left by the headers.
    /// Only the organization's midnight helps.
    Day,
    /// Code 1070: too many calls in flight at once. Fewer at a time helps.
    InFlight,
}

impl Throttle {
    /// Zoho's code for this limit.
    pub fn zoho_code(self) -> i64 {
        match self {
            Throttle::Minute => 44,
            Throttle::Day => 45,
            Throttle::InFlight => 1070,
        }
    }

    fn message(self) -> &'static str {
        match self {
            Throttle::Minute => "Zoho's limit of requests a minute for this organization was reached (Zoho's code 44). Wait a minute and try again.",
            Throttle::Day => "This organization's API calls for today are used up (Zoho's code 45). Try again after midnight in the organization's time zone, when Zoho resets the quota.",
            Throttle::InFlight => "Zoho had too many requests of this organization in progress at once (Zoho's code 1070). Try again in a moment.",
        }
    }
}

/// One record: its JSON text exactly as Zoho sent it (what is stored, so a
/// page is never serialised again) and the parsed value its id and key
/// columns are read from.
#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    raw: String,
    value: Value,
}

impl Record {
    /// A record that did not come from Zoho's bytes (fixtures, imports): its
    /// text is the value serialised.
    pub fn from_value(value: Value) -> Record {
        Record {
            raw: value.to_string(),
            value,
        }
    }

    /// A record from its JSON text, which must be an object.
    pub fn from_raw(raw: &RawValue) -> Result<Record, BooksError> {
        match serde_json::from_str(raw.get()) {
            Ok(value @ Value::Object(_)) => Ok(Record {
                raw: raw.get().to_owned(),
                value,
            }),
            _ => Err(BooksError::Decode {
                reason: "a record is not a JSON object",
            }),
        }
    }

    /// The record as parsed.
    pub fn value(&self) -> &Value {
        &self.value
    }

    /// The record's JSON text as Zoho sent it.
    pub fn raw(&self) -> &str {
        &self.raw
    }

    /// The record's id in `entity`'s id field, exactly as Zoho wrote it: a
    /// string's text, or a number's digits as sent (never rounded through a
    /// float). `None` when the field is missing, empty or not a string or
    /// number.
    pub fn id(&self, entity: Entity) -> Option<String> {
        let token = id_token(&self.raw, entity.id_field())?;
        let text = token.get();
        if text.starts_with('"') {
            serde_json::from_str::<String>(text)
                .ok()
                .filter(|s| !s.is_empty())
        } else if text.starts_with(|c: char| c == '-' || c.is_ascii_digit()) {
            Some(text.to_owned())
        } else {
            None
        }
    }
}

/// The JSON text of member `field` of the object `raw`, read without
/// parsing the other members' values.
fn id_token<'a>(raw: &'a str, field: &str) -> Option<&'a RawValue> {
    use serde::de::{DeserializeSeed, IgnoredAny, MapAccess, Visitor};
    struct Find<'f>(&'f str);
    impl<'de> DeserializeSeed<'de> for Find<'_> {
        type Value = Option<&'de RawValue>;
        fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
            d.deserialize_map(self)
        }
    }
    impl<'de> Visitor<'de> for Find<'_> {
        type Value = Option<&'de RawValue>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a JSON object")
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            let mut found = None;
            while let Some(key) = map.next_key::<std::borrow::Cow<'de, str>>()? {
                if key == self.0 && found.is_none() {
                    found = Some(map.next_value::<&'de RawValue>()?);
                } else {
                    map.next_value::<IgnoredAny>()?;
                }
            }
            Ok(found)
        }
    }
    let mut de = serde_json::Deserializer::from_str(raw);
    Find(field).deserialize(&mut de).ok().flatten()
}

/// One page of a list.
#[derive(Debug, Clone, PartialEq)]
pub struct ListPage {
    /// The records as Zoho sent them (for customers/vendors: only that contact type).
    pub records: Vec<Record>,
    pub has_more: bool,
    pub page: u32,
    pub per_page: u32,
    pub rate: RateInfo,
    /// The order Zoho says the list is in (`page_context`), when it says.
    pub order: Option<ListOrder>,
}

/// Who signed in (`GET /users/me`): the selected e-mail address (the same
/// Zoho account in every organization), the name and the role in this
/// organization. Each value is cut to a sane length and to one line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ZohoUser {
    pub email: Option<String>,
    pub name: Option<String>,
    pub role: Option<String>,
}

impl ZohoUser {
    fn from_answer(user: &Value) -> ZohoUser {
        let text = |v: Option<&Value>| {
            v.and_then(Value::as_str)
                .map(|s| {
                    s.chars()
                        .filter(|c| !c.is_control())
                        .take(200)
                        .collect::<String>()
                        .trim()
                        .to_owned()
                })
                .filter(|s| !s.is_empty())
        };
        let emails = user.get("email_ids").and_then(Value::as_array);
        let selected = emails.and_then(|list| {
            list.iter()
                .find(|e| e.get("is_selected").and_then(Value::as_bool) == Some(true))
                .or_else(|| list.first())
        });
        ZohoUser {
            email: text(selected.and_then(|e| e.get("email")))
                .or_else(|| text(user.get("email")))
                .map(|e| e.to_lowercase()),
            name: text(user.get("name")),
            role: text(user.get("user_role")).or_else(|| text(user.get("role_name"))),
        }
    }
}

/// The order of a list as `page_context` states it: `sort_column` and
/// `sort_order` (`A` ascending, `D` descending).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListOrder {
    pub column: String,
    pub ascending: bool,
}

impl ListOrder {
    /// Query parameters asking for records oldest first by creation: the
    /// order in which records never move while a pull runs (new ones come
    /// last, edits keep their place).
    pub const OLDEST_FIRST: [(&'static str, &'static str); 2] =
        [("sort_column", "created_time"), ("sort_order", "A")];
    /// Query parameters asking for the newest records first (samples).
    pub const NEWEST_FIRST: [(&'static str, &'static str); 2] =
        [("sort_column", "created_time"), ("sort_order", "D")];

    /// Whether this is oldest first by creation ([`Self::OLDEST_FIRST`]).
    pub fn is_oldest_first(&self) -> bool {
        self.column == "created_time" && self.ascending
    }

    /// Whether this is newest first by creation.
    pub fn is_newest_first(&self) -> bool {
        self.column == "created_time" && !self.ascending
    }

    /// `"created_time A"`: how it is kept in the pull history.
    pub fn code(&self) -> String {
        format!("{} {}", self.column, if self.ascending { "A" } else { "D" })
    }

    /// Parses [`Self::code`] (and `page_context`'s pair).
    pub fn parse(column: &str, order: &str) -> Option<ListOrder> {
        let column = column.trim();
        let ascending = match order.trim() {
            o if o.eq_ignore_ascii_case("A") => true,
            o if o.eq_ignore_ascii_case("D") => false,
            _ => return None,
        };
        let safe = !column.is_empty()
            && column.len() <= 64
            && column
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_');
        safe.then(|| ListOrder {
            column: column.to_owned(),
            ascending,
        })
    }

    /// Parses a kept [`Self::code`].
    pub fn from_code(code: &str) -> Option<ListOrder> {
        let (column, order) = code.rsplit_once(' ')?;
        Self::parse(column, order)
    }
}

/// Why a Books API call failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BooksError {
    #[error("{}", limit.message())]
    RateLimited {
        rate: RateInfo,
        /// Which of Zoho's limits refused the call, by Zoho's code (44, 45,
        /// 1070): only the day's quota makes waiting a minute useless. Zoho
        /// does not always send the `X-Rate-Limit-*` headers with it.
        limit: Throttle,
    },
    #[error("Zoho did not allow this request: the connection may have expired or lack a permission. Reconnect the organization.")]
    Unauthorized,
    #[error("Zoho says this organization or record does not exist.")]
    NotFound,
    /// Code 6041: the organization id is not one of the signed-in user's.
    #[error("The Zoho user who connected is not part of this organization in Zoho Books (Zoho's code 6041). Connect again as a user of that organization, or choose one of this user's organizations.")]
    NotInOrganization,
    /// Code 6024: no organization id, and the user has several.
    #[error("Zoho needs to know which organization to read (Zoho's code 6024): this Zoho user has several. Choose the organization again (Reconnect), then try again.")]
    OrganizationNeeded,
    #[error("Zoho Books had a problem (HTTP {status}). Try again in a few minutes.")]
    Server { status: u16 },
    #[error("Zoho Books refused the request: {message} (code {code}).")]
    Zoho { code: i64, message: String },
    #[error("Zoho Books answered with an unexpected HTTP status {status}.")]
    Http { status: u16 },
    #[error("Zoho Books could not be reached or the answer was cut off. Check the internet connection and try again.")]
    Network { timeout: bool },
    #[error("Zoho Books is answering too slowly: its answer did not arrive in time. This is a problem on Zoho's side (or of the network on the way), not of this computer's settings; try again later.")]
    TooSlow,
    #[error("Zoho Books sent an answer that could not be read ({reason}).")]
    Decode { reason: &'static str },
    #[error("The request to Zoho Books could not be built ({reason}).")]
    Request { reason: &'static str },
}

impl BooksError {
    /// Stable code for the UI and scripts.
    pub fn code(&self) -> Code {
        match self {
            BooksError::RateLimited {
                limit: Throttle::Day,
                ..
            } => Code::QuotaExhausted,
            BooksError::RateLimited { .. } => Code::RateLimited,
            BooksError::Unauthorized => Code::Unauthorized,
            BooksError::NotFound => Code::NotFound,
            BooksError::NotInOrganization => Code::NotInOrganization,
            BooksError::OrganizationNeeded => Code::OrganizationNeeded,
            BooksError::Server { .. } => Code::ServerError,
            BooksError::Zoho { .. } => Code::ZohoError,
            BooksError::Http { .. } => Code::UnexpectedStatus,
            BooksError::Network { timeout: true } => Code::Timeout,
            BooksError::Network { timeout: false } => Code::Network,
            BooksError::TooSlow => Code::TooSlow,
            BooksError::Decode { .. } => Code::Decode,
            BooksError::Request { .. } => Code::BadRequest,
        }
    }

    /// Transient: the same call may succeed later (after a pause).
    pub fn is_retryable(&self) -> bool {
        matches!(
            self,
            BooksError::RateLimited {
                limit: Throttle::Minute | Throttle::InFlight,
                ..
            } | BooksError::Server { .. }
                | BooksError::Network { .. }
                | BooksError::TooSlow
        )
    }
}

/// Client for one API domain.
#[derive(Debug, Clone)]
pub struct BooksClient {
    base: Url,
    http: reqwest::Client,
}

impl BooksClient {
    /// A client for `{api_domain}/books/v3` (no redirects; timeouts 10 s / 60 s).
    pub fn new(api_domain: &Url) -> Result<Self, BooksError> {
        Self::with_timeouts(api_domain, CONNECT_TIMEOUT, REQUEST_TIMEOUT)
    }

    /// As [`Self::new`], with other timeouts.
    pub fn with_timeouts(
        api_domain: &Url,
        connect: Duration,
        total: Duration,
    ) -> Result<Self, BooksError> {
        let base = Url::parse(&books_base(api_domain)).map_err(|_| BooksError::Request {
            reason: "the API domain is not a web address",
        })?;
        if base.cannot_be_a_base() || !matches!(base.scheme(), "http" | "https") {
            return Err(BooksError::Request {
                reason: "the API domain is not an http(s) origin",
            });
        }
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(connect)
            .timeout(total)
            .user_agent(concat!("zoho-books-setup/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|_| BooksError::Request {
                reason: "the secure connection could not be set up",
            })?;
        Ok(BooksClient { base, http })
    }

    /// `{api_domain}/books/v3`.
    pub fn base_url(&self) -> &Url {
        &self.base
    }

    fn url(&self, segments: &[&str]) -> Result<Url, BooksError> {
        let mut url = self.base.clone();
        url.path_segments_mut()
            .map_err(|_| BooksError::Request {
                reason: "the API domain is not a web address",
            })?
            .extend(segments);
        Ok(url)
    }

    /// `GET /organizations`.
    pub async fn organizations(
        &self,
        token: &SecretString,
    ) -> Result<(Vec<Organization>, RateInfo), BooksError> {
        let url = self.url(&["organizations"])?;
        let (body, rate) = self.get(url, token, decode_response).await?;
        let list = body
            .get("organizations")
            .cloned()
            .ok_or(BooksError::Decode {
                reason: "no organizations in the answer",
            })?;
        let orgs: Vec<Organization> =
            serde_json::from_value(list).map_err(|_| BooksError::Decode {
                reason: "the organizations are not of the expected shape",
            })?;
        Ok((orgs, rate))
    }

    /// `GET /users/me`: the Zoho user the token signed in, as seen in
    /// `org_id` (needs `ZohoBooks.settings.READ`). Zoho counts refresh
    /// tokens per user, so this says whose sign-in a connection holds.
    pub async fn current_user(
        &self,
        token: &SecretString,
        org_id: &str,
    ) -> Result<(ZohoUser, RateInfo), BooksError> {
        let mut url = self.url(&["users", "me"])?;
        url.query_pairs_mut().append_pair("organization_id", org_id);
        let (body, rate) = self.get(url, token, decode_response).await?;
        let user = body.get("user").ok_or(BooksError::Decode {
            reason: "no user in the answer",
        })?;
        Ok((ZohoUser::from_answer(user), rate))
    }

    /// One page of a list. `extra_query` adds parameters (e.g. `sort_column`,
    /// `last_modified_time`); it cannot override `organization_id`, `page`
    /// or `per_page`. For customers and vendors `contact_type` is sent and the
    /// rows are also filtered here (whether Zoho honours that parameter is
    /// unverified).
    pub async fn list(
        &self,
        token: &SecretString,
        org_id: &str,
        entity: Entity,
        page: u32,
        per_page: u32,
        extra_query: &[(&str, &str)],
    ) -> Result<ListPage, BooksError> {
        let page = page.max(1);
        let per_page = per_page.clamp(1, MAX_PER_PAGE);
        let mut url = self.url(&[&entity.path()[1..]])?;
        {
            let mut q = url.query_pairs_mut();
            q.append_pair("organization_id", org_id)
                .append_pair("page", &page.to_string())
                .append_pair("per_page", &per_page.to_string());
            if let Some(ct) = entity.contact_type() {
                if !extra_query.iter().any(|(k, _)| *k == "contact_type") {
                    q.append_pair("contact_type", ct);
                }
            }
            for (k, v) in extra_query {
                if !matches!(*k, "organization_id" | "page" | "per_page") {
                    q.append_pair(k, v);
                }
            }
        }
        let (page, _) = self
            .get(url, token, |status, body, rate| {
                decode_list(entity, status, body, page, per_page, rate)
            })
            .await?;
        Ok(page)
    }

    /// One record with everything (line items, addresses, contact persons).
    pub async fn detail(
        &self,
        token: &SecretString,
        org_id: &str,
        entity: Entity,
        id: &str,
    ) -> Result<(Record, RateInfo), BooksError> {
        if id.is_empty() || id.len() > 64 {
            return Err(BooksError::Request {
                reason: "the record id is empty or too long",
            });
        }
        let mut url = self.url(&[&entity.path()[1..], id])?;
        url.query_pairs_mut().append_pair("organization_id", org_id);
        self.get(url, token, |status, body, rate| {
            decode_detail(entity, status, body, rate)
        })
        .await
    }

    /// One GET: the answer decoded by `decode` (status, body, rate headers).
    async fn get<T>(
        &self,
        url: Url,
        token: &SecretString,
        decode: impl FnOnce(u16, &[u8], RateInfo) -> Result<T, BooksError>,
    ) -> Result<(T, RateInfo), BooksError> {
        let mut auth = HeaderValue::from_str(&format!("Zoho-oauthtoken {}", token.expose_secret()))
            .map_err(|_| BooksError::Request {
                reason: "the access token contains invalid characters",
            })?;
        auth.set_sensitive(true);
        let path = url.path().to_owned();
        let response = self
            .http
            .get(url)
            .header(AUTHORIZATION, auth)
            .header(ACCEPT, "application/json")
            .send()
            .await
            .map_err(|e| network(&e))?;
        let status = response.status().as_u16();
        let rate = RateInfo::from_headers(response.headers());
        let body = read_body(response).await?;
        let result = decode(status, &body, rate);
        match &result {
            Ok(_) => tracing::debug!(%path, status, remaining = ?rate.remaining, "books call"),
            Err(e) => tracing::info!(%path, status, code = %e.code(), "books call failed"),
        }
        result.map(|v| (v, rate))
    }
}

fn network(e: &reqwest::Error) -> BooksError {
    BooksError::Network {
        timeout: e.is_timeout(),
    }
}

async fn read_body(mut response: reqwest::Response) -> Result<Vec<u8>, BooksError> {
    let mut body = Vec::new();
    // Zoho has answered: a timeout now is its answer arriving too slowly.
    let failed = |e: reqwest::Error| match e.is_timeout() {
        true => BooksError::TooSlow,
        false => network(&e),
    };
    while let Some(chunk) = response.chunk().await.map_err(failed)? {
        if body.len() + chunk.len() > MAX_BODY {
            return Err(BooksError::Decode {
                reason: "the answer is too large",
            });
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// Decodes a list answer into a page: the records (customers or vendors
/// only, for contacts), each kept as the text Zoho sent, and the paging
/// context. Pure, so it can be fuzzed; never panics, whatever the bytes.
pub fn decode_list(
    entity: Entity,
    status: u16,
    body: &[u8],
    page: u32,
    per_page: u32,
    rate: RateInfo,
) -> Result<ListPage, BooksError> {
    let answer = classify(status, body, rate, Wanted::List(entity.list_key()))?;
    let items = answer.list.flatten().ok_or(BooksError::Decode {
        reason: "the list of records is missing",
    })?;
    let mut records = Vec::with_capacity(items.len());
    for item in items {
        records.push(Record::from_raw(item)?);
    }
    if let Some(ct) = entity.contact_type() {
        records.retain(|r| {
            r.value()
                .get("contact_type")
                .and_then(Value::as_str)
                .is_none_or(|t| t == ct)
        });
    }
    let context: PageContext = answer
        .page_context
        .and_then(|c| serde_json::from_str(c.get()).ok())
        .unwrap_or_default();
    Ok(ListPage {
        records,
        has_more: context.has_more_page.unwrap_or(false),
        page: context.page.unwrap_or(page),
        per_page: context.per_page.unwrap_or(per_page),
        rate,
        order: match (&context.sort_column, &context.sort_order) {
            (Some(c), Some(o)) => ListOrder::parse(c, o),
            _ => None,
        },
    })
}

/// Decodes a detail answer into the one record it carries, kept as the text
/// Zoho sent.
pub fn decode_detail(
    entity: Entity,
    status: u16,
    body: &[u8],
    rate: RateInfo,
) -> Result<Record, BooksError> {
    let missing = || BooksError::Decode {
        reason: "the record is missing",
    };
    let answer = classify(status, body, rate, Wanted::One(entity.detail_key()))?;
    Record::from_raw(answer.one.ok_or_else(missing)?).map_err(|_| missing())
}

/// Classifies a Books API answer by HTTP status and Zoho's `code`: the JSON
/// body on success, else the typed error (a 200 with a non-zero code is an
/// error). Never panics, whatever the bytes.
pub fn decode_response(status: u16, body: &[u8], rate: RateInfo) -> Result<Value, BooksError> {
    classify(status, body, rate, Wanted::Nothing)?;
    serde_json::from_slice(body).map_err(|_| BooksError::Decode { reason: "not JSON" })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Zoho's Books API v3 introduction documents three throttling answers,
    /// all HTTP 429: code 44 (the minute), 45 (the day's quota, in words
    /// that never say "day") and 1070 (too many in flight). The code decides,
    /// with or without the quota headers.
    #[test]
    fn throttling_answers_are_known_by_zohos_documented_codes() {
        let limit = |status: u16, body: &str, rate: RateInfo| match decode_response(
            status,
            body.as_bytes(),
            rate,
        ) {
            Err(e @ BooksError::RateLimited { .. }) => {
                let BooksError::RateLimited { limit, .. } = e else {
                    unreachable!()
                };
                Some((limit, e.code(), e.is_retryable()))
            }
            _ => None,
        };
        let none = RateInfo::default();
        let headers = RateInfo {
            limit: Some(1000),
            remaining: Some(0),
            reset_secs: Some(3600),
        };
        let minute = r#"{"code":44,"message":"For security reasons your organization has been blocked as it have exceeded the maximum number of requests per minute that can originate from an organization."}"#;
        let day = r#"{"code":45,"message":"The API call for this organization has exceeded the maximum call rate limit of 1000."}"#;
        let in_flight = r#"{"code":1070,"message":"You have reached the maximum number of in process requests allowed. Kindly try again after some time."}"#;
        for rate in [none, headers] {
            assert_eq!(
                limit(429, day, rate),
                Some((Throttle::Day, Code::QuotaExhausted, false)),
                "code 45 is the day's quota, headers {rate:?}"
            );
            assert_eq!(
                limit(429, in_flight, rate).map(|l| (l.0, l.2)),
                Some((Throttle::InFlight, true)),
                "code 1070 is too many in flight, headers {rate:?}"
            );
        }
        assert_eq!(
            limit(429, minute, none),
            Some((Throttle::Minute, Code::RateLimited, true))
        );
        // No calls left by the headers: the day, whatever the code.
        assert_eq!(
            limit(429, minute, headers).map(|l| l.0),
            Some(Throttle::Day)
        );
        assert_eq!(limit(429, "", none).map(|l| l.0), Some(Throttle::Minute));
        // 1070 is throttling whatever the status it comes with.
        assert_eq!(
            limit(400, in_flight, none).map(|l| l.0),
            Some(Throttle::InFlight)
        );
        // Seen from one client: HTTP 200 with code 43 while throttled.
        assert_eq!(
            limit(200, r#"{"code":43,"message":"x"}"#, none).map(|l| l.0),
            Some(Throttle::Minute)
        );
        // The message a person reads names the day only for code 45.
        let said = |body: &str| {
            decode_response(429, body.as_bytes(), none)
                .unwrap_err()
                .to_string()
        };
        assert!(said(day).contains("today"), "{}", said(day));
        assert!(said(minute).contains("a minute"), "{}", said(minute));
        assert!(!said(minute).contains("today"));
    }

    #[test]
    fn entity_names_round_trip() {
        assert_eq!(Entity::all().len(), 10);
        for e in Entity::all() {
            assert_eq!(e.name().parse::<Entity>(), Ok(*e));
            assert_eq!(e.to_string(), e.name());
            assert_eq!(
                serde_json::to_value(e).ok(),
                Some(Value::String(e.name().into()))
            );
            assert!(e.path().starts_with('/'));
        }
        assert_eq!(Entity::Customers.path(), "/contacts");
        assert_eq!(Entity::Vendors.path(), "/contacts");
        assert_eq!(Entity::ChartOfAccounts.detail_key(), "chart_of_account");
        assert_eq!(Entity::CustomerPayments.detail_key(), "payment");
        assert_eq!(Entity::Vendors.contact_type(), Some("vendor"));
        assert_eq!(
            Entity::default_selection(),
            vec![Entity::Invoices, Entity::CreditNotes, Entity::Customers]
        );
        let err = "organizations".parse::<Entity>().expect_err("unknown");
        assert_eq!(err.code(), Code::UnknownEntity);
        assert!(" invoices ".parse::<Entity>().is_ok());
        assert!("Invoices".parse::<Entity>().is_err());
    }

    #[test]
    fn classify_errors() {
        let r = RateInfo::default();
        let c = |s: u16, b: &str| {
            classify(s, b.as_bytes(), r, Wanted::List("invoices"))
                .map(|a| a.list.flatten().map(|l| l.len()))
                .map_err(|e| e.code())
        };
        assert!(c(200, r#"{"code":0,"message":"success"}"#).is_ok());
        type Outcome = Result<Option<usize>, Code>;
        let answers: &[(u16, &str, Outcome)] = &[
            (200, r#"{"code":57,"message":"x"}"#, Err(Code::Unauthorized)),
            (400, r#"{"code":57,"message":"x"}"#, Err(Code::Unauthorized)),
            (401, "", Err(Code::Unauthorized)),
            (404, r#"{"code":1002,"message":"x"}"#, Err(Code::NotFound)),
            (200, r#"{"code":1002,"message":"x"}"#, Err(Code::NotFound)),
            (
                400,
                r#"{"code":6041,"message":"This user is not associated with the CompanyID/CompanyName:1."}"#,
                Err(Code::NotInOrganization),
            ),
            (
                400,
                r#"{"code":6024,"message":"x"}"#,
                Err(Code::OrganizationNeeded),
            ),
            (
                500,
                r#"{"code":1000,"message":"Internal error"}"#,
                Err(Code::ServerError),
            ),
            (429, "", Err(Code::RateLimited)),
            (200, r#"{"code":4,"message":"bad"}"#, Err(Code::ZohoError)),
            (400, r#"{"code":2,"message":"bad"}"#, Err(Code::ZohoError)),
            (200, "<html>", Err(Code::Decode)),
            (200, r#"{"x":1}"#, Err(Code::Decode)),
            (200, "[0]", Err(Code::Decode)),
            (200, r#"{"code":"0","invoices":[]}"#, Ok(Some(0))),
            (200, r#"{"invoices":[{},2],"code":0}"#, Ok(Some(2))),
            (200, r#"{"code":0,"invoices":{"a":[1]}}"#, Ok(None)),
            (200, r#"{"code":0,"invoices":[1]} x"#, Err(Code::Decode)),
            (
                200,
                r#"{"code":57,"invoices":"no"}"#,
                Err(Code::Unauthorized),
            ),
            (302, "", Err(Code::UnexpectedStatus)),
        ];
        for (status, body, expected) in answers {
            assert_eq!(&c(*status, body), expected, "{status} {body}");
        }
        assert!(BooksError::RateLimited {
            rate: r,
            limit: Throttle::Minute
        }
        .is_retryable());
        assert!(!BooksError::RateLimited {
            rate: r,
            limit: Throttle::Day
        }
        .is_retryable());
        assert!(BooksError::Network { timeout: true }.is_retryable());
        assert!(!BooksError::Unauthorized.is_retryable());
        assert!(!BooksError::Zoho {
            code: 4,
            message: String::new()
        }
        .is_retryable());
    }

    #[test]
    fn records_keep_the_text_zoho_sent() {
        let r = RateInfo::default();
        let body = br#"{ "code": 0, "invoices": [ {"z": 1, "invoice_id": "7", "a": "caf\u00e9"} ,{"invoice_id":"8"}],
            "page_context": {"page": 3, "has_more_page": true} }"#;
        let page = decode_list(Entity::Invoices, 200, body, 1, 200, r).expect("page");
        assert_eq!(
            page.records[0].raw(),
            r#"{"z": 1, "invoice_id": "7", "a": "caf\u00e9"}"#
        );
        assert_eq!(page.records[0].value()["a"], "café");
        assert_eq!(page.records[1].raw(), r#"{"invoice_id":"8"}"#);
        assert_eq!((page.page, page.per_page, page.has_more), (3, 200, true));
        let code =
            |b: &[u8]| decode_list(Entity::Invoices, 200, b, 1, 200, r).map_err(|e| e.code());
        assert_eq!(code(br#"{"code":0,"invoices":[{},1]}"#), Err(Code::Decode));
        assert_eq!(code(br#"{"code":0,"invoices":{}}"#), Err(Code::Decode));
        assert_eq!(code(br#"{"code":0}"#), Err(Code::Decode));
        assert_eq!(code(br#"{"code":0,"invoices":[{}"#), Err(Code::Decode));
        let detail = decode_detail(
            Entity::Invoices,
            200,
            br#"{"code":0,"invoice": {"invoice_id" : "7"}}"#,
            r,
        )
        .expect("detail");
        assert_eq!(detail.raw(), r#"{"invoice_id" : "7"}"#);
        assert_eq!(
            decode_detail(Entity::Invoices, 200, br#"{"code":0,"invoice":[]}"#, r)
                .map_err(|e| e.code()),
            Err(Code::Decode)
        );
        let made = Record::from_value(serde_json::json!({"invoice_id": "9"}));
        assert_eq!(made.raw(), r#"{"invoice_id":"9"}"#);
    }

    #[test]
    fn rate_headers() {
        let mut h = HeaderMap::new();
        h.insert("X-Rate-Limit-Limit", HeaderValue::from_static("1000"));
        h.insert("x-rate-limit-remaining", HeaderValue::from_static(" 503 "));
        h.insert("x-rate-limit-reset", HeaderValue::from_static("soon"));
        assert_eq!(
            RateInfo::from_headers(&h),
            RateInfo {
                limit: Some(1000),
                remaining: Some(503),
                reset_secs: None
            }
        );
    }
}
