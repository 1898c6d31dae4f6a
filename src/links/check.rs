//! Checking a link against the database: whether a token whose signature checked out is
//! still its customer's current link, or expired, superseded or revoked. Every request
//! re-checks here; the checks of requests arriving at the same moment go as one query.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sqlx::PgConnection;

use crate::domain::{Channel, CustomerId, LinkId};
use crate::infra::gathered::GatheredRead;
use crate::tokens::VerifiedToken;

/// What the database says about a link whose signature checked out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LinkState {
    /// Current, not revoked, not expired: it opens the bill.
    Current {
        token_id: LinkId,
        expires_at: DateTime<Utc>,
    },
    Expired,
    /// The customer's newest link was sent at `at` by `channel`; `timezone` is the
    /// customer's own, when on file, to tell them the time in.
    Superseded {
        at: DateTime<Utc>,
        channel: Channel,
        timezone: Option<String>,
    },
    Revoked,
    /// Signed by us but not on record (or not this customer's): treated as invalid.
    Unknown,
}

/// A link's record, as far as its checks need it.
#[derive(Clone)]
pub(super) struct TokenRecord {
    id: LinkId,
    customer_id: CustomerId,
    pub(super) revoked_at: Option<DateTime<Utc>>,
    pub(super) superseded_at: Option<DateTime<Utc>>,
    pub(super) expires_at: DateTime<Utc>,
    /// The channel this link went by.
    pub(super) channel: Channel,
    /// For a superseded link: when the customer's newest link was minted, and the channel
    /// it went by.
    newest_minted_at: Option<DateTime<Utc>>,
    newest_channel: Option<Channel>,
    newest_timezone: Option<String>,
}

impl TokenRecord {
    pub(super) async fn find(
        conn: &mut PgConnection,
        token: &VerifiedToken,
    ) -> sqlx::Result<Option<TokenRecord>> {
        Ok(Self::find_all(conn, &[token]).await?.pop().flatten())
    }

    /// The records of `tokens`, in their order, in one query; `None` for a link not on
    /// record or not its customer's. The customer's newest link (the one not superseded,
    /// found through `link_tokens_current_idx`) is looked for only under a superseded one:
    /// as a condition inside the subquery, PostgreSQL skips the subquery for a current link,
    /// where as the join's condition it would run it for every link and discard the row.
    async fn find_all(
        conn: &mut PgConnection,
        tokens: &[&VerifiedToken],
    ) -> sqlx::Result<Vec<Option<TokenRecord>>> {
        let ids: Vec<LinkId> = tokens.iter().map(|token| token.jti).collect();
        let found: HashMap<LinkId, TokenRecord> = sqlx::query_as!(
            TokenRecord,
            r#"SELECT t.id AS "id: LinkId", t.customer_id AS "customer_id: CustomerId", t.revoked_at,
                      t.superseded_at, t.expires_at, t.channel AS "channel: Channel",
                      newest.minted_at AS "newest_minted_at?",
                      newest.channel AS "newest_channel?: Channel",
                      newest.timezone AS "newest_timezone?"
               FROM link_tokens t
               LEFT JOIN LATERAL (SELECT n.minted_at, n.channel, c.timezone
                                  FROM link_tokens n JOIN customers c ON c.id = n.customer_id
                                  WHERE t.superseded_at IS NOT NULL
                                    AND n.customer_id = t.customer_id AND n.superseded_at IS NULL) newest ON true
               WHERE t.id = ANY($1)"#,
            &ids as &[LinkId],
        )
        .fetch_all(conn)
        .await?
        .into_iter()
        .map(|record| (record.id, record))
        .collect();
        Ok(tokens
            .iter()
            .map(|token| {
                found
                    .get(&token.jti)
                    .filter(|record| record.customer_id == token.customer)
                    .cloned()
            })
            .collect())
    }
}

/// Looks the links up, all in one query; every request re-checks here. The answers come in
/// the order of `tokens`.
pub async fn states(
    conn: &mut PgConnection,
    tokens: &[&VerifiedToken],
) -> sqlx::Result<Vec<LinkState>> {
    let records = TokenRecord::find_all(conn, tokens).await?;
    Ok(records
        .into_iter()
        .zip(tokens)
        .map(|(record, token)| state_of(record, token))
        .collect())
}

fn state_of(record: Option<TokenRecord>, token: &VerifiedToken) -> LinkState {
    let Some(record) = record else {
        return LinkState::Unknown;
    };
    if record.revoked_at.is_some() {
        LinkState::Revoked
    } else if let Some(superseded_at) = record.superseded_at {
        let channel = record.newest_channel.unwrap_or(record.channel);
        let at = record.newest_minted_at.unwrap_or(superseded_at);
        LinkState::Superseded {
            at,
            channel,
            timezone: record.newest_timezone,
        }
    } else if record.expires_at <= Utc::now() || token.is_expired() {
        LinkState::Expired
    } else {
        LinkState::Current {
            token_id: token.jti,
            expires_at: record.expires_at,
        }
    }
}

/// The current-or-not checks of links, asked together.
pub struct LinkChecks;

impl GatheredRead for LinkChecks {
    type Question = VerifiedToken;
    type Answer = LinkState;

    fn read_all(
        conn: &mut sqlx::PgConnection,
        tokens: &[&VerifiedToken],
    ) -> impl Future<Output = sqlx::Result<Vec<LinkState>>> {
        states(conn, tokens)
    }
}
