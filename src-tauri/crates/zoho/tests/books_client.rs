//! The Books client against an in-test server: paging fields, rate headers,
//! errors in every form Zoho uses, cut-off bodies, no redirects.

use std::collections::HashMap;
use std::time::Duration;

use axum::extract::{Path, Query};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use url::Url;
use zbs_testkit::recorded_body;
use zbs_zoho::{BooksClient, BooksError, Entity, RateInfo, SecretString};

const TOKEN: &str = "1000.ACCESS-SECRET";

fn reply(status: u16, body: Value) -> Response {
    (
        StatusCode::from_u16(status).expect("status"),
        [
            ("content-type", "application/json;charset=UTF-8"),
            ("x-rate-limit-limit", "1000"),
            ("x-rate-limit-remaining", "503"),
            ("x-rate-limit-reset", "23218"),
        ],
        body.to_string(),
    )
        .into_response()
}

fn authorized(h: &HeaderMap) -> bool {
    h.get("authorization").and_then(|v| v.to_str().ok())
        == Some(&format!("Zoho-oauthtoken {TOKEN}"))
}

async fn organizations(h: HeaderMap) -> Response {
    if !authorized(&h) {
        return reply(
            401,
            json!({"code": 57, "message": "You are not authorized to perform this operation"}),
        );
    }
    reply(200, recorded_body("organizations.json"))
}

async fn list(
    Path(resource): Path<String>,
    Query(q): Query<HashMap<String, String>>,
    h: HeaderMap,
) -> Response {
    if !authorized(&h) {
        return reply(
            401,
            json!({"code": 57, "message": "You are not authorized to perform this operation"}),
        );
    }
    match q.get("organization_id").map(String::as_str) {
        Some("927270289") => {}
        Some("429") => return (StatusCode::TOO_MANY_REQUESTS, "slow down").into_response(),
        Some("57") => {
            return reply(
                200,
                json!({"code": 57, "message": "You are not authorized to perform this operation"}),
            )
        }
        Some("4") => {
            return reply(
                200,
                json!({"code": 4, "message": "Invalid value passed for page"}),
            )
        }
        Some("1002") => {
            return reply(
                404,
                json!({"code": 1002, "message": "Organization does not exist."}),
            )
        }
        Some("500") => return reply(500, json!({"code": 1000, "message": "Internal error"})),
        Some("302") => {
            return (
                StatusCode::FOUND,
                [("location", "http://127.0.0.1:1/elsewhere")],
                "",
            )
                .into_response()
        }
        Some("html") => {
            return (
                StatusCode::OK,
                [("content-type", "text/html")],
                "<html>maintenance</html>",
            )
                .into_response()
        }
        _ => {
            return reply(
                400,
                json!({"code": 2, "message": "organization_id missing"}),
            )
        }
    }
    let page: u32 = q.get("page").and_then(|p| p.parse().ok()).unwrap_or(1);
    let per_page: u32 = q
        .get("per_page")
        .and_then(|p| p.parse().ok())
        .unwrap_or(200);
    let file = match resource.as_str() {
        "contacts" => "contacts.json",
        "invoices" => "invoices.json",
        _ => return reply(404, json!({"code": 1002, "message": "Not found"})),
    };
    let mut body = recorded_body(file);
    body["page_context"]["page"] = json!(page);
    body["page_context"]["per_page"] = json!(per_page);
    body["page_context"]["has_more_page"] = json!(page < 2);
    body["page_context"]["sort_column"] = json!(q.get("sort_column"));
    reply(200, body)
}

async fn detail(Path((resource, id)): Path<(String, String)>, h: HeaderMap) -> Response {
    if !authorized(&h) {
        return reply(401, json!({"code": 57, "message": "no"}));
    }
    match (resource.as_str(), id.as_str()) {
        ("invoices", "260815000000103001") => reply(200, recorded_body("invoices-detail.json")),
        ("contacts", "260815000000097001") => reply(200, recorded_body("contacts-detail.json")),
        _ => reply(
            404,
            json!({"code": 1002, "message": "The record does not exist."}),
        ),
    }
}

