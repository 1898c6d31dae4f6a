//! Issued links in the database: minting (newest wins), status checks, renewal, resends
//! and revocations by staff, and each customer's history.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use chrono::{DateTime, SubsecRound, Utc};
use serde_json::json;
use sqlx::{PgConnection, PgPool};

use crate::audit::{Action, Actor, Reason, Record};
use crate::customers::{Customer, Destination};
use crate::db::CopyText;
use crate::delivery::time_text;
use crate::domain::{AccountId, Channel};
use crate::metrics::{self, DeliveryEvent};
use crate::settings::LinkSettings;
use crate::tokens::{ShortId, TokenIssuer, VerifiedToken};

/// Why a link was minted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MintReason<'a> {
    /// The customer's link for this cycle.
    Cycle(&'a str),
    Resend,
    Renewal,
    /// Asked for on `/link` with an address on file.
    SelfService,
}

impl<'a> MintReason<'a> {
    pub fn as_str(self) -> &'static str {
        match self {
            MintReason::Cycle(_) => "cycle",
            MintReason::Resend => "resend",
            MintReason::Renewal => "renewal",
            MintReason::SelfService => "self_service",
        }
    }

    fn cycle(self) -> Option<&'a str> {
        match self {
            MintReason::Cycle(cycle) => Some(cycle),
            _ => None,
        }
    }
}

/// A link to mint: for whom, to which bill, and where it goes.
#[derive(Debug, Clone)]
pub struct NewLink {
    pub customer_id: i64,
    pub bill_id: i64,
    pub destination: Destination,
}

/// Links with their signed tokens, ready to be written.
pub struct SignedLinks {
    pub jtis: Vec<ShortId>,
    pub links: Vec<NewLink>,
    tokens: Vec<String>,
    kid: String,
    issued_at: DateTime<Utc>,
    expires_at: DateTime<Utc>,
}

impl SignedLinks {
    /// Counts the links and their deliveries in the metrics, once written.
    fn count_written(&self, reason: MintReason<'_>) {
        metrics::tokens_minted(reason, self.links.len());
        for channel in [Channel::Email, Channel::Sms] {
            let queued = self
                .links
                .iter()
                .filter(|l| l.destination.channel == channel);
            metrics::deliveries(channel, DeliveryEvent::Queued, queued.count() as u64);
        }
    }
}

/// A freshly minted link and the delivery queued to carry it.
#[derive(Debug, Clone)]
pub struct Minted {
    pub jti: ShortId,
    pub delivery_id: i64,
    pub destination: Destination,
}

/// Writes of signed links retried after meeting a link minted meanwhile.
const WRITE_ATTEMPTS: u32 = 5;

/// Mints tokens and writes them, with their deliveries, to the database.
#[derive(Clone)]
pub struct Minter {
    pub issuer: TokenIssuer,
    pub links: Arc<LinkSettings>,
}

impl Minter {
    /// Draws the ids (the `jti`s) of the next `n` links.
    pub async fn next_ids(conn: &mut PgConnection, n: usize) -> sqlx::Result<Vec<ShortId>> {
        let ids: Vec<i64> =
            sqlx::query_scalar("SELECT nextval('link_tokens_id_seq') FROM generate_series(1, $1)")
                .bind(n as i64)
                .fetch_all(conn)
                .await?;
        Ok(ids.into_iter().map(ShortId).collect())
    }

    /// Mints a link to the customer's latest bill; `None` when they have no bill yet.
    pub async fn mint_to_latest_bill(
        &self,
        conn: &mut PgConnection,
        customer: &Customer,
        destination: Destination,
        reason: MintReason<'_>,
        minted_by: &str,
    ) -> anyhow::Result<Option<Minted>> {
        let Some(bill_id) = latest_bill(conn, customer.id).await? else {
            return Ok(None);
        };
        let jtis = Self::next_ids(conn, 1).await?;
        let link = NewLink {
            customer_id: customer.id,
            bill_id,
            destination,
        };
        let mut signed = self.sign(jtis, vec![link]).await?;
        let deliveries = self
            .write_superseding(conn, &signed, reason, minted_by)
            .await?;
        let link = signed.links.remove(0);
        Ok(Some(Minted {
            jti: signed.jtis[0],
            delivery_id: deliveries[0],
            destination: link.destination,
        }))
    }

