//! Emailed sign-in links for staff, for deployments without single sign-on.
//!
//! An address typed on `/staff/sign-in` is recorded whatever it is, and the workers answer
//! it off the request path, so the page says and takes the same for a member's address and
//! anyone else's. A member gets a link to that address only: a JWT of audience `staff`
//! (never a customer link's), 15 minutes, naming the member; only their newest link works,
//! once.

use chrono::{DateTime, Utc};
use sqlx::{PgConnection, PgPool};

use super::Minter;
use crate::domain::{EmailAddress, Role, StaffMemberId};
use crate::staff::members::{self, StaffMember};

/// The channel that tells workers an address is waiting.
pub const SIGN_IN_CHANNEL: &str = "billpass_staff_sign_in";
/// How long an emailed sign-in link works.
pub const LINK_TTL: chrono::Duration = chrono::Duration::minutes(15);

/// Records a request for a sign-in link to `address`, and wakes a worker.
pub async fn record(pool: &PgPool, address: &EmailAddress) -> sqlx::Result<()> {
    sqlx::query!(
        "WITH recorded AS (INSERT INTO staff_sign_in_requests (address) VALUES (lower($1)))
         SELECT pg_notify($2, '')",
        address.as_str(),
        SIGN_IN_CHANNEL,
    )
    .execute(pool)
    .await?;
    Ok(())
}

/// A sign-in link to send.
pub struct SignInLink {
    pub member: StaffMember,
    pub url: String,
    pub expires_at: DateTime<Utc>,
}

/// Takes the oldest waiting request off the queue, in the caller's transaction (so that a
/// worker that dies leaves it for another): its address.
pub async fn take_request(conn: &mut PgConnection) -> sqlx::Result<Option<String>> {
    sqlx::query_scalar!(
        "DELETE FROM staff_sign_in_requests
         WHERE id = (SELECT id FROM staff_sign_in_requests ORDER BY id
                     LIMIT 1 FOR UPDATE SKIP LOCKED)
         RETURNING address"
    )
    .fetch_optional(conn)
    .await
}

/// A fresh sign-in link for the enabled member with `address`, which replaces their
/// previous one; `None` when the address is nobody's on staff.
pub async fn mint(
    conn: &mut PgConnection,
    minter: &Minter,
    address: &str,
) -> anyhow::Result<Option<SignInLink>> {
    let Some(member) = members::find_enabled(conn, address).await? else {
        return Ok(None);
    };
    let jti = uuid_like();
    sqlx::query!(
        "UPDATE staff_members SET sign_in_jti = $2 WHERE id = $1",
        member.id as StaffMemberId,
        jti,
    )
    .execute(&mut *conn)
    .await?;
    let issued_at = Utc::now();
    let expires_at = issued_at + LINK_TTL;
    let token = minter
        .issuer
        .sign_staff_link(member.id.0, &jti, issued_at, expires_at)?;
    Ok(Some(SignInLink {
        url: format!("{}/staff/link/{token}", minter.config.base_url),
        member,
        expires_at,
    }))
}

/// A random link id: 16 bytes in hex.
fn uuid_like() -> String {
    use rand::RngCore;
    let mut bytes = [0u8; 16];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Whether `token` is a member's newest sign-in link, good and unexpired: then it is used
/// up, and the member returned.
pub async fn redeem(
    pool: &PgPool,
    minter: &Minter,
    token: &str,
) -> anyhow::Result<Option<StaffMember>> {
    let Ok((staff_id, jti)) = minter.issuer.check_staff_link(token) else {
        return Ok(None);
    };
    let member = sqlx::query_as!(
        StaffMember,
        r#"UPDATE staff_members SET sign_in_jti = NULL
           WHERE id = $1 AND sign_in_jti = $2 AND disabled_at IS NULL
           RETURNING id AS "id: StaffMemberId", email, role AS "role: Role", oidc_subject,
                     created_at, created_by, disabled_at"#,
        staff_id,
        jti,
    )
    .fetch_optional(pool)
    .await?;
    Ok(member)
}

/// Whether `token` could still sign someone in (for the interstitial page, which changes
/// nothing): a good signature, unexpired, and its member's newest link.
pub async fn is_usable(pool: &PgPool, minter: &Minter, token: &str) -> sqlx::Result<bool> {
    let Ok((staff_id, jti)) = minter.issuer.check_staff_link(token) else {
        return Ok(false);
    };
    sqlx::query_scalar!(
        r#"SELECT EXISTS (SELECT FROM staff_members
                          WHERE id = $1 AND sign_in_jti = $2 AND disabled_at IS NULL) AS "usable!""#,
        staff_id,
        jti,
    )
    .fetch_one(pool)
    .await
}
