//! Pagination edges, ordering, inserts between pages and request errors.

use std::collections::HashSet;

use reqwest::StatusCode;
use zbs_sim::{Entity, SimConfig};

use crate::common::*;

async fn pull_all(env: &Env, t: &Tokens, extra: &[(&str, String)]) -> (Vec<String>, u64) {
    let mut ids = Vec::new();
    let mut page = 1u64;
    loop {
        let mut q = vec![("page", page.to_string())];
        q.extend(extra.iter().cloned());
        let (s, _, body) = env.org_get(t, "invoices", &q).await;
        assert_eq!(s, StatusCode::OK);
        let rows = body["invoices"].as_array().unwrap();
        ids.extend(
            rows.iter()
                .map(|r| r["invoice_id"].as_str().unwrap().to_string()),
        );
        let pc = &body["page_context"];
        assert_eq!(pc["page"], page);
        if !pc["has_more_page"].as_bool().unwrap() {
            return (ids, page);
        }
        assert_eq!(
            rows.len(),
            pc["per_page"].as_u64().unwrap() as usize,
            "full pages until the last"
        );
        page += 1;
    }
}

#[tokio::test]
async fn page_edges_0_1_199_200_201() {
    let env = start(SimConfig {
        rate_limit: (10_000, std::time::Duration::from_secs(60)),
        daily_quota: Some(100_000),
        ..cfg()
    })
    .await;
    let t = env.connect().await;
    let org = env.org();
    for (n, pages) in [(0u64, 1u64), (1, 1), (199, 1), (200, 1), (201, 2)] {
        env.sim.set_record_count(&org, Entity::Invoices, n).unwrap();
        let (ids, last_page) = pull_all(&env, &t, &[]).await;
        assert_eq!(ids.len() as u64, n, "{n} records");
        assert_eq!(last_page, pages, "{n} records in {pages} pages");
        assert_eq!(
            ids.iter().collect::<HashSet<_>>().len() as u64,
            n,
            "unique ids"
        );
        if n > 0 {
            // Newest first: the first row is the last record created.
            assert_eq!(
                ids[0],
                env.sim.record_id(&org, Entity::Invoices, n - 1).unwrap()
            );
        }
    }
    // Past the end: empty, no more pages.
    let (_, _, body) = env.org_get(&t, "invoices", &[("page", "9".into())]).await;
    assert!(body["invoices"].as_array().unwrap().is_empty());
    assert_eq!(body["page_context"]["has_more_page"], false);
    // per_page above 200 is served as 200; below is honoured.
    env.sim
        .set_record_count(&org, Entity::Invoices, 450)
        .unwrap();
    let (_, _, body) = env
        .org_get(&t, "invoices", &[("per_page", "1000".into())])
        .await;
    assert_eq!(body["invoices"].as_array().unwrap().len(), 200);
    assert_eq!(body["page_context"]["per_page"], 200);
    let (ids, pages) = pull_all(&env, &t, &[("per_page", "25".into())]).await;
    assert_eq!((ids.len(), pages), (450, 18));
    // Oldest first on request.
    let (ids, _) = pull_all(&env, &t, &[("sort_order", "A".into())]).await;
    assert_eq!(
        ids[0],
        env.sim.record_id(&org, Entity::Invoices, 0).unwrap()
    );
}

