//! The SQL of stored connections (`connections`, `org_connects`): every
//! read and write of those tables is here, and each change that touches more
//! than one row runs in one transaction.

use rusqlite::{params, OptionalExtension};

use super::{Store, StoreError};
use crate::connect::{Connection, ConnectionState};

const SELECT_CONNECTION: &str = "SELECT id, organization_id, organization_name, label, region,
    api_domain, accounts_server, plan, currency, state, connected_at, zoho_user_email,
    zoho_user_role, granted_scopes FROM connections";

fn row_to_connection(r: &rusqlite::Row<'_>) -> rusqlite::Result<Connection> {
    let state: String = r.get(9)?;
    Ok(Connection {
        id: r.get(0)?,
        organization_id: r.get(1)?,
        organization_name: r.get(2)?,
        label: r.get(3)?,
        region: r.get(4)?,
        api_domain: r.get(5)?,
        accounts_server: r.get(6)?,
        plan: r.get(7)?,
        currency: r.get(8)?,
        state: if state == "needs_reconnect" {
            ConnectionState::NeedsReconnect
        } else {
            ConnectionState::Ok
        },
        connected_at: r.get(10)?,
        zoho_user_email: r.get(11)?,
        zoho_user_role: r.get(12)?,
        can_read: readable(r.get::<_, Option<String>>(13)?.as_deref()),
    })
}

/// The record types a granted scope covers (`None`, from before scopes were
/// kept: every one, as every sign-in then asked for all of them).
fn readable(granted: Option<&str>) -> Vec<zbs_zoho::Entity> {
    zbs_zoho::Entity::all()
        .iter()
        .copied()
        .filter(|e| granted.is_none_or(|g| zbs_zoho::oauth::scope_covers(g, *e)))
        .collect()
}

/// Whether connection `id` is stored, on any connection to the file (the
/// pull engine asks it inside each of its writes: a disconnect in another
/// process stops a running pull).
fn connection_exists(conn: &rusqlite::Connection, id: &str) -> rusqlite::Result<bool> {
    Ok(conn
        .query_row("SELECT 1 FROM connections WHERE id = ?1", [id], |_| Ok(()))
        .optional()?
        .is_some())
}

/// A connection to store (new, or renewed by a reconnect).
pub(crate) struct NewConnection<'a> {
    pub id: &'a str,
    pub organization_id: &'a str,
    pub organization_name: &'a str,
    pub region: &'a str,
    pub accounts_server: &'a str,
    pub api_domain: &'a str,
    pub plan: Option<&'a str>,
    pub currency: Option<&'a str>,
    pub connected_at: &'a str,
    pub zoho_user_email: Option<&'a str>,
    pub zoho_user_role: Option<&'a str>,
    /// What Zoho let the sign-in read (its `scope`).
    pub granted_scopes: &'a str,
    /// The organization's time zone (Zoho's `time_zone`).
    pub time_zone: Option<&'a str>,
}

impl Store {
    /// How the pull engine checks that a connection is still stored.
    pub(crate) fn connection_check() -> zbs_pull::ConnectionCheck {
        connection_exists
    }

    /// The stored connections, oldest first.
    pub(crate) fn connections(&self) -> Result<Vec<Connection>, StoreError> {
        let conn = self.conn();
        let mut stmt = conn.prepare(&format!("{SELECT_CONNECTION} ORDER BY connected_at, id"))?;
        let rows = stmt.query_map([], row_to_connection)?;
        Ok(rows.collect::<Result<Vec<_>, _>>()?)
    }

    /// One stored connection, if there is one with this id.
    pub(crate) fn connection(&self, id: &str) -> Result<Option<Connection>, StoreError> {
        Ok(self
            .conn()
            .query_row(
                &format!("{SELECT_CONNECTION} WHERE id = ?1"),
                [id],
                row_to_connection,
            )
            .optional()?)
    }

    /// The organization's time zone kept with connection `id`, if any.
    pub(crate) fn connection_time_zone(&self, id: &str) -> Result<Option<String>, StoreError> {
        Ok(self
            .conn()
            .query_row(
                "SELECT time_zone FROM connections WHERE id = ?1",
                [id],
                |r| r.get::<_, Option<String>>(0),
            )
            .optional()?
            .flatten())
    }

    /// Counts a sign-in started now with `client_id`, and returns how many
    /// were started with it in the last `window` (this one included), by
    /// any process on this computer, and when the oldest of them was.
    pub(crate) fn count_sign_in_start(
        &self,
        client_id: &str,
        now_ms: i64,
        window_ms: i64,
    ) -> Result<(u32, Option<i64>), StoreError> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        tx.execute(
            "DELETE FROM sign_in_starts WHERE started_at_ms <= ?1",
            [now_ms - window_ms],
        )?;
        tx.execute(
            "INSERT INTO sign_in_starts (client_id, started_at_ms) VALUES (?1, ?2)",
            params![client_id, now_ms],
        )?;
        let counted = tx.query_row(
            "SELECT COUNT(*), MIN(started_at_ms) FROM sign_in_starts
             WHERE client_id = ?1 AND started_at_ms > ?2",
            params![client_id, now_ms - window_ms],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        tx.commit()?;
        Ok(counted)
    }

