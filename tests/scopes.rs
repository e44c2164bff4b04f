//! A sign-in asks Zoho only for what the chosen record types need (plus
//! settings, which listing organizations needs), keeps what Zoho granted,
//! and names a record type outside it with "reconnect to allow it" before
//! any call; a reconnect asks for the new type and keeps the old ones.
//! The simulator refuses a module the granted scope does not cover with 401
//! code 57, as Zoho does (`zbs-sim`'s `scopes_are_checked`): here the app
//! does not even ask.

use std::collections::HashMap;
use std::sync::Arc;

use zbs_codes::Code;
use zbs_pull::{PullControls, PullOptions};
use zbs_setup::connect::RedirectMethod;
use zbs_tests::Harness;
use zbs_zoho::Entity;

fn asked_scopes(authorize_url: &str) -> Vec<String> {
    let url = url::Url::parse(authorize_url).unwrap();
    let q: HashMap<String, String> = url.query_pairs().into_owned().collect();
    q["scope"].split(',').map(str::to_owned).collect()
}

#[tokio::test]
async fn a_sign_in_asks_only_for_the_chosen_record_types_and_a_reconnect_adds_one() {
    let h = Harness::ready(zbs_tests::app_link_sim()).await;
    let sample = [Entity::Invoices, Entity::CreditNotes, Entity::Customers];
    let start = h
        .setup
        .start_connect_to_read(Some("us"), RedirectMethod::DeepLink, None, &sample)
        .unwrap();
    assert_eq!(
        asked_scopes(&start.authorize_url),
        vec![
            "ZohoBooks.settings.READ",
            "ZohoBooks.invoices.READ",
            "ZohoBooks.creditnotes.READ",
            "ZohoBooks.contacts.READ"
        ],
        "4 scopes for a 3-type sample, not 8"
    );
    assert!(
        start
            .asking
            .contains("invoices, credit notes, and contacts (customers and vendors)")
            && start
                .asking
                .contains("settings, to list your organizations"),
        "{}",
        start.asking
    );
    let location = zbs_sim::accept_consent(&start.authorize_url).await.unwrap();
    h.setup.complete_connect_url(&location).await.unwrap();
    let c = h.setup.choose_organization(None).unwrap();
    assert_eq!(
        c.can_read,
        vec![
            Entity::Invoices,
            Entity::CreditNotes,
            Entity::Customers,
            Entity::Vendors,
            Entity::Items
        ]
    );
    // Kept across a restart, as Zoho granted it.
    assert_eq!(h.reopen().connection(&c.id).unwrap().can_read, c.can_read);

    // Bills are outside: named with the fix, and Zoho is not asked.
    let setup = Arc::new(h.reopen());
    let calls = || {
        h.sim
            .stats(&c.organization_id)
            .map_or(0, |s| s.accepted.len())
    };
    let before = calls();
    let bills = PullOptions {
        entities: vec![Entity::Bills, Entity::Invoices],
        sample: Some(5),
        ..PullOptions::default()
    };
    let err = setup
        .pull(&c.id, &bills, PullControls::default())
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::ScopeMissing);
    assert!(
        err.to_string().contains("does not allow reading bills")
            && err.to_string().contains("Reconnect"),
        "{err}"
    );
    let test = setup
        .test_connection(&c.id, &[Entity::Invoices, Entity::Bills])
        .await
        .unwrap();
    assert!(!test.ok);
    let bill = test
        .modules
        .iter()
        .find(|m| m.entity == Entity::Bills)
        .unwrap();
    assert!(
        !bill.ok && bill.message.contains("Reconnect"),
        "{}",
        bill.message
    );
    assert_eq!(
        calls() - before,
        1,
        "Test read invoices only; bills were not asked"
    );

    // Reconnect asking for bills: the old types are asked for again too.
    let again = setup
        .start_connect_to_read(
            None,
            RedirectMethod::DeepLink,
            Some(&c.id),
            &[Entity::Bills],
        )
        .unwrap();
    let asked = asked_scopes(&again.authorize_url);
    for scope in [
        "ZohoBooks.bills.READ",
        "ZohoBooks.invoices.READ",
        "ZohoBooks.creditnotes.READ",
        "ZohoBooks.contacts.READ",
    ] {
        assert!(asked.iter().any(|s| s == scope), "{scope} in {asked:?}");
    }
    let location = zbs_sim::accept_consent(&again.authorize_url).await.unwrap();
    setup.complete_connect_url(&location).await.unwrap();
    let renewed = setup.choose_organization(None).unwrap();
    assert_eq!(renewed.id, c.id);
    assert!(
        renewed.can_read.contains(&Entity::Bills) && renewed.can_read.contains(&Entity::Invoices)
    );
    let report = setup
        .pull(&c.id, &bills, PullControls::default())
        .await
        .unwrap();
    assert!(report.complete, "{report:?}");
}

/// A sign-in for every record type (`zbsetup connect`'s) can read each one.
#[tokio::test]
async fn a_sign_in_for_everything_can_read_every_record_type() {
    let h = Harness::ready(zbs_sim::SimConfig::default()).await;
    let c = h.connect("us", None).await;
    assert_eq!(c.can_read, Entity::all().to_vec());
}

/// The simulator keeps its own list of what Zoho serves (it must not learn
/// Zoho from the client): every record type the client declares is served
/// there under the same name, path, list and detail keys and scope module.
#[test]
fn the_simulator_serves_every_record_type_the_client_declares() {
    for e in Entity::all() {
        let sim = zbs_sim::Entity::from_name(e.name())
            .unwrap_or_else(|| panic!("the simulator does not serve {e}"));
        assert_eq!(format!("/{}", sim.resource()), e.path(), "{e}: path");
        assert_eq!(sim.resource(), e.list_key(), "{e}: list key");
        assert_eq!(sim.detail_key(), e.detail_key(), "{e}: detail key");
        assert_eq!(sim.scope_module(), e.scope_module(), "{e}: scope module");
    }
}
