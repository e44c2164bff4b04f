//! "Test" of a connection, asked of Zoho each time: the saved keys at the
//! connection's data center, the sign-in, and one record of each chosen
//! record type. Facts exercised (strict simulator, docs/zoho.md): a Zoho
//! user whose role does not cover a module gets 401 code 57 with a valid
//! token while other modules answer; a data center answers a code exchange
//! with the wrong secret `invalid_client` although an access token got
//! earlier still works.

use zbs_codes::Code;
use zbs_pull::PullControls;
use zbs_sim::SimConfig;
use zbs_tests::Harness;
use zbs_zoho::Entity;

#[tokio::test]
async fn test_reads_one_record_of_each_type_and_names_a_module_refused_to_the_user() {
    let h = Harness::ready(SimConfig {
        role_denies: vec!["bills".into()],
        ..SimConfig::default()
    })
    .await;
    let c = h.connect("us", None).await;
    let before = h.sim.stats(&c.organization_id).unwrap().accepted.len();
    let test = h
        .setup
        .test_connection(&c.id, &[Entity::Invoices, Entity::Bills, Entity::Customers])
        .await
        .unwrap();
    assert!(!test.ok, "{test:?}");
    let by: Vec<(Entity, bool)> = test.modules.iter().map(|m| (m.entity, m.ok)).collect();
    assert_eq!(
        by,
        vec![
            (Entity::Invoices, true),
            (Entity::Customers, true),
            (Entity::Bills, false)
        ]
    );
    let bills = &test.modules[2].message;
    assert!(
        bills.contains("read bills") && bills.contains("role"),
        "{bills}"
    );
    assert!(!bills.contains("Reconnect"), "{bills}");
    assert!(
        test.message.contains("bills could not be read"),
        "{}",
        test.message
    );
    // One small page each: the two that answered.
    let used = h.sim.stats(&c.organization_id).unwrap().accepted.len() - before;
    assert_eq!(used, 2, "calls Zoho counted");
    // The connection stays usable.
    let again = h
        .setup
        .test_connection(&c.id, &[Entity::Invoices])
        .await
        .unwrap();
    assert!(again.ok, "{again:?}");
    assert!(again.message.contains("the connection works"));
}

#[tokio::test]
async fn test_checks_the_saved_keys_now_even_while_a_kept_token_still_works() {
    let h = Harness::ready(SimConfig::default()).await;
    let c = h.connect("us", None).await;
    assert!(h.setup.test_connection(&c.id, &[]).await.unwrap().ok);
    // The Client Secret changes in the console: the kept access token still
    // reads Books for up to an hour, but no new sign-in or refresh works.
    let mut client = h.client.clone();
    client.client_secret = "0123456789abcdef0123456789abcdef01234567ab".into();
    h.sim.register_client(client);
    let test = h.setup.test_connection(&c.id, &[]).await.unwrap();
    assert!(!test.ok, "a cached token must not pass the test: {test:?}");
    assert!(test.message.contains("do not work"), "{}", test.message);
    assert!(test.message.contains("Settings tab"), "{}", test.message);
    assert!(!test.message.contains(&h.client.client_secret));
}

#[tokio::test]
async fn test_of_an_unknown_connection_says_so() {
    let h = Harness::ready(SimConfig::default()).await;
    let err = h.setup.test_connection("nope", &[]).await.unwrap_err();
    assert_eq!(err.code(), Code::UnknownConnection);
}

/// Fact: Zoho's plan table (Free 1,000 calls a day ...) is not what the
/// headers say (a Professional trial was recorded with `X-Rate-Limit-Limit:
/// 1000`). Before any call the forecast gives the plan's usual quota as a
/// guess, marked as one; after a pull it gives what Zoho's headers said,
/// here 777 a day on a Professional plan (5,000 in the table), and no guess.
#[tokio::test]
async fn the_quota_forecast_is_the_plan_tables_guess_only_until_zoho_says() {
    let h = Harness::ready(SimConfig {
        daily_quota: Some(777),
        ..SimConfig::default()
    })
    .await;
    let c = h.connect("us", None).await;
    assert_eq!(c.plan.as_deref(), Some("Professional"));
    let options = zbs_pull::PullOptions::default();
    let before = h.setup.forecast_pull(&c.id, &options).unwrap();
    assert_eq!(before.daily_quota_left, None);
    assert_eq!(before.daily_quota_guess, Some(5_000));
    let setup = std::sync::Arc::new(h.reopen());
    let report = setup
        .pull(&c.id, &options, PullControls::default())
        .await
        .unwrap();
    let after = setup.forecast_pull(&c.id, &options).unwrap();
    let left = after.daily_quota_left.expect("from the headers");
    // The pull's calls and the sign-in's one `GET /users/me` came off 777.
    assert_eq!(left, 777 - report.calls as u32 - 1);
    assert_eq!(after.daily_quota_guess, None);
}
