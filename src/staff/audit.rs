//! The audit log: every state-changing staff action, who did it, to what, why and when.
//!
//! Each record is written in the same transaction as the action it describes, so there is
//! no action without its record and no record of an action that rolled back.

use chrono::{DateTime, Utc};
use serde_json::Value;
use sqlx::{PgConnection, PgPool};

use crate::domain::{Actor, Role};

/// What was done.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    CustomersImport,
    BillsImport,
    CycleStart,
    CycleSchedule,
    LinkResend,
    LinkRevoke,
    StaffKeyCreate,
    StaffKeyRevoke,
}

impl Action {
    pub fn as_str(self) -> &'static str {
        match self {
            Action::CustomersImport => "customers.import",
            Action::BillsImport => "bills.import",
            Action::CycleStart => "cycle.start",
            Action::CycleSchedule => "cycle.schedule",
            Action::LinkResend => "link.resend",
            Action::LinkRevoke => "link.revoke",
            Action::StaffKeyCreate => "staff_key.create",
            Action::StaffKeyRevoke => "staff_key.revoke",
        }
    }
}

/// One action to record.
#[derive(Debug, Clone)]
pub struct Record<'a> {
    pub action: Action,
    /// What it was done to: an account id, a cycle, a key's name, `customers`, `bills`.
    pub target: &'a str,
    /// The customer it concerns, so that their lookup lists it.
    pub customer_id: Option<i64>,
    pub reason: Option<&'a str>,
    /// Anything else worth keeping: counts, the link's `jti`, the run's id.
    pub details: Value,
}

impl<'a> Record<'a> {
    pub fn new(action: Action, target: &'a str) -> Self {
        Self {
            action,
            target,
            customer_id: None,
            reason: None,
            details: Value::Object(Default::default()),
        }
    }

    /// Writes the record as part of the caller's transaction.
    pub async fn write(self, conn: &mut PgConnection, by: &Actor) -> sqlx::Result<()> {
        sqlx::query(
            "INSERT INTO audit_log (actor, role, action, target, customer_id, reason, details)
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(&by.name)
        .bind(by.role.map(Role::as_str))
        .bind(self.action.as_str())
        .bind(self.target)
        .bind(self.customer_id)
        .bind(self.reason)
        .bind(self.details)
        .execute(conn)
        .await?;
        Ok(())
    }
}

/// A recorded action.
#[derive(Debug, Clone, PartialEq, serde::Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Entry {
    pub id: i64,
    pub at: DateTime<Utc>,
    /// `staff:NAME` for an API key, `cli:USER` for the command line.
    pub actor: String,
    /// The key's role (`billing`, `csr`, `admin`); null for the command line.
    pub role: Option<String>,
    /// `customers.import`, `bills.import`, `cycle.start`, `cycle.schedule`, `link.resend`,
    /// `link.revoke`, `staff_key.create` or `staff_key.revoke`.
    pub action: String,
    /// An account id, a cycle, a key's name, `customers` or `bills`.
    pub target: String,
    pub reason: Option<String>,
    #[schema(value_type = Object)]
    pub details: Value,
}

const ENTRY: &str = "id, at, actor, role, action, target, reason, details";

/// Entries at or after `since` with an id above `after`, oldest first, at most `limit`.
pub async fn since(
    pool: &PgPool,
    since: DateTime<Utc>,
    after: i64,
    limit: i64,
) -> sqlx::Result<Vec<Entry>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {ENTRY} FROM audit_log WHERE at >= $1 AND id > $2 ORDER BY id LIMIT $3"
    )))
    .bind(since)
    .bind(after)
    .bind(limit)
    .fetch_all(pool)
    .await
}

/// Every entry about one customer, oldest first.
pub async fn for_customer(conn: &mut PgConnection, customer_id: i64) -> sqlx::Result<Vec<Entry>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {ENTRY} FROM audit_log WHERE customer_id = $1 ORDER BY id"
    )))
    .bind(customer_id)
    .fetch_all(conn)
    .await
}
