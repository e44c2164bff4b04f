//! Each demo story, staged on a demo of its own: the product's own calls
//! show the story's outcome, and once it ends the happy path is back. Run
//! under `tests/session.sh` (the demo's keyring service).

use std::sync::Arc;

use zbs_demo::{Demo, DemoStory, STORY_LABEL};
use zbs_pull::{Entity, PullControls, PullOptions, PullState};
use zbs_setup::connect::{Connection, ConnectionState, RedirectMethod};
use zbs_setup::keycheck::KeyCheckStatus;
use zbs_setup::Setup;

struct Env {
    demo: Demo,
    setup: Arc<Setup>,
    _dir: tempfile::TempDir,
}

async fn env() -> Env {
    let dir = tempfile::tempdir().expect("tempdir");
    let demo = Demo::start().await.expect("demo starts");
    let setup = Arc::new(demo.open(Some(dir.path().to_owned())).expect("opens"));
    Env {
        demo,
        setup,
        _dir: dir,
    }
}

impl Env {
    /// A sign-in as the person makes it in the window: Connect, Accept, the
    /// default organization. Returns where Zoho said the organization is.
    async fn connect(&self) -> Connection {
        let status = self.setup.status().expect("status");
        if !status.secret_stored {
            let keys = self.demo.keys();
            self.setup
                .save_credentials(zbs_setup::CredentialsInput {
                    client_id: keys.client_id,
                    client_secret: Some(keys.client_secret.into()),
                })
                .expect("keys");
            self.setup.set_enabled(true).expect("on");
        }
        let start = self
            .setup
            .start_connect(None, RedirectMethod::DeepLink, None)
            .expect("sign-in starts");
        let location = zbs_sim::accept_consent(&start.authorize_url)
            .await
            .expect("consent");
        self.setup
            .complete_connect_url(&location)
            .await
            .expect("signed in");
        self.setup.choose_organization(None).expect("connected")
    }

    async fn pull(&self, id: &str) -> Result<zbs_pull::PullReport, zbs_setup::Error> {
        self.setup
            .pull(id, &PullOptions::default(), PullControls::default())
            .await
    }

    async fn stage(&self, story: DemoStory) -> zbs_demo::StagedStory {
        let staged = self.demo.stage(story, &self.setup).await.expect("staged");
        assert_eq!(self.demo.story().as_ref(), Some(&staged));
        staged
    }

    async fn end(&self) {
        assert!(self.demo.end_story(&self.setup).await.expect("ends"));
        assert_eq!(self.demo.story(), None);
    }

    async fn clean_up(self) {
        for c in self.setup.connections().unwrap_or_default() {
            let _ = self.setup.disconnect(&c.id, true).await;
        }
        let _ = self.setup.clear_credentials();
    }
}

#[tokio::test]
async fn a_customer_in_europe_signs_in_at_the_us_and_connects_in_europe() {
    let env = env().await;
    let staged = env.stage(DemoStory::OtherDataCenter).await;
    assert_eq!(staged.step, "test");
    assert!(staged.caption.contains("accounts.zoho.com"), "{staged:?}");
    // Europe is not among the demo's chosen data centers: the caption says so.
    assert!(!env.setup.regions().unwrap().contains(&"eu".to_owned()));
    assert!(staged
        .caption
        .contains("not among the data centers chosen in \u{201c}Before you start\u{201d}"));
    let start = env
        .setup
        .start_connect(None, RedirectMethod::DeepLink, None)
        .expect("starts");
    assert!(start.authorize_url.starts_with(
        &env.setup
            .data_centers()
            .get("us")
            .unwrap()
            .accounts
            .to_string()
    ));
    let location = zbs_sim::accept_consent(&start.authorize_url)
        .await
        .expect("consent");
    let choices = env.setup.complete_connect_url(&location).await.expect("in");
    assert_eq!(choices[0].region, "eu");
    assert_eq!(choices[0].region_name, "Europe");
    assert!(
        !choices[0].region_chosen,
        "the window says Europe was not chosen"
    );
    let c = env.setup.choose_organization(None).expect("connected");
    assert_eq!(c.region, "eu");
    assert!(
        env.setup
            .test_connection(&c.id, &[])
            .await
            .expect("test")
            .ok
    );

    env.end().await;
    assert!(
        env.setup.connections().unwrap().is_empty(),
        "the European connection went with the story"
    );
    assert_eq!(env.connect().await.region, "us", "the happy path again");
    env.clean_up().await;
}

#[tokio::test]
async fn a_data_center_switched_off_is_refused_by_the_key_check_with_the_fix() {
    let env = env().await;
    let staged = env.stage(DemoStory::DataCenterOff).await;
    assert_eq!(staged.step, "keys");
    let check = env.setup.last_key_check().unwrap().expect("checked");
    let uk = check
        .data_centers
        .iter()
        .find(|d| d.region == "uk")
        .expect("uk row");
    assert_eq!(uk.status, KeyCheckStatus::Refused, "{check:?}");
    assert!(
        uk.fix.as_deref().unwrap_or("").contains("Settings tab"),
        "{uk:?}"
    );
    assert!(staged.caption.contains("United Kingdom"), "{staged:?}");
    let us = check
        .data_centers
        .iter()
        .find(|d| d.region == "us")
        .expect("us row");
    assert_eq!(us.status, KeyCheckStatus::Ok);

    env.end().await;
    assert!(env
        .setup
        .last_key_check()
        .unwrap()
        .expect("checked again")
        .all_ok());
    env.clean_up().await;
}

