//! Delivery workers: one lane per channel, each with its own cap on sends in flight and
//! its own send rate, woken by `NOTIFY` when deliveries are queued (and polling as a
//! fallback), draining what they hold on shutdown.

use std::collections::HashSet;
use std::num::NonZeroU32;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};
use rand::Rng;
use sqlx::PgPool;
use sqlx::postgres::PgListener;
use tokio::sync::{Notify, Semaphore, watch};
use tokio::task::JoinSet;

use super::{Delivery, EmailSender, NOTIFY_CHANNEL, SendError, Sent, SmsSender, fail};
use crate::domain::Channel;
use crate::settings::Settings;

/// How often lanes look for due retries when nothing wakes them.
const POLL: Duration = Duration::from_secs(1);
/// How long sends in flight may take to finish on shutdown.
const GRACE: Duration = Duration::from_secs(20);
/// The longest wait between two attempts.
const MAX_BACKOFF: Duration = Duration::from_secs(3600);

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
    fn new(channel: Channel, concurrency: u32, rate: Option<NonZeroU32>) -> Self {
        Self {
            channel,
            concurrency: concurrency as usize,
            rate: rate.map(|r| RateLimiter::direct(Quota::per_second(r))),
        }
    }
}

/// Sends what the outbox holds.
pub struct Outbox {
    pool: PgPool,
    email: EmailSender,
    sms: SmsSender,
    brand: String,
    retry: RetryPolicy,
    /// A claim lasts this long: a worker that dies leaves its deliveries to be taken again
    /// after it.
    lease: Duration,
    lanes: [Lane; 2],
    /// Deliveries claimed by this process and not yet finished.
    in_flight: Mutex<HashSet<i64>>,
}

impl Outbox {
    /// The senders and limits the settings describe; a wrong gateway setting fails here.
    pub fn new(pool: PgPool, settings: &Settings) -> anyhow::Result<Self> {
        Ok(Self::with_senders(
            pool,
            settings,
            EmailSender::new(settings)?,
            SmsSender::new(settings)?,
        ))
    }

    pub fn with_senders(
        pool: PgPool,
        settings: &Settings,
        email: EmailSender,
        sms: SmsSender,
    ) -> Self {
        Self {
            pool,
            email,
            sms,
            brand: settings.brand.clone(),
            retry: RetryPolicy {
                base: settings.retry_base,
                max_attempts: settings.retry_max_attempts,
            },
            lease: settings.delivery_lease,
            lanes: [
                Lane::new(
                    Channel::Email,
                    settings.email_concurrency,
                    settings.email_rate,
                ),
                Lane::new(Channel::Sms, settings.sms_concurrency, settings.sms_rate),
            ],
            in_flight: Mutex::default(),
        }
    }

