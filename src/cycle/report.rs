//! What a cycle achieved, for analysts: customers with a bill, links minted, messages by
//! channel and where they stand, links fetched (`GET /b/{token}`: people, mail scanners,
//! chat previews) and bills opened ("View my bill" pressed), renewals, `/link` requests,
//! and how long customers took to open their bill.
//!
//! Messages are counted per delivery and channel; a link that fell back from one channel
//! to the other counts its fetches and openings under the channel whose message did not
//! fail. Openings count any link to the cycle's bill (a cycle link, a resend, a renewal);
//! time to open runs from the cycle link's minting to the customer's first opening.

use std::collections::BTreeMap;

use sqlx::PgPool;

use crate::domain::{Channel, CycleId, DeliveryId, mask};
use crate::infra::db;

/// One channel's figures.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct ChannelFigures {
    /// Waiting to be sent, or being sent.
    pub queued: i64,
    /// Handed to the mail server or the gateway (delivered ones included).
    pub sent: i64,
    /// Confirmed delivered by a receipt (text messages).
    pub delivered: i64,
    /// Failed for good.
    pub failed: i64,
    /// Links fetched at least once.
    pub fetched: i64,
    /// Links whose bill was opened.
    pub opened: i64,
}

impl ChannelFigures {
    /// `part` of the messages sent, as a share (0 to 1); `None` before any was sent.
    pub fn rate(&self, part: i64) -> Option<f64> {
        (self.sent > 0).then(|| part as f64 / self.sent as f64)
    }
}

/// Seconds from a cycle link's minting to its customer's first opening.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, utoipa::ToSchema)]
pub struct TimeToOpen {
    pub median: Option<i64>,
    pub p90: Option<i64>,
}

/// The cycle report (`GET /api/v1/cycles/{cycle}/report`).
#[derive(Debug, Clone, PartialEq, serde::Serialize, utoipa::ToSchema)]
pub struct CycleReport {
    #[schema(value_type = String)]
    pub cycle: CycleId,
    /// Customers with a bill in the cycle.
    pub customers: i64,
    /// Cycle links minted.
    pub minted: i64,
    /// By channel: `email`, `sms`.
    pub channels: BTreeMap<Channel, ChannelFigures>,
    /// Customers who opened their bill of this cycle.
    pub opened_customers: i64,
    /// Fresh links customers got by opening an expired one.
    pub renewals: i64,
    /// Fresh links customers asked for at `/link`.
    pub link_requests: i64,
    pub time_to_open_seconds: TimeToOpen,
}