async fn start() -> Url {
    let app = Router::new()
        .route("/books/v3/organizations", get(organizations))
        .route("/books/v3/{resource}", get(list))
        .route("/books/v3/{resource}/{id}", get(detail));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let url = Url::parse(&format!("http://{}", listener.local_addr().expect("addr"))).expect("url");
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    url
}

/// A server that answers every connection with `response` verbatim (or not at all), then closes.
async fn raw(response: Option<&'static str>) -> Url {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let url = Url::parse(&format!("http://{}", listener.local_addr().expect("addr"))).expect("url");
    tokio::spawn(async move {
        while let Ok((mut sock, _)) = listener.accept().await {
            tokio::spawn(async move {
                let mut buf = [0u8; 4096];
                let _ = sock.read(&mut buf).await;
                match response {
                    Some(r) => {
                        let _ = sock.write_all(r.as_bytes()).await;
                        let _ = sock.shutdown().await;
                    }
                    None => tokio::time::sleep(Duration::from_secs(30)).await,
                }
            });
        }
    });
    url
}

fn token() -> SecretString {
    SecretString::from(TOKEN)
}

#[tokio::test]
async fn organizations_and_rate_headers() {
    let client = BooksClient::new(&start().await).expect("client");
    assert!(client.base_url().as_str().ends_with("/books/v3"));
    let (orgs, rate) = client.organizations(&token()).await.expect("orgs");
    assert_eq!(orgs.len(), 1);
    assert_eq!(orgs[0].organization_id, "927270289");
    assert_eq!(orgs[0].is_default_org, Some(true));
    assert_eq!(
        rate,
        RateInfo {
            limit: Some(1000),
            remaining: Some(503),
            reset_secs: Some(23218)
        }
    );
    let e = client
        .organizations(&SecretString::from("wrong"))
        .await
        .expect_err("unauthorized");
    assert_eq!(e, BooksError::Unauthorized);
    assert!(!format!("{e} {e:?}").contains("wrong"));
}

#[tokio::test]
async fn list_paging_fields() {
    let client = BooksClient::new(&start().await).expect("client");
    let p1 = client
        .list(
            &token(),
            "927270289",
            Entity::Invoices,
            1,
            50,
            &[("sort_column", "created_time")],
        )
        .await
        .expect("page 1");
    assert_eq!(p1.records.len(), 9);
    assert!(p1.has_more);
    assert_eq!((p1.page, p1.per_page), (1, 50));
    assert_eq!(p1.rate.remaining, Some(503));
    assert_eq!(
        Entity::Invoices.record_id(p1.records[0].value()).as_deref(),
        Some("260815000000103001")
    );
    let p2 = client
        .list(
            &token(),
            "927270289",
            Entity::Invoices,
            2,
            500,
            &[("page", "7")],
        )
        .await
        .expect("page 2");
    assert!(!p2.has_more);
    assert_eq!(
        (p2.page, p2.per_page),
        (2, 200),
        "per_page capped at 200, page not overridable"
    );
}

#[tokio::test]
async fn customers_and_vendors_are_separated() {
    let client = BooksClient::new(&start().await).expect("client");
    let customers = client
        .list(&token(), "927270289", Entity::Customers, 1, 200, &[])
        .await
        .expect("customers");
    let vendors = client
        .list(&token(), "927270289", Entity::Vendors, 1, 200, &[])
        .await
        .expect("vendors");
    assert_eq!(customers.records.len(), 4);
    assert_eq!(vendors.records.len(), 2);
    assert!(customers
        .records
        .iter()
        .all(|r| r.value()["contact_type"] == "customer"));
}

