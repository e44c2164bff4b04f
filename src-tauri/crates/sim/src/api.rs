//! The Books API v3 of each data center, under `/books/v3`: `GET
//! /organizations`, `GET /users/me` and list + detail of every `Entity`. One
//! handler runs the pipeline in Zoho's order: token (401 code 57), route
//! (404 code 5), `organization_id` (400 code 6041), scope and the user's role
//! (401 code 57 with a valid token), then the
//! organization's limits (429: code 44 for the request window, the
//! concurrency cap and the storm fault; code 45 for the daily quota; never a
//! `Retry-After`), latency, 5xx faults, the payload, body faults. Every
//! organization-scoped response carries `X-Rate-Limit-Limit`,
//! `X-Rate-Limit-Remaining` and `X-Rate-Limit-Reset`, except every other
//! daily-limit answer (the first included), which has none of them.
//!
//! Lists come in each module's recorded default order (`page_context`
//! `sort_column` / `sort_order`: contacts by `contact_name` A, items by
//! `name` A, the chart of accounts by `account_type` A, payments by `date`
//! D, the rest by `created_time` D) and honour `sort_column` / `sort_order`
//! as the recordings show: a column the module does not sort by is ignored
//! (the chart of accounts sorts only by its own columns), and purchase
//! orders asked for `created_time` A still answer D. `page_context` always
//! says the order used, so clients can check it. Offset paging under an
//! order that records move in loses and repeats rows: the `churn` fault
//! adds and edits records between pages (renames move contacts, items and
//! accounts to the front; new payment dates move payments back). The chart
//! of accounts answers up to 5000 rows a page (its default), the rest 200.
//! `/contacts` lists customers and vendors together; `contact_type=
//! customer|vendor` filters.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::{Path, RawQuery, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::any;
use axum::Router;
use serde_json::{json, Map, Value};

use crate::data::Entity;
use crate::faults::{lock, BodyFault};
use crate::limits::{LimitKind, Quota};
use crate::oauth::{params, scopes_cover};
use crate::{Org, Shared};

/// Largest page Zoho serves of most lists (the chart of accounts: 5000,
/// `Entity::max_per_page`); larger `per_page` values are clamped to it.
pub const MAX_PER_PAGE: u64 = 200;

#[derive(Clone)]
pub(crate) struct ApiCtx {
    pub shared: Arc<Shared>,
    pub region: String,
}

pub(crate) fn router(ctx: ApiCtx) -> Router {
    Router::new()
        .route("/books/v3/{*rest}", any(books))
        .fallback(|| async { error(StatusCode::NOT_FOUND, 5, "Invalid URL Passed") })
        .with_state(ctx)
}

const CONTENT_TYPE: &str = "application/json;charset=UTF-8";

fn json_response(status: StatusCode, body: &Value) -> Response {
    let bytes = serde_json::to_vec(body)
        .unwrap_or_else(|_| b"{\"code\":1000,\"message\":\"Internal error\"}".to_vec());
    let mut resp = (status, bytes).into_response();
    resp.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(CONTENT_TYPE));
    resp
}

fn error(status: StatusCode, code: u32, message: &str) -> Response {
    json_response(status, &json!({ "code": code, "message": message }))
}

fn unauthorized() -> Response {
    error(
        StatusCode::UNAUTHORIZED,
        57,
        "You are not authorized to perform this operation",
    )
}

fn with_quota(mut resp: Response, q: Quota) -> Response {
    let h = resp.headers_mut();
    h.insert("X-Rate-Limit-Limit", HeaderValue::from(q.limit));
    h.insert("X-Rate-Limit-Remaining", HeaderValue::from(q.remaining));
    h.insert("X-Rate-Limit-Reset", HeaderValue::from(q.reset_secs));
    resp
}

/// Zoho's documented throttling answers (Books API v3 introduction, "API
/// Call Limit" and "Concurrent Rate Limiter"): HTTP 429 with code 44 (the
/// minute), 45 (the day's quota, naming the limit and never the day) or
/// 1070 (too many in process).
fn too_many(kind: LimitKind, daily_limit: u32) -> Response {
    let (code, message) = match kind {
        LimitKind::Daily => (
            45,
            format!(
                "The API call for this organization has exceeded the maximum call rate limit of {daily_limit}."
            ),
        ),
        LimitKind::Concurrency => (
            1070,
            "You have reached the maximum number of in process requests allowed. Kindly try again after some time.".to_owned(),
        ),
        LimitKind::Window | LimitKind::Storm => (
            44,
            "For security reasons your organization has been blocked as it have exceeded the maximum number of requests per minute that can originate from an organization.".to_owned(),
        ),
    };
    error(StatusCode::TOO_MANY_REQUESTS, code, &message)
}

