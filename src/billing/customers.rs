//! Customers as stored, and where their links can go.

use chrono::{DateTime, Utc};
use sqlx::PgConnection;

use crate::domain::{AccountId, BrandId, Channel, CustomerId, mask};

/// A stored customer.
#[derive(Debug, Clone)]
pub struct Customer {
    pub id: CustomerId,
    pub account_id: AccountId,
    pub name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    /// The preferred channel.
    pub channel: Channel,
    pub sms_opted_out: bool,
    pub brand: BrandId,
}

/// Where one link goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Destination {
    pub channel: Channel,
    pub address: String,
}

impl Destination {
    /// `j•••@example.com` or `•••• 4567`.
    pub fn masked(&self) -> String {
        mask(self.channel, &self.address)
    }
}

/// No address on file for the channel asked for (or the number opted out of SMS).
#[derive(Debug, thiserror::Error)]
#[error("no usable {0} contact on file")]
pub struct NoContact(pub &'static str);

impl Customer {
    /// The address for `channel`, or for the preferred channel falling back to the other.
    pub fn destination(&self, channel: Option<Channel>) -> Result<Destination, NoContact> {
        let address = |channel: Channel| match channel {
            Channel::Email => self.email.clone(),
            Channel::Sms if self.sms_opted_out => None,
            Channel::Sms => self.phone.clone(),
        };
        match channel {
            Some(channel) => address(channel)
                .map(|address| Destination { channel, address })
                .ok_or(NoContact(channel.as_str())),
            None => [self.channel, self.channel.other()]
                .into_iter()
                .find_map(|channel| {
                    address(channel).map(|address| Destination { channel, address })
                })
                .ok_or(NoContact("email or sms")),
        }
    }

    /// Locks the customer's row for the rest of the transaction, so that minting for one
    /// customer is serialised (newest wins, never two current tokens).
    pub async fn lock(conn: &mut PgConnection, id: CustomerId) -> sqlx::Result<Option<Customer>> {
        Ok(Self::lock_all(conn, &[id]).await?.pop())
    }

    /// The customers with these ids, locked as [`Self::lock`] does, in id order (so that
    /// two transactions locking some of the same customers wait rather than deadlock).
    pub async fn lock_all(
        conn: &mut PgConnection,
        ids: &[CustomerId],
    ) -> sqlx::Result<Vec<Customer>> {
        sqlx::query_as!(
            Customer,
            r#"SELECT id AS "id: CustomerId", account_id AS "account_id: AccountId", name, email,
                      phone, channel AS "channel: Channel",
                      sms_opted_out_at IS NOT NULL AS "sms_opted_out!",
                      COALESCE(brand_id, 'default') AS "brand!: BrandId"
               FROM customers WHERE id = ANY($1) ORDER BY id FOR UPDATE"#,
            ids as &[CustomerId],
        )
        .fetch_all(conn)
        .await
    }

    /// The customers with these ids (in no particular order), not locked.
    pub async fn find_all(
        conn: &mut PgConnection,
        ids: &[CustomerId],
    ) -> sqlx::Result<Vec<Customer>> {
        sqlx::query_as!(
            Customer,
            r#"SELECT id AS "id: CustomerId", account_id AS "account_id: AccountId", name, email,
                      phone, channel AS "channel: Channel",
                      sms_opted_out_at IS NOT NULL AS "sms_opted_out!",
                      COALESCE(brand_id, 'default') AS "brand!: BrandId"
               FROM customers WHERE id = ANY($1)"#,
            ids as &[CustomerId],
        )
        .fetch_all(conn)
        .await
    }

    /// The customers whose address on file for `channel` is `address` (email addresses
    /// compared without regard to case), locked as [`Self::lock`] does, in id order. The
    /// partial indexes `customers_email_idx` and `customers_phone_idx` find them.
    pub async fn lock_by_address(
        conn: &mut PgConnection,
        channel: Channel,
        address: &str,
    ) -> sqlx::Result<Vec<Customer>> {
        let ids = match channel {
            Channel::Email => {
                sqlx::query_scalar!(
                    r#"SELECT id AS "id: CustomerId" FROM customers
                       WHERE lower(email) = lower($1) AND email IS NOT NULL"#,
                    address
                )
                .fetch_all(&mut *conn)
                .await?
            }
            Channel::Sms => {
                sqlx::query_scalar!(
                    r#"SELECT id AS "id: CustomerId" FROM customers
                       WHERE phone = $1 AND phone IS NOT NULL"#,
                    address
                )
                .fetch_all(&mut *conn)
                .await?
            }
        };
        Self::lock_all(conn, &ids).await
    }

    /// Looks a customer up by account number and locks the row, as [`Self::lock`] does.
    pub async fn lock_by_account(
        conn: &mut PgConnection,
        account: &AccountId,
    ) -> sqlx::Result<Option<Customer>> {
        let id = sqlx::query_scalar!(
            r#"SELECT id AS "id: CustomerId" FROM customers WHERE account_id = $1"#,
            account.as_str()
        )
        .fetch_optional(&mut *conn)
        .await?;
        match id {
            Some(id) => Self::lock(conn, id).await,
            None => Ok(None),
        }
    }
}

/// A customer as staff see them: contact details masked.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct Profile {
    #[schema(value_type = String)]
    pub account_id: AccountId,
    pub name: String,
    /// Masked: `j•••@example.com`.
    pub email: Option<String>,
    /// Masked: `•••• 4567`.
    pub phone: Option<String>,
    /// The preferred channel.
    pub channel: Channel,
    pub locale: String,
    /// The brand they are billed under.
    #[schema(value_type = String)]
    pub brand: BrandId,
    /// When the number replied STOP (it gets no text messages until it replies START).
    pub sms_opted_out_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Profile {
    /// The customer with `account`'s profile, and their id.
    pub async fn find(
        conn: &mut PgConnection,
        account: &AccountId,
    ) -> sqlx::Result<Option<(CustomerId, Profile)>> {
        let row = sqlx::query!(
            r#"SELECT id AS "id: CustomerId", name, email, phone, channel AS "channel: Channel",
                      locale, sms_opted_out_at, created_at, updated_at,
                      COALESCE(brand_id, 'default') AS "brand!: BrandId"
               FROM customers WHERE account_id = $1"#,
            account.as_str()
        )
        .fetch_optional(conn)
        .await?;
        Ok(row.map(|row| {
            let profile = Profile {
                account_id: account.clone(),
                name: row.name,
                email: row.email.map(|e| mask(Channel::Email, &e)),
                phone: row.phone.map(|p| mask(Channel::Sms, &p)),
                channel: row.channel,
                locale: row.locale,
                brand: row.brand,
                sms_opted_out_at: row.sms_opted_out_at,
                created_at: row.created_at,
                updated_at: row.updated_at,
            };
            (row.id, profile)
        }))
    }
}