    /// Forgets every sign-in counted as started.
    pub(crate) fn forget_sign_in_starts(&self) -> Result<(), StoreError> {
        self.conn().execute("DELETE FROM sign_in_starts", [])?;
        Ok(())
    }

    /// Sign-ins started with `client_id` in the last `window_ms`, and when
    /// the oldest of them was started.
    pub(crate) fn recent_sign_in_starts(
        &self,
        client_id: &str,
        now_ms: i64,
        window_ms: i64,
    ) -> Result<(u32, Option<i64>), StoreError> {
        Ok(self.conn().query_row(
            "SELECT COUNT(*), MIN(started_at_ms) FROM sign_in_starts
             WHERE client_id = ?1 AND started_at_ms > ?2",
            params![client_id, now_ms - window_ms],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?)
    }

    pub(crate) fn connection_count(&self) -> Result<u32, StoreError> {
        Ok(self
            .conn()
            .query_row("SELECT COUNT(*) FROM connections", [], |r| r.get(0))?)
    }

    /// Stores a connection (replacing the row of a reconnected one) and
    /// counts the sign-in against its organization, in one transaction.
    pub(crate) fn save_connection(&self, c: &NewConnection<'_>) -> Result<(), StoreError> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        tx.execute(
            "INSERT INTO connections (id, organization_id, organization_name, region,
                 accounts_server, api_domain, plan, currency, state, connected_at,
                 zoho_user_email, zoho_user_role, granted_scopes, time_zone)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 'ok', ?9, ?10, ?11, ?12, ?13)
             ON CONFLICT (id) DO UPDATE SET organization_id = excluded.organization_id,
                 organization_name = excluded.organization_name, region = excluded.region,
                 accounts_server = excluded.accounts_server, api_domain = excluded.api_domain,
                 plan = excluded.plan, currency = excluded.currency, state = 'ok',
                 connected_at = excluded.connected_at,
                 zoho_user_email = excluded.zoho_user_email,
                 zoho_user_role = excluded.zoho_user_role,
                 granted_scopes = excluded.granted_scopes, time_zone = excluded.time_zone",
            params![
                c.id,
                c.organization_id,
                c.organization_name,
                c.region,
                c.accounts_server,
                c.api_domain,
                c.plan,
                c.currency,
                c.connected_at,
                c.zoho_user_email,
                c.zoho_user_role,
                c.granted_scopes,
                c.time_zone
            ],
        )?;
        tx.execute(
            "INSERT INTO org_connects (organization_id, times) VALUES (?1, 1)
             ON CONFLICT (organization_id) DO UPDATE SET times = times + 1",
            [c.organization_id],
        )?;
        tx.commit()?;
        Ok(())
    }

    /// Forgets a connection, everything pulled for it (records, pulls,
    /// checkpoints) and one sign-in of its organization, in one transaction. False when there was no such row.
    pub(crate) fn delete_connection(&self, id: &str) -> Result<bool, StoreError> {
        let mut conn = self.conn();
        // Immediate: a pull writing in another process makes this wait its
        // turn instead of failing to upgrade a read transaction.
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let organization: Option<String> = tx
            .query_row(
                "SELECT organization_id FROM connections WHERE id = ?1",
                [id],
                |r| r.get(0),
            )
            .optional()?;
        let Some(organization) = organization else {
            return Ok(false);
        };
        zbs_pull::forget_connection(&tx, id)?;
        tx.execute("DELETE FROM connections WHERE id = ?1", [id])?;
        tx.execute(
            "UPDATE org_connects SET times = MAX(times - 1, 0) WHERE organization_id = ?1",
            [&organization],
        )?;
        tx.commit()?;
        Ok(true)
    }

    /// Gives a connection a name (`None`: none). False when there is no such row.
    pub(crate) fn rename_connection(
        &self,
        id: &str,
        label: Option<&str>,
    ) -> Result<bool, StoreError> {
        let n = self.conn().execute(
            "UPDATE connections SET label = ?2 WHERE id = ?1",
            params![id, label],
        )?;
        Ok(n > 0)
    }

    pub(crate) fn mark_needs_reconnect(&self, id: &str) -> Result<(), StoreError> {
        self.conn().execute(
            "UPDATE connections SET state = 'needs_reconnect' WHERE id = ?1",
            [id],
        )?;
        Ok(())
    }

    /// How many sign-ins this client made for an organization.
    pub(crate) fn times_connected(&self, organization_id: &str) -> Result<u32, StoreError> {
        let n: Option<u32> = self
            .conn()
            .query_row(
                "SELECT times FROM org_connects WHERE organization_id = ?1",
                [organization_id],
                |r| r.get(0),
            )
            .optional()?;
        Ok(n.unwrap_or(0))
    }
}
