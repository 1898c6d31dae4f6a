//! What a cycle achieved, for analysts: customers with a bill, links minted, messages by
//! channel and where they stand, links fetched (`GET /b/{token}`: people, mail scanners,
//! chat previews) and bills opened ("View my bill" pressed), renewals, `/link` requests,
//! and how long customers took to open their bill.
//!
//! Messages are counted per delivery and channel; links count their fetches and openings
//! under the channel they last went by (a link that fell back from one channel to the
//! other, under the second). A customer's opening is of any link to the cycle's bill (the
//! cycle link, a resend, a renewal); time to open runs from the cycle link's minting to
//! the customer's first opening.

use std::collections::BTreeMap;

use sqlx::PgPool;

use crate::domain::{BrandId, Channel, CycleId, DeliveryId, DeliveryStatus, mask};
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

/// One brand's cycle links.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct BrandFigures {
    /// Cycle links minted for the brand's customers.
    pub minted: i64,
    /// Of them, fetched at least once.
    pub fetched: i64,
    /// Of them, whose bill was opened.
    pub opened: i64,
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
    /// By brand, its id (`default` for the default brand): the brands with cycle links.
    #[schema(value_type = BTreeMap<String, BrandFigures>)]
    pub brands: BTreeMap<BrandId, BrandFigures>,
    /// Customers who opened their bill of this cycle.
    pub opened_customers: i64,
    /// Fresh links customers got by opening an expired one.
    pub renewals: i64,
    /// Fresh links customers asked for at `/link`.
    pub link_requests: i64,
    pub time_to_open_seconds: TimeToOpen,
}

impl CycleReport {
    /// The report of `cycle`, read in one snapshot so that its figures agree. Each query
    /// is one pass over the cycle's links or messages (found through block-range indexes),
    /// none a join of them: the links carry their first fetch and opening, and the messages
    /// their cycle.
    pub async fn read(pool: &PgPool, cycle: &CycleId) -> sqlx::Result<Self> {
        let mut tx =
            db::begin_with(pool, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY").await?;
        let totals = sqlx::query!(
            r#"SELECT
                 (SELECT count(*) FROM bills WHERE cycle = $1) AS "customers!",
                 count(*) FILTER (WHERE t.reason = 'renewal') AS "renewals!",
                 count(*) FILTER (WHERE t.reason = 'self_service') AS "link_requests!"
               FROM link_tokens t JOIN bills b ON b.id = t.bill_id
               WHERE t.cycle IS NULL AND b.cycle = $1"#,
            cycle.as_str(),
        )
        .fetch_one(&mut *tx)
        .await?;
        let links = sqlx::query!(
            r#"SELECT channel AS "channel!: Channel", brand_id, count(*) AS "minted!",
                      count(first_fetched_at) AS "fetched!", count(first_opened_at) AS "opened!"
               FROM link_tokens WHERE cycle = $1 GROUP BY channel, brand_id"#,
            cycle.as_str(),
        )
        .fetch_all(&mut *tx)
        .await?;
        let messages = sqlx::query!(
            r#"SELECT channel AS "channel!: Channel", status AS "status!: DeliveryStatus",
                      count(*) AS "count!"
               FROM deliveries WHERE cycle = $1 GROUP BY channel, status"#,
            cycle.as_str(),
        )
        .fetch_all(&mut *tx)
        .await?;
        let opening = sqlx::query!(
            r#"WITH others AS (
                 SELECT t.bill_id, min(t.first_opened_at) AS opened_at
                 FROM link_tokens t JOIN bills b ON b.id = t.bill_id
                 WHERE t.cycle IS NULL AND b.cycle = $1 AND t.first_opened_at IS NOT NULL
                 GROUP BY t.bill_id
               ), waits AS (
                 SELECT extract(epoch FROM least(c.first_opened_at, o.opened_at) - c.minted_at)
                          AS seconds
                 FROM link_tokens c LEFT JOIN others o ON o.bill_id = c.bill_id
                 WHERE c.cycle = $1
               )
               SELECT count(seconds) AS "customers!",
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
        let mut minted = 0;
        let mut brands: BTreeMap<BrandId, BrandFigures> = BTreeMap::new();
        for row in links {
            let figures = channels.entry(row.channel).or_default();
            figures.fetched += row.fetched;
            figures.opened += row.opened;
            minted += row.minted;
            let brand = brands
                .entry(BrandId::from_stored(row.brand_id))
                .or_default();
            brand.minted += row.minted;
            brand.fetched += row.fetched;
            brand.opened += row.opened;
        }
        for row in messages {
            let figures = channels.entry(row.channel).or_default();
            match row.status {
                DeliveryStatus::Queued | DeliveryStatus::Sending => figures.queued += row.count,
                DeliveryStatus::Sent => figures.sent += row.count,
                DeliveryStatus::Delivered => {
                    figures.sent += row.count;
                    figures.delivered += row.count;
                }
                DeliveryStatus::Failed => figures.failed += row.count,
            }
        }
        Ok(Self {
            cycle: cycle.clone(),
            customers: totals.customers,
            minted,
            channels,
            brands,
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
    /// `all` for the figures of the whole cycle, `email` or `sms` for a channel's, and
    /// `brand:ID` for a brand's; time to open is in seconds.
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
        let brands: Vec<(String, &BrandFigures)> = self
            .brands
            .iter()
            .map(|(id, f)| (format!("brand:{id}"), f))
            .collect();
        for (brand, f) in &brands {
            rows.extend([
                (brand.as_str(), "minted", Some(f.minted)),
                (brand.as_str(), "fetched", Some(f.fetched)),
                (brand.as_str(), "opened", Some(f.opened)),
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
