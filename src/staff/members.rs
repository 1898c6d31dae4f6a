//! Staff members: the people who sign in to the console, each with one role. They are
//! invited by email address (`billpass staff invite`, or an admin in the console), or come
//! in through the company's identity provider, which then decides their role at every
//! sign-in. Disabling a member ends their sessions at once and stops every way in.

use chrono::{DateTime, Utc};
use serde_json::json;
use sqlx::{PgConnection, PgPool};

use super::audit::{Action, Record};
use crate::domain::{Actor, EmailAddress, Forbidden, Role, StaffMemberId};
use crate::infra::db;

/// A member of staff.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaffMember {
    pub id: StaffMemberId,
    /// Lower case.
    pub email: String,
    pub role: Role,
    /// Set once they signed in through the identity provider.
    pub oidc_subject: Option<String>,
    pub created_at: DateTime<Utc>,
    pub created_by: String,
    pub disabled_at: Option<DateTime<Utc>>,
}

impl StaffMember {
    /// Refuses unless the member's role covers `needed`.
    pub fn require(&self, needed: Role) -> Result<(), Forbidden> {
        self.role.require(needed)
    }

    /// The member, as the audit log records them.
    pub fn actor(&self) -> Actor {
        Actor {
            name: format!("staff:{}", self.email),
            role: Some(self.role),
        }
    }
}

