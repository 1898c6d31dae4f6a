//! A customer's history as staff see it: the profile, every link minted, every message
//! that carried one, every opening and every staff action. Contact details are masked and
//! no token is shown, only its `jti`. The staff API and `billpass customer show` read it.

use sqlx::PgPool;

use crate::audit::{self, Entry};
use crate::customers::Profile;
use crate::delivery::{self, DeliveryRecord};
use crate::domain::AccountId;
use crate::links::{self, LinkRecord};
use crate::sessions::{self, Opening};

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
            crate::db::begin_with(pool, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY").await?;
        let Some((customer_id, profile)) = Profile::find(&mut tx, account).await? else {
            return Ok(None);
        };
        let links = links::history(&mut tx, customer_id).await?;
        let history = Self {
            profile,
            current_link: links.iter().find(|l| l.superseded_at.is_none()).cloned(),
            deliveries: delivery::history(&mut tx, customer_id).await?,
            openings: sessions::openings(&mut tx, customer_id).await?,
            audit: audit::for_customer(&mut tx, customer_id).await?,
            links,
        };
        tx.commit().await?;
        Ok(Some(history))
    }
}
