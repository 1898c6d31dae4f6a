//! Delivery workers: one lane per channel, each with its own cap on sends in flight and
//! its own send rate, woken by `NOTIFY` when deliveries are queued (and polling as a
//! fallback), draining what they hold on shutdown.

use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};
use rand::Rng;
use sqlx::PgPool;
use tokio::sync::{OwnedSemaphorePermit, Semaphore, mpsc, watch};
use tokio::task::{JoinHandle, JoinSet};

use super::{
    BillFacts, Delivery, DeliveryConfig, EmailSender, LaneConfig, SendError, Sent, SmsSender, fail,
};
use crate::billing::brands::Brands;
use crate::domain::{BrandId, Channel, DeliveryId};
use crate::infra::jobs::{self, Job, Waker};
use crate::links::Minter;
use crate::links::mint::OUTBOX_CHANNEL;
use crate::observe::metrics::{self, DeliveryEvent};

/// Deliveries a lane may hold claimed, in multiples of its concurrency; it claims more once
/// a quarter of that is free, so each claim takes many.
const CLAIM_AHEAD: usize = 16;
/// Messages a crash may send again, in multiples of the concurrency: a message is in flight
/// from the moment it goes out until its outcome is written, and outcomes are written in
/// batches of half this many per slot.
const IN_FLIGHT_PER_SLOT: usize = 4;
/// How long an outcome may wait for others to be written with it.
const RECORD_LINGER: Duration = Duration::from_millis(5);
/// Batches of outcomes written at the same time, at most.
const RECORD_WRITERS: usize = 2;
/// The first and the longest wait before writing outcomes again after the database
/// refused them.
const RECORD_RETRY_FIRST: Duration = Duration::from_millis(100);
const RECORD_RETRY_MAX: Duration = Duration::from_secs(5);
/// How long sends in flight may take to finish on shutdown.
const GRACE: Duration = Duration::from_secs(20);
/// The longest wait between two attempts.
const MAX_BACKOFF: Duration = Duration::from_secs(3600);

/// A delivery, how its send went, and the slots it holds until that is written: its claim,
/// and its place among the messages a crash would send again.
type Outcome = (Delivery, Result<Sent, SendError>, [OwnedSemaphorePermit; 2]);

/// When to try again after a transient failure.
#[derive(Debug, Clone, Copy)]
pub struct RetryPolicy {
    pub base: Duration,
    pub max_attempts: u32,
}

impl RetryPolicy {
    /// `base · 2^(attempts−1)`, ±50 % jitter, at most an hour, and never before the server's
    /// `Retry-After`.
    pub fn delay(&self, attempts: u32, retry_after: Option<Duration>) -> Duration {
        let exponential = self
            .base
            .saturating_mul(1 << attempts.saturating_sub(1).min(20))
            .min(MAX_BACKOFF);
        let jittered = exponential.mul_f64(rand::thread_rng().gen_range(0.5..1.5));
        jittered.max(retry_after.unwrap_or_default())
    }
}

/// One channel's sender, cap and rate.
struct Lane {
    channel: Channel,
    concurrency: usize,
    rate: Option<DefaultDirectRateLimiter>,
}

impl Lane {
    fn new(channel: Channel, config: LaneConfig) -> Self {
        Self {
            channel,
            concurrency: config.concurrency as usize,
            rate: config
                .rate
                .map(|r| RateLimiter::direct(Quota::per_second(r))),
        }
    }
}

/// One channel's sending, as a background job: it claims due deliveries in batches
/// (holding at most a few batches' worth), sends them (at most the lane's concurrency at
/// once, at most its rate), and a recorder writes the outcomes in batches, waking the job
/// as slots come free.
struct LaneJob {
    outbox: Arc<Outbox>,
    lane: usize,
    name: String,
    /// Deliveries claimed and not yet recorded, at most [`CLAIM_AHEAD`] times the
    /// concurrency.
    claimable: Arc<Semaphore>,
    held_at_most: usize,
    /// Sends under way, at most the concurrency.
    sending: Arc<Semaphore>,
    /// Messages sent and not yet recorded, at most [`IN_FLIGHT_PER_SLOT`] per slot.
    in_flight: Arc<Semaphore>,
    /// To the recorder; taken on stop, which ends the recorder.
    outcomes: Mutex<Option<mpsc::UnboundedSender<Outcome>>>,
    recorder: Mutex<Option<JoinHandle<()>>>,
    sends: Mutex<JoinSet<()>>,
}