fn noun(e: Entity) -> &'static str {
    match e {
        Entity::Customers | Entity::Vendors => "Contact",
        Entity::Invoices => "Invoice",
        Entity::CreditNotes => "Credit note",
        Entity::Bills => "Bill",
        Entity::Items => "Item",
        Entity::ChartOfAccounts => "Account",
        Entity::CustomerPayments => "Payment",
        Entity::VendorPayments => "Vendor payment",
        Entity::Estimates => "Estimate",
        Entity::Expenses => "Expense",
        Entity::PurchaseOrders => "Purchase order",
    }
}

fn resource_entity(segment: &str) -> Option<Entity> {
    match segment {
        "contacts" => Some(Entity::Customers),
        other => Entity::ALL
            .into_iter()
            .find(|e| e.resource() == other && !matches!(e, Entity::Customers | Entity::Vendors)),
    }
}

/// Applies a body fault to a finished JSON body.
fn faulty_body(fault: BodyFault, bytes: Vec<u8>) -> Response {
    let full = bytes.len();
    let half = Bytes::from(bytes[..full / 2].to_vec());
    let body = match fault {
        BodyFault::Trickle(every) => {
            let bytes = Bytes::from(bytes);
            let stream = futures_util::stream::unfold(0usize, move |at| {
                let bytes = bytes.clone();
                async move {
                    if at >= bytes.len() {
                        return None;
                    }
                    tokio::time::sleep(every).await;
                    Some((Ok::<Bytes, std::io::Error>(bytes.slice(at..at + 1)), at + 1))
                }
            });
            Body::from_stream(stream)
        }
        BodyFault::Malformed => {
            let cut = (full * 3 / 5).max(1).min(full);
            let mut resp = (StatusCode::OK, bytes[..cut].to_vec()).into_response();
            resp.headers_mut()
                .insert(header::CONTENT_TYPE, HeaderValue::from_static(CONTENT_TYPE));
            return resp;
        }
        BodyFault::Drop => {
            let stream = futures_util::stream::unfold(0u8, move |step| {
                let half = half.clone();
                async move {
                    match step {
                        0 => Some((Ok::<Bytes, std::io::Error>(half), 1)),
                        1 => {
                            tokio::time::sleep(Duration::from_millis(30)).await;
                            Some((
                                Err(std::io::Error::new(
                                    std::io::ErrorKind::ConnectionAborted,
                                    "simulated dropped connection",
                                )),
                                2,
                            ))
                        }
                        _ => None,
                    }
                }
            });
            Body::from_stream(stream)
        }
    };
    let mut resp = Response::new(body);
    let h = resp.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(CONTENT_TYPE));
    h.insert(header::CONTENT_LENGTH, HeaderValue::from(full));
    resp
}

fn finish(shared: &Shared, status: StatusCode, body: &Value) -> Response {
    if status == StatusCode::OK {
        if let Some(fault) = lock(&shared.faults).take_body_fault() {
            let bytes = serde_json::to_vec(body).unwrap_or_default();
            return faulty_body(fault, bytes);
        }
    }
    json_response(status, body)
}

/// An answer that ends a call before its payload (boxed: a response is big).
type Refusal = Box<Response>;

/// What a Books API path asks for.
enum Target {
    Organizations,
    Me,
    List(Entity),
    Detail(Entity, String),
}

