//! Demo stories: rehearsed scenes for sales engineers, beside the happy
//! path. One call stages a story on the demo's own simulator (and the demo
//! profile, where the story needs keys or a connection) and says which
//! screen it plays on and what the customer would see there; ending it puts
//! the simulator back on the happy path.
//!
//! A story only switches documented behaviours of the running simulator
//! (`SimHandle::set_home_region`, the client's console settings, the
//! fault knobs): the simulator's defaults stay Zoho's. Connections made
//! while a story runs go when it ends (those it staged are named
//! [`STORY_LABEL`] …), and a connection Zoho dropped during it is signed
//! in again; a relaunch starts a new simulator on the happy path and
//! [`Demo::tidy_stories`] removes what a story left in the demo profile.

use std::sync::Mutex;

use serde::{Deserialize, Serialize};
use ts_rs::TS;
use zbs_setup::checklist::StepId;
use zbs_setup::connect::{Connection, ConnectionState, RedirectMethod};
use zbs_setup::keycheck::KeyCheckStatus;
use zbs_setup::{CredentialsInput, Error, Setup};
use zbs_sim::{ClientSpec, SimHandle, REGIONS};

use crate::Demo;

/// The name of the connections a story signs in by itself.
pub const STORY_LABEL: &str = "Demo story sign-in";

/// The data center the "customer in another data center" lives in.
const ELSEWHERE: &str = "eu";

/// The module the "user without permission" story refuses (a scope name).
const REFUSED_MODULE: &str = "creditnotes";

/// Live sign-ins the "too many sign-ins" story leaves the Zoho user with:
/// the next is the last Zoho keeps without dropping one.
const SIGN_INS_STAGED: usize = zbs_setup::connect::ZOHO_REFRESH_TOKEN_LIMIT as usize - 1;

/// A rehearsed story of the demo.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum DemoStory {
    /// The customer's organization lives in Zoho's European data center.
    OtherDataCenter,
    /// A chosen data center is not switched on in the API console.
    DataCenterOff,
    /// The organization's daily API quota runs out during a pull.
    DailyQuota,
    /// The Zoho user's role does not allow one module.
    ModuleRefused,
    /// A Zoho user near and past Zoho's 20 sign-ins per client.
    TooManySignIns,
}

impl DemoStory {
    /// Every story, in the order the window lists them.
    pub const ALL: [DemoStory; 5] = [
        DemoStory::OtherDataCenter,
        DemoStory::DataCenterOff,
        DemoStory::DailyQuota,
        DemoStory::ModuleRefused,
        DemoStory::TooManySignIns,
    ];

    /// The story's name on the command line (`other-data-center`, ...).
    pub fn name(self) -> &'static str {
        match self {
            DemoStory::OtherDataCenter => "other-data-center",
            DemoStory::DataCenterOff => "data-center-off",
            DemoStory::DailyQuota => "daily-quota",
            DemoStory::ModuleRefused => "module-refused",
            DemoStory::TooManySignIns => "too-many-sign-ins",
        }
    }

    /// The story by its command-line name.
    pub fn from_name(name: &str) -> Option<DemoStory> {
        Self::ALL.into_iter().find(|s| s.name() == name)
    }

    fn title(self) -> &'static str {
        match self {
            DemoStory::OtherDataCenter => "A customer in another data center",
            DemoStory::DataCenterOff => "A data center not switched on",
            DemoStory::DailyQuota => "The daily quota runs out mid-pull",
            DemoStory::ModuleRefused => "A Zoho user who may not read one module",
            DemoStory::TooManySignIns => "Too many sign-ins",
        }
    }

    fn description(self) -> &'static str {
        match self {
            DemoStory::OtherDataCenter => {
                "The customer signs in at accounts.zoho.com as always, and their organization \
                 comes back from Zoho's European data center, where the app connects it."
            }
            DemoStory::DataCenterOff => {
                "One chosen data center refuses the keys, and the key check names it with the \
                 fix to make in Zoho's API console."
            }
            DemoStory::DailyQuota => {
                "A sample pull stops on Zoho's daily limit, keeps what it pulled, says when the \
                 quota resets at the organization's midnight, and continues later."
            }
            DemoStory::ModuleRefused => {
                "Test names the one module the Zoho user's role does not allow and the fix, and \
                 a pull sets it aside and finishes the rest."
            }
            DemoStory::TooManySignIns => {
                "Before a Zoho user's 20th sign-in the app names the connection Zoho would drop, \
                 and past 20 it marks the dropped one for reconnecting."
            }
        }
    }

    fn info(self) -> StoryInfo {
        StoryInfo {
            story: self,
            title: self.title().to_owned(),
            description: self.description().to_owned(),
        }
    }
}

