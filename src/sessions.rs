//! Bill sessions: opened by `POST /b/{token}`, carried by an HttpOnly cookie, re-checked
//! against the token on every request. Each row is also the record of a link opening.

use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use rand::RngCore;
use sha2::{Digest, Sha256};
use sqlx::{PgConnection, PgPool};

use crate::tokens::ShortId;

/// The cookie's name.
pub const COOKIE: &str = "billpass_session";
/// A session never outlives this, nor its token.
pub const MAX_LIFETIME: Duration = Duration::from_secs(30 * 60);

/// A new session's secret cookie value and lifetime.
pub struct NewSession {
    pub cookie_value: String,
    pub lifetime: Duration,
}

/// Opens a session for a current token.
pub async fn open(
    pool: &PgPool,
    token_id: i64,
    token_expires_at: DateTime<Utc>,
) -> sqlx::Result<NewSession> {
    let remaining = (token_expires_at - Utc::now()).to_std().unwrap_or_default();
    let lifetime = remaining.min(MAX_LIFETIME);
    let mut secret = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut secret);
    sqlx::query("INSERT INTO sessions (id_hash, token_id, expires_at) VALUES ($1, $2, now() + $3::interval)")
        .bind(Sha256::digest(secret).to_vec())
        .bind(token_id)
        .bind(format!("{} seconds", lifetime.as_secs()))
        .execute(pool)
        .await?;
    Ok(NewSession {
        cookie_value: URL_SAFE_NO_PAD.encode(secret),
        lifetime,
    })
}

/// What a session cookie leads to.
pub enum SessionState {
    /// The session and its token are good: show this bill.
    Active { bill_id: i64 },
    /// Its token was superseded or revoked since.
    Ended,
    /// Unknown, malformed or expired.
    Missing,
}

/// Looks up the session behind a cookie value and re-checks its token: one small query,
/// as this runs for every view of a bill.
pub async fn check(conn: &mut PgConnection, cookie_value: &str) -> sqlx::Result<SessionState> {
    let Ok(secret) = URL_SAFE_NO_PAD.decode(cookie_value) else {
        return Ok(SessionState::Missing);
    };
    if secret.len() != 32 {
        return Ok(SessionState::Missing);
    }
    let Some((ended, expired, bill_id)) = sqlx::query_as::<_, (bool, bool, i64)>(
        "SELECT t.superseded_at IS NOT NULL OR t.revoked_at IS NOT NULL,
                s.expires_at <= now() OR t.expires_at <= now(),
                t.bill_id
         FROM sessions s JOIN link_tokens t ON t.id = s.token_id
         WHERE s.id_hash = $1",
    )
    .bind(Sha256::digest(&secret).to_vec())
    .fetch_optional(conn)
    .await?
    else {
        return Ok(SessionState::Missing);
    };
    Ok(match (ended, expired) {
        (true, _) => SessionState::Ended,
        (false, true) => SessionState::Missing,
        (false, false) => SessionState::Active { bill_id },
    })
}

/// A customer opening a link: pressing "View my bill", which opens a session. Fetching the
/// link alone is not counted: mail scanners and chat previews do that.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Opening {
    /// The link opened.
    #[schema(value_type = String)]
    pub jti: ShortId,
    pub opened_at: DateTime<Utc>,
}

/// Every opening of the customer's links, newest first.
pub async fn openings(conn: &mut PgConnection, customer_id: i64) -> sqlx::Result<Vec<Opening>> {
    sqlx::query_as(
        "SELECT s.token_id AS jti, s.opened_at
         FROM sessions s JOIN link_tokens t ON t.id = s.token_id
         WHERE t.customer_id = $1
         ORDER BY s.opened_at DESC",
    )
    .bind(customer_id)
    .fetch_all(conn)
    .await
}