/// Every Books API call, checked in Zoho's order: the access token, the
/// route, the organization, the scope and the user's role, the limits,
/// latency and server errors, then the payload.
async fn books(
    State(ctx): State<ApiCtx>,
    method: Method,
    Path(rest): Path<String>,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
) -> Response {
    let shared = &ctx.shared;
    let p = params(q.as_deref(), &[]);
    let Some(scopes) = access_scopes(&ctx, &headers) else {
        return unauthorized();
    };
    let target = match route(&rest, &method) {
        Ok(t) => t,
        Err(refused) => return *refused,
    };
    if let Target::Organizations = target {
        return organizations(&ctx, &scopes).await;
    }
    let org = match organization(&ctx, &p) {
        Ok(org) => org,
        Err(refused) => return *refused,
    };
    if let Err(refused) = allowed(shared, org, &scopes, &target) {
        return *refused;
    }
    let (admission, quota) = match admit(shared, org) {
        Ok(admitted) => admitted,
        Err(refused) => return *refused,
    };
    if let Some(failed) = delay_or_fail(shared).await {
        drop(admission);
        return with_quota(failed, quota);
    }
    let (status, body) = payload(shared, org, target, &p);
    let resp = finish(shared, status, &body);
    drop(admission);
    with_quota(resp, quota)
}

/// The scopes of the request's access token, when it is one this data
/// center issued and it has not expired.
fn access_scopes(ctx: &ApiCtx, headers: &HeaderMap) -> Option<Vec<String>> {
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Zoho-oauthtoken "))
        .map(str::trim)?;
    let now = ctx.shared.clock.now();
    lock(&ctx.shared.oauth).check_access(token, &ctx.region, now)
}

/// The path's target; only GET is allowed.
fn route(rest: &str, method: &Method) -> Result<Target, Refusal> {
    let segments: Vec<&str> = rest.split('/').filter(|s| !s.is_empty()).collect();
    let invalid = || Box::new(error(StatusCode::NOT_FOUND, 5, "Invalid URL Passed"));
    let target = match segments.as_slice() {
        ["organizations"] => Target::Organizations,
        ["users", "me"] => Target::Me,
        [res] => Target::List(resource_entity(res).ok_or_else(invalid)?),
        [res, id] => Target::Detail(resource_entity(res).ok_or_else(invalid)?, id.to_string()),
        _ => return Err(invalid()),
    };
    if method != Method::GET {
        return Err(Box::new(error(
            StatusCode::METHOD_NOT_ALLOWED,
            37,
            "The HTTP method is not allowed for the requested resource.",
        )));
    }
    Ok(target)
}

/// The organization asked for. Without `organization_id`, Zoho reads the
/// user's only organization, and answers 6024 when there are several; an
/// organization of another data center is one the user is not in (6041).
fn organization<'a>(ctx: &'a ApiCtx, p: &HashMap<String, String>) -> Result<&'a Org, Refusal> {
    let shared = &ctx.shared;
    let only = (shared.orgs.len() == 1)
        .then(|| shared.orgs.keys().next().map(String::as_str))
        .flatten();
    let org_id = match (p.get("organization_id").map(String::as_str), only) {
        (Some(id), _) | (None, Some(id)) => id,
        (None, None) => {
            return Err(Box::new(error(
                StatusCode::BAD_REQUEST,
                6024,
                "Please select an organization to continue.",
            )))
        }
    };
    shared
        .orgs
        .get(org_id)
        .filter(|_| ctx.region == shared.home())
        .ok_or_else(|| {
            Box::new(error(
                StatusCode::BAD_REQUEST,
                6041,
                &format!("This user is not associated with the CompanyID/CompanyName:{org_id}."),
            ))
        })
}

/// The scope, then the user's role: both refuse with 401 code 57 although
/// the token is valid.
fn allowed(shared: &Shared, org: &Org, scopes: &[String], target: &Target) -> Result<(), Refusal> {
    let module = match target {
        Target::Me => "settings",
        Target::List(e) | Target::Detail(e, _) => e.scope_module(),
        Target::Organizations => Entity::Invoices.scope_module(),
    };
    let refused = || Box::new(with_quota(unauthorized(), org.limiter.quota(&shared.clock)));
    if shared.cfg.enforce_scopes && !scopes_cover(scopes, module) {
        return Err(refused());
    }
    let denied_now = lock(&shared.faults)
        .faults
        .role_denies
        .iter()
        .any(|m| m == module);
    if denied_now || shared.cfg.role_denies.iter().any(|m| m == module) {
        return Err(refused());
    }
    Ok(())
}

