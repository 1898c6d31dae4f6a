//! The audit log: every state-changing staff action, who did it, to what, why and when.
//!
//! Each record is written in the same transaction as the action it describes, so there is
//! no action without its record and no record of an action that rolled back.

use chrono::{DateTime, Utc};
use serde_json::Value;
use sqlx::{PgConnection, PgPool};

use crate::domain::{Actor, AuditEntryId, CustomerId, Role};
use crate::infra::db;

/// What was done, as the log writes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, strum::IntoStaticStr, strum::VariantNames)]
pub enum Action {
    #[strum(serialize = "customers.import")]
    CustomersImport,
    #[strum(serialize = "bills.import")]
    BillsImport,
    #[strum(serialize = "cycle.start")]
    CycleStart,
    #[strum(serialize = "cycle.schedule")]
    CycleSchedule,
    #[strum(serialize = "cycle.cancel")]
    CycleCancel,
    #[strum(serialize = "link.resend")]
    LinkResend,
    #[strum(serialize = "link.revoke")]
    LinkRevoke,
    #[strum(serialize = "staff_key.create")]
    StaffKeyCreate,
    #[strum(serialize = "staff_key.revoke")]
    StaffKeyRevoke,
    #[strum(serialize = "staff.invite")]
    StaffInvite,
    #[strum(serialize = "staff.role")]
    StaffRole,
    #[strum(serialize = "staff.disable")]
    StaffDisable,
    #[strum(serialize = "staff.sign_in")]
    StaffSignIn,
    #[strum(serialize = "signing_key.generate")]
    SigningKeyGenerate,
    #[strum(serialize = "brand.add")]
    BrandAdd,
    #[strum(serialize = "brand.update")]
    BrandUpdate,
}

impl Action {
    pub fn as_str(self) -> &'static str {
        self.into()
    }
}

/// One action to record.
#[derive(Debug, Clone)]
pub struct Record<'a> {
    pub action: Action,
    /// What it was done to: an account id, a cycle, a key's name, `customers`, `bills`.
    pub target: &'a str,
    /// The customer it concerns, so that their lookup lists it.
    pub customer_id: Option<CustomerId>,
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
        sqlx::query!(
            "INSERT INTO audit_log (actor, role, action, target, customer_id, reason, details)
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
            by.name,
            by.role as Option<Role>,
            self.action.as_str(),
            self.target,
            self.customer_id as Option<CustomerId>,
            self.reason,
            self.details,
        )
        .execute(conn)
        .await?;
        Ok(())
    }
}

/// A recorded action.
#[derive(Debug, Clone, PartialEq, serde::Serialize, utoipa::ToSchema)]
pub struct Entry {
    #[schema(value_type = i64)]
    pub id: AuditEntryId,
    pub at: DateTime<Utc>,
    /// `staff:NAME` for an API key, `cli:USER` for the command line.
    pub actor: String,
    /// The key's role; null for the command line.
    pub role: Option<Role>,
    /// `customers.import`, `bills.import`, `cycle.start`, `cycle.schedule`, `link.resend`,
    /// `link.revoke`, `staff_key.create` or `staff_key.revoke`.
    pub action: String,
    /// An account id, a cycle, a key's name, `customers` or `bills`.
    pub target: String,
    pub reason: Option<String>,
    #[schema(value_type = Object)]
    pub details: Value,
}

/// Entries at or after `since` with an id above `after`, oldest first, at most `limit`.
pub async fn since(
    pool: &PgPool,
    since: DateTime<Utc>,
    after: AuditEntryId,
    limit: i64,
) -> sqlx::Result<Vec<Entry>> {
    sqlx::query_as!(
        Entry,
        r#"SELECT id AS "id: AuditEntryId", at, actor, role AS "role: Role", action, target, reason,
                  details
           FROM audit_log WHERE at >= $1 AND id > $2 ORDER BY id LIMIT $3"#,
        since,
        after as AuditEntryId,
        limit,
    )
    .fetch_all(pool)
    .await
}

/// Every entry about one customer, oldest first.
pub async fn for_customer(
    conn: &mut PgConnection,
    customer_id: CustomerId,
) -> sqlx::Result<Vec<Entry>> {
    sqlx::query_as!(
        Entry,
        r#"SELECT id AS "id: AuditEntryId", at, actor, role AS "role: Role", action, target, reason,
                  details
           FROM audit_log WHERE customer_id = $1 ORDER BY id"#,
        customer_id as CustomerId,
    )
    .fetch_all(conn)
    .await
}

/// Which entries to list: each field, when set, narrows the list.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    /// Part of the actor (`staff:carol`, `cli:`), any case.
    pub actor: Option<String>,
    /// The action exactly (`link.resend`).
    pub action: Option<String>,
    /// Part of the target (an account id, a cycle, an address), any case.
    pub target: Option<String>,
    /// On or after this day (UTC).
    pub from: Option<chrono::NaiveDate>,
    /// On or before this day (UTC).
    pub to: Option<chrono::NaiveDate>,
}

/// The newest `limit` entries that pass `filter`, newest first.
pub async fn search(pool: &PgPool, filter: &AuditFilter, limit: i64) -> sqlx::Result<Vec<Entry>> {
    let like = |s: &Option<String>| s.as_deref().map(|s| format!("%{}%", db::like_literal(s)));
    sqlx::query_as!(
        Entry,
        r#"SELECT id AS "id: AuditEntryId", at, actor, role AS "role: Role", action, target, reason,
                  details
           FROM audit_log
           WHERE ($1::text IS NULL OR actor ILIKE $1)
             AND ($2::text IS NULL OR action = $2)
             AND ($3::text IS NULL OR target ILIKE $3)
             AND ($4::date IS NULL OR at >= $4::date)
             AND ($5::date IS NULL OR at < $5::date + 1)
           ORDER BY id DESC LIMIT $6"#,
        like(&filter.actor),
        filter.action,
        like(&filter.target),
        filter.from,
        filter.to,
        limit,
    )
    .fetch_all(pool)
    .await
}
