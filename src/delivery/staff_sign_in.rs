//! Sending staff sign-in links: the background job that answers the addresses typed on
//! `/staff/sign-in` (see [`crate::links::staff_sign_in`]).

use std::sync::Arc;

use sqlx::PgPool;

use super::EmailSender;
use crate::domain::calendar::time_text;
use crate::infra::jobs::Job;
use crate::links::Minter;
use crate::links::staff_sign_in::{self, SignInLink};

/// Answering sign-in requests, woken when one is recorded.
pub struct StaffSignIns {
    pub pool: PgPool,
    pub minter: Minter,
    pub email: EmailSender,
    pub brand: String,
}

impl Job for StaffSignIns {
    fn name(&self) -> &str {
        "staff sign-in links"
    }

    /// Answers every request waiting.
    async fn work(self: Arc<Self>) -> anyhow::Result<bool> {
        self.answer_pending().await?;
        Ok(false)
    }
}

impl StaffSignIns {
    /// Answers every waiting request, each in a transaction of its own that holds it while
    /// the email is sent (a worker that dies meanwhile leaves it for another); returns how
    /// many. One whose email cannot be sent is dropped (and logged), its link with it: the
    /// member can ask again.
    pub async fn answer_pending(&self) -> anyhow::Result<usize> {
        let mut answered = 0;
        loop {
            let mut tx = crate::infra::db::begin(&self.pool).await?;
            let Some(address) = staff_sign_in::take_request(&mut tx).await? else {
                return Ok(answered);
            };
            answered += 1;
            let Some(link) = staff_sign_in::mint(&mut tx, &self.minter, &address).await? else {
                tx.commit().await?;
                continue;
            };
            match self.send(&link).await {
                Ok(()) => tracing::info!(staff = %link.member.id, "sent a staff sign-in link"),
                Err(error) => tracing::warn!(
                    staff = %link.member.id,
                    "could not send a staff sign-in link; dropping the request: {error}"
                ),
            }
            tx.commit().await?;
        }
    }

    async fn send(&self, link: &SignInLink) -> Result<(), super::SendError> {
        let hint = format!("{}-{}", link.member.id, link.expires_at.timestamp());
        self.email
            .send_staff_sign_in(
                &link.member.email,
                &link.url,
                &hint,
                &time_text(link.expires_at),
                &self.brand,
            )
            .await
    }
}