/// Why a change to a member did not happen.
#[derive(Debug, thiserror::Error)]
pub enum MemberError {
    #[error("{0} is already a member of staff")]
    AlreadyStaff(String),
    #[error("no member of staff has the address {0}")]
    Unknown(String),
    #[error("{0} is disabled")]
    Disabled(String),
    #[error("you cannot {0} yourself: ask another admin")]
    Yourself(&'static str),
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

macro_rules! select_member {
    ($where:literal, $($arg:expr),*) => {
        sqlx::query_as!(
            StaffMember,
            r#"SELECT id AS "id: StaffMemberId", email, role AS "role: Role", oidc_subject,
                      created_at, created_by, disabled_at
               FROM staff_members "# + $where,
            $($arg),*
        )
    };
}

/// Makes `email` a member of staff with `role`.
pub async fn invite(
    pool: &PgPool,
    email: &EmailAddress,
    role: Role,
    by: &Actor,
) -> Result<StaffMember, MemberError> {
    let email = email.as_str().to_lowercase();
    let mut tx = db::begin(pool).await?;
    let member = sqlx::query_as!(
        StaffMember,
        r#"INSERT INTO staff_members (email, role, created_by) VALUES ($1, $2, $3)
           ON CONFLICT (email) DO NOTHING
           RETURNING id AS "id: StaffMemberId", email, role AS "role: Role", oidc_subject,
                     created_at, created_by, disabled_at"#,
        email,
        role as Role,
        by.name,
    )
    .fetch_optional(&mut *tx)
    .await?
    .ok_or_else(|| MemberError::AlreadyStaff(email.clone()))?;
    Record {
        details: json!({ "role": role }),
        ..Record::new(Action::StaffInvite, &email)
    }
    .write(&mut tx, by)
    .await?;
    tx.commit().await?;
    Ok(member)
}

/// Every member, enabled ones first, by address.
pub async fn list(pool: &PgPool) -> sqlx::Result<Vec<StaffMember>> {
    select_member!("ORDER BY disabled_at IS NOT NULL, email",)
        .fetch_all(pool)
        .await
}

/// The enabled member with this address, if any.
pub async fn find_enabled(
    conn: &mut PgConnection,
    email: &str,
) -> sqlx::Result<Option<StaffMember>> {
    select_member!("WHERE email = lower($1) AND disabled_at IS NULL", email)
        .fetch_optional(conn)
        .await
}

/// Gives the member with this address another role.
pub async fn set_role(
    pool: &PgPool,
    email: &str,
    role: Role,
    by: &Actor,
) -> Result<StaffMember, MemberError> {
    change(pool, email, by, "change the role of", async |tx, email| {
        let member = select_member!("WHERE email = lower($1) FOR UPDATE", email)
            .fetch_optional(&mut **tx)
            .await?
            .ok_or_else(|| MemberError::Unknown(email.to_owned()))?;
        if member.disabled_at.is_some() {
            return Err(MemberError::Disabled(email.to_owned()));
        }
        sqlx::query!(
            "UPDATE staff_members SET role = $2 WHERE id = $1",
            member.id as StaffMemberId,
            role as Role
        )
        .execute(&mut **tx)
        .await?;
        Ok((
            StaffMember { role, ..member },
            Record {
                details: json!({ "role": role }),
                ..Record::new(Action::StaffRole, email)
            },
        ))
    })
    .await
}

/// Disables the member with this address: their sessions end and no sign-in works for them.
pub async fn disable(pool: &PgPool, email: &str, by: &Actor) -> Result<StaffMember, MemberError> {
    change(pool, email, by, "disable", async |tx, email| {
        let member = sqlx::query_as!(
            StaffMember,
            r#"UPDATE staff_members
               SET disabled_at = coalesce(disabled_at, now()),
                   disabled_by = coalesce(disabled_by, $2), sign_in_jti = NULL
               WHERE email = lower($1)
               RETURNING id AS "id: StaffMemberId", email, role AS "role: Role", oidc_subject,
                         created_at, created_by, disabled_at"#,
            email,
            by.name,
        )
        .fetch_optional(&mut **tx)
        .await?
        .ok_or_else(|| MemberError::Unknown(email.to_owned()))?;
        sqlx::query!(
            "UPDATE staff_sessions SET ended_at = now() WHERE staff_id = $1 AND ended_at IS NULL",
            member.id as StaffMemberId
        )
        .execute(&mut **tx)
        .await?;
        Ok((member, Record::new(Action::StaffDisable, email)))
    })
    .await
}

/// Runs a change to another member in a transaction, with its audit record; nobody changes
/// their own access (an admin cannot lock the last admin out by mistake).
async fn change<'a>(
    pool: &PgPool,
    email: &'a str,
    by: &Actor,
    what: &'static str,
    act: impl AsyncFnOnce(
        &mut sqlx::Transaction<'static, sqlx::Postgres>,
        &'a str,
    ) -> Result<(StaffMember, Record<'a>), MemberError>,
) -> Result<StaffMember, MemberError> {
    if by.name == format!("staff:{}", email.to_lowercase()) {
        return Err(MemberError::Yourself(what));
    }
    let mut tx = db::begin(pool).await?;
    let (member, record) = act(&mut tx, email).await?;
    record.write(&mut tx, by).await?;
    tx.commit().await?;
    Ok(member)
}

/// A member signing in through the identity provider with `subject` and `email`, whose
/// groups gave `role`: found by subject, else by address (an invited member signing in
/// through the provider for the first time), else added. `None` for a disabled member.
pub async fn through_provider(
    pool: &PgPool,
    subject: &str,
    email: &str,
    role: Role,
) -> sqlx::Result<Option<StaffMember>> {
    let email = email.to_lowercase();
    let mut tx = db::begin(pool).await?;
    let member = sqlx::query_as!(
        StaffMember,
        r#"INSERT INTO staff_members (email, role, oidc_subject, created_by)
           VALUES ($2, $3, $1, 'oidc')
           ON CONFLICT (email) DO UPDATE SET role = $3, oidc_subject = $1
             WHERE staff_members.oidc_subject IS NULL OR staff_members.oidc_subject = $1
           RETURNING id AS "id: StaffMemberId", email, role AS "role: Role", oidc_subject,
                     created_at, created_by, disabled_at"#,
        subject,
        email,
        role as Role,
    )
    .fetch_optional(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(member.filter(|m| m.disabled_at.is_none()))
}
