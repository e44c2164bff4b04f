//! "Test" of a stored connection, asked of Zoho just now and never taken
//! from anything kept: the stored keys at the connection's data center (a
//! made-up code exchange, as "Check my keys"), the sign-in (`GET
//! /organizations` with the connection's access token, refreshed when Zoho
//! refuses it) and one record of each chosen record type, so a module the
//! Zoho user may not read (Zoho's code 57 with a valid token) shows here,
//! before links go to customers, and not in a customer's first sync.

use secrecy::SecretString;
use serde::Serialize;
use ts_rs::TS;
use zbs_zoho::books::{BooksClient, BooksError};
use zbs_zoho::Entity;

use crate::connect::Connection;
use crate::error::Error;
use crate::keycheck::KeyCheckStatus;
use crate::Setup;

/// Whether one record type could be read.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct ModuleCheck {
    pub entity: Entity,
    pub ok: bool,
    /// What was found, in words; with the fix when it failed.
    pub message: String,
}

/// The result of "Test".
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct ConnectionTest {
    pub ok: bool,
    pub message: String,
    /// One small page of each record type, read during this test.
    pub modules: Vec<ModuleCheck>,
    /// When Zoho was asked (RFC 3339, UTC).
    pub checked_at: String,
}

fn now() -> String {
    time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

fn failed(message: String) -> ConnectionTest {
    ConnectionTest {
        ok: false,
        message,
        modules: Vec::new(),
        checked_at: now(),
    }
}

/// What to tell a person when Zoho refuses `label` to the user who connected.
pub(crate) fn refused_module(label: &str) -> String {
    format!(
        "Zoho does not let the Zoho user who connected read {label}, although the sign-in \
         works: that user's role in Zoho Books does not allow it. Ask an admin of the \
         organization to give that user a role that can view {label} (in Zoho Books: \
         Settings, Users & Roles), or connect again with a user who can."
    )
}

impl Setup {
    /// Tests a connection: keys, sign-in, and one record of each of
    /// `entities` (the default selection when empty). Makes one token
    /// request for the keys, at most one for a new access token, and one
    /// API call per record type plus one.
    pub async fn test_connection(
        &self,
        id: &str,
        entities: &[Entity],
    ) -> Result<ConnectionTest, Error> {
        let connection = self.connection(id)?;
        let name = connection.organization_name.clone();
        let keys_note = match self.keys_note(&connection).await? {
            Ok(note) => note,
            Err(failure) => return Ok(failure),
        };
        let grant = self.access_token(id, false).await?;
        let books = BooksClient::new(&grant.api_domain)?;
        let (orgs, token) = match books.organizations(&grant.token).await {
            Err(BooksError::Unauthorized) => {
                let grant = self.access_token(id, true).await?;
                (books.organizations(&grant.token).await, grant.token)
            }
            other => (other, grant.token),
        };
        let (orgs, _) = orgs?;
        if !orgs
            .iter()
            .any(|o| o.organization_id == connection.organization_id)
        {
            return Ok(failed(format!(
                "Zoho no longer lists {name} for this sign-in. Connect it again."
            )));
        }
        // The token was just accepted, so a refusal now is the module's.
        let mut modules = Vec::new();
        for entity in chosen(entities) {
            modules.push(read_one(&books, &token, &connection, entity).await);
        }
        Ok(summary(&name, modules, keys_note))
    }

    /// What the result says of the stored keys, or the failed test when
    /// they do not work. Keys asked of Zoho five times in ten minutes are
    /// not asked again now (the probe ledger); the sign-in still proves
    /// them when it needs a new token, and the result says the keys were
    /// not asked.
    async fn keys_note(
        &self,
        connection: &Connection,
    ) -> Result<Result<&'static str, ConnectionTest>, Error> {
        Ok(match self.check_keys_at(&connection.region).await? {
            Some(dc) if !dc.asked => Ok(" (The Client ID and Secret were not asked again this \
                                          time: they were checked 5 times in the last 10 \
                                          minutes.)"),
            Some(dc) if dc.status != KeyCheckStatus::Ok => {
                let fix = dc.fix.map(|f| format!(" {f}")).unwrap_or_default();
                Err(failed(format!(
                    "The saved Client ID and Client Secret do not work for {}: {}{fix}",
                    connection.organization_name, dc.message
                )))
            }
            _ => Ok(""),
        })
    }
}

/// The record types to test: `entities` once each in order, or the default
/// selection when empty.
fn chosen(entities: &[Entity]) -> Vec<Entity> {
    if entities.is_empty() {
        Entity::default_selection()
    } else {
        let mut e = entities.to_vec();
        e.sort();
        e.dedup();
        e
    }
}

/// Reads one record of `entity` (no call when the sign-in was not allowed
/// it: the fix instead).
async fn read_one(
    books: &BooksClient,
    token: &SecretString,
    connection: &Connection,
    entity: Entity,
) -> ModuleCheck {
    let label = entity.label();
    if !connection.can_read.contains(&entity) {
        return ModuleCheck {
            entity,
            ok: false,
            message: crate::Error::NotAllowedBySignIn {
                names: label.to_owned(),
            }
            .to_string(),
        };
    }
    let page = books
        .list(token, &connection.organization_id, entity, 1, 1, &[])
        .await;
    let (ok, message) = match page {
        Ok(_) => (true, format!("{} can be read.", capitalized(label))),
        Err(BooksError::Unauthorized) => (false, refused_module(label)),
        Err(e) => (
            false,
            format!("{} could not be read: {e}", capitalized(label)),
        ),
    };
    tracing::info!(connection = %connection.id, entity = entity.name(), ok, "record type tested");
    ModuleCheck {
        entity,
        ok,
        message,
    }
}

/// The test's result from what each record type said.
fn summary(name: &str, modules: Vec<ModuleCheck>, keys_note: &str) -> ConnectionTest {
    let refused: Vec<&str> = modules
        .iter()
        .filter(|m| !m.ok)
        .map(|m| m.entity.label())
        .collect();
    let ok = refused.is_empty();
    let message = if ok {
        format!("{name} answers and every chosen record type can be read: the connection works.")
    } else {
        format!(
            "{name} answers, but {} could not be read. See below for what to do.",
            refused.join(", ")
        )
    };
    ConnectionTest {
        ok,
        message: format!("{message}{keys_note}"),
        modules,
        checked_at: now(),
    }
}

fn capitalized(label: &str) -> String {
    let mut c = label.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}
