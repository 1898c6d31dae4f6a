//! "Get a new link": addresses typed on `/link`, recorded by the web whether or not they are
//! on file, and answered off the request path by the workers, which send a fresh link only
//! to a customer whose address it is, and only at that address.

use std::sync::Arc;

use sqlx::{PgConnection, PgPool};

use super::Minter;
use super::renew::{Budget, customer_request_budget};
use crate::billing::customers::Customer;
use crate::domain::{Channel, ContactAddress, LinkRequestId, MintReason};
use crate::infra::jobs::Job;

/// The channel that tells workers a request is waiting.
pub const REQUESTS_CHANNEL: &str = "billpass_link_requests";

/// Records a request for a new link to `address`, and wakes a worker; [`answer_pending`]
/// answers it.
pub async fn record(pool: &PgPool, address: &ContactAddress) -> sqlx::Result<()> {
    sqlx::query!(
        "WITH recorded AS (INSERT INTO link_requests (channel, address) VALUES ($1, $2))
         SELECT pg_notify($3, '')",
        address.channel() as Channel,
        address.as_str(),
        REQUESTS_CHANNEL,
    )
    .execute(pool)
    .await?;
    Ok(())
}

/// Answering "get a new link" requests, as a background job woken when one is recorded.
pub struct PendingRequests {
    pub pool: PgPool,
    pub minter: Minter,
    /// Links a customer may ask for per day.
    pub daily_limit: u32,
}

impl Job for PendingRequests {
    fn name(&self) -> &str {
        "link requests"
    }

    /// Answers every request waiting: none is left for another round.
    async fn work(self: Arc<Self>) -> anyhow::Result<bool> {
        answer_pending(&self.pool, &self.minter, self.daily_limit).await?;
        Ok(false)
    }
}

/// A request taken from the queue.
struct LinkRequest {
    id: LinkRequestId,
    channel: Channel,
    address: String,
}

/// Answers every waiting request, each in a transaction of its own; returns how many it
/// answered. A request that fails is dropped (and logged): the customer can ask again.
pub async fn answer_pending(
    pool: &PgPool,
    minter: &Minter,
    daily_limit: u32,
) -> anyhow::Result<usize> {
    let mut answered = 0;
    loop {
        let mut tx = crate::infra::db::begin(pool).await?;
        // Taken off the queue in the transaction that answers it: a worker that dies
        // leaves the request for another.
        let request = sqlx::query_as!(
            LinkRequest,
            r#"DELETE FROM link_requests
               WHERE id = (SELECT id FROM link_requests ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED)
               RETURNING id AS "id: LinkRequestId", channel AS "channel: Channel", address"#
        )
        .fetch_optional(&mut *tx)
        .await?;
        let Some(request) = request else {
            return Ok(answered);
        };
        match answer(&mut tx, minter, &request, daily_limit).await {
            Ok(sent) => {
                tx.commit().await?;
                tracing::info!(
                    request = %request.id,
                    links = sent,
                    "answered a link request"
                );
            }
            Err(error) => {
                drop(tx);
                tracing::warn!(
                    request = %request.id,
                    "could not answer a link request; dropping it: {error:#}"
                );
                sqlx::query!(
                    "DELETE FROM link_requests WHERE id = $1",
                    request.id as LinkRequestId
                )
                .execute(pool)
                .await?;
            }
        }
        answered += 1;
    }
}

/// Mints a link for each customer with a bill whose address on file this is, to that
/// address, within the customer's budget for links they ask for. Returns how many.
async fn answer(
    conn: &mut PgConnection,
    minter: &Minter,
    request: &LinkRequest,
    daily_limit: u32,
) -> anyhow::Result<usize> {
    let channel = request.channel;
    let customers = Customer::lock_by_address(conn, channel, &request.address).await?;
    let mut sent = 0;
    for customer in customers {
        let budget = customer_request_budget(conn, customer.id, daily_limit).await?;
        // A number that opted out has no SMS destination.
        let (Budget::Allowed, Ok(destination)) = (budget, customer.destination(Some(channel)))
        else {
            continue;
        };
        let minted = minter
            .mint_to_latest_bill(
                conn,
                &customer,
                destination,
                MintReason::SelfService,
                "customer",
            )
            .await?;
        sent += usize::from(minted.is_some());
    }
    Ok(sent)
}
