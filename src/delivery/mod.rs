//! The outbox: deliveries written in the same transaction as the tokens they carry,
//! claimed by workers under a lease, sent at least once, and finished, retried with
//! backoff, or failed over to the customer's other channel.

mod email;
pub mod gsm7;
pub mod message;
mod receipts;
mod sms;
mod smtp;
pub mod staff_sign_in;
mod worker;

use std::num::NonZeroU32;
use std::path::{Path, PathBuf};
use std::time::Duration;

use lettre::message::Mailbox;
use secrecy::SecretString;
use url::Url;

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::{PgConnection, PgPool};

pub use email::EmailSender;
pub use message::LinkNote;
pub use receipts::{Receipt, opt_in, opt_out, record_receipt};
pub use sms::SmsGateway;
pub use sms::{SmsSender, twilio_signature, twilio_signature_is_valid};
pub use worker::{Outbox, RetryPolicy};

use crate::billing::customers::Customer;
use crate::domain::{BrandId, Channel, CustomerId, DeliveryId};
use crate::links::mint::notify_outbox;
use crate::links::{IssuedToken, Minter};
use crate::observe::metrics::{self, DeliveryEvent};

/// How messages are sent, as the composition root builds it from the settings.
#[derive(Debug, Clone)]
pub struct DeliveryConfig {
    /// Where messages are written when no server or gateway is set.
    pub outbox_dir: PathBuf,
    pub email: EmailConfig,
    pub sms: SmsConfig,
    pub retry: RetryPolicy,
    /// How long a claim lasts: a worker that dies leaves its deliveries to be taken again
    /// after it.
    pub lease: Duration,
    /// How long one send may take.
    pub send_timeout: Duration,
}

/// The email channel.
#[derive(Debug, Clone)]
pub struct EmailConfig {
    /// The SMTP server (`smtp://user:pass@host:587?tls=required`); `None`: `.eml` files in
    /// the outbox directory.
    pub smtp_url: Option<SecretString>,
    pub from: Mailbox,
    pub lane: LaneConfig,
}

/// The text-message channel.
#[derive(Debug, Clone)]
pub struct SmsConfig {
    /// `None`: `.sms` files in the outbox directory.
    pub gateway: Option<GatewayConfig>,
    pub lane: LaneConfig,
}

/// An SMS gateway and how to reach it.
#[derive(Debug, Clone)]
pub struct GatewayConfig {
    pub kind: SmsGateway,
    /// The base URL (`https://api.twilio.com`).
    pub url: Url,
    /// Twilio's auth token, or the `http` gateway's bearer token.
    pub auth_token: SecretString,
    /// For Twilio: the account, the sender, and where it reports delivery.
    pub twilio: Option<TwilioConfig>,
}

/// What the Twilio Messages API needs besides the token.
#[derive(Debug, Clone)]
pub struct TwilioConfig {
    pub account_sid: String,
    pub from: String,
    /// `{public_url}/webhooks/sms/status`.
    pub status_callback: String,
}

/// A channel's sends in flight and sends a second, at most.
#[derive(Debug, Clone, Copy)]
pub struct LaneConfig {
    pub concurrency: u32,
    pub rate: Option<NonZeroU32>,
}

/// One message to send, as claimed.
#[derive(Debug, Clone)]
pub struct Delivery {
    pub id: DeliveryId,
    pub channel: Channel,
    pub destination: String,
    /// Kept in the database only while the message waits to be sent.
    pub link: String,
    pub name: String,
    pub expires_at: DateTime<Utc>,
    pub attempts: i32,
    /// The customer's number opted out of text messages: never text it.
    pub opted_out: bool,
    /// The customer's time zone, when on file.
    pub timezone: Option<String>,
    /// The customer's language tag (`de-DE`): the message is written in it.
    pub locale: String,
    /// The brand the link was minted for, which the message wears.
    pub brand: BrandId,
    /// The bill the link opens, as the message names it.
    pub bill: BillFacts,
}

/// What a message says of the bill its link opens.
#[derive(Debug, Clone)]
pub struct BillFacts {
    /// ISO 4217 code.
    pub currency: String,
    /// Minor units; negative: a credit.
    pub amount_due: i64,
    pub due_on: NaiveDate,
    pub period_start: NaiveDate,
    pub period_end: NaiveDate,
}

/// A message the server or gateway accepted.
#[derive(Debug)]
pub struct Sent {
    /// The gateway's id for it, to match delivery receipts.
    pub provider_ref: Option<String>,
}

/// Why a send did not go through.
#[derive(Debug, thiserror::Error)]
pub enum SendError {
    /// Worth retrying later, not before `retry_after` when the server said so.
    #[error("temporary: {reason}")]
    Transient {
        reason: String,
        retry_after: Option<Duration>,
    },
    /// Will never succeed as is; `opted_out` when the number asked for no more texts.
    #[error("permanent: {reason}")]
    Permanent { reason: String, opted_out: bool },
}

impl SendError {
    pub fn transient(reason: impl Into<String>) -> Self {
        Self::Transient {
            reason: reason.into(),
            retry_after: None,
        }
    }