/// A story as the window lists it: its button and one sentence.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct StoryInfo {
    pub story: DemoStory,
    pub title: String,
    /// What the customer will see, in one sentence.
    pub description: String,
}

/// A story set up on the simulator: where it plays and what to say.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct StagedStory {
    pub story: DemoStory,
    pub title: String,
    /// What the customer would see, and what to click, in plain words.
    pub caption: String,
    /// The checklist step the story plays on.
    pub step: StepId,
    /// The connection it plays on, when it needs one.
    pub connection: Option<String>,
}

/// What ending a story puts back on the simulator.
enum Undo {
    Home(String),
    Client(ClientSpec),
    Quota(String),
    Denies,
    Nothing,
}

/// The story running, and what was there before it.
pub(crate) struct Running {
    shown: StagedStory,
    undo: Undo,
    /// The connections before the story, with their state.
    before: Vec<(String, ConnectionState)>,
    /// A connection the story made to play on, kept afterwards as the
    /// demo's own (it works on the happy path).
    kept: Option<String>,
}

fn story_error(detail: impl std::fmt::Display) -> Error {
    Error::DemoStory {
        detail: detail.to_string(),
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// The running story's slot in a [`Demo`].
#[derive(Default)]
pub(crate) struct StorySlot(Mutex<Option<Running>>);

impl Demo {
    /// Every story, for the window's "Demo stories" panel.
    pub fn stories() -> Vec<StoryInfo> {
        DemoStory::ALL.into_iter().map(DemoStory::info).collect()
    }

    /// The story running now, if any.
    pub fn story(&self) -> Option<StagedStory> {
        lock(&self.story.0).as_ref().map(|r| r.shown.clone())
    }

    fn story_sim(&self) -> Result<&SimHandle, Error> {
        self.sim.as_ref().ok_or_else(|| {
            story_error("stories play on the window's demo, not on one it attached to")
        })
    }

    /// Stages `story` on this demo's simulator and the demo profile `setup`
    /// (ending a story already running first): the keys and the switch of
    /// the demo when missing, and a connection when the story plays on one.
    pub async fn stage(&self, story: DemoStory, setup: &Setup) -> Result<StagedStory, Error> {
        let sim = self.story_sim()?;
        if setup.status()?.profile != zbs_setup::Profile::Demo {
            return Err(story_error("stories play in demo mode only"));
        }
        self.end_story(setup).await?;
        self.ready(setup)?;
        let before = setup
            .connections()?
            .into_iter()
            .map(|c| (c.id, c.state))
            .collect();
        // Kept from the start: a story that fails halfway is ended all the same.
        *lock(&self.story.0) = Some(Running {
            shown: StagedStory {
                story,
                title: story.title().to_owned(),
                caption: String::new(),
                step: StepId::Test,
                connection: None,
            },
            undo: Undo::Nothing,
            before,
            kept: None,
        });
        match self.play(story, setup, sim).await {
            Ok(shown) => {
                if let Some(r) = lock(&self.story.0).as_mut() {
                    r.shown = shown.clone();
                }
                tracing::info!(story = story.name(), "demo story staged");
                Ok(shown)
            }
            Err(e) => {
                if let Err(undo) = self.end_story(setup).await {
                    tracing::warn!(error = %undo, "a story that failed could not be ended");
                }
                Err(e)
            }
        }
    }

    /// What ending the story puts back, recorded as soon as it is changed.
    fn on_end(&self, undo: Undo) {
        if let Some(r) = lock(&self.story.0).as_mut() {
            r.undo = undo;
        }
    }

    /// Sets `story` up; what the window shows of it.
    async fn play(
        &self,
        story: DemoStory,
        setup: &Setup,
        sim: &SimHandle,
    ) -> Result<StagedStory, Error> {
        let mut connection = None;
        let (step, caption) = match story {
            DemoStory::OtherDataCenter => self.stage_other_data_center(setup, sim)?,
            DemoStory::DataCenterOff => self.stage_data_center_off(setup, sim).await?,
            DemoStory::DailyQuota | DemoStory::ModuleRefused => {
                // The stories played on a connection fetch it once, here.
                let c = self.connection_to_play_on(setup).await?;
                connection = Some(c.id.clone());
                match story {
                    DemoStory::DailyQuota => self.stage_daily_quota(sim, &c)?,
                    _ => self.stage_module_refused(sim, &c)?,
                }
            }
            DemoStory::TooManySignIns => self.stage_too_many_sign_ins(setup, sim).await?,
        };
        Ok(StagedStory {
            story,
            title: story.title().to_owned(),
            caption,
            step,
            connection,
        })
    }

    /// The customer's organization in Europe: the simulated account moves there.
    fn stage_other_data_center(
        &self,
        setup: &Setup,
        sim: &SimHandle,
    ) -> Result<(StepId, String), Error> {
        let home = sim.home_region();
        if !sim.set_home_region(ELSEWHERE) {
            return Err(story_error("the simulator has no European data center"));
        }
        self.on_end(Undo::Home(home));
        let name = dc_name(setup, ELSEWHERE);
        let mut caption = format!(
            "Click \u{201c}Connect a test organization\u{201d} and Accept. The sign-in \
             starts at accounts.zoho.com, as every sign-in does, and Zoho sends it on to \
             the customer's own data center: the organization to choose says \
             \u{201c}Data center: {name}\u{201d}, and the app connects it there, with \
             nothing to pick by hand."
        );
        // The browser shows the simulator's own address: say what a
        // customer's browser shows there instead.
        let host = |region: &str| {
            zbs_zoho::DataCenters::builtin()
                .get(region)
                .and_then(|d| d.accounts.host_str().map(str::to_string))
        };
        if let (Some(start), Some(there)) = (host("us"), host(ELSEWHERE)) {
            caption.push_str(&format!(
                " The browser's address is the demo's own (127.0.0.1): your customer's \
                 shows {start}, then {there}."
            ));
        }
        if !setup.regions()?.iter().any(|r| r == ELSEWHERE) {
            caption.push_str(&format!(
                " {name} is not among the data centers chosen in \u{201c}Before you start\u{201d}: it \
                 connects because the console has {name} switched on, but \u{201c}Check \
                 my keys\u{201d} asks it only once it is chosen. With {name} switched \
                 off in the console, the sign-in would be refused, naming {name} and \
                 the fix."
            ));
        }
        Ok((StepId::Test, caption))
    }

    /// A data center switched off in the simulated console, and the key check asked at once.
    async fn stage_data_center_off(
        &self,
        setup: &Setup,
        sim: &SimHandle,
    ) -> Result<(StepId, String), Error> {
        let region = refused_region(setup, &sim.home_region())?;
        let name = dc_name(setup, &region);
        let original = sim
            .clients()
            .into_iter()
            .find(|c| c.client_id == self.client.client_id)
            .ok_or_else(|| story_error("the demo client is gone"))?;
        let mut off = original.clone();
        off.data_centers = Some(
            REGIONS
                .iter()
                .filter(|r| **r != region)
                .map(|r| (*r).to_owned())
                .collect(),
        );
        sim.register_client(off);
        self.on_end(Undo::Client(original));
        // The person sees the answer at once, as after saving keys.
        let check = setup.check_keys_with_zoho().await?;
        let refused = check
            .data_centers
            .iter()
            .any(|d| d.region == region && d.status == KeyCheckStatus::Refused);
        let caption = if refused {
            format!(
                "The simulated API console has {name} switched off for this client. \
                 \u{201c}Check my keys\u{201d} just asked every chosen data center: \
                 {name} refuses the keys, and its row says what to change in the \
                 console's Settings tab. Until then a customer there cannot connect, and \
                 this step stays open."
            )
        } else {
            format!(
                "The simulated API console has {name} switched off for this client, but \
                 these keys were checked too often in the last ten minutes for Zoho to be \
                 asked again now. Click \u{201c}Check again\u{201d} in a few minutes: \
                 {name} refuses the keys, with what to change in the console's Settings \
                 tab."
            )
        };
        Ok((StepId::Keys, caption))
    }

    /// One API call left of today's quota for the organization played on, `c`.
    fn stage_daily_quota(
        &self,
        sim: &SimHandle,
        c: &Connection,
    ) -> Result<(StepId, String), Error> {
        self.on_end(Undo::Quota(c.organization_id.clone()));
        sim.faults()
            .leave_daily_quota(&c.organization_id, 1)
            .map_err(story_error)?;
        let caption = format!(
            "Only one API call is left of today's quota for {org}. Click \u{201c}Start \
             the pull\u{201d}: the first record type arrives, then Zoho answers that the \
             daily limit is reached. The pull pauses, keeps what it pulled, and says the \
             quota resets at midnight in the organization's time zone. End the story \
             (the quota comes back, as at midnight, and the window forgets Zoho's last \
             \u{201c}nothing left\u{201d}) and resume the pull: it picks up where it \
             paused.",
            org = c.organization_name
        );
        Ok((StepId::Test, caption))
    }

    /// A Zoho user whose role does not allow credit notes, on `c`.
    fn stage_module_refused(
        &self,
        sim: &SimHandle,
        c: &Connection,
    ) -> Result<(StepId, String), Error> {
        self.on_end(Undo::Denies);
        sim.faults().set_role_denies(&[REFUSED_MODULE]);
        let caption = format!(
            "The Zoho user who connected {org} has a role that does not allow credit \
             notes. Click \u{201c}Test\u{201d}: the keys and the sign-in pass, and \
             Credit notes is named with what the organization's admin should change. A \
             sample pull brings the invoices and customers and sets the credit notes \
             aside, saying why.",
            org = c.organization_name
        );
        Ok((StepId::Test, caption))
    }

    /// Sign-ins staged up to the last one Zoho keeps for the demo's user.
    async fn stage_too_many_sign_ins(
        &self,
        setup: &Setup,
        sim: &SimHandle,
    ) -> Result<(StepId, String), Error> {
        let email = sim.config().user_email.clone();
        let have = setup
            .sign_ins_per_user()?
            .into_iter()
            .find(|g| g.email.as_deref() == Some(email.as_str()))
            .map_or(0, |g| g.connections.len());
        for n in have..SIGN_INS_STAGED {
            let c = self.sign_in(setup, None).await?;
            setup.rename_connection(&c.id, &format!("{STORY_LABEL} {}", n + 1))?;
        }
        // The story's sign-ins were staged, not the person's: they
        // do not count toward the codes per Client ID it warns of.
        setup.forget_sign_in_starts()?;
        let caption = format!(
            "{email} now has {SIGN_INS_STAGED} connections here, one sign-in each (those \
             named \u{201c}{STORY_LABEL}\u{201d} were made for this story). Click \
             \u{201c}Connect a test organization\u{201d}: the app warns that this is the \
             last sign-in Zoho keeps and names the connection Zoho drops after it. \
             Connect once more after that, and the oldest is marked \u{201c}Needs \
             reconnecting\u{201d}."
        );
        Ok((StepId::Test, caption))
    }

    /// Ends the running story (false: none ran): the simulator back on the
    /// happy path, the connections made during the story gone, and those
    /// Zoho dropped during it signed in again.
    pub async fn end_story(&self, setup: &Setup) -> Result<bool, Error> {
        let Some(running) = lock(&self.story.0).take() else {
            return Ok(false);
        };
        let sim = self.story_sim()?;
        match &running.undo {
            Undo::Home(home) => {
                sim.set_home_region(home);
            }
            Undo::Client(original) => {
                sim.register_client(original.clone());
                // The keys step is judged by the last check: ask again.
                setup.check_keys_with_zoho().await?;
            }
            Undo::Quota(org) => {
                sim.faults().reset_daily_quota(org).map_err(story_error)?;
                // The window's quota figure follows Zoho's next answer.
                setup.forget_quota_seen(org)?;
            }
            Undo::Denies => sim.faults().set_role_denies(&[]),
            Undo::Nothing => {}
        }
        let now = setup.connections()?;
        for c in &now {
            let earlier = running.before.iter().find(|(id, _)| *id == c.id);
            if earlier.is_none() && running.kept.as_ref() != Some(&c.id) {
                setup.disconnect(&c.id, true).await?;
            }
        }
        for c in &now {
            let earlier = running.before.iter().find(|(id, _)| *id == c.id);
            if matches!(earlier, Some((_, ConnectionState::Ok)))
                && c.state == ConnectionState::NeedsReconnect
            {
                self.sign_in(setup, Some(&c.id)).await?;
            }
        }
        setup.forget_sign_in_starts()?;
        tracing::info!(story = running.shown.story.name(), "demo story ended");
        Ok(true)
    }

    /// After a relaunch (a new simulator, on the happy path): removes what
    /// a story left in the demo profile, the connections it signed in by
    /// itself and those in a data center the demo's user does not live in.
    /// Returns how many went.
    pub async fn tidy_stories(&self, setup: &Setup) -> usize {
        let Some(sim) = &self.sim else {
            return 0;
        };
        if self.story().is_some() {
            return 0;
        }
        let home = sim.config().user_region.clone();
        let mut removed = 0;
        for c in setup.connections().unwrap_or_default() {
            let staged = c
                .label
                .as_deref()
                .is_some_and(|l| l.starts_with(STORY_LABEL));
            if (staged || c.region != home) && setup.disconnect(&c.id, true).await.is_ok() {
                removed += 1;
            }
        }
        if removed > 0 {
            tracing::info!(removed, "connections of an earlier demo story removed");
        }
        removed
    }

    /// The demo's keys saved and its integration switched on, as the happy
    /// path would have them, when they are not yet.
    fn ready(&self, setup: &Setup) -> Result<(), Error> {
        let status = setup.status()?;
        if status.client_id.is_none() || !status.secret_stored {
            let keys = self.keys();
            setup.save_credentials(CredentialsInput {
                client_id: keys.client_id,
                client_secret: Some(keys.client_secret.into()),
            })?;
        }
        if !setup.status()?.enabled {
            setup.set_enabled(true)?;
        }
        Ok(())
    }

    /// A working connection in the user's home data center to play on: the
    /// first there is, else a new one, which stays after the story.
    async fn connection_to_play_on(&self, setup: &Setup) -> Result<Connection, Error> {
        let home = self.story_sim()?.home_region();
        let existing = setup
            .connections()?
            .into_iter()
            .find(|c| c.state == ConnectionState::Ok && c.region == home && c.label.is_none());
        if let Some(c) = existing {
            return Ok(c);
        }
        let c = self.sign_in(setup, None).await?;
        if let Some(r) = lock(&self.story.0).as_mut() {
            r.kept = Some(c.id.clone());
        }
        Ok(c)
    }

    /// Signs in on the simulator as the person would (consent accepted,
    /// Zoho's default organization), or reconnects `reconnect`.
    async fn sign_in(&self, setup: &Setup, reconnect: Option<&str>) -> Result<Connection, Error> {
        let organization = match reconnect {
            Some(id) => Some(setup.connection(id)?.organization_id),
            None => None,
        };
        let start = setup.start_connect(None, RedirectMethod::DeepLink, reconnect)?;
        let location = zbs_sim::accept_consent(&start.authorize_url)
            .await
            .map_err(story_error)?;
        setup.complete_connect_url(&location).await?;
        let c = setup.choose_organization(organization.as_deref())?;
        setup.revoke_discarded().await;
        Ok(c)
    }
}

/// The data center's name in the demo's table.
fn dc_name(setup: &Setup, region: &str) -> String {
    setup
        .data_centers()
        .get(region)
        .map_or_else(|| region.to_uppercase(), |d| d.name.clone())
}

/// The chosen data center to switch off: one the demo's user does not live
/// in, so the demo's connections keep working (the home one if it is the
/// only one chosen).
fn refused_region(setup: &Setup, home: &str) -> Result<String, Error> {
    let regions = setup.regions()?;
    Ok(regions
        .iter()
        .rev()
        .find(|r| *r != home)
        .or(regions.first())
        .cloned()
        .unwrap_or_else(|| home.to_owned()))
}