#[tokio::test]
async fn records_added_between_pages_repeat_rows_but_never_skip() {
    let env = start(SimConfig {
        records_per_entity: 300,
        ..cfg()
    })
    .await;
    let t = env.connect().await;
    let org = env.org();
    let (_, _, p1) = env.org_get(&t, "invoices", &[("page", "1".into())]).await;
    let first: Vec<String> = p1["invoices"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["invoice_id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(env.sim.add_records(&org, Entity::Invoices, 5).unwrap(), 305);
    let (_, _, p2) = env.org_get(&t, "invoices", &[("page", "2".into())]).await;
    let second: Vec<String> = p2["invoices"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["invoice_id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(second.len(), 105);
    let repeated = second.iter().filter(|id| first.contains(id)).count();
    assert_eq!(repeated, 5);
    let all: HashSet<&String> = first.iter().chain(second.iter()).collect();
    assert_eq!(all.len(), 300, "every original record seen once or more");
    // The new records exist and are the newest.
    let newest = env.sim.record_id(&org, Entity::Invoices, 304).unwrap();
    let (s, _, _) = env.org_get(&t, &format!("invoices/{newest}"), &[]).await;
    assert_eq!(s, StatusCode::OK);
    let (_, _, p1) = env.org_get(&t, "invoices", &[]).await;
    assert_eq!(p1["invoices"][0]["invoice_id"], newest.as_str());
}

#[tokio::test]
async fn request_errors_are_zoho_shaped() {
    let env = start(cfg()).await;
    let t = env.connect().await;
    let api = t.api_domain.clone();
    // No token, or a bad one.
    let resp = env
        .http
        .get(format!(
            "{api}/books/v3/invoices?organization_id={}",
            env.org()
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
    let body: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(body["code"], 57);
    assert_eq!(
        body["message"],
        "You are not authorized to perform this operation"
    );
    let (s, _, body) = env
        .get(
            &api,
            "1000.bogus",
            "invoices",
            &[("organization_id", env.org())],
        )
        .await;
    assert_eq!(
        (s, body["code"].as_u64()),
        (StatusCode::UNAUTHORIZED, Some(57))
    );
    // Fact (Zoho, Airbyte issue 69830): organization_id missing while the
    // user has several organizations → 400, code 6024; unknown → 6041.
    let (s, _, body) = env.get(&api, &t.access, "invoices", &[]).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert_eq!(body["code"], 6024);
    let (s, _, body) = env
        .get(
            &api,
            &t.access,
            "invoices",
            &[("organization_id", "123".into())],
        )
        .await;
    assert_eq!(
        (s, body["code"].as_u64()),
        (StatusCode::BAD_REQUEST, Some(6041))
    );
    // Unknown record, unknown URL, bad page.
    let (s, _, body) = env.org_get(&t, "invoices/999999", &[]).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    assert_eq!(body["code"], 1002);
    assert_eq!(body["message"], "Invoice does not exist.");
    let beyond = env.sim.record_id(&env.org(), Entity::Invoices, 5).unwrap();
    let (s, _, _) = env.org_get(&t, &format!("invoices/{beyond}"), &[]).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _, body) = env.org_get(&t, "nosuchthing", &[]).await;
    assert_eq!((s, body["code"].as_u64()), (StatusCode::NOT_FOUND, Some(5)));
    let (s, _, body) = env
        .org_get(&t, "invoices", &[("page", "zero".into())])
        .await;
    assert_eq!(
        (s, body["code"].as_u64()),
        (StatusCode::BAD_REQUEST, Some(2))
    );
    // Vendors' ids are found under /contacts too.
    let vendor = env.sim.record_id(&env.org(), Entity::Vendors, 2).unwrap();
    let (s, _, body) = env.org_get(&t, &format!("contacts/{vendor}"), &[]).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(body["contact"]["contact_type"], "vendor");
    // The second organization serves its own data.
    let second = env.sim.organizations()[1].organization_id.clone();
    let (s, _, body) = env
        .get(&api, &t.access, "invoices", &[("organization_id", second)])
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(body["invoices"].as_array().unwrap().len(), 5);
}

#[tokio::test]
async fn endpoints_file_lists_every_region() {
    let env = start(cfg()).await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("endpoints.json");
    env.sim.write_endpoints_file(&path).unwrap();
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let map = v.as_object().unwrap();
    assert_eq!(map.len(), 10);
    for r in zbs_sim::REGIONS {
        let e = &map[r];
        assert_eq!(e.as_object().unwrap().len(), 2);
        for k in ["accounts", "api"] {
            assert!(
                e[k].as_str().unwrap().starts_with("http://127.0.0.1:"),
                "{r}.{k}"
            );
        }
        assert_ne!(e["accounts"], e["api"]);
    }
    assert_eq!(v, env.sim.endpoints_json());
}

#[tokio::test]
async fn fixed_ports_are_honoured() {
    let free = || {
        std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port()
    };
    let (a, b) = (free(), free());
    let mut cfg = cfg();
    cfg.regions = vec!["us".into()];
    cfg.ports.insert("us".into(), (a, b));
    let env = start(cfg).await;
    assert_eq!(
        env.sim.accounts_url("us").unwrap(),
        format!("http://127.0.0.1:{a}")
    );
    assert_eq!(
        env.sim.api_url("us").unwrap(),
        format!("http://127.0.0.1:{b}")
    );
    assert!(env.sim.api_url("eu").is_none());
    env.sim.shutdown().await;
}

/// Fact (Zoho's Books API, Airbyte issue 69830): a user with one
/// organization may leave out `organization_id`, and Zoho reads that one;
/// with several, it answers 400 with code 6024.
#[tokio::test]
async fn without_organization_id_one_organization_is_read_and_several_are_6024() {
    let mut one = cfg();
    one.organizations.truncate(1);
    let env = start(one).await;
    let t = env.connect().await;
    let (s, _, body) = env.get(&t.api_domain, &t.access, "invoices", &[]).await;
    assert_eq!(s, StatusCode::OK, "{body}");
    assert_eq!(body["code"], 0);

    let env = start(cfg()).await;
    assert!(env.sim.organizations().len() > 1);
    let t = env.connect().await;
    let (s, _, body) = env.get(&t.api_domain, &t.access, "invoices", &[]).await;
    assert_eq!(
        (s, body["code"].as_u64()),
        (StatusCode::BAD_REQUEST, Some(6024))
    );
}

/// Fact (Books API reference, Databricks' connector troubleshooting): code
/// 57 also comes with a valid token when the Zoho user's role does not cover
/// the module; the other modules still answer, and `GET /users/me` names the
/// user and their role.
#[tokio::test]
async fn a_module_the_users_role_does_not_cover_is_401_code_57_with_a_valid_token() {
    let env = start(SimConfig {
        role_denies: vec!["bills".into()],
        user_role: "staff".into(),
        ..cfg()
    })
    .await;
    let t = env.connect().await;
    let (s, _, body) = env.org_get(&t, "bills", &[]).await;
    assert_eq!(
        (s, body["code"].as_u64()),
        (StatusCode::UNAUTHORIZED, Some(57))
    );
    let (s, _, body) = env.org_get(&t, "invoices", &[]).await;
    assert_eq!(s, StatusCode::OK, "{body}");
    let (s, _, body) = env.org_get(&t, "users/me", &[]).await;
    assert_eq!(s, StatusCode::OK, "{body}");
    assert_eq!(body["user"]["user_role"], "staff");
    assert!(body["user"]["email_ids"][0]["email"].is_string());
}

/// Reads every page of `path` with `query` while the churn fault adds and
/// edits records; the ids of the records that existed at the start that
/// were never listed, and what `page_context` said the order was.
async fn missed_under_churn(
    env: &Env,
    t: &Tokens,
    e: Entity,
    query: &[(&str, String)],
) -> (usize, String) {
    let org = env.org();
    let (path, key, id_key) = match e {
        Entity::Customers => ("contacts", "contacts", "contact_id"),
        Entity::Items => ("items", "items", "item_id"),
        Entity::ChartOfAccounts => ("chartofaccounts", "chartofaccounts", "account_id"),
        Entity::CustomerPayments => ("customerpayments", "customerpayments", "payment_id"),
        Entity::PurchaseOrders => ("purchaseorders", "purchaseorders", "purchaseorder_id"),
        _ => ("invoices", "invoices", "invoice_id"),
    };
    let at_start: Vec<String> = (0..env.sim.record_count(&org, e).unwrap())
        .map(|i| env.sim.record_id(&org, e, i).unwrap())
        .collect();
    let mut seen = HashSet::new();
    let mut order = String::new();
    for page in 1.. {
        let mut q = vec![("page", page.to_string()), ("per_page", "50".to_string())];
        if e == Entity::Customers {
            q.push(("contact_type", "customer".into()));
        }
        q.extend(query.iter().cloned());
        let (s, _, body) = env.org_get(t, path, &q).await;
        assert_eq!(s, StatusCode::OK, "{path} page {page}");
        for r in body[key].as_array().unwrap() {
            seen.insert(r[id_key].as_str().unwrap().to_string());
        }
        let pc = &body["page_context"];
        order = format!(
            "{} {}",
            pc["sort_column"].as_str().unwrap(),
            pc["sort_order"].as_str().unwrap()
        );
        if !pc["has_more_page"].as_bool().unwrap() {
            break;
        }
    }
    (
        at_start.iter().filter(|id| !seen.contains(*id)).count(),
        order,
    )
}

/// Facts: the recorded default list orders, `sort_column` / `sort_order`
/// honoured (purchase orders excepted), and offset paging under an order
/// that records move in. While people add and edit records between pages,
/// a read in each module's own order misses records that existed when it
/// began (renamed contacts, items and accounts move before the read
/// position; redated payments move after it and push others before it); a
/// read by creation time, oldest first, misses none. The chart of accounts
/// keeps its own order even when asked by creation, and says so.
#[tokio::test]
async fn under_churn_the_default_orders_lose_records_and_oldest_first_by_creation_loses_none() {
    let env = start(SimConfig {
        records_per_entity: 300,
        rate_limit: (10_000, std::time::Duration::from_secs(60)),
        daily_quota: Some(100_000),
        ..cfg()
    })
    .await;
    let t = env.connect().await;
    env.sim.faults().set_churn(3, 6);
    for (e, own) in [
        (Entity::Customers, "contact_name A"),
        (Entity::Items, "name A"),
        (Entity::CustomerPayments, "date D"),
    ] {
        let (missed, order) = missed_under_churn(&env, &t, e, &[]).await;
        assert_eq!(order, own, "{e:?}: its own order");
        assert!(missed > 0, "{e:?}: its own order loses records under churn");
        let by_creation = [
            ("sort_column", "created_time".to_string()),
            ("sort_order", "A".to_string()),
        ];
        let (missed, order) = missed_under_churn(&env, &t, e, &by_creation).await;
        assert_eq!(order, "created_time A", "{e:?}");
        assert_eq!(missed, 0, "{e:?}: oldest first by creation loses nothing");
    }
    let by_creation = [
        ("sort_column", "created_time".to_string()),
        ("sort_order", "A".to_string()),
    ];
    let (_, order) = missed_under_churn(&env, &t, Entity::ChartOfAccounts, &by_creation).await;
    assert_eq!(
        order, "account_type A",
        "the chart of accounts keeps its order"
    );
    let (_, order) = missed_under_churn(&env, &t, Entity::PurchaseOrders, &by_creation).await;
    assert_eq!(
        order, "created_time D",
        "purchase orders answer newest first"
    );
}