impl CycleReport {
    /// The report of `cycle`, read in one snapshot so that its figures agree.
    pub async fn read(pool: &PgPool, cycle: &CycleId) -> sqlx::Result<Self> {
        let mut tx =
            db::begin_with(pool, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY").await?;
        let totals = sqlx::query!(
            r#"SELECT
                 (SELECT count(*) FROM bills WHERE cycle = $1) AS "customers!",
                 (SELECT count(*) FROM link_tokens WHERE cycle = $1) AS "minted!",
                 count(*) FILTER (WHERE t.reason = 'renewal') AS "renewals!",
                 count(*) FILTER (WHERE t.reason = 'self_service') AS "link_requests!"
               FROM link_tokens t JOIN bills b ON b.id = t.bill_id
               WHERE b.cycle = $1 AND t.reason IN ('renewal', 'self_service')"#,
            cycle.as_str(),
        )
        .fetch_one(&mut *tx)
        .await?;
        let rows = sqlx::query!(
            r#"WITH opened AS (
                 SELECT DISTINCT s.token_id FROM sessions s
                 JOIN link_tokens t ON t.id = s.token_id WHERE t.cycle = $1
               )
               SELECT d.channel AS "channel!: Channel",
                 count(*) FILTER (WHERE d.status IN ('queued', 'sending')) AS "queued!",
                 count(*) FILTER (WHERE d.status IN ('sent', 'delivered')) AS "sent!",
                 count(*) FILTER (WHERE d.status = 'delivered') AS "delivered!",
                 count(*) FILTER (WHERE d.status = 'failed') AS "failed!",
                 count(*) FILTER (WHERE d.status <> 'failed' AND t.first_fetched_at IS NOT NULL)
                   AS "fetched!",
                 count(*) FILTER (WHERE d.status <> 'failed' AND o.token_id IS NOT NULL)
                   AS "opened!"
               FROM link_tokens t
               JOIN deliveries d ON d.token_id = t.id
               LEFT JOIN opened o ON o.token_id = t.id
               WHERE t.cycle = $1
               GROUP BY d.channel"#,
            cycle.as_str(),
        )
        .fetch_all(&mut *tx)
        .await?;
        let opening = sqlx::query!(
            r#"WITH firsts AS (
                 SELECT t.customer_id, min(s.opened_at) AS opened_at
                 FROM bills b
                 JOIN link_tokens t ON t.bill_id = b.id
                 JOIN sessions s ON s.token_id = t.id
                 WHERE b.cycle = $1
                 GROUP BY t.customer_id
               ), waits AS (
                 SELECT extract(epoch FROM f.opened_at - c.minted_at) AS seconds
                 FROM firsts f
                 LEFT JOIN link_tokens c ON c.customer_id = f.customer_id AND c.cycle = $1
               )
               SELECT count(*) AS "customers!",
                 percentile_cont(0.5) WITHIN GROUP (ORDER BY seconds) AS median,
                 percentile_cont(0.9) WITHIN GROUP (ORDER BY seconds) AS p90
               FROM waits"#,
            cycle.as_str(),
        )
        .fetch_one(&mut *tx)
        .await?;
        tx.commit().await?;
        let mut channels: BTreeMap<Channel, ChannelFigures> = [Channel::Email, Channel::Sms]
            .into_iter()
            .map(|c| (c, ChannelFigures::default()))
            .collect();
        for row in rows {
            channels.insert(
                row.channel,
                ChannelFigures {
                    queued: row.queued,
                    sent: row.sent,
                    delivered: row.delivered,
                    failed: row.failed,
                    fetched: row.fetched,
                    opened: row.opened,
                },
            );
        }
        Ok(Self {
            cycle: cycle.clone(),
            customers: totals.customers,
            minted: totals.minted,
            channels,
            opened_customers: opening.customers,
            renewals: totals.renewals,
            link_requests: totals.link_requests,
            time_to_open_seconds: TimeToOpen {
                median: opening.median.map(|s| s.round() as i64),
                p90: opening.p90.map(|s| s.round() as i64),
            },
        })
    }

    /// The report as CSV, one figure a row: `cycle,channel,figure,value`, where `channel` is
    /// `all` for the figures of the whole cycle and time to open is in seconds.
    pub fn to_csv(&self) -> String {
        let mut rows = vec![
            ("all", "customers", Some(self.customers)),
            ("all", "minted", Some(self.minted)),
            ("all", "opened_customers", Some(self.opened_customers)),
            ("all", "renewals", Some(self.renewals)),
            ("all", "link_requests", Some(self.link_requests)),
            (
                "all",
                "time_to_open_median",
                self.time_to_open_seconds.median,
            ),
            ("all", "time_to_open_p90", self.time_to_open_seconds.p90),
        ];
        for (channel, f) in &self.channels {
            rows.extend([
                (channel.as_str(), "queued", Some(f.queued)),
                (channel.as_str(), "sent", Some(f.sent)),
                (channel.as_str(), "delivered", Some(f.delivered)),
                (channel.as_str(), "failed", Some(f.failed)),
                (channel.as_str(), "fetched", Some(f.fetched)),
                (channel.as_str(), "opened", Some(f.opened)),
            ]);
        }
        let mut out = String::from("cycle,channel,figure,value\n");
        for (channel, figure, value) in rows {
            let value = value.map(|v| v.to_string()).unwrap_or_default();
            // A cycle id is letters, digits, `-` and `_`: nothing to quote.
            out.push_str(&format!("{},{channel},{figure},{value}\n", self.cycle));
        }
        out
    }
}

/// A message of the cycle that failed for good, with nothing else delivered in its place.
#[derive(Debug, Clone)]
pub struct FailedDelivery {
    pub id: DeliveryId,
    pub account_id: String,
    pub channel: Channel,
    /// Masked.
    pub destination: String,
    pub last_error: Option<String>,
}

/// The cycle's cycle links whose every message failed, oldest first, at most `limit`.
pub async fn failed_deliveries(
    pool: &PgPool,
    cycle: &CycleId,
    limit: i64,
) -> sqlx::Result<Vec<FailedDelivery>> {
    let rows = sqlx::query!(
        r#"SELECT d.id AS "id: DeliveryId", c.account_id, d.channel AS "channel: Channel",
                  d.destination, d.last_error
           FROM link_tokens t
           JOIN deliveries d ON d.token_id = t.id
           JOIN customers c ON c.id = t.customer_id
           WHERE t.cycle = $1 AND d.status = 'failed'
             AND NOT EXISTS (SELECT FROM deliveries o
                             WHERE o.token_id = t.id AND o.status <> 'failed')
             AND d.id = (SELECT max(l.id) FROM deliveries l WHERE l.token_id = t.id)
           ORDER BY d.id
           LIMIT $2"#,
        cycle.as_str(),
        limit,
    )
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|row| FailedDelivery {
            id: row.id,
            account_id: row.account_id,
            channel: row.channel,
            destination: mask(row.channel, &row.destination),
            last_error: row.last_error,
        })
        .collect())
}

/// Whose failed message of the cycle `delivery` is, if it is one.
pub async fn failed_delivery_account(
    pool: &PgPool,
    cycle: &CycleId,
    delivery: DeliveryId,
) -> sqlx::Result<Option<String>> {
    sqlx::query_scalar!(
        "SELECT c.account_id FROM deliveries d
         JOIN link_tokens t ON t.id = d.token_id
         JOIN customers c ON c.id = t.customer_id
         WHERE d.id = $1 AND t.cycle = $2 AND d.status = 'failed'",
        delivery as DeliveryId,
        cycle.as_str(),
    )
    .fetch_optional(pool)
    .await
}