    /// Signs link `jtis[i]` (from [`Self::next_ids`]) for each of `links`, spreading the
    /// work over the cores.
    pub async fn sign(
        &self,
        jtis: Vec<ShortId>,
        links: Vec<NewLink>,
    ) -> anyhow::Result<SignedLinks> {
        anyhow::ensure!(jtis.len() == links.len(), "one jti per link");
        let issued_at = Utc::now().trunc_subsecs(0);
        let expires_at = issued_at + chrono::Duration::from_std(self.links.link_ttl)?;
        let pairs: Vec<(ShortId, ShortId)> = jtis
            .iter()
            .zip(&links)
            .map(|(jti, link)| (*jti, ShortId(link.customer_id)))
            .collect();
        let issuer = self.issuer.clone();
        let (tokens, kid) =
            tokio::task::spawn_blocking(move || issuer.sign_all(&pairs, issued_at, expires_at))
                .await??;
        Ok(SignedLinks {
            jtis,
            links,
            tokens,
            kid,
            issued_at,
            expires_at,
        })
    }

    /// Writes signed links for customers whose rows the transaction has locked (see
    /// [`Customer::lock`]) or whose links nobody else mints meanwhile (a cycle run's batch):
    /// supersedes each customer's previous link, records the new ones and queues their
    /// deliveries. Returns the delivery ids, in order.
    pub async fn write(
        &self,
        conn: &mut PgConnection,
        signed: &SignedLinks,
        reason: MintReason<'_>,
        minted_by: &str,
    ) -> anyhow::Result<Vec<i64>> {
        let SignedLinks {
            jtis,
            links,
            tokens,
            kid,
            issued_at,
            expires_at,
        } = signed;
        let ids: Vec<i64> = jtis.iter().map(|j| j.0).collect();
        let customers: Vec<i64> = links.iter().map(|l| l.customer_id).collect();
        sqlx::query("UPDATE link_tokens SET superseded_at = $2 WHERE customer_id = ANY($1) AND superseded_at IS NULL")
            .bind(&customers)
            .bind(issued_at)
            .execute(&mut *conn)
            .await
            .context("superseding the previous links")?;
        let deliveries: Vec<i64> =
            sqlx::query_scalar("SELECT nextval('deliveries_id_seq') FROM generate_series(1, $1)")
                .bind(links.len() as i64)
                .fetch_all(&mut *conn)
                .await?;
        // COPY: a cycle run writes millions of these rows, about twice as fast as INSERT.
        let (minted_at, expires_at) = (issued_at.to_rfc3339(), expires_at.to_rfc3339());
        let mut token_rows = CopyText::default();
        let mut delivery_rows = CopyText::default();
        for (((id, link), token), delivery) in ids.iter().zip(links).zip(tokens).zip(&deliveries) {
            let channel = link.destination.channel.as_str();
            token_rows
                .int(*id)
                .int(link.customer_id)
                .int(link.bill_id)
                .text(channel)
                .text(kid)
                .text(reason.as_str())
                .text_or_null(reason.cycle())
                .text(minted_by)
                .text(&minted_at)
                .text(&expires_at)
                .end_row();
            delivery_rows
                .int(*delivery)
                .int(*id)
                .text(channel)
                .text(&link.destination.address)
                .text(&self.links.link(token))
                .end_row();
        }
        token_rows
            .copy_into(
                conn,
                "COPY link_tokens (id, customer_id, bill_id, channel, kid, reason, cycle, minted_by, minted_at, expires_at)
                 FROM STDIN",
            )
            .await
            .context("recording the links")?;
        delivery_rows
            .copy_into(
                conn,
                "COPY deliveries (id, token_id, channel, destination, link) FROM STDIN",
            )
            .await
            .context("queueing the deliveries")?;
        crate::delivery::notify_workers(conn).await?;
        Ok(deliveries)
    }