impl LaneJob {
    fn new(outbox: Arc<Outbox>, lane: usize, waker: Waker) -> Self {
        let spec = &outbox.lanes[lane];
        let held_at_most = spec.concurrency * CLAIM_AHEAD;
        let (outcomes, recorded) = mpsc::unbounded_channel();
        let batch = spec.concurrency * IN_FLIGHT_PER_SLOT / 2;
        let recorder = tokio::spawn(outbox.clone().record_outcomes(recorded, batch, waker));
        Self {
            name: format!("delivery:{}", spec.channel),
            claimable: Arc::new(Semaphore::new(held_at_most)),
            held_at_most,
            sending: Arc::new(Semaphore::new(spec.concurrency)),
            in_flight: Arc::new(Semaphore::new(spec.concurrency * IN_FLIGHT_PER_SLOT)),
            outcomes: Mutex::new(Some(outcomes)),
            recorder: Mutex::new(Some(recorder)),
            sends: Mutex::default(),
            outbox,
            lane,
        }
    }
}

impl Job for LaneJob {
    fn name(&self) -> &str {
        &self.name
    }

    async fn work(self: Arc<Self>) -> anyhow::Result<bool> {
        {
            let mut sends = self.sends.lock().expect("sends lock");
            while sends.try_join_next().is_some() {}
        }
        let free = self.claimable.available_permits();
        if free < self.held_at_most / 4 {
            return Ok(false);
        }
        let channel = self.outbox.lanes[self.lane].channel;
        let batch = self.outbox.claim(channel, free).await?;
        if batch.is_empty() {
            return Ok(false);
        }
        let Some(outcomes) = self.outcomes.lock().expect("outcomes lock").clone() else {
            return Ok(false);
        };
        for delivery in batch {
            let slot = self
                .claimable
                .clone()
                .acquire_owned()
                .await
                .expect("lane semaphore is never closed");
            let (outbox, lane, sending, in_flight, outcomes) = (
                self.outbox.clone(),
                self.lane,
                self.sending.clone(),
                self.in_flight.clone(),
                outcomes.clone(),
            );
            self.sends.lock().expect("sends lock").spawn(async move {
                let flying = in_flight
                    .acquire_owned()
                    .await
                    .expect("lane semaphore is never closed");
                let result = {
                    let _sending = sending
                        .acquire_owned()
                        .await
                        .expect("lane semaphore is never closed");
                    outbox.send(lane, &delivery).await
                };
                // Both slots are given back once the outcome is written.
                let _ = outcomes.send((delivery, result, [slot, flying]));
            });
        }
        Ok(true)
    }

    /// Lets the sends in flight finish (for [`GRACE`] at most), and their outcomes be
    /// written.
    async fn stop(self: Arc<Self>) {
        let mut sends = std::mem::take(&mut *self.sends.lock().expect("sends lock"));
        if tokio::time::timeout(GRACE, async { while sends.join_next().await.is_some() {} })
            .await
            .is_err()
        {
            sends.abort_all();
        }
        drop(self.outcomes.lock().expect("outcomes lock").take());
        let recorder = self.recorder.lock().expect("recorder lock").take();
        if let Some(recorder) = recorder {
            let _ = recorder.await;
        }
    }
}

/// Sends what the outbox holds.
pub struct Outbox {
    pool: PgPool,
    email: EmailSender,
    sms: SmsSender,
    /// Signs a link again for a fallback when the database no longer holds it.
    minter: Minter,
    brands: Brands,
    retry: RetryPolicy,
    /// A claim lasts this long: a worker that dies leaves its deliveries to be taken again
    /// after it.
    lease: Duration,
    lanes: [Lane; 2],
    /// Deliveries claimed by this process and not yet finished.
    in_flight: Mutex<HashSet<DeliveryId>>,
}

impl Outbox {
    /// The senders and limits `config` describes; a wrong gateway setting fails here.
    pub fn new(
        pool: PgPool,
        config: &DeliveryConfig,
        minter: Minter,
        brands: Brands,
    ) -> anyhow::Result<Self> {
        Ok(Self::with_senders(
            pool,
            config,
            minter,
            brands,
            EmailSender::new(config)?,
            SmsSender::new(config)?,
        ))
    }