/// The organization's limits: a place in them, or Zoho's throttling answer,
/// with or without the quota headers as configured (by default every other
/// throttling answer has none).
fn admit(shared: &Shared, org: &Org) -> Result<(crate::limits::Admission, Quota), Refusal> {
    let throttled = |kind: LimitKind, quota: Quota| {
        let answer = too_many(kind, quota.limit);
        let with_headers = shared.cfg.throttle_headers.unwrap_or_else(|| {
            shared
                .daily_answers
                .fetch_add(1, std::sync::atomic::Ordering::SeqCst)
                % 2
                == 1
        });
        if with_headers {
            with_quota(answer, quota)
        } else {
            answer
        }
    };
    if lock(&shared.faults).take_storm() {
        org.limiter.record_429();
        return Err(Box::new(throttled(
            LimitKind::Storm,
            org.limiter.quota(&shared.clock),
        )));
    }
    org.limiter
        .admit(&shared.clock)
        .map_err(|(kind, quota)| Box::new(throttled(kind, quota)))
}

/// The configured latency, then a server error when one is due.
async fn delay_or_fail(shared: &Shared) -> Option<Response> {
    let latency = lock(&shared.faults).faults.latency;
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }
    lock(&shared.faults)
        .take_server_error()
        .then(|| error(StatusCode::INTERNAL_SERVER_ERROR, 1000, "Internal error"))
}

/// The answer's status and body for an admitted call.
fn payload(
    shared: &Shared,
    org: &Org,
    target: Target,
    p: &HashMap<String, String>,
) -> (StatusCode, Value) {
    match target {
        Target::List(e) => {
            let endless = lock(&shared.faults).faults.endless_pages;
            let (status, mut body) = list(org, e, p, endless);
            blank_ids(shared, e, &mut body);
            if status == StatusCode::OK {
                churn(shared, org, e, p);
            }
            (status, body)
        }
        Target::Detail(e, id) => detail(org, e, &id),
        Target::Me => (StatusCode::OK, me(shared)),
        Target::Organizations => (StatusCode::NOT_FOUND, json!({})),
    }
}

/// `GET /organizations`: no organization, so no per-organization limits.
async fn organizations(ctx: &ApiCtx, scopes: &[String]) -> Response {
    let shared = &ctx.shared;
    if shared.cfg.enforce_scopes && !scopes_cover(scopes, "settings") {
        return unauthorized();
    }
    if let Some(failed) = delay_or_fail(shared).await {
        return failed;
    }
    let rows: Vec<Value> = if ctx.region == shared.home() {
        shared
            .org_order
            .iter()
            .filter_map(|id| shared.orgs.get(id))
            .map(|o| o.data.organization_row())
            .collect()
    } else {
        Vec::new()
    };
    finish(
        shared,
        StatusCode::OK,
        &json!({ "code": 0, "message": "success", "organizations": rows }),
    )
}

/// `GET /users/me`: the signed-in user, in the shape of Zoho's "Get
/// current user" answer.
fn me(shared: &Shared) -> Value {
    let cfg = &shared.cfg;
    json!({
        "code": 0,
        "message": "success",
        "user": {
            "user_id": "982000000554041",
            "name": cfg.user_name,
            "email_ids": [{ "email": cfg.user_email, "is_selected": true }],
            "status": "active",
            "user_role": cfg.user_role,
            "role_id": "982000000000086",
            "user_type": "zoho",
        }
    })
}

fn bad_param(name: &str) -> (StatusCode, Value) {
    (
        StatusCode::BAD_REQUEST,
        json!({ "code": 2, "message": format!("Invalid value passed for {name}") }),
    )
}

/// The order a list request asks for, as the module will apply it:
/// `(sort_column, ascending)`. A column the module does not sort by is
/// ignored (the module's own order is used, and `page_context` says so); a
/// `sort_order` other than `A` or `D` is refused.
fn order(e: Entity, p: &HashMap<String, String>) -> Result<(String, bool), (StatusCode, Value)> {
    let (own, own_ascending) = e.default_order();
    let asked = p
        .get("sort_column")
        .map(|s| s.trim())
        .filter(|s| !s.is_empty());
    let column = match asked {
        Some(c) if e.sorts_by(c) => c,
        _ => own,
    };
    let ascending = match p.get("sort_order").map(|s| s.trim()) {
        None | Some("") => {
            if column == own {
                own_ascending
            } else {
                false
            }
        }
        Some(s) if s.eq_ignore_ascii_case("A") => true,
        Some(s) if s.eq_ignore_ascii_case("D") => false,
        Some(_) => return Err(bad_param("sort_order")),
    };
    // Recorded: purchase orders asked for `created_time` `A` answer `D`.
    let ascending = ascending && e != Entity::PurchaseOrders;
    Ok((column.to_string(), ascending))
}

