//! Bill sessions: opened by `POST /b/{token}`, carried by an HttpOnly cookie, re-checked
//! against the token on every request. Each row is also the record of a link opening.

use std::collections::HashMap;
use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use rand::RngCore;
use sha2::{Digest, Sha256};
use sqlx::{FromRow, PgConnection, Row};

use crate::billing::bill::{BillRow, bill_row_columns};
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
    conn: &mut PgConnection,
    token_id: i64,
    token_expires_at: DateTime<Utc>,
) -> sqlx::Result<NewSession> {
    let remaining = (token_expires_at - Utc::now()).to_std().unwrap_or_default();
    let lifetime = remaining.min(MAX_LIFETIME);
    let mut secret = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut secret);
    let bill_id: i64 = sqlx::query_scalar(
        "INSERT INTO sessions (id_hash, token_id, expires_at) VALUES ($1, $2, now() + $3::interval)
         RETURNING (SELECT bill_id FROM link_tokens WHERE id = $2)",
    )
    .bind(Sha256::digest(secret).to_vec())
    .bind(token_id)
    .bind(format!("{} seconds", lifetime.as_secs()))
    .fetch_one(conn)
    .await?;
    Ok(NewSession {
        cookie_value: format!("{}.{}", URL_SAFE_NO_PAD.encode(secret), ShortId(bill_id)),
        lifetime,
    })
}

/// A session cookie: its secret, and the bill the session opened. The bill only says
/// which rendered page may be shown from memory; the session is checked in PostgreSQL on
/// every view, and a page is shown only when the session leads to that very bill.
pub struct SessionCookie {
    id_hash: Vec<u8>,
    bill_id: Option<i64>,
}

impl SessionCookie {
    /// `None` for a value that cannot be one of ours.
    pub fn parse(value: &str) -> Option<Self> {
        let (secret, bill) = match value.split_once('.') {
            Some((secret, bill)) => (secret, ShortId::parse(bill)),
            None => (value, None),
        };
        let secret = URL_SAFE_NO_PAD.decode(secret).ok()?;
        (secret.len() == 32).then(|| Self {
            id_hash: Sha256::digest(&secret).to_vec(),
            bill_id: bill.map(|id| id.0),
        })
    }

    /// The bill this session opened, as the cookie says.
    pub fn bill_id(&self) -> Option<i64> {
        self.bill_id
    }
}

/// What a session cookie leads to.
pub enum SessionState<T> {
    /// The session and its token are good: show this bill.
    Active(T),
    /// The session is good but its bill is gone.
    BillRemoved,
    /// Its token was superseded or revoked since.
    Ended,
    /// Unknown or expired.
    Missing,
}

impl<T> SessionState<T> {
    /// The same state, with what an active session leads to turned into something else.
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> SessionState<U> {
        match self {
            SessionState::Active(active) => SessionState::Active(f(active)),
            SessionState::BillRemoved => SessionState::BillRemoved,
            SessionState::Ended => SessionState::Ended,
            SessionState::Missing => SessionState::Missing,
        }
    }

    /// A session on record that cannot be used, from whether its token ended (superseded
    /// or revoked: that wins) and whether it or its token expired; `None` while it is good.
    fn unusable(ended: bool, expired: bool) -> Option<Self> {
        match (ended, expired) {
            (true, _) => Some(SessionState::Ended),
            (false, true) => Some(SessionState::Missing),
            (false, false) => None,
        }
    }
}

/// Checks sessions and their tokens, for bills whose pages are at hand: one small query
/// for all of them. The answers come in the order of `cookies`.
pub async fn check_all(
    conn: &mut PgConnection,
    cookies: &[&SessionCookie],
) -> sqlx::Result<Vec<SessionState<i64>>> {
    let hashes: Vec<&[u8]> = cookies.iter().map(|cookie| &cookie.id_hash[..]).collect();
    let found: HashMap<Vec<u8>, (bool, bool, i64)> =
        sqlx::query_as::<_, (Vec<u8>, bool, bool, i64)>(
            "SELECT s.id_hash,
                    t.superseded_at IS NOT NULL OR t.revoked_at IS NOT NULL,
                    s.expires_at <= now() OR t.expires_at <= now(),
                    t.bill_id
             FROM sessions s JOIN link_tokens t ON t.id = s.token_id
             WHERE s.id_hash = ANY($1)",
        )
        .bind(&hashes)
        .fetch_all(conn)
        .await?
        .into_iter()
        .map(|(id_hash, ended, expired, bill_id)| (id_hash, (ended, expired, bill_id)))
        .collect();
    Ok(cookies
        .iter()
        .map(|cookie| match found.get(&cookie.id_hash) {
            None => SessionState::Missing,
            Some(&(ended, expired, bill_id)) => {
                SessionState::unusable(ended, expired).unwrap_or(SessionState::Active(bill_id))
            }
        })
        .collect())
}

/// Checks the session and its token and, while both are good, reads the bill it opens:
/// one query.
pub async fn check_and_read(
    conn: &mut PgConnection,
    cookie: &SessionCookie,
) -> sqlx::Result<SessionState<(i64, BillRow)>> {
    let query = concat!(
        "SELECT t.superseded_at IS NOT NULL OR t.revoked_at IS NOT NULL AS ended,
                s.expires_at <= now() OR t.expires_at <= now() AS expired,
                b.id AS bill_id, ",
        bill_row_columns!(),
        " FROM sessions s
         JOIN link_tokens t ON t.id = s.token_id
         LEFT JOIN bills b ON b.id = t.bill_id AND t.superseded_at IS NULL
                              AND t.revoked_at IS NULL AND s.expires_at > now() AND t.expires_at > now()
         LEFT JOIN customers c ON c.id = b.customer_id
         LEFT JOIN LATERAL (SELECT period_end, amount_due, lines FROM bills p
                            WHERE p.customer_id = b.customer_id AND p.period_end < b.period_start
                              AND p.currency = b.currency
                            ORDER BY p.period_end DESC LIMIT 1) p ON true
         WHERE s.id_hash = $1"
    );
    let Some(row) = sqlx::query(query)
        .bind(&cookie.id_hash)
        .fetch_optional(conn)
        .await?
    else {
        return Ok(SessionState::Missing);
    };
    if let Some(state) = SessionState::unusable(row.try_get("ended")?, row.try_get("expired")?) {
        return Ok(state);
    }
    Ok(match row.try_get::<Option<i64>, _>("bill_id")? {
        None => SessionState::BillRemoved,
        Some(bill_id) => SessionState::Active((bill_id, BillRow::from_row(&row)?)),
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
