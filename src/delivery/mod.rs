//! The outbox: deliveries written with their tokens, claimed by workers under a lease,
//! sent, and finished or retried with backoff.

mod email;
pub mod message;
mod sms;

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use sqlx::PgPool;
use tokio::sync::watch;

pub use email::EmailSender;
pub use sms::SmsSender;

use crate::domain::Channel;

/// A claim lasts this long; a worker that dies leaves its rows to be taken again after it.
const LEASE: Duration = Duration::from_secs(120);
const BATCH: i64 = 32;
const MAX_ATTEMPTS: i32 = 8;
const IDLE_POLL: Duration = Duration::from_millis(500);

/// One message to send, as claimed.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Delivery {
    pub id: i64,
    pub channel: String,
    pub destination: String,
    pub link: String,
    pub name: String,
    pub expires_at: DateTime<Utc>,
    pub attempts: i32,
}

/// Why a send did not go through.
#[derive(Debug, thiserror::Error)]
pub enum SendError {
    /// Worth retrying later.
    #[error("temporary: {0}")]
    Transient(String),
    /// Will never succeed as is.
    #[error("permanent: {0}")]
    Permanent(String),
}

/// Sends claimed deliveries.
pub struct Worker {
    pool: PgPool,
    email: EmailSender,
    sms: SmsSender,
    brand: Arc<str>,
}

impl Worker {
    pub fn new(pool: PgPool, email: EmailSender, sms: SmsSender, brand: &str) -> Self {
        Self {
            pool,
            email,
            sms,
            brand: brand.into(),
        }
    }

    /// Works until `stop` turns true, then finishes the batch in hand.
    pub async fn run(self, mut stop: watch::Receiver<bool>) {
        loop {
            if *stop.borrow() {
                return;
            }
            match self.run_once().await {
                Ok(0) => {
                    tokio::select! {
                        _ = tokio::time::sleep(IDLE_POLL) => {}
                        _ = stop.changed() => {}
                    }
                }
                Ok(_) => {}
                Err(error) => {
                    tracing::warn!("delivery worker: {error:#}; retrying shortly");
                    tokio::time::sleep(Duration::from_secs(2)).await;
                }
            }
        }
    }

    /// Claims and sends one batch; returns how many were claimed.
    pub async fn run_once(&self) -> anyhow::Result<usize> {
        let batch = self.claim().await?;
        let count = batch.len();
        let sends = batch.into_iter().map(|delivery| async move {
            let result = self.send(&delivery).await;
            if let Err(error) = self.finish(&delivery, result).await {
                tracing::warn!(
                    delivery = delivery.id,
                    "could not record the delivery outcome: {error:#}"
                );
            }
        });
        futures_util::future::join_all(sends).await;
        Ok(count)
    }

    async fn claim(&self) -> sqlx::Result<Vec<Delivery>> {
        sqlx::query_as(
            "WITH due AS (
                 SELECT id FROM deliveries
                 WHERE (status = 'queued' AND next_attempt_at <= now())
                    OR (status = 'sending' AND lease_until < now())
                 ORDER BY next_attempt_at
                 LIMIT $1
                 FOR UPDATE SKIP LOCKED)
             UPDATE deliveries d
             SET status = 'sending', lease_until = now() + $2::interval, attempts = d.attempts + 1
             FROM due, link_tokens t, customers c
             WHERE d.id = due.id AND t.id = d.token_id AND c.id = t.customer_id
             RETURNING d.id, d.channel, d.destination, d.link, c.name, t.expires_at, d.attempts",
        )
        .bind(BATCH)
        .bind(format!("{} seconds", LEASE.as_secs()))
        .fetch_all(&self.pool)
        .await
    }

    async fn send(&self, delivery: &Delivery) -> Result<(), SendError> {
        match delivery.channel.parse::<Channel>() {
            Ok(Channel::Email) => self.email.send(delivery, &self.brand).await,
            Ok(Channel::Sms) => self.sms.send(delivery, &self.brand).await,
            Err(e) => Err(SendError::Permanent(e)),
        }
    }

    async fn finish(&self, delivery: &Delivery, result: Result<(), SendError>) -> sqlx::Result<()> {
        let query = match &result {
            Ok(()) => sqlx::query(
                "UPDATE deliveries SET status = 'sent', sent_at = now(), lease_until = NULL, last_error = $2
                 WHERE id = $1",
            ),
            Err(SendError::Transient(_)) if delivery.attempts < MAX_ATTEMPTS => sqlx::query(
                "UPDATE deliveries SET status = 'queued', lease_until = NULL, last_error = $2,
                     next_attempt_at = now() + least(interval '1 hour', interval '15 seconds' * 2 ^ (attempts - 1))
                                         * (0.75 + random() / 2)
                 WHERE id = $1",
            ),
            Err(_) => sqlx::query(
                "UPDATE deliveries SET status = 'failed', lease_until = NULL, last_error = $2 WHERE id = $1",
            ),
        };
        if let Err(error) = &result {
            tracing::warn!(delivery = delivery.id, channel = %delivery.channel, "send failed: {error}");
        }
        query
            .bind(delivery.id)
            .bind(result.err().map(|e| e.to_string()))
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}

/// `24 Nov 2026 at 19:26 UTC`.
pub fn expiry_text(at: DateTime<Utc>) -> String {
    at.format("%-d %b %Y at %H:%M UTC").to_string()
}