/// What a row sorts by: creation is the index itself; other columns are
/// read from the row as Zoho would show it (text compared without case).
#[derive(PartialEq, Eq, PartialOrd, Ord)]
enum SortKey {
    Number(i64),
    Text(String),
}

fn sort_key(row: &Value, column: &str) -> SortKey {
    match row.get(column) {
        Some(Value::Number(n)) => SortKey::Number(n.as_f64().map_or(0, |f| (f * 100.0) as i64)),
        Some(Value::String(s)) => SortKey::Text(s.to_lowercase()),
        _ => SortKey::Text(String::new()),
    }
}

/// An error answer of the API: its status and body.
type Refused = (StatusCode, Value);

/// `GET /{resource}`: one page of a list, in the order asked.
fn list(org: &Org, e: Entity, p: &HashMap<String, String>, endless: bool) -> (StatusCode, Value) {
    match list_page(org, e, p, endless) {
        Ok(body) => (StatusCode::OK, body),
        Err(refused) => refused,
    }
}

fn list_page(
    org: &Org,
    e: Entity,
    p: &HashMap<String, String>,
    endless: bool,
) -> Result<Value, Refused> {
    let page = number_param(p, "page", 1)?;
    let per_page = number_param(p, "per_page", e.max_per_page())?.min(e.max_per_page());
    let (sort_column, ascending) = order(e, p)?;
    let runs = listed_runs(e, p)?;
    let sorted = sorted_items(org, &runs, &sort_column, ascending);
    let total = sorted
        .as_ref()
        .map_or_else(|| org.count(runs[0]), |v| v.len() as u64);
    let at = |pos: u64| match &sorted {
        Some(items) => items[pos as usize],
        None if ascending => (runs[0], pos),
        None => (runs[0], total - 1 - pos),
    };
    let mut start = (page - 1).saturating_mul(per_page);
    if endless && start >= total && total > 0 {
        // The endless-pages fault: past the end, the last page again.
        start = (total - 1) / per_page * per_page;
    }
    let end = start.saturating_add(per_page).min(total);
    let rows: Vec<Value> = (start..end)
        .map(|pos| {
            let (ent, i) = at(pos);
            org.row(ent, i)
        })
        .collect();
    let ctx = PageContext {
        page,
        per_page,
        has_more: endless || end < total,
        sort_column,
        ascending,
    };
    let mut body = Map::new();
    body.insert("code".into(), 0.into());
    body.insert("message".into(), "success".into());
    body.insert(e.resource().into(), Value::Array(rows));
    body.insert("page_context".into(), ctx.to_json(e));
    Ok(Value::Object(body))
}

/// A whole number of at least 1 in `name` (`default` when absent or blank).
fn number_param(p: &HashMap<String, String>, name: &str, default: u64) -> Result<u64, Refused> {
    match p.get(name).map(|s| s.trim()) {
        None | Some("") => Ok(default),
        Some(s) => match s.parse::<u64>() {
            Ok(n) if n >= 1 => Ok(n),
            _ => Err(bad_param(name)),
        },
    }
}

/// The records being paged, oldest first: one or two entities' runs
/// (`/contacts` lists customers and vendors unless `contact_type` says).
fn listed_runs(e: Entity, p: &HashMap<String, String>) -> Result<Vec<Entity>, Refused> {
    if e != Entity::Customers {
        return Ok(vec![e]);
    }
    match p.get("contact_type").map(String::as_str) {
        None | Some("") => Ok(vec![Entity::Customers, Entity::Vendors]),
        Some("customer") => Ok(vec![Entity::Customers]),
        Some("vendor") => Ok(vec![Entity::Vendors]),
        Some(_) => Err(bad_param("contact_type")),
    }
}