    /// [`Self::write`] in a savepoint, written again when it meets a link minted meanwhile:
    /// a cycle run's batch does not lock its customers, so it and a resend or renewal may
    /// each give a customer a new current link between the other's read and write. The
    /// second writer supersedes the first one's link on its next try.
    pub async fn write_superseding(
        &self,
        conn: &mut PgConnection,
        signed: &SignedLinks,
        reason: MintReason<'_>,
        minted_by: &str,
    ) -> anyhow::Result<Vec<i64>> {
        let mut attempts = 1;
        loop {
            let mut savepoint = sqlx::Connection::begin(&mut *conn).await?;
            match self.write(&mut savepoint, signed, reason, minted_by).await {
                Ok(deliveries) => {
                    savepoint.commit().await?;
                    signed.count_written(reason);
                    return Ok(deliveries);
                }
                Err(error) if is_link_conflict(&error) && attempts < WRITE_ATTEMPTS => {
                    savepoint.rollback().await?;
                    attempts += 1;
                }
                Err(error) => return Err(error),
            }
        }
    }
}

/// What the database says about a link whose signature checked out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LinkState {
    /// Current, not revoked, not expired: it opens the bill.
    Current {
        token_id: i64,
        expires_at: DateTime<Utc>,
    },
    Expired,
    /// The customer's newest link was sent at `at` by `channel`.
    Superseded {
        at: DateTime<Utc>,
        channel: Channel,
    },
    Revoked,
    /// Signed by us but not on record (or not this customer's): treated as invalid.
    Unknown,
}

/// A link's record, as far as its checks need it.
#[derive(Clone, sqlx::FromRow)]
struct TokenRecord {
    id: i64,
    customer_id: i64,
    revoked_at: Option<DateTime<Utc>>,
    superseded_at: Option<DateTime<Utc>>,
    expires_at: DateTime<Utc>,
    /// The channel this link went by.
    channel: String,
    /// For a superseded link: when the customer's newest link was minted, and the channel
    /// it went by.
    newest_minted_at: Option<DateTime<Utc>>,
    newest_channel: Option<String>,
}

