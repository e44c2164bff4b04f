//! The setup checklist: its steps, their sub-steps and when each is done.
//!
//! Steps in Zoho's API console cannot be verified by the app, so the person
//! ticks their sub-steps; a console step is done when all its sub-steps are.
//! The other steps are done by what the app knows: keys saved, the switch on,
//! a connection tested. The window's cards and `zbsetup status` both read
//! this one definition; the words shown for each id live in the UI, in
//! maps keyed by the generated `StepId` and `SubStepId` unions.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// How a step becomes done.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum StepKind {
    /// Ticked by the person (things done in Zoho's API console).
    Manual,
    /// Worked out by the app.
    Automatic,
}

/// Declares an id enum whose text (serde, TypeScript, storage) is given
/// once per variant, with `ALL` in the order listed.
macro_rules! ids {
    ($(#[doc = $doc:literal])+ $name:ident { $( $(#[doc = $vdoc:literal])* $variant:ident = $text:literal, )+ }) => {
        $(#[doc = $doc])+
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
        #[ts(export)]
        pub enum $name {
            $( $(#[doc = $vdoc])* #[serde(rename = $text)] $variant, )+
        }

        impl $name {
            /// Every id, in the order of the checklist.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The id's stable text (`zbsetup status --json`, the store).
            pub const fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text,)+ }
            }

            /// The id with this text, if there is one.
            pub fn parse(text: &str) -> Option<$name> {
                match text { $($text => Some($name::$variant),)+ _ => None }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl PartialEq<str> for $name {
            fn eq(&self, other: &str) -> bool {
                self.as_str() == other
            }
        }

        impl PartialEq<&str> for $name {
            fn eq(&self, other: &&str) -> bool {
                self.as_str() == *other
            }
        }
    };
}

ids! {
    /// A step of the checklist (the window's `Record<StepId, ...>` maps of
    /// titles and screens fail the type-check when one is missing).
    StepId {
        BeforeYouStart = "before_you_start",
        RegisterClient = "register_client",
        ConsoleSettings = "console_settings",
        Keys = "keys",
        Enable = "enable",
        Test = "test",
    }
}

ids! {
    /// A sub-step a person ticks (the window's `Record<SubStepId, string>`
    /// of what to do fails the type-check when one is missing).
    SubStepId {
        ZohoAccount = "zoho_account",
        ChooseRegions = "choose_regions",
        OpenConsole = "open_console",
        AddClient = "add_client",
        ServerBased = "server_based",
        ClientName = "client_name",
        RedirectUris = "redirect_uris",
        Create = "create",
        EnableRegions = "enable_regions",
        SameCredentials = "same_credentials",
    }
}

/// How a step becomes done.
#[derive(Debug, Clone, Copy)]
pub enum How {
    /// The person ticks these sub-steps (or the step itself, with none).
    Ticked(&'static [SubStepId]),
    /// The app works it out from what it knows.
    Automatic(fn(&Facts) -> bool),
}

impl StepId {
    /// How the step becomes done. The match is exhaustive: a new step does
    /// not compile until it says how, and an automatic one what makes it done.
    pub fn how(self) -> How {
        use SubStepId::*;
        match self {
            StepId::BeforeYouStart => How::Ticked(&[ZohoAccount, ChooseRegions]),
            StepId::RegisterClient => How::Ticked(&[
                OpenConsole,
                AddClient,
                ServerBased,
                ClientName,
                RedirectUris,
                Create,
            ]),
            StepId::ConsoleSettings => How::Ticked(&[EnableRegions, SameCredentials]),
            StepId::Keys => How::Automatic(|f| f.keys_saved && !f.keys_refused),
            StepId::Enable => How::Automatic(|f| f.enabled),
            StepId::Test => How::Automatic(|f| f.tested),
        }
    }

    /// Manual or automatic.
    pub fn kind(self) -> StepKind {
        match self.how() {
            How::Ticked(_) => StepKind::Manual,
            How::Automatic(_) => StepKind::Automatic,
        }
    }

    /// The sub-steps a person ticks (none for an automatic step).
    pub fn substeps(self) -> &'static [SubStepId] {
        match self.how() {
            How::Ticked(subs) => subs,
            How::Automatic(_) => &[],
        }
    }
}

/// A sub-step and whether it is ticked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct SubStep {
    pub id: SubStepId,
    pub done: bool,
}

/// A step and whether it is done, as `status` reports it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ChecklistItem {
    pub id: StepId,
    pub done: bool,
    pub kind: StepKind,
    pub substeps: Vec<SubStep>,
    /// Done by the demo's stand-in for Zoho's API console, not by the person.
    pub done_for_you: bool,
}

/// What the app knows that completes the automatic steps.
#[derive(Debug, Clone, Copy, Default)]
pub struct Facts {
    pub keys_saved: bool,
    /// The last "Check my keys" found a chosen data center refusing them.
    pub keys_refused: bool,
    pub enabled: bool,
    pub tested: bool,
    /// The demo: its stand-in console already has a registered client with
    /// every data center on and one secret, so the console steps are done.
    pub console_done: bool,
}

/// Finds a step by id.
pub fn step(id: &str) -> Option<StepId> {
    StepId::parse(id)
}

/// True when `item` (`step` or `step.substep`) is something a person may tick.
pub fn is_tickable(item: &str) -> bool {
    match parse_item(item) {
        Some((s, Some(sub))) => s.substeps().contains(&sub),
        Some((s, None)) => s.kind() == StepKind::Manual,
        None => false,
    }
}

/// The step and sub-step an item of the checklist names: `step.sub_step`,
/// or a step alone (`None` when either is not known).
pub fn parse_item(item: &str) -> Option<(StepId, Option<SubStepId>)> {
    match item.split_once('.') {
        Some((step_id, sub)) => Some((step(step_id)?, Some(SubStepId::parse(sub)?))),
        None => Some((step(item)?, None)),
    }
}

/// Builds the checklist from the ticked items and the facts.
pub fn evaluate(ticked: &[String], facts: Facts) -> Vec<ChecklistItem> {
    let is_ticked = |item: &str| ticked.iter().any(|t| t == item);
    StepId::ALL
        .iter()
        .map(|&id| {
            let done_for_you = facts.console_done && id.kind() == StepKind::Manual;
            let substeps: Vec<SubStep> = id
                .substeps()
                .iter()
                .map(|&sub| SubStep {
                    id: sub,
                    done: done_for_you || is_ticked(&format!("{id}.{sub}")),
                })
                .collect();
            let done = match id.how() {
                How::Automatic(done) => done(&facts),
                How::Ticked(_) if substeps.is_empty() => is_ticked(id.as_str()),
                How::Ticked(_) => substeps.iter().all(|s| s.done),
            };
            ChecklistItem {
                id,
                done: done || done_for_you,
                kind: id.kind(),
                substeps,
                done_for_you,
            }
        })
        .collect()
}

/// The first step not yet done (where the window reopens), if any.
pub fn first_open(items: &[ChecklistItem]) -> Option<&'static str> {
    items.iter().find(|i| !i.done).map(|i| i.id.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn in_the_demo_the_console_steps_are_done_for_you_and_the_rest_is_not() {
        let facts = Facts {
            console_done: true,
            ..Facts::default()
        };
        let items = evaluate(&[], facts);
        for item in &items {
            let manual = item.kind == StepKind::Manual;
            assert_eq!(item.done, manual, "{}", item.id);
            assert_eq!(item.done_for_you, manual, "{}", item.id);
            assert!(item.substeps.iter().all(|s| s.done == manual));
        }
        assert_eq!(first_open(&items), Some("keys"));
        // A real setup is never ticked for the person.
        assert!(evaluate(&[], Facts::default())
            .iter()
            .all(|i| !i.done && !i.done_for_you));
    }

    #[test]
    fn console_steps_need_every_substep() {
        let mut ticked: Vec<String> = StepId::ALL[1]
            .substeps()
            .iter()
            .map(|s| format!("register_client.{s}"))
            .collect();
        let items = evaluate(&ticked, Facts::default());
        assert!(items[1].done);
        ticked.pop();
        let items = evaluate(&ticked, Facts::default());
        assert!(!items[1].done);
        assert_eq!(first_open(&items), Some("before_you_start"));
    }

    #[test]
    fn automatic_steps_follow_the_facts() {
        let items = evaluate(
            &[],
            Facts {
                keys_saved: true,
                enabled: false,
                tested: false,
                console_done: false,
                keys_refused: false,
            },
        );
        assert!(items[3].done);
        assert!(!items[4].done);
    }

    #[test]
    fn keys_a_data_center_refuses_leave_the_keys_step_open() {
        let facts = Facts {
            keys_saved: true,
            keys_refused: true,
            console_done: true,
            ..Facts::default()
        };
        let items = evaluate(&[], facts);
        assert!(!items[3].done, "saved, but refused at a data center");
        assert_eq!(first_open(&items), Some("keys"));
    }

    #[test]
    fn only_manual_items_are_tickable() {
        assert!(is_tickable("register_client.add_client"));
        assert!(!is_tickable("register_client.nope"));
        assert!(!is_tickable("keys"));
        assert!(!is_tickable("enable"));
        assert!(!is_tickable("unknown"));
    }
}