    pub fn with_senders(
        pool: PgPool,
        config: &DeliveryConfig,
        minter: Minter,
        brands: Brands,
        email: EmailSender,
        sms: SmsSender,
    ) -> Self {
        Self {
            pool,
            email,
            sms,
            minter,
            brands,
            retry: config.retry,
            lease: config.lease,
            lanes: [
                Lane::new(Channel::Email, config.email.lane),
                Lane::new(Channel::Sms, config.sms.lane),
            ],
            in_flight: Mutex::default(),
        }
    }

    /// Works until `stop` turns true, then finishes (or, after a grace period, gives
    /// back) the deliveries it holds: a lane per channel, each a background job woken when
    /// deliveries are queued.
    pub async fn run(self: Arc<Self>, stop: watch::Receiver<bool>) {
        let lanes: Vec<_> = (0..self.lanes.len())
            .map(|lane| {
                let waker = Waker::default();
                let job = Arc::new(LaneJob::new(self.clone(), lane, waker.clone()));
                let pool = self.pool.clone();
                tokio::spawn(jobs::run(
                    job,
                    pool,
                    Some(OUTBOX_CHANNEL),
                    waker,
                    stop.clone(),
                ))
            })
            .collect();
        for lane in lanes {
            let _ = lane.await;
        }
        self.email.close_idle().await;
        let unfinished: Vec<DeliveryId> = self
            .in_flight
            .lock()
            .expect("in-flight lock")
            .drain()
            .collect();
        if !unfinished.is_empty() {
            let released = sqlx::query!(
                "UPDATE deliveries SET status = 'queued', lease_until = NULL,
                     attempts = greatest(attempts - 1, 0)
                 WHERE id = ANY($1) AND status = 'sending'",
                &unfinished as &[DeliveryId],
            )
            .execute(&self.pool)
            .await;
            match released {
                Ok(r) => {
                    tracing::info!(count = r.rows_affected(), "gave back unfinished deliveries")
                }
                Err(e) => tracing::warn!(
                    "could not give back unfinished deliveries (their leases will lapse): {e}"
                ),
            }
        }
    }

    /// Writes outcomes in batches of up to `size` (successes in one statement), each
    /// written once full or [`RECORD_LINGER`] after its first outcome, up to
    /// [`RECORD_WRITERS`] batches at once; the claimer hears that slots are free.
    async fn record_outcomes(
        self: Arc<Self>,
        mut outcomes: mpsc::UnboundedReceiver<Outcome>,
        size: usize,
        freed: Waker,
    ) {
        let mut writing = JoinSet::new();
        while let Some(first) = outcomes.recv().await {
            let mut batch = vec![first];
            let deadline = tokio::time::Instant::now() + RECORD_LINGER;
            while batch.len() < size {
                match tokio::time::timeout_at(deadline, outcomes.recv()).await {
                    Ok(Some(outcome)) => batch.push(outcome),
                    Ok(None) | Err(_) => break,
                }
            }
            if writing.len() >= RECORD_WRITERS {
                writing.join_next().await;
            }
            let (outbox, freed) = (self.clone(), freed.clone());
            writing.spawn(async move {
                outbox.record_all(batch).await;
                freed.wake();
            });
        }
        while writing.join_next().await.is_some() {}
    }

    /// Writes a batch of outcomes, trying again while the database cannot take them, for up
    /// to a lease's length: a message recorded late is not sent twice, one whose lease lapsed
    /// meanwhile may be. The batch's slots stay taken meanwhile, so the lane sends no more
    /// than it can record.
    async fn record_all(&self, outcomes: Vec<Outcome>) {
        let (results, _slots): (Vec<_>, Vec<_>) = outcomes
            .into_iter()
            .map(|(delivery, result, slot)| ((delivery, result), slot))
            .unzip();
        let give_up = tokio::time::Instant::now() + self.lease;
        let mut wait = RECORD_RETRY_FIRST;
        while let Err(error) = self.record(&results).await {
            if tokio::time::Instant::now() + wait >= give_up {
                tracing::warn!(
                    "could not record delivery outcomes; their leases will lapse and they will be sent again: {error:#}"
                );
                break;
            }
            tracing::warn!(
                "could not record delivery outcomes, trying again in {wait:?}: {error:#}"
            );
            tokio::time::sleep(wait).await;
            wait = (wait * 2).min(RECORD_RETRY_MAX);
        }
        self.forget(&results);
    }

