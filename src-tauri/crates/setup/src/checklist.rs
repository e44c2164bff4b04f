//! The setup checklist: its steps, their sub-steps and when each is done.
//!
//! Steps in Zoho's API console cannot be verified by the app, so the person
//! ticks their sub-steps; a console step is done when all its sub-steps are.
//! The other steps are done by what the app knows: keys saved, the switch on,
//! a connection tested. The window's cards and `zbsetup status` both read
//! this one definition; the words shown for each id live in the UI.

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

/// One step of the checklist as the definition gives it.
#[derive(Debug, Clone, Copy)]
pub struct StepDef {
    pub id: &'static str,
    pub kind: StepKind,
    pub substeps: &'static [&'static str],
}

/// The checklist in the order a person goes through it.
pub const STEPS: &[StepDef] = &[
    StepDef {
        id: "before_you_start",
        kind: StepKind::Manual,
        substeps: &["zoho_account", "choose_regions"],
    },
    StepDef {
        id: "register_client",
        kind: StepKind::Manual,
        substeps: &[
            "open_console",
            "add_client",
            "server_based",
            "client_name",
            "redirect_uris",
            "create",
        ],
    },
    StepDef {
        id: "console_settings",
        kind: StepKind::Manual,
        substeps: &["enable_regions", "same_credentials"],
    },
    StepDef {
        id: "keys",
        kind: StepKind::Automatic,
        substeps: &[],
    },
    StepDef {
        id: "enable",
        kind: StepKind::Automatic,
        substeps: &[],
    },
    StepDef {
        id: "test",
        kind: StepKind::Automatic,
        substeps: &[],
    },
];

/// A sub-step and whether it is ticked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct SubStep {
    pub id: String,
    pub done: bool,
}

/// A step and whether it is done, as `status` reports it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ChecklistItem {
    pub id: String,
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
pub fn step(id: &str) -> Option<&'static StepDef> {
    STEPS.iter().find(|s| s.id == id)
}

/// True when `item` (`step` or `step.substep`) is something a person may tick.
pub fn is_tickable(item: &str) -> bool {
    match item.split_once('.') {
        Some((step_id, sub)) => step(step_id).is_some_and(|s| s.substeps.contains(&sub)),
        None => step(item).is_some_and(|s| s.kind == StepKind::Manual),
    }
}

/// Builds the checklist from the ticked items and the facts.
pub fn evaluate(ticked: &[String], facts: Facts) -> Vec<ChecklistItem> {
    let is_ticked = |item: &str| ticked.iter().any(|t| t == item);
    STEPS
        .iter()
        .map(|def| {
            let done_for_you = facts.console_done && def.kind == StepKind::Manual;
            let substeps: Vec<SubStep> = def
                .substeps
                .iter()
                .map(|sub| SubStep {
                    id: (*sub).to_owned(),
                    done: done_for_you || is_ticked(&format!("{}.{sub}", def.id)),
                })
                .collect();
            let done = match def.id {
                "keys" => facts.keys_saved && !facts.keys_refused,
                "enable" => facts.enabled,
                "test" => facts.tested,
                _ if substeps.is_empty() => is_ticked(def.id),
                _ => substeps.iter().all(|s| s.done),
            };
            ChecklistItem {
                id: def.id.to_owned(),
                done: done || done_for_you,
                kind: def.kind,
                substeps,
                done_for_you,
            }
        })
        .collect()
}

/// The first step not yet done (where the window reopens), if any.
pub fn first_open(items: &[ChecklistItem]) -> Option<&str> {
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
        let mut ticked: Vec<String> = STEPS[1]
            .substeps
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
