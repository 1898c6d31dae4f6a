//! What staff do to a customer's links: send a fresh one (resend) or stop the current one
//! (revoke), each recorded in the audit log with who did it and why.

use chrono::{DateTime, Utc};
use serde_json::json;
use sqlx::PgPool;

use super::Minter;
use super::mint::Minted;
use crate::billing::customers::Customer;
use crate::domain::calendar::time_text;
use crate::domain::{AccountId, Actor, Channel, CustomerId, LinkId, MintReason, Reason};
use crate::observe::metrics::{self, DeliveryEvent};
use crate::staff::audit::{Action, Record};

/// Why a resend did not happen.
#[derive(Debug, thiserror::Error)]
pub enum ResendError {
    #[error("no customer with account id {0}")]
    UnknownCustomer(AccountId),
    #[error("{0} has no bill yet: import one before sending a link")]
    NoBill(AccountId),
    #[error(transparent)]
    NoContact(#[from] crate::billing::customers::NoContact),
    #[error(transparent)]
    Unexpected(#[from] anyhow::Error),
}

impl From<sqlx::Error> for ResendError {
    fn from(e: sqlx::Error) -> Self {
        ResendError::Unexpected(e.into())
    }
}

/// Mints a fresh link to the customer's latest bill and queues it on `channel` (or their
/// preferred channel); the previous link stops working. The link and the audit log record
/// who sent it and why.
pub async fn resend(
    pool: &PgPool,
    minter: &Minter,
    account: &AccountId,
    channel: Option<Channel>,
    by: &Actor,
    reason: Option<&Reason>,
) -> Result<Minted, ResendError> {
    let mut tx = crate::infra::db::begin(pool).await?;
    let customer = Customer::lock_by_account(&mut tx, account)
        .await?
        .ok_or_else(|| ResendError::UnknownCustomer(account.clone()))?;
    let destination = customer.destination(channel)?;
    let minted = minter
        .mint_to_latest_bill(
            &mut tx,
            &customer,
            destination,
            MintReason::Resend,
            &by.name,
        )
        .await?
        .ok_or_else(|| ResendError::NoBill(account.clone()))?;
    let reason = reason.map(Reason::as_str);
    sqlx::query!(
        "UPDATE link_tokens SET resend_reason = $2 WHERE id = $1",
        minted.jti as LinkId,
        reason,
    )
    .execute(&mut *tx)
    .await?;
    Record {
        customer_id: Some(customer.id),
        reason,
        details: json!({
            "jti": minted.jti,
            "delivery_id": minted.delivery_id,
            "channel": minted.destination.channel,
        }),
        ..Record::new(Action::LinkResend, account.as_str())
    }
    .write(&mut tx, by)
    .await?;
    tx.commit().await?;
    Ok(minted)
}

/// A link that staff revoked.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct Revoked {
    #[schema(value_type = String)]
    pub jti: LinkId,
    pub revoked_at: DateTime<Utc>,
    /// Messages carrying it that were still waiting to be sent, and now never will be.
    pub cancelled_deliveries: u64,
}

/// Why a revocation did not happen.
#[derive(Debug, thiserror::Error)]
pub enum RevokeError {
    #[error("no customer with account id {0}")]
    UnknownCustomer(AccountId),
    #[error("the customer has no link to revoke")]
    NoLink,
    #[error("the customer's current link was already revoked on {} by {by}", time_text(*at))]
    AlreadyRevoked { at: DateTime<Utc>, by: String },
    #[error(transparent)]
    Unexpected(#[from] anyhow::Error),
}

impl From<sqlx::Error> for RevokeError {
    fn from(e: sqlx::Error) -> Self {
        RevokeError::Unexpected(e.into())
    }
}

/// Revokes the customer's current link: it stops working at once (so do the sessions it
/// opened), and messages carrying it that are still queued are not sent.
pub async fn revoke(
    pool: &PgPool,
    account: &AccountId,
    by: &Actor,
    reason: &Reason,
) -> Result<Revoked, RevokeError> {
    let mut tx = crate::infra::db::begin(pool).await?;
    let customer = Customer::lock_by_account(&mut tx, account)
        .await?
        .ok_or_else(|| RevokeError::UnknownCustomer(account.clone()))?;
    let current = sqlx::query!(
        r#"SELECT id AS "id: LinkId", revoked_at, revoked_by FROM link_tokens
           WHERE customer_id = $1 AND superseded_at IS NULL"#,
        customer.id as CustomerId,
    )
    .fetch_optional(&mut *tx)
    .await?
    .ok_or(RevokeError::NoLink)?;
    let jti = current.id;
    if let Some(at) = current.revoked_at {
        return Err(RevokeError::AlreadyRevoked {
            at,
            by: current.revoked_by.unwrap_or_default(),
        });
    }
    let revoked_at = sqlx::query_scalar!(
        r#"UPDATE link_tokens SET revoked_at = now(), revoked_by = $2, revoke_reason = $3
           WHERE id = $1 RETURNING revoked_at AS "revoked_at!""#,
        jti as LinkId,
        by.name,
        reason.as_str(),
    )
    .fetch_one(&mut *tx)
    .await?;
    let cancelled = sqlx::query_scalar!(
        r#"UPDATE deliveries SET status = 'failed', lease_until = NULL, link = NULL,
               last_error = 'not sent: the link was revoked first'
           WHERE token_id = $1 AND status = 'queued'
           RETURNING channel AS "channel: Channel""#,
        jti as LinkId,
    )
    .fetch_all(&mut *tx)
    .await?;
    let cancelled_deliveries = cancelled.len() as u64;
    Record {
        customer_id: Some(customer.id),
        reason: Some(reason.as_str()),
        details: json!({ "jti": jti, "cancelled_deliveries": cancelled_deliveries }),
        ..Record::new(Action::LinkRevoke, account.as_str())
    }
    .write(&mut tx, by)
    .await?;
    tx.commit().await?;
    for channel in cancelled {
        metrics::deliveries(channel, DeliveryEvent::Failed, 1);
    }
    Ok(Revoked {
        jti,
        revoked_at,
        cancelled_deliveries,
    })
}
