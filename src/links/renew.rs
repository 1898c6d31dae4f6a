//! Customers asking for a link themselves: renewing an old link, within one budget shared
//! with `/link` requests.

use std::time::Duration;

use chrono::Utc;
use sqlx::{PgConnection, PgPool};

use super::check::TokenRecord;
use super::mint::{IssuedToken, Minter, notify_outbox};
use crate::billing::customers::{Customer, Destination};
use crate::domain::{Channel, CustomerId, DeliveryId, LinkId, MintReason};
use crate::observe::metrics::{self, DeliveryEvent};
use crate::tokens::VerifiedToken;

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
    customer_id: CustomerId,
    daily_limit: u32,
) -> sqlx::Result<Budget> {
    let asked = sqlx::query!(
        r#"WITH asked AS (
               SELECT minted_at AS at FROM link_tokens
               WHERE customer_id = $1 AND reason IN ('renewal', 'self_service')
               UNION ALL
               SELECT d.created_at FROM link_tokens t JOIN deliveries d ON d.token_id = t.id
               WHERE t.customer_id = $1 AND d.requested_by_customer)
           SELECT extract(epoch FROM now() - max(at))::float8 AS seconds_since_last,
                  count(*) FILTER (WHERE at > now() - interval '1 day') AS "last_day!"
           FROM asked"#,
        customer_id as CustomerId,
    )
    .fetch_one(conn)
    .await?;
    let (seconds_since_last, last_day) = (asked.seconds_since_last, asked.last_day);
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
    let mut tx = crate::infra::db::begin(pool).await?;
    let Some(customer) = Customer::lock(&mut tx, token.customer).await? else {
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
    let Ok(destination) = customer.destination(Some(old.channel)) else {
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

impl Minter {
    /// Queues `token`'s link once more, to `destination`, as asked for by the customer (it
    /// counts against their budget). Returns the delivery's id; `None` when the key that
    /// signed the link is gone.
    pub async fn send_again(
        &self,
        conn: &mut PgConnection,
        token: &IssuedToken,
        destination: &Destination,
    ) -> anyhow::Result<Option<DeliveryId>> {
        let Some(link) = self.link_again(conn, token).await? else {
            return Ok(None);
        };
        let delivery = sqlx::query_scalar!(
            r#"INSERT INTO deliveries (token_id, channel, destination, link, requested_by_customer)
               VALUES ($1, $2, $3, $4, true) RETURNING id AS "id: DeliveryId""#,
            token.id as LinkId,
            destination.channel as Channel,
            destination.address,
            link,
        )
        .fetch_one(&mut *conn)
        .await?;
        notify_outbox(conn).await?;
        metrics::deliveries(destination.channel, DeliveryEvent::Queued, 1);
        Ok(Some(delivery))
    }
}