impl TokenRecord {
    async fn find(
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
        let ids: Vec<i64> = tokens.iter().map(|token| token.jti.0).collect();
        let found: HashMap<i64, TokenRecord> = sqlx::query_as::<_, TokenRecord>(
            "SELECT t.id, t.customer_id, t.revoked_at, t.superseded_at, t.expires_at, t.channel,
                    newest.minted_at AS newest_minted_at, newest.channel AS newest_channel
             FROM link_tokens t
             LEFT JOIN LATERAL (SELECT minted_at, channel FROM link_tokens n
                                WHERE t.superseded_at IS NOT NULL
                                  AND n.customer_id = t.customer_id AND n.superseded_at IS NULL) newest ON true
             WHERE t.id = ANY($1)",
        )
        .bind(&ids)
        .fetch_all(conn)
        .await?
        .into_iter()
        .map(|record| (record.id, record))
        .collect();
        Ok(tokens
            .iter()
            .map(|token| {
                found
                    .get(&token.jti.0)
                    .filter(|record| record.customer_id == token.customer.0)
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
        let channel = record
            .newest_channel
            .and_then(|c| c.parse().ok())
            .unwrap_or(Channel::Email);
        let at = record.newest_minted_at.unwrap_or(superseded_at);
        LinkState::Superseded { at, channel }
    } else if record.expires_at <= Utc::now() || token.is_expired() {
        LinkState::Expired
    } else {
        LinkState::Current {
            token_id: token.jti.0,
            expires_at: record.expires_at,
        }
    }
}

/// The outcome of a customer asking for a fresh link.
#[derive(Debug)]
pub enum Renewal {
    /// A link went to the address on file: a fresh one, or the customer's current one again.
    Sent(Destination),
    /// The customer was sent a link they asked for less than a minute ago.
    TooSoon { retry_after: Duration },
    /// The daily cap is reached.
    DailyLimit,
    /// The link still works, or was revoked: nothing to renew.
    NotRenewable,
    /// Nowhere to send it.
    NoContact,
    /// Signed by us but not on record: treated as an invalid link.
    Unknown,
}

/// At most one link a customer asks for (renewal or self-service) in this interval.
const CUSTOMER_REQUEST_INTERVAL: Duration = Duration::from_secs(60);

/// Whether a customer may be sent another link they asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Budget {
    Allowed,
    /// One was sent less than a minute ago.
    TooSoon {
        retry_after: Duration,
    },
    /// The daily cap is reached.
    DailyLimit,
}

/// Links a customer asks for, by renewing a link or on `/link`, share one budget: at most
/// one a minute and `daily_limit` a day, whether a fresh link was minted or the current one
/// sent again.
pub async fn customer_request_budget(
    conn: &mut PgConnection,
    customer_id: i64,
    daily_limit: u32,
) -> sqlx::Result<Budget> {
    let (seconds_since_last, last_day): (Option<f64>, i64) = sqlx::query_as(
        "WITH asked AS (
             SELECT minted_at AS at FROM link_tokens
             WHERE customer_id = $1 AND reason IN ('renewal', 'self_service')
             UNION ALL
             SELECT d.created_at FROM link_tokens t JOIN deliveries d ON d.token_id = t.id
             WHERE t.customer_id = $1 AND d.requested_by_customer)
         SELECT extract(epoch FROM now() - max(at))::float8,
                count(*) FILTER (WHERE at > now() - interval '1 day')
         FROM asked",
    )
    .bind(customer_id)
    .fetch_one(conn)
    .await?;
    let interval = CUSTOMER_REQUEST_INTERVAL.as_secs_f64();
    Ok(match seconds_since_last.filter(|s| *s < interval) {
        Some(since) => Budget::TooSoon {
            retry_after: Duration::from_secs((interval - since).ceil().max(1.0) as u64),
        },
        None if last_day >= i64::from(daily_limit) => Budget::DailyLimit,
        None => Budget::Allowed,
    })
}

/// A customer asks for a fresh link from an old one, to the address on file for the channel
/// the old link went to. An expired link gets a freshly minted one. A superseded link gets
/// the customer's current link sent again while that still works: whoever holds a forwarded
/// old link cannot push the customer's newest link out.
pub async fn renew(
    pool: &PgPool,
    minter: &Minter,
    token: &VerifiedToken,
    daily_limit: u32,
) -> anyhow::Result<Renewal> {
    let mut tx = crate::db::begin(pool).await?;
    let Some(customer) = Customer::lock(&mut tx, token.customer.0).await? else {
        return Ok(Renewal::Unknown);
    };
    let Some(old) = TokenRecord::find(&mut tx, token).await? else {
        return Ok(Renewal::Unknown);
    };
    if old.revoked_at.is_some() || (old.superseded_at.is_none() && old.expires_at > Utc::now()) {
        return Ok(Renewal::NotRenewable);
    }
    match customer_request_budget(&mut tx, customer.id, daily_limit).await? {
        Budget::Allowed => {}
        Budget::TooSoon { retry_after } => return Ok(Renewal::TooSoon { retry_after }),
        Budget::DailyLimit => return Ok(Renewal::DailyLimit),
    }
    let channel: Channel = old.channel.parse().map_err(anyhow::Error::msg)?;
    let Ok(destination) = customer.destination(Some(channel)) else {
        return Ok(Renewal::NoContact);
    };
    let current = match old.superseded_at {
        Some(_) => IssuedToken::current(&mut tx, customer.id).await?,
        None => None,
    };
    if let Some(current) = current.filter(IssuedToken::opens_a_bill)
        && minter
            .send_again(&mut tx, &current, &destination)
            .await?
            .is_some()
    {
        tx.commit().await?;
        return Ok(Renewal::Sent(destination));
    }
    let Some(minted) = minter
        .mint_to_latest_bill(
            &mut tx,
            &customer,
            destination,
            MintReason::Renewal,
            "customer",
        )
        .await?
    else {
        return Ok(Renewal::NotRenewable);
    };
    tx.commit().await?;
    Ok(Renewal::Sent(minted.destination))
}

/// A link as recorded when it was minted: enough to sign its token again.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct IssuedToken {
    pub id: i64,
    pub customer_id: i64,
    pub kid: String,
    pub minted_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
}

