//! A customer's history as staff see it: the profile, every link minted, every message
//! that carried one, every opening and every staff action. Contact details are masked and
//! no token is shown, only its `jti`. The staff API and `billpass customer show` read it.

use chrono::{DateTime, Utc};
use sqlx::{PgConnection, PgPool};

use super::sessions::{self, Opening};
use crate::billing::customers::Profile;
use crate::domain::mask;
use crate::domain::{
    AccountId, Channel, CustomerId, CycleId, DeliveryId, DeliveryStatus, LinkId, LinkReason,
    LinkStatus,
};
use crate::infra::db;
use crate::staff::audit::{self, Entry};

/// Everything a customer-service rep needs about one customer.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct CustomerHistory {
    pub profile: Profile,
    /// The newest link: the only one that can open the bill, while its `status` is
    /// `current`. Null before the first.
    pub current_link: Option<LinkRecord>,
    /// Every link minted for the customer, newest first.
    pub links: Vec<LinkRecord>,
    /// Every message that carried one, newest first.
    pub deliveries: Vec<DeliveryRecord>,
    /// Every press of "View my bill", newest first.
    pub openings: Vec<Opening>,
    /// Every staff action on the customer, oldest first.
    pub audit: Vec<Entry>,
}

impl CustomerHistory {
    /// The history of the customer with `account`, read in one snapshot so that links,
    /// deliveries and openings agree with each other; `None` for no such customer.
    pub async fn read(pool: &PgPool, account: &AccountId) -> sqlx::Result<Option<Self>> {
        let mut tx =
            db::begin_with(pool, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY").await?;
        let Some((customer_id, profile)) = Profile::find(&mut tx, account).await? else {
            return Ok(None);
        };
        let links = links(&mut tx, customer_id).await?;
        let history = Self {
            profile,
            current_link: links.iter().find(|l| l.superseded_at.is_none()).cloned(),
            deliveries: deliveries(&mut tx, customer_id).await?,
            openings: sessions::openings(&mut tx, customer_id).await?,
            audit: audit::for_customer(&mut tx, customer_id).await?,
            links,
        };
        tx.commit().await?;
        Ok(Some(history))
    }
}

/// A link as staff see it: its id, never the token.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct LinkRecord {
    #[schema(value_type = String)]
    pub jti: LinkId,
    /// What opening it would show now.
    pub status: LinkStatus,
    /// Why it was minted.
    pub reason: LinkReason,
    /// For a cycle link, its cycle.
    #[schema(value_type = Option<String>)]
    pub cycle: Option<CycleId>,
    /// The cycle of the bill it opens.
    #[schema(value_type = String)]
    pub bill_cycle: CycleId,
    /// The channel it went by.
    pub channel: Channel,
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
    /// The first time the link was fetched (`GET`: the customer, or a mail filter or chat
    /// app previewing it); openings are counted apart.
    pub first_fetched_at: Option<DateTime<Utc>>,
}

/// Every link minted for the customer, newest first.
async fn links(conn: &mut PgConnection, customer_id: CustomerId) -> sqlx::Result<Vec<LinkRecord>> {
    sqlx::query_as!(
        LinkRecord,
        r#"SELECT t.id AS "jti: LinkId",
                  CASE WHEN t.revoked_at IS NOT NULL THEN 'revoked'
                       WHEN t.superseded_at IS NOT NULL THEN 'superseded'
                       WHEN t.expires_at <= now() THEN 'expired'
                       ELSE 'current' END AS "status!: LinkStatus",
                  t.reason AS "reason: LinkReason", t.cycle AS "cycle: CycleId",
                  b.cycle AS "bill_cycle: CycleId", t.channel AS "channel: Channel", t.minted_by,
                  t.resend_reason, t.minted_at, t.expires_at, t.superseded_at, t.revoked_at,
                  t.revoked_by, t.revoke_reason, t.first_fetched_at
           FROM link_tokens t JOIN bills b ON b.id = t.bill_id
           WHERE t.customer_id = $1
           ORDER BY t.id DESC"#,
        customer_id as CustomerId,
    )
    .fetch_all(conn)
    .await
}

/// A delivery as staff see it: the destination masked, never the link it carries.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct DeliveryRecord {
    #[schema(value_type = i64)]
    pub id: DeliveryId,
    /// The link it carries.
    #[schema(value_type = String)]
    pub jti: LinkId,
    pub channel: Channel,
    /// `j•••@example.com` or `•••• 4567`.
    pub destination: String,
    pub status: DeliveryStatus,
    pub attempts: i32,
    pub last_error: Option<String>,
    pub created_at: DateTime<Utc>,
    pub sent_at: Option<DateTime<Utc>>,
    pub delivered_at: Option<DateTime<Utc>>,
    /// The failed delivery on the other channel that this one replaces.
    #[schema(value_type = Option<i64>)]
    pub fallback_of: Option<DeliveryId>,
}

/// Every delivery of the customer's links, newest first.
async fn deliveries(
    conn: &mut PgConnection,
    customer_id: CustomerId,
) -> sqlx::Result<Vec<DeliveryRecord>> {
    let mut records = sqlx::query_as!(
        DeliveryRecord,
        r#"SELECT d.id AS "id: DeliveryId", d.token_id AS "jti: LinkId",
                  d.channel AS "channel: Channel", d.destination, d.status AS "status: DeliveryStatus",
                  d.attempts, d.last_error, d.created_at, d.sent_at, d.delivered_at,
                  d.fallback_of AS "fallback_of: DeliveryId"
           FROM deliveries d JOIN link_tokens t ON t.id = d.token_id
           WHERE t.customer_id = $1
           ORDER BY d.id DESC"#,
        customer_id as CustomerId,
    )
    .fetch_all(conn)
    .await?;
    for record in &mut records {
        record.destination = mask(record.channel, &record.destination);
    }
    Ok(records)
}