    pub fn permanent(reason: impl Into<String>) -> Self {
        Self::Permanent {
            reason: reason.into(),
            opted_out: false,
        }
    }
}

/// Writes a message to the outbox directory as `delivery-12-email.eml` or
/// `delivery-13-sms.sms`, so a person can tell whose message is whose; a message sent
/// again (after a crash) replaces its file. Written under a temporary name and renamed, so
/// readers never see half a file.
async fn write_to_outbox(dir: &Path, name: &str, contents: &[u8]) -> Result<(), SendError> {
    let io = |e: std::io::Error| SendError::transient(format!("writing to {}: {e}", dir.display()));
    tokio::fs::create_dir_all(dir).await.map_err(io)?;
    let path = dir.join(name);
    let partial = path.with_extension("partial");
    tokio::fs::write(&partial, contents).await.map_err(io)?;
    tokio::fs::rename(&partial, &path).await.map_err(io)
}

impl Delivery {
    /// The name of its file in the outbox directory.
    fn outbox_name(&self) -> String {
        let extension = match self.channel {
            Channel::Email => "eml",
            Channel::Sms => "sms",
        };
        format!("delivery-{}-{}.{extension}", self.id, self.channel)
    }
}

/// Fails delivery `id` for good with `reason`, and lets go of its link; when its number
/// opted out, records that on every customer with that number. Then, unless this delivery
/// already replaced another, queues the same link on the customer's other channel if they
/// have one and the link is still current (signed again by `minter` when the failure comes
/// after the message was sent, such as a carrier's receipt). Returns the fallback delivery's
/// id.
pub async fn fail(
    pool: &PgPool,
    minter: &Minter,
    id: DeliveryId,
    reason: &str,
    opted_out: bool,
) -> anyhow::Result<Option<DeliveryId>> {
    let mut tx = crate::infra::db::begin(pool).await?;
    let failed = sqlx::query!(
        r#"UPDATE deliveries d SET status = 'failed', lease_until = NULL, last_error = $2, link = NULL
           FROM link_tokens t, (SELECT link FROM deliveries WHERE id = $1) kept
           WHERE d.id = $1 AND t.id = d.token_id AND d.status <> 'failed'
           RETURNING t.customer_id AS "customer_id: CustomerId", d.channel AS "channel: Channel",
                     d.destination, d.fallback_of AS "fallback_of: DeliveryId", kept.link"#,
        id as DeliveryId,
        reason,
    )
    .fetch_optional(&mut *tx)
    .await?;
    let Some(failed) = failed else {
        return Ok(None);
    };
    if opted_out {
        opt_out(&mut *tx, &failed.destination).await?;
    }
    let (customer_id, channel, link) = (failed.customer_id, failed.channel, failed.link);
    let fallback = match failed.fallback_of {
        Some(_) => None,
        None => {
            // Email always carries the token link, never a text message's short link.
            let link = match link.filter(|_| channel.other() == Channel::Sms) {
                Some(link) => Some(link),
                None => match IssuedToken::of_delivery(&mut tx, id).await? {
                    Some(token) => minter.link_again(&mut tx, &token).await?,
                    None => None,
                },
            };
            match link {
                Some(link) => {
                    queue_fallback(&mut tx, id, customer_id, channel.other(), &link).await?
                }
                None => None,
            }
        }
    };
    tx.commit().await?;
    metrics::deliveries(channel, DeliveryEvent::Failed, 1);
    if let Some(fallback) = fallback {
        metrics::deliveries(channel.other(), DeliveryEvent::Queued, 1);
        tracing::info!(
            delivery = %id,
            fallback = %fallback,
            "delivery failed for good; sent on the other channel instead"
        );
    }
    Ok(fallback)
}

/// Queues the link of failed delivery `failed` on `channel`, when the customer has an
/// address for it.
async fn queue_fallback(
    conn: &mut PgConnection,
    failed: DeliveryId,
    customer_id: CustomerId,
    channel: Channel,
    link: &str,
) -> sqlx::Result<Option<DeliveryId>> {
    let Some(customer) = Customer::lock(conn, customer_id).await? else {
        return Ok(None);
    };
    let Ok(destination) = customer.destination(Some(channel)) else {
        return Ok(None);
    };
    // Only a link that can still open the bill is worth sending again.
    let fallback = sqlx::query_scalar!(
        r#"WITH token AS (
               UPDATE link_tokens t SET channel = $3
               FROM deliveries d
               WHERE d.id = $1 AND t.id = d.token_id
                 AND t.superseded_at IS NULL AND t.revoked_at IS NULL AND t.expires_at > now()
               RETURNING t.id)
           INSERT INTO deliveries (token_id, channel, destination, link, fallback_of, cycle)
           SELECT id, $3, $4, $2, $1, (SELECT cycle FROM deliveries WHERE id = $1) FROM token
           RETURNING id AS "id: DeliveryId""#,
        failed as DeliveryId,
        link,
        destination.channel as Channel,
        destination.address,
    )
    .fetch_optional(&mut *conn)
    .await?;
    if fallback.is_some() {
        notify_outbox(conn).await?;
    }
    Ok(fallback)
}