/// Every record of `runs` in the order asked; `None` for one entity by
/// creation: its index is that order, so a page costs only its own rows.
fn sorted_items(
    org: &Org,
    runs: &[Entity],
    sort_column: &str,
    ascending: bool,
) -> Option<Vec<(Entity, u64)>> {
    if sort_column == "created_time" && runs.len() == 1 {
        return None;
    }
    let mut items: Vec<(Entity, u64)> = runs
        .iter()
        .flat_map(|ent| (0..org.count(*ent)).map(move |i| (*ent, i)))
        .collect();
    if sort_column == "created_time" {
        // Customers and vendors interleave by creation.
        items.sort_by_key(|(ent, i)| (org.data.created_time(*ent, *i), *i));
    } else {
        let mut keyed: Vec<(SortKey, (Entity, u64))> = items
            .into_iter()
            .map(|(ent, i)| (sort_key(&org.row(ent, i), sort_column), (ent, i)))
            .collect();
        keyed.sort_by(|a, b| a.0.cmp(&b.0).then((a.1 .1, a.1 .0).cmp(&(b.1 .1, b.1 .0))));
        items = keyed.into_iter().map(|(_, item)| item).collect();
    }
    if !ascending {
        items.reverse();
    }
    Some(items)
}

/// A list page's `page_context`, as Zoho writes it.
struct PageContext {
    page: u64,
    per_page: u64,
    has_more: bool,
    sort_column: String,
    ascending: bool,
}

impl PageContext {
    fn to_json(&self, e: Entity) -> Value {
        let (report_name, applied_filter) = e.report();
        let mut ctx = Map::new();
        ctx.insert("page".into(), self.page.into());
        ctx.insert("per_page".into(), self.per_page.into());
        ctx.insert("has_more_page".into(), self.has_more.into());
        ctx.insert("report_name".into(), report_name.into());
        ctx.insert("applied_filter".into(), applied_filter.into());
        ctx.insert("custom_fields".into(), json!([]));
        ctx.insert("sort_column".into(), self.sort_column.clone().into());
        ctx.insert(
            "sort_order".into(),
            if self.ascending { "A" } else { "D" }.into(),
        );
        if e == Entity::Invoices {
            ctx.insert("seller_app_sales_channels".into(), "".into());
        }
        Value::Object(ctx)
    }
}

/// The churn fault: after a list page, new and edited records in that list.
fn churn(shared: &Shared, org: &Org, e: Entity, p: &HashMap<String, String>) {
    let churn = lock(&shared.faults).faults.churn;
    if churn.add == 0 && churn.edit == 0 {
        return;
    }
    // `/contacts`: the contact type listed (customers when none is given).
    let ent = match p.get("contact_type").map(String::as_str) {
        Some("vendor") if e == Entity::Customers => Entity::Vendors,
        _ => e,
    };
    let count = org.count(ent);
    let picks = lock(&shared.faults).pick(churn.edit, count);
    let at = shared.clock.unix_secs() as i64;
    for i in picks {
        org.edit(ent, i, at);
    }
    org.add(ent, churn.add);
}

/// The blank-ids fault: empties the id of the next listed rows.
fn blank_ids(shared: &Shared, e: Entity, body: &mut Value) {
    let Some(rows) = body.get_mut(e.resource()).and_then(Value::as_array_mut) else {
        return;
    };
    let mut faults = lock(&shared.faults);
    for row in rows {
        if !faults.take_blank_id() {
            break;
        }
        let key = match e {
            Entity::Customers | Entity::Vendors => "contact_id",
            Entity::CreditNotes => "creditnote_id",
            _ => match e.resource() {
                "chartofaccounts" => "account_id",
                "customerpayments" | "vendorpayments" => "payment_id",
                other => other.strip_suffix('s').unwrap_or(other),
            },
        };
        if let Some(m) = row.as_object_mut() {
            let key = if key.ends_with("_id") {
                key.to_owned()
            } else {
                format!("{key}_id")
            };
            m.insert(key, Value::String(String::new()));
        }
    }
}

fn detail(org: &Org, e: Entity, id: &str) -> (StatusCode, Value) {
    let candidates: &[Entity] = if e == Entity::Customers {
        &[Entity::Customers, Entity::Vendors]
    } else {
        std::slice::from_ref(&e)
    };
    for ent in candidates {
        if let Some(i) = org.data.parse_id(*ent, id) {
            if i < org.count(*ent) {
                let mut body = Map::new();
                body.insert("code".into(), 0.into());
                body.insert("message".into(), "success".into());
                body.insert(ent.detail_key().into(), org.detail(*ent, i));
                return (StatusCode::OK, Value::Object(body));
            }
        }
    }
    (
        StatusCode::NOT_FOUND,
        json!({ "code": 1002, "message": format!("{} does not exist.", noun(e)) }),
    )
}
