//! Customers as stored, and where their links can go.

use chrono::{DateTime, Utc};
use sqlx::PgConnection;

use crate::domain::{AccountId, Channel, mask};

/// A stored customer.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Customer {
    pub id: i64,
    pub account_id: String,
    pub name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub channel: String,
    pub sms_opted_out: bool,
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

/// The columns of [`Customer`], for `concat!` into queries.
macro_rules! customer_columns {
    () => {
        "id, account_id, name, email, phone, channel, sms_opted_out_at IS NOT NULL AS sms_opted_out"
    };
}

impl Customer {
    /// The customer's preferred channel.
    pub fn preferred_channel(&self) -> Channel {
        self.channel.parse().unwrap_or(Channel::Email)
    }

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
            None => {
                let preferred = self.preferred_channel();
                [preferred, preferred.other()]
                    .into_iter()
                    .find_map(|channel| {
                        address(channel).map(|address| Destination { channel, address })
                    })
                    .ok_or(NoContact("email or sms"))
            }
        }
    }

    /// Locks the customer's row for the rest of the transaction, so that minting for one
    /// customer is serialised (newest wins, never two current tokens).
    pub async fn lock(conn: &mut PgConnection, id: i64) -> sqlx::Result<Option<Customer>> {
        sqlx::query_as(concat!(
            "SELECT ",
            customer_columns!(),
            " FROM customers WHERE id = $1 FOR UPDATE"
        ))
        .bind(id)
        .fetch_optional(conn)
        .await
    }

    /// The customers with these ids (in no particular order).
    pub async fn find_all(conn: &mut PgConnection, ids: &[i64]) -> sqlx::Result<Vec<Customer>> {
        sqlx::query_as(concat!(
            "SELECT ",
            customer_columns!(),
            " FROM customers WHERE id = ANY($1)"
        ))
        .bind(ids)
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
        let query = match channel {
            Channel::Email => concat!(
                "SELECT ",
                customer_columns!(),
                " FROM customers WHERE lower(email) = lower($1) AND email IS NOT NULL ORDER BY id FOR UPDATE"
            ),
            Channel::Sms => concat!(
                "SELECT ",
                customer_columns!(),
                " FROM customers WHERE phone = $1 AND phone IS NOT NULL ORDER BY id FOR UPDATE"
            ),
        };
        sqlx::query_as(query).bind(address).fetch_all(conn).await
    }

    /// Looks a customer up by account number and locks the row, as [`Self::lock`] does.
    pub async fn lock_by_account(
        conn: &mut PgConnection,
        account: &AccountId,
    ) -> sqlx::Result<Option<Customer>> {
        sqlx::query_as(concat!(
            "SELECT ",
            customer_columns!(),
            " FROM customers WHERE account_id = $1 FOR UPDATE"
        ))
        .bind(account.as_str())
        .fetch_optional(conn)
        .await
    }
}

/// A customer as staff see them: contact details masked.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct Profile {
    pub account_id: String,
    pub name: String,
    /// Masked: `j•••@example.com`.
    pub email: Option<String>,
    /// Masked: `•••• 4567`.
    pub phone: Option<String>,
    /// The preferred channel: `email` or `sms`.
    pub channel: String,
    pub locale: String,
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
    ) -> sqlx::Result<Option<(i64, Profile)>> {
        type Row = (
            i64,
            String,
            Option<String>,
            Option<String>,
            String,
            String,
            Option<DateTime<Utc>>,
            DateTime<Utc>,
            DateTime<Utc>,
        );
        let row: Option<Row> = sqlx::query_as(
            "SELECT id, name, email, phone, channel, locale, sms_opted_out_at, created_at, updated_at
             FROM customers WHERE account_id = $1",
        )
        .bind(account.as_str())
        .fetch_optional(conn)
        .await?;
        Ok(row.map(
            |(
                id,
                name,
                email,
                phone,
                channel,
                locale,
                sms_opted_out_at,
                created_at,
                updated_at,
            )| {
                let profile = Profile {
                    account_id: account.to_string(),
                    name,
                    email: email.map(|e| mask(Channel::Email, &e)),
                    phone: phone.map(|p| mask(Channel::Sms, &p)),
                    channel,
                    locale,
                    sms_opted_out_at,
                    created_at,
                    updated_at,
                };
                (id, profile)
            },
        ))
    }
}
