//! "Check my keys" against the simulator's console settings, and the
//! connect that fails at a data center naming it. Facts exercised (Zoho's
//! multi-DC behaviour): a data center not switched on for the client, or
//! with a secret of its own, answers `invalid_client` to a code exchange;
//! one that knows the client answers a made-up code with `invalid_code`.

use secrecy::SecretString;
use zbs_codes::Code;
use zbs_setup::keycheck::KeyCheckStatus;
use zbs_setup::CredentialsInput;
use zbs_sim::SimConfig;
use zbs_tests::Harness;

fn statuses(check: &zbs_setup::keycheck::KeyCheck) -> Vec<(String, KeyCheckStatus)> {
    check
        .data_centers
        .iter()
        .map(|d| (d.region.clone(), d.status))
        .collect()
}

#[tokio::test]
async fn every_chosen_data_center_is_asked_and_one_switched_off_is_named_with_its_fix() {
    let h = Harness::ready(SimConfig::default()).await;
    h.setup
        .set_regions(&["us".into(), "uk".into(), "eu".into()])
        .unwrap();
    let check = h.setup.check_keys_with_zoho().await.unwrap();
    assert!(check.all_ok(), "{check:?}");
    assert_eq!(
        statuses(&check),
        vec![
            ("us".into(), KeyCheckStatus::Ok),
            ("uk".into(), KeyCheckStatus::Ok),
            ("eu".into(), KeyCheckStatus::Ok)
        ]
    );

    // Europe switched off in the console's Settings tab.
    let mut client = h.client.clone();
    client.data_centers = Some(vec!["us".into(), "uk".into()]);
    h.sim.register_client(client);
    let check = h.setup.check_keys_with_zoho().await.unwrap();
    assert!(!check.all_ok());
    let eu = &check.data_centers[2];
    assert_eq!(eu.status, KeyCheckStatus::Refused);
    assert!(eu.message.contains("Europe"), "{}", eu.message);
    let fix = eu.fix.as_deref().unwrap();
    assert!(
        fix.contains("Settings tab") && fix.contains("switch on Europe"),
        "{fix}"
    );
    assert_eq!(check.data_centers[0].status, KeyCheckStatus::Ok);
    assert!(!format!("{check:?}").contains(&h.client.client_secret));
}

#[tokio::test]
async fn a_data_center_with_its_own_secret_refuses_the_common_one() {
    let h = Harness::ready(SimConfig::default()).await;
    h.setup.set_regions(&["us".into(), "uk".into()]).unwrap();
    let mut client = h.client.clone();
    client.own_secrets.insert(
        "uk".into(),
        "0123456789abcdef0123456789abcdef01234567ab".into(),
    );
    h.sim.register_client(client);
    let check = h.setup.check_keys_with_zoho().await.unwrap();
    assert_eq!(
        statuses(&check),
        vec![
            ("us".into(), KeyCheckStatus::Ok),
            ("uk".into(), KeyCheckStatus::Refused)
        ]
    );
}

#[tokio::test]
async fn a_connect_refused_by_a_data_center_names_it() {
    let h = Harness::ready(zbs_tests::app_link_sim()).await;
    let mut client = h.client.clone();
    client.data_centers = Some(vec!["uk".into()]);
    h.sim.register_client(client);
    let location = h.deep_link_consent().await;
    let err = h.setup.complete_connect_url(&location).await.unwrap_err();
    assert_eq!(err.code(), Code::InvalidClient);
    let message = err.to_string();
    assert!(message.contains("United States"), "{message}");
    assert!(message.contains("Settings tab"), "{message}");
}

#[tokio::test]
async fn keys_refused_everywhere_are_refused_everywhere() {
    let h = Harness::ready(SimConfig::default()).await;
    h.setup
        .save_credentials(CredentialsInput {
            client_id: h.client.client_id.clone(),
            client_secret: Some(SecretString::from(
                "ffffffffffffffffffffffffffffffffffffffffff".to_owned(),
            )),
        })
        .unwrap();
    let check = h.setup.check_keys_with_zoho().await.unwrap();
    assert!(check
        .data_centers
        .iter()
        .all(|d| d.status == KeyCheckStatus::Refused));
}

/// Fact (Zoho's Kaizen #43): about ten token requests per ten minutes, past
/// which Zoho refuses sign-ins for 15 to 30 minutes. "Check my keys" asks
/// each data center at most five times in ten minutes, counted in the data
/// folder's file so the window and `zbsetup` (here: a reopened `Setup`, as
/// another process opens the file) share the count; the sixth check asks
/// nothing and says when to check again, and ten minutes later it asks.
#[tokio::test]
async fn each_data_center_is_asked_at_most_five_times_in_ten_minutes() {
    let h = Harness::ready(SimConfig::default()).await;
    h.setup.set_regions(&["us".into(), "eu".into()]).unwrap();
    for _ in 0..3 {
        assert!(h.setup.check_keys_with_zoho().await.unwrap().all_ok());
    }
    let other = h.reopen();
    for _ in 0..2 {
        assert!(other.check_keys_with_zoho().await.unwrap().all_ok());
    }
    let sixth = h.setup.check_keys_with_zoho().await.unwrap();
    assert_eq!(
        statuses(&sixth),
        vec![
            ("us".into(), KeyCheckStatus::Unreachable),
            ("eu".into(), KeyCheckStatus::Unreachable)
        ]
    );
    for d in &sixth.data_centers {
        assert!(
            d.message.contains("was not asked this time")
                && d.message.contains("5 times in the last 10 minutes")
                && d.message.contains("Check again in about 10 minutes"),
            "{}",
            d.message
        );
    }
    // The ledger is the file's: ten minutes on, the data centers are asked.
    let conn = rusqlite::Connection::open(h.dir.path().join("zbsetup.sqlite3")).unwrap();
    conn.execute("UPDATE key_probes SET at_ms = at_ms - 600000", [])
        .unwrap();
    drop(conn);
    assert!(h.setup.check_keys_with_zoho().await.unwrap().all_ok());
}
