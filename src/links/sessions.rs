//! Bill sessions: opened by `POST /b/{token}`, carried by an HttpOnly cookie, re-checked
//! against the token on every request. Each row is also the record of a link opening.

use std::collections::HashMap;
use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use rand::RngCore;
use sha2::{Digest, Sha256};
use sqlx::PgConnection;
use sqlx::types::Json;

use crate::billing::bill::{BillRow, ComparedBill, StoredLine, StoredUsage};
use crate::domain::{BillId, BrandId, CustomerId, LinkId, ShortId};
use crate::infra::gathered::GatheredRead;

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
    token_id: LinkId,
    token_expires_at: DateTime<Utc>,
) -> sqlx::Result<NewSession> {
    let remaining = (token_expires_at - Utc::now()).to_std().unwrap_or_default();
    let lifetime = remaining.min(MAX_LIFETIME);
    let mut secret = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut secret);
    // The link's first opening is kept on it too, for the cycle report.
    let bill_id = sqlx::query_scalar!(
        r#"WITH opened AS (INSERT INTO sessions (id_hash, token_id, expires_at)
                           VALUES ($1, $2, now() + make_interval(secs => $3))),
                first AS (UPDATE link_tokens SET first_opened_at = now()
                          WHERE id = $2 AND first_opened_at IS NULL)
           SELECT bill_id AS "bill_id!: BillId" FROM link_tokens WHERE id = $2"#,
        &Sha256::digest(secret)[..],
        token_id as LinkId,
        lifetime.as_secs() as f64,
    )
    .fetch_one(conn)
    .await?;
    Ok(NewSession {
        cookie_value: format!("{}.{}", URL_SAFE_NO_PAD.encode(secret), ShortId(bill_id.0)),
        lifetime,
    })
}

/// A session cookie: its secret, and the bill the session opened. The bill only says
/// which rendered page may be shown from memory; the session is checked in PostgreSQL on
/// every view, and a page is shown only when the session leads to that very bill.
pub struct SessionCookie {
    id_hash: Vec<u8>,
    bill_id: Option<BillId>,
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
            bill_id: bill.map(|id| BillId(id.0)),
        })
    }

    /// The bill this session opened, as the cookie says.
    pub fn bill_id(&self) -> Option<BillId> {
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
}

/// Checks sessions and their tokens, for bills whose pages are at hand: one small query
/// for all of them. The answers come in the order of `cookies`. A session whose token
/// ended (superseded or revoked) is `Ended` whether or not it also expired.
pub async fn check_all(
    conn: &mut PgConnection,
    cookies: &[&SessionCookie],
) -> sqlx::Result<Vec<SessionState<BillId>>> {
    let hashes: Vec<&[u8]> = cookies.iter().map(|cookie| &cookie.id_hash[..]).collect();
    let found: HashMap<Vec<u8>, SessionState<BillId>> = sqlx::query!(
        r#"SELECT s.id_hash,
                  t.superseded_at IS NOT NULL OR t.revoked_at IS NOT NULL AS "ended!",
                  s.expires_at <= now() OR t.expires_at <= now() AS "expired!",
                  t.bill_id AS "bill_id: BillId"
           FROM sessions s JOIN link_tokens t ON t.id = s.token_id
           WHERE s.id_hash = ANY($1)"#,
        &hashes as &[&[u8]],
    )
    .fetch_all(conn)
    .await?
    .into_iter()
    .map(|row| {
        let state = match (row.ended, row.expired) {
            (true, _) => SessionState::Ended,
            (false, true) => SessionState::Missing,
            (false, false) => SessionState::Active(row.bill_id),
        };
        (row.id_hash, state)
    })
    .collect();
    Ok(cookies
        .iter()
        .map(|cookie| match found.get(&cookie.id_hash) {
            None => SessionState::Missing,
            Some(SessionState::Active(bill_id)) => SessionState::Active(*bill_id),
            Some(SessionState::Ended) => SessionState::Ended,
            Some(_) => SessionState::Missing,
        })
        .collect())
}

/// Checks the session and its token and, while both are good, reads the bill it opens, in
/// one query; only a session that cannot show a bill takes a second, to say why.
pub async fn check_and_read(
    conn: &mut PgConnection,
    cookie: &SessionCookie,
) -> sqlx::Result<SessionState<(BillId, BillRow)>> {
    let row = sqlx::query_as!(
        BillRow,
        r#"SELECT v.bill_id AS "bill_id!: BillId", v.name AS "name!", v.account_id AS "account_id!",
                  v.cycle AS "cycle!", v.period_start AS "period_start!",
                  v.period_end AS "period_end!", v.issued_on AS "issued_on!",
                  v.due_on AS "due_on!", v.currency AS "currency!",
                  v.amount_due AS "amount_due!", v.previous_balance AS "previous_balance!",
                  v.payments AS "payments!",
                  v.lines AS "lines!: Json<Vec<StoredLine>>",
                  v.usage AS "usage!: Json<Vec<StoredUsage>>",
                  v.previous AS "previous?: Json<ComparedBill>",
                  v.last_year AS "last_year?: Json<ComparedBill>",
                  COALESCE(v.brand_id, 'default') AS "brand!: BrandId", v.locale AS "locale!"
           FROM sessions s
           JOIN link_tokens t ON t.id = s.token_id
           JOIN bill_pages v ON v.bill_id = t.bill_id
           WHERE s.id_hash = $1 AND t.superseded_at IS NULL AND t.revoked_at IS NULL
             AND s.expires_at > now() AND t.expires_at > now()"#,
        &cookie.id_hash[..],
    )
    .fetch_optional(&mut *conn)
    .await?;
    let Some(bill) = row else {
        // Unknown, expired or ended; or good, with its bill gone.
        return Ok(match check_all(conn, &[cookie]).await?.pop() {
            Some(SessionState::Active(_)) => SessionState::BillRemoved,
            Some(SessionState::Ended) => SessionState::Ended,
            _ => SessionState::Missing,
        });
    };
    Ok(SessionState::Active((bill.bill_id, bill)))
}

/// A customer opening a link: pressing "View my bill", which opens a session. Fetching the
/// link alone is not counted: mail scanners and chat previews do that.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct Opening {
    /// The link opened.
    #[schema(value_type = String)]
    pub jti: LinkId,
    pub opened_at: DateTime<Utc>,
}

/// Every opening of the customer's links, newest first.
pub async fn openings(
    conn: &mut PgConnection,
    customer_id: CustomerId,
) -> sqlx::Result<Vec<Opening>> {
    sqlx::query_as!(
        Opening,
        r#"SELECT s.token_id AS "jti: LinkId", s.opened_at
           FROM sessions s JOIN link_tokens t ON t.id = s.token_id
           WHERE t.customer_id = $1
           ORDER BY s.opened_at DESC"#,
        customer_id as CustomerId,
    )
    .fetch_all(conn)
    .await
}

/// The checks of sessions whose page is in memory, asked together.
pub struct SessionChecks;

impl GatheredRead for SessionChecks {
    type Question = SessionCookie;
    type Answer = SessionState<BillId>;

    fn read_all(
        conn: &mut PgConnection,
        cookies: &[&SessionCookie],
    ) -> impl Future<Output = sqlx::Result<Vec<SessionState<BillId>>>> {
        check_all(conn, cookies)
    }
}