impl IssuedToken {
    /// The customer's current link (superseded by none), revoked or expired or not.
    pub async fn current(
        conn: &mut PgConnection,
        customer_id: i64,
    ) -> sqlx::Result<Option<IssuedToken>> {
        sqlx::query_as(
            "SELECT id, customer_id, kid, minted_at, expires_at, revoked_at FROM link_tokens
             WHERE customer_id = $1 AND superseded_at IS NULL",
        )
        .bind(customer_id)
        .fetch_optional(conn)
        .await
    }

    /// The link a delivery carries.
    pub async fn of_delivery(
        conn: &mut PgConnection,
        delivery_id: i64,
    ) -> sqlx::Result<Option<IssuedToken>> {
        sqlx::query_as(
            "SELECT t.id, t.customer_id, t.kid, t.minted_at, t.expires_at, t.revoked_at
             FROM link_tokens t JOIN deliveries d ON d.token_id = t.id WHERE d.id = $1",
        )
        .bind(delivery_id)
        .fetch_optional(conn)
        .await
    }

    /// Not revoked and not expired (superseded or not is for the caller to know).
    pub fn opens_a_bill(&self) -> bool {
        self.revoked_at.is_none() && self.expires_at > Utc::now()
    }
}

impl Minter {
    /// The link of a token minted earlier, signed again with the key that signed it: the
    /// database keeps no link once its message is sent. Ed25519 and RS256 sign alike each
    /// time, so the link is the very one sent; an ES256 signature differs but verifies the
    /// same. `None` once that key has left the keys directory.
    pub fn link_again(&self, token: &IssuedToken) -> anyhow::Result<Option<String>> {
        let signed = self.issuer.sign_again(
            &token.kid,
            (ShortId(token.id), ShortId(token.customer_id)),
            token.minted_at,
            token.expires_at,
        )?;
        Ok(signed.map(|token| self.links.link(&token)))
    }

    /// Queues `token`'s link once more, to `destination`, as asked for by the customer (it
    /// counts against their budget). Returns the delivery's id; `None` when the key that
    /// signed the link is gone.
    pub async fn send_again(
        &self,
        conn: &mut PgConnection,
        token: &IssuedToken,
        destination: &Destination,
    ) -> anyhow::Result<Option<i64>> {
        let Some(link) = self.link_again(token)? else {
            return Ok(None);
        };
        let delivery: i64 = sqlx::query_scalar(
            "INSERT INTO deliveries (token_id, channel, destination, link, requested_by_customer)
             VALUES ($1, $2, $3, $4, true) RETURNING id",
        )
        .bind(token.id)
        .bind(destination.channel.as_str())
        .bind(&destination.address)
        .bind(&link)
        .fetch_one(&mut *conn)
        .await?;
        crate::delivery::notify_workers(conn).await?;
        metrics::deliveries(destination.channel, DeliveryEvent::Queued, 1);
        Ok(Some(delivery))
    }
}

/// The customer's most recent bill.
async fn latest_bill(conn: &mut PgConnection, customer_id: i64) -> sqlx::Result<Option<i64>> {
    sqlx::query_scalar(
        "SELECT id FROM bills WHERE customer_id = $1 ORDER BY period_end DESC, id DESC LIMIT 1",
    )
    .bind(customer_id)
    .fetch_optional(conn)
    .await
}