#[tokio::test]
async fn detail_returns_the_record() {
    let client = BooksClient::new(&start().await).expect("client");
    let (inv, rate) = client
        .detail(
            &token(),
            "927270289",
            Entity::Invoices,
            "260815000000103001",
        )
        .await
        .expect("detail");
    assert!(inv.value()["line_items"]
        .as_array()
        .is_some_and(|l| !l.is_empty()));
    assert_eq!(rate.limit, Some(1000));
    let (contact, _) = client
        .detail(
            &token(),
            "927270289",
            Entity::Customers,
            "260815000000097001",
        )
        .await
        .expect("contact");
    assert_eq!(contact.value()["contact_id"], "260815000000097001");
    let e = client
        .detail(&token(), "927270289", Entity::Invoices, "1")
        .await
        .expect_err("missing");
    assert_eq!(e, BooksError::NotFound);
    // Path segments are encoded, not interpreted.
    let e = client
        .detail(&token(), "927270289", Entity::Invoices, "../organizations")
        .await
        .expect_err("encoded");
    assert_eq!(e.code(), zbs_codes::Code::NotFound);
}

#[tokio::test]
async fn errors_in_every_form() {
    let client = BooksClient::new(&start().await).expect("client");
    let cases = [
        ("429", zbs_codes::Code::RateLimited, true),
        ("57", zbs_codes::Code::Unauthorized, false),
        ("4", zbs_codes::Code::ZohoError, false),
        ("1002", zbs_codes::Code::NotFound, false),
        ("500", zbs_codes::Code::ServerError, true),
        ("302", zbs_codes::Code::UnexpectedStatus, false),
        ("html", zbs_codes::Code::Decode, false),
        ("", zbs_codes::Code::ZohoError, false),
    ];
    for (org, code, retryable) in cases {
        let e = client
            .list(&token(), org, Entity::Invoices, 1, 10, &[])
            .await
            .expect_err(org);
        assert_eq!(e.code(), code, "{org}: {e}");
        assert_eq!(e.is_retryable(), retryable, "{org}");
        assert!(!e.to_string().contains(TOKEN));
    }
    let e = client
        .list(&token(), "4", Entity::Invoices, 1, 10, &[])
        .await
        .expect_err("4");
    assert_eq!(
        e,
        BooksError::Zoho {
            code: 4,
            message: "Invalid value passed for page".into()
        }
    );
}

#[tokio::test]
async fn dropped_body_is_a_network_error() {
    let url = raw(Some(
        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 1000\r\nx-rate-limit-remaining: 5\r\n\r\n{\"code\":0,\"invoices\":[",
    ))
    .await;
    let client = BooksClient::new(&url).expect("client");
    let e = client
        .list(&token(), "1", Entity::Invoices, 1, 10, &[])
        .await
        .expect_err("cut off");
    assert_eq!(e, BooksError::Network { timeout: false });
    assert!(e.is_retryable());
}

#[tokio::test]
async fn closed_connection_and_timeout() {
    let url = raw(Some("")).await;
    let client = BooksClient::new(&url).expect("client");
    let e = client.organizations(&token()).await.expect_err("closed");
    assert_eq!(e.code(), zbs_codes::Code::Network);

    let url = raw(None).await;
    let client =
        BooksClient::with_timeouts(&url, Duration::from_secs(1), Duration::from_millis(300))
            .expect("client");
    let e = client.organizations(&token()).await.expect_err("timeout");
    assert_eq!(e, BooksError::Network { timeout: true });
    assert_eq!(e.code(), zbs_codes::Code::Timeout);
}

#[tokio::test]
async fn success_without_code_or_records_is_a_decode_error() {
    let url = raw(Some(
        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 11\r\n\r\n{\"code\":0} ",
    ))
    .await;
    let client = BooksClient::new(&url).expect("client");
    let e = client
        .list(&token(), "1", Entity::Invoices, 1, 10, &[])
        .await
        .expect_err("no records");
    assert_eq!(e.code(), zbs_codes::Code::Decode);
}
