//! Console sessions: a random secret in the `billpass_staff` cookie, of which the database
//! keeps only the SHA-256, with the CSRF token every form of the session carries. A session
//! ends after 30 minutes without a request, after 12 hours whatever happens, at sign-out, and
//! at once when its member is disabled.

use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::RngCore;
use serde_json::json;
use sha2::{Digest, Sha256};
use sqlx::PgPool;
use subtle::ConstantTimeEq;

use super::audit::{Action, Record};
use super::members::StaffMember;
use crate::domain::{Role, StaffMemberId};
use crate::infra::db;

/// The cookie's name.
pub const COOKIE: &str = "billpass_staff";
/// A session ends after this long without a request.
pub const IDLE: Duration = Duration::from_secs(30 * 60);
/// A session ends this long after sign-in, whatever happens.
pub const LONGEST: Duration = Duration::from_secs(12 * 60 * 60);

/// A signed-in member's session.
#[derive(Debug, Clone)]
pub struct ConsoleSession {
    pub member: StaffMember,
    /// The token each form of this session must carry.
    pub csrf_token: String,
}

impl ConsoleSession {
    /// Whether a form's token is this session's (compared in constant time).
    pub fn csrf_matches(&self, presented: &str) -> bool {
        self.csrf_token
            .as_bytes()
            .ct_eq(presented.as_bytes())
            .into()
    }
}

/// A session just opened: the cookie's value goes to the browser, once.
pub struct NewSession {
    pub cookie_value: String,
}

fn random_token() -> String {
    let mut secret = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut secret);
    URL_SAFE_NO_PAD.encode(secret)
}

fn hash(cookie_value: &str) -> Vec<u8> {
    Sha256::digest(cookie_value.as_bytes()).to_vec()
}

/// Opens a session for `member`, who just signed in by `how` (`email link`, `oidc`),
/// recorded in the audit log.
pub async fn open(pool: &PgPool, member: &StaffMember, how: &str) -> sqlx::Result<NewSession> {
    let cookie_value = random_token();
    let mut tx = db::begin(pool).await?;
    sqlx::query!(
        "INSERT INTO staff_sessions (id_hash, staff_id, csrf_token) VALUES ($1, $2, $3)",
        hash(&cookie_value),
        member.id as StaffMemberId,
        random_token(),
    )
    .execute(&mut *tx)
    .await?;
    Record {
        details: json!({ "by": how }),
        ..Record::new(Action::StaffSignIn, &member.email)
    }
    .write(&mut tx, &member.actor())
    .await?;
    tx.commit().await?;
    Ok(NewSession { cookie_value })
}

/// The live session this cookie value opens, if any; counts as activity.
pub async fn find(pool: &PgPool, cookie_value: &str) -> sqlx::Result<Option<ConsoleSession>> {
    if cookie_value.len() != 43 {
        return Ok(None);
    }
    let row = sqlx::query!(
        r#"WITH live AS (
             SELECT s.id_hash, s.seen_at, s.csrf_token, m.id, m.email, m.role, m.oidc_subject,
                    m.created_at, m.created_by, m.disabled_at
             FROM staff_sessions s JOIN staff_members m ON m.id = s.staff_id
             WHERE s.id_hash = $1 AND s.ended_at IS NULL AND m.disabled_at IS NULL
               AND s.seen_at > now() - make_interval(secs => $2)
               AND s.created_at > now() - make_interval(secs => $3)
           ), touched AS (
             UPDATE staff_sessions SET seen_at = now()
             WHERE id_hash IN (SELECT id_hash FROM live WHERE seen_at < now() - interval '1 minute')
           )
           SELECT csrf_token, id AS "id: StaffMemberId", email, role AS "role: Role",
                  oidc_subject, created_at, created_by, disabled_at
           FROM live"#,
        hash(cookie_value),
        IDLE.as_secs_f64(),
        LONGEST.as_secs_f64(),
    )
    .fetch_optional(pool)
    .await?;
    Ok(row.map(|row| ConsoleSession {
        csrf_token: row.csrf_token,
        member: StaffMember {
            id: row.id,
            email: row.email,
            role: row.role,
            oidc_subject: row.oidc_subject,
            created_at: row.created_at,
            created_by: row.created_by,
            disabled_at: row.disabled_at,
        },
    }))
}

/// Ends the session of this cookie value (sign-out).
pub async fn end(pool: &PgPool, cookie_value: &str) -> sqlx::Result<()> {
    sqlx::query!(
        "UPDATE staff_sessions SET ended_at = now() WHERE id_hash = $1 AND ended_at IS NULL",
        hash(cookie_value)
    )
    .execute(pool)
    .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csrf_tokens_match_only_exactly() {
        let session = ConsoleSession {
            member: StaffMember {
                id: StaffMemberId(1),
                email: "a@example.com".into(),
                role: Role::Csr,
                oidc_subject: None,
                created_at: chrono::Utc::now(),
                created_by: "cli:root".into(),
                disabled_at: None,
            },
            csrf_token: random_token(),
        };
        assert!(session.csrf_matches(&session.csrf_token.clone()));
        assert!(!session.csrf_matches(""));
        assert!(!session.csrf_matches(&random_token()));
        assert_eq!(random_token().len(), 43);
    }
}