/// Why a resend did not happen.
#[derive(Debug, thiserror::Error)]
pub enum ResendError {
    #[error("no customer with that account id")]
    UnknownCustomer,
    #[error("the customer has no bill yet")]
    NoBill,
    #[error(transparent)]
    NoContact(#[from] crate::customers::NoContact),
    #[error(transparent)]
    Unexpected(#[from] anyhow::Error),
}

impl From<sqlx::Error> for ResendError {
    fn from(e: sqlx::Error) -> Self {
        ResendError::Unexpected(e.into())
    }
}

/// Mints a fresh link to the customer's latest bill and queues it on `channel` (or their
/// preferred channel); the previous link stops working. The link and the audit log record
/// who sent it and why.
pub async fn resend(
    pool: &PgPool,
    minter: &Minter,
    account: &AccountId,
    channel: Option<Channel>,
    by: &Actor,
    reason: Option<&Reason>,
) -> Result<Minted, ResendError> {
    let mut tx = crate::db::begin(pool).await?;
    let customer = Customer::lock_by_account(&mut tx, account)
        .await?
        .ok_or(ResendError::UnknownCustomer)?;
    let destination = customer.destination(channel)?;
    let minted = minter
        .mint_to_latest_bill(
            &mut tx,
            &customer,
            destination,
            MintReason::Resend,
            &by.name,
        )
        .await?
        .ok_or(ResendError::NoBill)?;
    let reason = reason.map(Reason::as_str);
    sqlx::query("UPDATE link_tokens SET resend_reason = $2 WHERE id = $1")
        .bind(minted.jti)
        .bind(reason)
        .execute(&mut *tx)
        .await?;
    Record {
        customer_id: Some(customer.id),
        reason,
        details: json!({
            "jti": minted.jti,
            "delivery_id": minted.delivery_id,
            "channel": minted.destination.channel,
        }),
        ..Record::new(Action::LinkResend, account.as_str())
    }
    .write(&mut tx, by)
    .await?;
    tx.commit().await?;
    Ok(minted)
}

/// A link that staff revoked.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct Revoked {
    #[schema(value_type = String)]
    pub jti: ShortId,
    pub revoked_at: DateTime<Utc>,
    /// Messages carrying it that were still waiting to be sent, and now never will be.
    pub cancelled_deliveries: u64,
}

/// Why a revocation did not happen.
#[derive(Debug, thiserror::Error)]
pub enum RevokeError {
    #[error("no customer with that account id")]
    UnknownCustomer,
    #[error("the customer has no link to revoke")]
    NoLink,
    #[error("the customer's current link was already revoked on {} by {by}", time_text(*at))]
    AlreadyRevoked { at: DateTime<Utc>, by: String },
    #[error(transparent)]
    Unexpected(#[from] anyhow::Error),
}

impl From<sqlx::Error> for RevokeError {
    fn from(e: sqlx::Error) -> Self {
        RevokeError::Unexpected(e.into())
    }
}

/// Revokes the customer's current link: it stops working at once (so do the sessions it
/// opened), and messages carrying it that are still queued are not sent.
pub async fn revoke(
    pool: &PgPool,
    account: &AccountId,
    by: &Actor,
    reason: &Reason,
) -> Result<Revoked, RevokeError> {
    let mut tx = crate::db::begin(pool).await?;
    let customer = Customer::lock_by_account(&mut tx, account)
        .await?
        .ok_or(RevokeError::UnknownCustomer)?;
    let current: Option<(ShortId, Option<DateTime<Utc>>, Option<String>)> = sqlx::query_as(
        "SELECT id, revoked_at, revoked_by FROM link_tokens
         WHERE customer_id = $1 AND superseded_at IS NULL",
    )
    .bind(customer.id)
    .fetch_optional(&mut *tx)
    .await?;
    let (jti, revoked_at, revoked_by) = current.ok_or(RevokeError::NoLink)?;
    if let Some(at) = revoked_at {
        return Err(RevokeError::AlreadyRevoked {
            at,
            by: revoked_by.unwrap_or_default(),
        });
    }
    let revoked_at: DateTime<Utc> = sqlx::query_scalar(
        "UPDATE link_tokens SET revoked_at = now(), revoked_by = $2, revoke_reason = $3
         WHERE id = $1 RETURNING revoked_at",
    )
    .bind(jti)
    .bind(&by.name)
    .bind(reason.as_str())
    .fetch_one(&mut *tx)
    .await?;
    let cancelled: Vec<String> = sqlx::query_scalar(
        "UPDATE deliveries SET status = 'failed', lease_until = NULL, link = NULL,
             last_error = 'not sent: the link was revoked first'
         WHERE token_id = $1 AND status = 'queued'
         RETURNING channel",
    )
    .bind(jti)
    .fetch_all(&mut *tx)
    .await?;
    let cancelled_deliveries = cancelled.len() as u64;
    Record {
        customer_id: Some(customer.id),
        reason: Some(reason.as_str()),
        details: json!({ "jti": jti, "cancelled_deliveries": cancelled_deliveries }),
        ..Record::new(Action::LinkRevoke, account.as_str())
    }
    .write(&mut tx, by)
    .await?;
    tx.commit().await?;
    for channel in cancelled.iter().filter_map(|c| c.parse().ok()) {
        metrics::deliveries(channel, DeliveryEvent::Failed, 1);
    }
    Ok(Revoked {
        jti,
        revoked_at,
        cancelled_deliveries,
    })
}

/// A link as staff see it: its id, never the token.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct LinkRecord {
    #[schema(value_type = String)]
    pub jti: ShortId,
    /// `current`, `expired`, `superseded` or `revoked`: what opening it would show now.
    pub status: String,
    /// Why it was minted: `cycle`, `resend`, `renewal` or `self_service`.
    pub reason: String,
    /// For a cycle link, its cycle.
    pub cycle: Option<String>,
    /// The cycle of the bill it opens.
    pub bill_cycle: String,
    /// `email` or `sms`.
    pub channel: String,
    /// `cycle run N`, `staff:NAME`, `cli:USER` or `customer`.
    pub minted_by: String,
    /// Why staff resent it.
    pub resend_reason: Option<String>,
    pub minted_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub superseded_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
    pub revoked_by: Option<String>,
    pub revoke_reason: Option<String>,
}

/// Every link minted for the customer, newest first.
pub async fn history(conn: &mut PgConnection, customer_id: i64) -> sqlx::Result<Vec<LinkRecord>> {
    sqlx::query_as(
        "SELECT t.id AS jti,
                CASE WHEN t.revoked_at IS NOT NULL THEN 'revoked'
                     WHEN t.superseded_at IS NOT NULL THEN 'superseded'
                     WHEN t.expires_at <= now() THEN 'expired'
                     ELSE 'current' END AS status,
                t.reason, t.cycle, b.cycle AS bill_cycle, t.channel, t.minted_by, t.resend_reason,
                t.minted_at, t.expires_at, t.superseded_at, t.revoked_at, t.revoked_by, t.revoke_reason
         FROM link_tokens t JOIN bills b ON b.id = t.bill_id
         WHERE t.customer_id = $1
         ORDER BY t.id DESC",
    )
    .bind(customer_id)
    .fetch_all(conn)
    .await
}

/// A write that met a link minted meanwhile for one of its customers (the partial unique
/// index of current links refused a second one): writing again supersedes it.
pub fn is_link_conflict(error: &anyhow::Error) -> bool {
    error.chain().any(|cause| {
        cause
            .downcast_ref::<sqlx::Error>()
            .and_then(|e| e.as_database_error())
            .is_some_and(|e| e.constraint() == Some("link_tokens_current_idx"))
    })
}
