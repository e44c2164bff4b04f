//! Permission is not expiry. Zoho answers 401 code 57 with a *valid* token
//! when the Zoho user's role does not cover a module (docs/zoho.md, "Code
//! 57 with a valid token"); the strict simulator does the same for the
//! modules in `role_denies`. A pull then finishes the other record types,
//! names the refused one, asks for no more than one new token, and leaves
//! the connection usable.

use std::sync::atomic::Ordering;
use std::time::Duration;

use zbs_codes::Code;
use zbs_pull::{PullError, PullRequest, PullState};
use zbs_zoho::Entity;

mod common;
use common::{all_of, sim_config, Env};

fn denying(modules: &[&str]) -> zbs_sim::SimConfig {
    zbs_sim::SimConfig {
        role_denies: modules.iter().map(|m| m.to_string()).collect(),
        ..sim_config(60, (10_000, Duration::from_secs(1)))
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_module_refused_to_the_user_leaves_the_others_complete() {
    let env = Env::start(denying(&["bills"])).await;
    let tokens = env.tokens().await;
    let p = env.puller(20);
    let options = all_of(&[Entity::Invoices, Entity::Bills, Entity::Customers]);
    let report = p
        .run(PullRequest::new("c", &env.org, &options, tokens.clone()))
        .await
        .expect("the modules the user may read are pulled");
    assert_eq!(report.state, PullState::Completed);
    assert_eq!(report.not_permitted, vec![Entity::Bills]);
    assert_eq!(env.stored_ids("c", Entity::Invoices).len(), 60);
    assert_eq!(env.stored_ids("c", Entity::Customers).len(), 60);
    assert!(env.stored_ids("c", Entity::Bills).is_empty());
    let message = report.message.expect("the refusal is explained");
    assert!(message.contains("read bills"), "{message}");
    assert!(message.contains("role"), "{message}");
    assert!(
        !message.contains("connect the organization again"),
        "{message}"
    );
    // One new token at most: a refresh proved the token valid, no loop.
    assert!(tokens.refreshes.load(Ordering::SeqCst) <= 1);
    // The history keeps it, for the window and a later process.
    let h = &p.history(Some("c"), 1).expect("history")[0];
    assert_eq!(h.state, PullState::Completed);
    assert_eq!(h.not_permitted, vec![Entity::Bills]);
    assert!(h.message.as_deref().is_some_and(|m| m.contains("bills")));
}

#[tokio::test(flavor = "multi_thread")]
async fn every_module_refused_fails_the_pull_naming_them_not_the_sign_in() {
    let env = Env::start(denying(&["invoices", "creditnotes"])).await;
    let tokens = env.tokens().await;
    let p = env.puller(20);
    let err = p
        .run(PullRequest::new(
            "c",
            &env.org,
            &all_of(&[Entity::Invoices, Entity::CreditNotes]),
            tokens.clone(),
        ))
        .await
        .expect_err("nothing could be read");
    assert_eq!(err.code(), Code::NotPermitted);
    let PullError::NotPermitted { entities, .. } = &err else {
        panic!("{err}");
    };
    assert_eq!(entities.len(), 2);
    let text = err.to_string();
    assert!(text.contains("invoices and credit notes"), "{text}");
    assert_eq!(tokens.refreshes.load(Ordering::SeqCst), 1);
    let h = &p.history(Some("c"), 1).expect("history")[0];
    assert_eq!(h.state, PullState::Failed);
    assert_eq!(h.error_code.as_deref(), Some("not_permitted"));
}

#[tokio::test(flavor = "multi_thread")]
async fn an_expired_token_is_still_refreshed_and_the_pull_completes() {
    // The same 401 code 57 for an expired token: a refresh fixes it, so it
    // must not be taken for a permission problem.
    let env = Env::start(sim_config(60, (10_000, Duration::from_secs(1)))).await;
    let tokens = env.tokens().await;
    env.sim.faults().expire_access_tokens();
    let p = env.puller(20);
    let report = p
        .run(PullRequest::new(
            "c",
            &env.org,
            &all_of(&[Entity::Invoices, Entity::Customers]),
            tokens.clone(),
        ))
        .await
        .expect("a refreshed token reads everything");
    assert!(report.not_permitted.is_empty());
    assert_eq!(tokens.refreshes.load(Ordering::SeqCst), 1);
    assert_eq!(env.stored_ids("c", Entity::Invoices).len(), 60);
}