#[tokio::test]
async fn the_daily_quota_runs_out_mid_pull_which_pauses_and_continues_after_the_reset() {
    let env = env().await;
    let staged = env.stage(DemoStory::DailyQuota).await;
    let id = staged.connection.clone().expect("plays on a connection");
    let paused = env.pull(&id).await.expect_err("paused");
    assert_eq!(paused.code(), zbs_setup::Code::QuotaExhausted, "{paused}");
    assert!(paused.to_string().contains("daily"), "{paused}");
    let results = env.setup.pull_results(&id).unwrap();
    assert_eq!(results.history[0].state, PullState::PausedQuota);
    assert!(
        results.history[0].calls >= 1,
        "something was pulled before the limit"
    );
    let quota = results.quota.expect("the quota is known");
    assert!(quota.resets_at.is_some(), "{quota:?}");

    env.end().await;
    // Ended: the quota figure is no longer the story's "none left".
    let after = env.setup.pull_results(&id).unwrap().quota;
    assert!(
        after.as_ref().is_none_or(|q| q.remaining != Some(0)),
        "{after:?}"
    );
    // The connection the story made is the demo's own now; the pull continues.
    let report = env.pull(&id).await.expect("continues");
    assert!(report.complete, "{report:?}");
    // And Zoho's headers are believed again: calls are left.
    let quota = env
        .setup
        .pull_results(&id)
        .unwrap()
        .quota
        .expect("reported");
    assert!(quota.remaining.is_some_and(|r| r > 0), "{quota:?}");
    env.clean_up().await;
}

#[tokio::test]
async fn a_module_the_users_role_refuses_is_named_by_test_and_set_aside_by_a_pull() {
    let env = env().await;
    let mine = env.connect().await;
    let staged = env.stage(DemoStory::ModuleRefused).await;
    assert_eq!(
        staged.connection.as_deref(),
        Some(mine.id.as_str()),
        "plays on the demo's connection"
    );
    let test = env
        .setup
        .test_connection(&mine.id, &[])
        .await
        .expect("test");
    assert!(!test.ok);
    let refused: Vec<_> = test.modules.iter().filter(|m| !m.ok).collect();
    assert_eq!(refused.len(), 1, "{test:?}");
    assert_eq!(refused[0].entity, Entity::CreditNotes);
    assert!(refused[0].message.contains("role"), "{:?}", refused[0]);
    let report = env.pull(&mine.id).await.expect("the others are pulled");
    assert_eq!(
        report.not_permitted,
        vec![Entity::CreditNotes],
        "{report:?}"
    );
    assert!(report.entities["invoices"].records > 0);

    env.end().await;
    assert!(
        env.setup
            .test_connection(&mine.id, &[])
            .await
            .expect("test")
            .ok
    );
    assert_eq!(
        env.setup.connections().unwrap().len(),
        1,
        "the demo's connection stays"
    );
    env.clean_up().await;
}

#[tokio::test]
async fn too_many_sign_ins_warn_naming_the_oldest_then_mark_it_and_all_goes_with_the_story() {
    let env = env().await;
    let mine = env.connect().await;
    env.stage(DemoStory::TooManySignIns).await;
    assert_eq!(env.setup.connections().unwrap().len(), 19);
    let oldest = mine.organization_name.clone();
    let warning = |start: zbs_setup::connect::ConnectStart| start.warning.expect("a warning");
    let w = warning(
        env.setup
            .start_connect(None, RedirectMethod::DeepLink, None)
            .unwrap(),
    );
    assert!(
        w.contains("19 connections") && w.contains("last that fits"),
        "{w}"
    );
    assert!(
        w.contains(&format!("\"{oldest}\"")),
        "names the oldest: {w}"
    );
    env.setup.cancel_connect();
    env.connect().await; // the 20th
    let w = warning(
        env.setup
            .start_connect(None, RedirectMethod::DeepLink, None)
            .unwrap(),
    );
    assert!(w.contains("makes Zoho drop the oldest"), "{w}");
    env.setup.cancel_connect();
    env.connect().await; // the 21st: Zoho drops the oldest
    let first = env.setup.connection(&mine.id).unwrap();
    assert_eq!(first.state, ConnectionState::NeedsReconnect);

    env.end().await;
    let left = env.setup.connections().unwrap();
    assert_eq!(left.len(), 1, "only the demo's own connection stays");
    assert_eq!(left[0].id, mine.id);
    assert_eq!(left[0].state, ConnectionState::Ok, "signed in again");
    assert!(
        env.setup
            .test_connection(&mine.id, &[])
            .await
            .expect("test")
            .ok
    );
    assert!(env
        .setup
        .start_connect(None, RedirectMethod::DeepLink, None)
        .unwrap()
        .warning
        .is_none());
    env.setup.cancel_connect();
    env.clean_up().await;
}

/// The window closed mid-story: the next start is on the happy path, and
/// what the story made in the demo profile is removed.
#[tokio::test]
async fn a_relaunch_mid_story_leaves_nothing_of_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    {
        let demo = Demo::start().await.expect("demo starts");
        let setup = demo.open(Some(dir.path().to_owned())).expect("opens");
        demo.stage(DemoStory::TooManySignIns, &setup)
            .await
            .expect("staged");
        assert!(setup.connections().unwrap().iter().all(|c| c
            .label
            .as_deref()
            .unwrap_or("")
            .starts_with(STORY_LABEL)));
    }
    let demo = Demo::start().await.expect("demo starts again");
    let setup = demo.open(Some(dir.path().to_owned())).expect("opens");
    assert_eq!(demo.tidy_stories(&setup).await, 19);
    assert!(setup.connections().unwrap().is_empty());
    let _ = setup.clear_credentials();
}