    /// These deliveries are no longer this process's to give back on shutdown.
    fn forget(&self, results: &[(Delivery, Result<Sent, SendError>)]) {
        let mut in_flight = self.in_flight.lock().expect("in-flight lock");
        for (delivery, _) in results {
            in_flight.remove(&delivery.id);
        }
    }

    /// Claims up to `limit` due deliveries of `channel`: queued ones whose time has come,
    /// and any whose worker's lease lapsed.
    async fn claim(&self, channel: Channel, limit: usize) -> sqlx::Result<Vec<Delivery>> {
        // Through the index, in its order, whatever the planner's statistics say: they lag
        // behind a cycle run's new deliveries (a table of mostly sent ones looks like it
        // has nothing queued), and the planner would then fetch and sort every queued
        // delivery to take the first few, for every claim.
        let mut tx = crate::infra::db::begin_with(
            &self.pool,
            "BEGIN; SET LOCAL enable_seqscan = off; SET LOCAL enable_bitmapscan = off;
             SET LOCAL enable_sort = off",
        )
        .await?;
        let claimed = sqlx::query!(
            r#"WITH due AS (
                   SELECT id FROM deliveries
                   WHERE channel = $3 AND status IN ('queued', 'sending')
                     AND ((status = 'queued' AND next_attempt_at <= now()) OR lease_until < now())
                   ORDER BY next_attempt_at
                   LIMIT $1
                   FOR UPDATE SKIP LOCKED)
               UPDATE deliveries d
               SET status = 'sending', lease_until = now() + make_interval(secs => $2),
                   attempts = d.attempts + 1
               FROM due, link_tokens t, customers c, bills b
               WHERE d.id = due.id AND t.id = d.token_id AND c.id = t.customer_id AND b.id = t.bill_id
               RETURNING d.id AS "id: DeliveryId", d.channel AS "channel: Channel", d.destination,
                         d.link AS "link!", c.name, t.expires_at, d.attempts,
                         c.sms_opted_out_at IS NOT NULL AS "opted_out!", c.timezone, c.locale,
                         COALESCE(t.brand_id, 'default') AS "brand!: BrandId",
                         b.currency, b.amount_due, b.due_on, b.period_start, b.period_end"#,
            limit as i64,
            self.lease.as_secs_f64(),
            channel as Channel,
        )
        .fetch_all(&mut *tx)
        .await?
        .into_iter()
        .map(|row| Delivery {
            id: row.id,
            channel: row.channel,
            destination: row.destination,
            link: row.link,
            name: row.name,
            expires_at: row.expires_at,
            attempts: row.attempts,
            opted_out: row.opted_out,
            timezone: row.timezone,
            locale: row.locale,
            brand: row.brand,
            bill: BillFacts {
                currency: row.currency,
                amount_due: row.amount_due,
                due_on: row.due_on,
                period_start: row.period_start,
                period_end: row.period_end,
            },
        })
        .collect::<Vec<_>>();
        tx.commit().await?;
        self.in_flight
            .lock()
            .expect("in-flight lock")
            .extend(claimed.iter().map(|d| d.id));
        Ok(claimed)
    }

    /// Sends one delivery; a number that opted out is never texted.
    async fn send(&self, lane: usize, delivery: &Delivery) -> Result<Sent, SendError> {
        let lane = &self.lanes[lane];
        if lane.channel == Channel::Sms && delivery.opted_out {
            return Err(SendError::Permanent {
                reason: "the number opted out of text messages".into(),
                opted_out: true,
            });
        }
        if let Some(rate) = &lane.rate {
            rate.until_ready().await;
        }
        let brands = self.brands.current();
        let brand = brands.get_or_default(&delivery.brand);
        match lane.channel {
            Channel::Email => self.email.send(delivery, brand).await,
            Channel::Sms => self.sms.send(delivery, brand).await,
        }
    }

    /// Records outcomes: successes in one statement; a transient failure is queued again
    /// after a backoff, or fails for good after the last attempt; a permanent one fails
    /// (and falls back to the other channel). Safe to repeat: what was already recorded is
    /// left (and counted) as it was.
    async fn record(&self, results: &[(Delivery, Result<Sent, SendError>)]) -> anyhow::Result<()> {
        let sent: Vec<(DeliveryId, Option<String>)> = results
            .iter()
            .filter_map(|(d, r)| {
                r.as_ref()
                    .ok()
                    .map(|sent| (d.id, sent.provider_ref.clone()))
            })
            .collect();
        if !sent.is_empty() {
            let (ids, references): (Vec<DeliveryId>, Vec<Option<String>>) =
                sent.into_iter().unzip();
            // Committed without waiting for the disk (`set_config(…, true)` lasts for this
            // statement's own transaction): billpass dying loses nothing written, and
            // PostgreSQL dying can only undo the last moment's records, whose messages are
            // then sent again, as at-least-once allows. Waiting for a flush would hold every
            // message in flight that much longer.
            let recorded = sqlx::query_scalar!(
                r#"WITH async_commit AS (SELECT set_config('synchronous_commit', 'off', true))
                   UPDATE deliveries d SET status = 'sent', sent_at = now(), lease_until = NULL,
                       last_error = NULL, provider_ref = u.provider_ref, link = NULL
                   FROM UNNEST($1::int8[], $2::text[]) AS u(id, provider_ref), async_commit
                   WHERE d.id = u.id AND d.status = 'sending'
                   RETURNING d.id AS "id: DeliveryId""#,
                &ids as &[DeliveryId],
                &references as &[Option<String>],
            )
            .fetch_all(&self.pool)
            .await?;
            for (delivery, _) in results.iter().filter(|(d, _)| recorded.contains(&d.id)) {
                metrics::deliveries(delivery.channel, DeliveryEvent::Sent, 1);
            }
        }
        for (delivery, result) in results {
            let Err(error) = result else { continue };
            tracing::warn!(delivery = %delivery.id, channel = %delivery.channel, attempt = delivery.attempts, "send failed: {error}");
            match error {
                SendError::Transient {
                    reason,
                    retry_after,
                } if (delivery.attempts as u32) < self.retry.max_attempts => {
                    let delay = self.retry.delay(delivery.attempts as u32, *retry_after);
                    let queued = sqlx::query!(
                        "UPDATE deliveries SET status = 'queued', lease_until = NULL, last_error = $2,
                             next_attempt_at = now() + make_interval(secs => $3)
                         WHERE id = $1 AND status = 'sending'",
                        delivery.id as DeliveryId,
                        format!("temporary: {reason}"),
                        delay.as_secs_f64(),
                    )
                    .execute(&self.pool)
                    .await?;
                    if queued.rows_affected() > 0 {
                        metrics::deliveries(delivery.channel, DeliveryEvent::Retried, 1);
                    }
                }
                SendError::Transient { reason, .. } => {
                    let reason = format!("gave up after {} attempts: {reason}", delivery.attempts);
                    fail(&self.pool, &self.minter, delivery.id, &reason, false).await?;
                }
                SendError::Permanent { reason, opted_out } => {
                    fail(
                        &self.pool,
                        &self.minter,
                        delivery.id,
                        &format!("permanent: {reason}"),
                        *opted_out,
                    )
                    .await?;
                }
            }
        }
        Ok(())
    }

    /// Sends everything due now, fallbacks included, and returns how many sends it made
    /// (for tests and for a one-off drain without `serve`).
    pub async fn dispatch_due(self: &Arc<Self>) -> anyhow::Result<usize> {
        let mut total = 0;
        loop {
            let before = total;
            for (lane, spec) in self.lanes.iter().enumerate() {
                loop {
                    let batch = self.claim(spec.channel, spec.concurrency).await?;
                    if batch.is_empty() {
                        break;
                    }
                    total += batch.len();
                    let sends = batch.into_iter().map(|d| async move {
                        let result = self.send(lane, &d).await;
                        (d, result)
                    });
                    let results = futures_util::future::join_all(sends).await;
                    self.record(&results).await?;
                    self.forget(&results);
                }
            }
            if total == before {
                return Ok(total);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_with_jitter_and_honours_retry_after() {
        let policy = RetryPolicy {
            base: Duration::from_secs(10),
            max_attempts: 8,
        };
        for attempt in 1..=4u32 {
            let expected = 10.0 * f64::from(1 << (attempt - 1));
            let delay = policy.delay(attempt, None).as_secs_f64();
            assert!(
                (expected * 0.5..=expected * 1.5).contains(&delay),
                "attempt {attempt}: {delay}"
            );
        }
        assert!(policy.delay(40, None) <= MAX_BACKOFF.mul_f64(1.5));
        assert!(policy.delay(1, Some(Duration::from_secs(120))) >= Duration::from_secs(120));
    }
}
