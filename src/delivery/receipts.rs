//! What the SMS gateway tells us afterwards: delivery receipts, and STOP/START replies.

use sqlx::{PgExecutor, PgPool};

use super::fail;
use super::sms::TWILIO_OPTED_OUT;
use crate::domain::{Channel, DeliveryId};
use crate::links::Minter;
use crate::observe::metrics::{self, DeliveryEvent};

/// A delivery receipt, as Twilio's status callback reports it.
#[derive(Debug, serde::Deserialize)]
pub struct Receipt {
    #[serde(rename = "MessageSid")]
    pub message_sid: String,
    #[serde(rename = "MessageStatus")]
    pub status: String,
    #[serde(rename = "ErrorCode")]
    pub error_code: Option<String>,
}

/// Moves the delivery to `delivered`, or fails it (with fallback) when the carrier could
/// not deliver it. Returns whether the message is one of ours.
pub async fn record_receipt(
    pool: &PgPool,
    minter: &Minter,
    receipt: &Receipt,
) -> anyhow::Result<bool> {
    let id = sqlx::query_scalar!(
        r#"SELECT id AS "id: DeliveryId" FROM deliveries WHERE provider_ref = $1"#,
        receipt.message_sid
    )
    .fetch_optional(pool)
    .await?;
    let Some(id) = id else { return Ok(false) };
    match receipt.status.as_str() {
        "delivered" | "read" => {
            let delivered = sqlx::query!(
                "UPDATE deliveries SET status = 'delivered', delivered_at = now(), link = NULL
                 WHERE id = $1 AND status IN ('sending', 'sent')",
                id as DeliveryId,
            )
            .execute(pool)
            .await?;
            metrics::deliveries(
                Channel::Sms,
                DeliveryEvent::Delivered,
                delivered.rows_affected(),
            );
        }
        "undelivered" | "failed" => {
            let code = receipt.error_code.as_deref().unwrap_or("none");
            let opted_out = code == TWILIO_OPTED_OUT.to_string();
            fail(
                pool,
                minter,
                id,
                &format!("carrier reported {} (error {code})", receipt.status),
                opted_out,
            )
            .await?;
        }
        // queued, sending, sent, accepted…: nothing new.
        _ => {}
    }
    Ok(true)
}

/// The customers with this number asked for no more text messages.
pub async fn opt_out(db: impl PgExecutor<'_>, phone: &str) -> sqlx::Result<u64> {
    let done = sqlx::query!(
        "UPDATE customers SET sms_opted_out_at = now() WHERE phone = $1 AND sms_opted_out_at IS NULL",
        phone
    )
    .execute(db)
    .await?;
    Ok(done.rows_affected())
}

/// The customers with this number may be texted again.
pub async fn opt_in(pool: &PgPool, phone: &str) -> sqlx::Result<u64> {
    let done = sqlx::query!(
        "UPDATE customers SET sms_opted_out_at = NULL WHERE phone = $1 AND sms_opted_out_at IS NOT NULL",
        phone
    )
    .execute(pool)
    .await?;
    Ok(done.rows_affected())
}