    /// Works until `stop` turns true, then finishes (or, after a grace period, gives
    /// back) the deliveries it holds.
    pub async fn run(self: Arc<Self>, stop: watch::Receiver<bool>) {
        let wake = Arc::new(Notify::new());
        let listener = tokio::spawn(listen(self.pool.clone(), wake.clone()));
        let lanes: Vec<_> = (0..self.lanes.len())
            .map(|lane| tokio::spawn(self.clone().run_lane(lane, wake.clone(), stop.clone())))
            .collect();
        for lane in lanes {
            let _ = lane.await;
        }
        listener.abort();
        let unfinished: Vec<i64> = self
            .in_flight
            .lock()
            .expect("in-flight lock")
            .drain()
            .collect();
        if !unfinished.is_empty() {
            let released = sqlx::query(
                "UPDATE deliveries SET status = 'queued', lease_until = NULL, attempts = greatest(attempts - 1, 0)
                 WHERE id = ANY($1) AND status = 'sending'",
            )
            .bind(&unfinished)
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

    async fn run_lane(
        self: Arc<Self>,
        lane: usize,
        wake: Arc<Notify>,
        mut stop: watch::Receiver<bool>,
    ) {
        let channel = self.lanes[lane].channel;
        let permits = Arc::new(Semaphore::new(self.lanes[lane].concurrency));
        let mut sends = JoinSet::new();
        loop {
            if *stop.borrow() {
                break;
            }
            while sends.try_join_next().is_some() {}
            let free = permits.available_permits();
            let claimed = if free > 0 {
                self.claim(channel, free).await
            } else {
                Ok(Vec::new())
            };
            match claimed {
                Ok(batch) if !batch.is_empty() => {
                    for delivery in batch {
                        let permit = permits
                            .clone()
                            .acquire_owned()
                            .await
                            .expect("lane semaphore is never closed");
                        let outbox = self.clone();
                        sends.spawn(async move {
                            outbox.deliver(lane, delivery).await;
                            drop(permit);
                        });
                    }
                    continue;
                }
                Ok(_) => {}
                Err(error) => tracing::warn!(%channel, "claiming deliveries: {error}"),
            }
            tokio::select! {
                _ = wake.notified() => {}
                _ = tokio::time::sleep(POLL) => {}
                Some(_) = sends.join_next(), if !sends.is_empty() => {}
                _ = stop.changed() => {}
            }
        }
        if tokio::time::timeout(GRACE, async { while sends.join_next().await.is_some() {} })
            .await
            .is_err()
        {
            sends.abort_all();
        }
    }

    /// Claims up to `limit` due deliveries of `channel`: queued ones whose time has come,
    /// and any whose worker's lease lapsed.
    async fn claim(&self, channel: Channel, limit: usize) -> sqlx::Result<Vec<Delivery>> {
        let claimed: Vec<Delivery> = sqlx::query_as(
            "WITH due AS (
                 SELECT id FROM deliveries
                 WHERE channel = $3 AND status IN ('queued', 'sending')
                   AND ((status = 'queued' AND next_attempt_at <= now()) OR lease_until < now())
                 ORDER BY next_attempt_at
                 LIMIT $1
                 FOR UPDATE SKIP LOCKED)
             UPDATE deliveries d
             SET status = 'sending', lease_until = now() + $2::interval, attempts = d.attempts + 1
             FROM due, link_tokens t, customers c
             WHERE d.id = due.id AND t.id = d.token_id AND c.id = t.customer_id
             RETURNING d.id, d.channel, d.destination, d.link, c.name, t.expires_at, d.attempts,
                       c.sms_opted_out_at IS NOT NULL AS opted_out",
        )
        .bind(limit as i64)
        .bind(format!("{} milliseconds", self.lease.as_millis()))
        .bind(channel.as_str())
        .fetch_all(&self.pool)
        .await?;
        self.in_flight
            .lock()
            .expect("in-flight lock")
            .extend(claimed.iter().map(|d| d.id));
        Ok(claimed)
    }

    /// Sends one delivery and records the outcome.
    async fn deliver(&self, lane: usize, delivery: Delivery) {
        let lane = &self.lanes[lane];
        let result = if lane.channel == Channel::Sms && delivery.opted_out {
            Err(SendError::Permanent {
                reason: "the number opted out of text messages".into(),
                opted_out: true,
            })
        } else {
            if let Some(rate) = &lane.rate {
                rate.until_ready().await;
            }
            match lane.channel {
                Channel::Email => self.email.send(&delivery, &self.brand).await,
                Channel::Sms => self.sms.send(&delivery, &self.brand).await,
            }
        };
        if let Err(error) = self.record(&delivery, result).await {
            tracing::warn!(
                delivery = delivery.id,
                "could not record the outcome (the lease will lapse): {error}"
            );
        }
        self.in_flight
            .lock()
            .expect("in-flight lock")
            .remove(&delivery.id);
    }

    async fn record(
        &self,
        delivery: &Delivery,
        result: Result<Sent, SendError>,
    ) -> sqlx::Result<()> {
        let error = match result {
            Ok(sent) => {
                sqlx::query(
                    "UPDATE deliveries SET status = 'sent', sent_at = now(), lease_until = NULL, last_error = NULL,
                         provider_ref = $2
                     WHERE id = $1 AND status = 'sending'",
                )
                .bind(delivery.id)
                .bind(sent.provider_ref)
                .execute(&self.pool)
                .await?;
                return Ok(());
            }
            Err(error) => error,
        };
        tracing::warn!(delivery = delivery.id, channel = %delivery.channel, attempt = delivery.attempts, "send failed: {error}");
        match error {
            SendError::Transient {
                reason,
                retry_after,
            } if (delivery.attempts as u32) < self.retry.max_attempts => {
                let delay = self.retry.delay(delivery.attempts as u32, retry_after);
                sqlx::query(
                    "UPDATE deliveries SET status = 'queued', lease_until = NULL, last_error = $2,
                         next_attempt_at = now() + $3::interval
                     WHERE id = $1 AND status = 'sending'",
                )
                .bind(delivery.id)
                .bind(format!("temporary: {reason}"))
                .bind(format!("{} milliseconds", delay.as_millis()))
                .execute(&self.pool)
                .await?;
            }
            SendError::Transient { reason, .. } => {
                let reason = format!("gave up after {} attempts: {reason}", delivery.attempts);
                fail(&self.pool, delivery.id, &reason, false).await?;
            }
            SendError::Permanent { reason, opted_out } => {
                fail(
                    &self.pool,
                    delivery.id,
                    &format!("permanent: {reason}"),
                    opted_out,
                )
                .await?;
            }
        }
        Ok(())
    }

    /// Sends everything due now, fallbacks included, and returns how many sends it made
    /// (for tests and for a one-off drain without `serve`).
    pub async fn dispatch_due(self: &Arc<Self>) -> sqlx::Result<usize> {
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
                    futures_util::future::join_all(
                        batch.into_iter().map(|d| self.deliver(lane, d)),
                    )
                    .await;
                }
            }
            if total == before {
                return Ok(total);
            }
        }
    }
}

/// Wakes the lanes whenever deliveries are queued. On a lost connection it reconnects;
/// meanwhile the lanes poll.
async fn listen(pool: PgPool, wake: Arc<Notify>) {
    loop {
        let mut listener = match PgListener::connect_with(&pool).await {
            Ok(listener) => listener,
            Err(error) => {
                tracing::warn!("listening for new deliveries: {error}; polling meanwhile");
                tokio::time::sleep(Duration::from_secs(5)).await;
                continue;
            }
        };
        if let Err(error) = listener.listen(NOTIFY_CHANNEL).await {
            tracing::warn!("listening for new deliveries: {error}; polling meanwhile");
            tokio::time::sleep(Duration::from_secs(5)).await;
            continue;
        }
        while listener.recv().await.is_ok() {
            wake.notify_waiters();
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
