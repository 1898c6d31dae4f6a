//! Staff API keys and their roles.
//!
//! A key is `bp_` and 32 random bytes in base64url. It is shown once, when it is created;
//! the database keeps only its SHA-256, which is enough for a key this random (there is
//! nothing to guess a key from, so a slow password hash would add nothing).

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use rand::RngCore;
use sha2::{Digest, Sha256};
use sqlx::PgPool;

use std::fmt;

use crate::domain::{Actor, Forbidden, Role, StaffKeyId};
use crate::staff::audit::{Action, Record};

/// Who holds a key (`alice`, `billing-batch`): 1 to 64 letters, digits, `.`, `_`, `@` or
/// `-`, not only digits (a number names a key by its id).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyName(String);

impl KeyName {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let ok = (1..=64).contains(&raw.len())
            && raw
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b".-_@".contains(&b))
            && !raw.bytes().all(|b| b.is_ascii_digit());
        if ok {
            Ok(Self(raw.to_owned()))
        } else {
            Err("a name like alice or billing-batch expected (1-64 letters, digits, . _ @ -, not only digits)".into())
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A key in the clear, as its holder gets it once. `Debug` shows its prefix only.
pub struct ApiKey(String);

impl ApiKey {
    const PREFIX: &'static str = "bp_";
    /// `bp_` and 32 bytes in base64url.
    const LEN: usize = 3 + 43;

    fn generate() -> Self {
        let mut secret = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut secret);
        Self(format!(
            "{}{}",
            Self::PREFIX,
            URL_SAFE_NO_PAD.encode(secret)
        ))
    }

    /// The key itself: to show its holder, never to log.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// What the database keeps of a presented key; `None` when it cannot be one of ours.
    fn hash(presented: &str) -> Option<Vec<u8>> {
        (presented.len() == Self::LEN && presented.starts_with(Self::PREFIX))
            .then(|| Sha256::digest(presented.as_bytes()).to_vec())
    }
}

impl fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ApiKey({}…)", &self.0[..Self::PREFIX.len() + 4])
    }
}

/// The holder of a valid key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Staff {
    pub key_id: StaffKeyId,
    pub name: String,
    pub role: Role,
}

impl Staff {
    /// Refuses unless the key's role covers `needed`.
    pub fn require(&self, needed: Role) -> Result<(), Forbidden> {
        self.role.require(needed)
    }

    /// The key's holder, as the audit log records them.
    pub fn actor(&self) -> Actor {
        Actor {
            name: format!("staff:{}", self.name),
            role: Some(self.role),
        }
    }
}

/// The holder of `presented`; `None` for a key that is malformed, unknown or revoked.
pub async fn authenticate(pool: &PgPool, presented: &str) -> sqlx::Result<Option<Staff>> {
    let Some(hash) = ApiKey::hash(presented) else {
        return Ok(None);
    };
    sqlx::query_as!(
        Staff,
        r#"WITH found AS (SELECT id, name, role, last_used_at FROM staff_keys
                          WHERE key_hash = $1 AND revoked_at IS NULL),
                touched AS (UPDATE staff_keys SET last_used_at = now()
                            WHERE id IN (SELECT id FROM found
                                         WHERE last_used_at IS NULL
                                            OR last_used_at < now() - interval '1 minute'))
           SELECT id AS "key_id!: StaffKeyId", name AS "name!", role AS "role!: Role" FROM found"#,
        &hash[..],
    )
    .fetch_optional(pool)
    .await
}

/// A stored key, as listings show it (never the key).
#[derive(Debug, Clone)]
pub struct KeyInfo {
    pub id: StaffKeyId,
    pub name: String,
    pub role: Role,
    pub created_at: DateTime<Utc>,
    pub created_by: String,
    pub last_used_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
    pub revoked_by: Option<String>,
}

/// Why a key was not created.
#[derive(Debug, thiserror::Error)]
pub enum CreateKeyError {
    #[error("an active key named {0} exists; revoke it first or choose another name")]
    NameTaken(String),
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

/// Creates a key for `name` with `role`; the returned key is the only copy.
pub async fn create_key(
    pool: &PgPool,
    name: &KeyName,
    role: Role,
    by: &Actor,
) -> Result<(KeyInfo, ApiKey), CreateKeyError> {
    let key = ApiKey::generate();
    let hash = ApiKey::hash(key.expose()).expect("a generated key has our shape");
    let mut tx = crate::infra::db::begin(pool).await?;
    let created = sqlx::query_as!(
        KeyInfo,
        r#"INSERT INTO staff_keys (name, role, key_hash, created_by) VALUES ($1, $2, $3, $4)
           ON CONFLICT (name) WHERE revoked_at IS NULL DO NOTHING
           RETURNING id AS "id: StaffKeyId", name, role AS "role: Role", created_at, created_by,
                     last_used_at, revoked_at, revoked_by"#,
        name.as_str(),
        role as Role,
        &hash[..],
        by.name,
    )
    .fetch_optional(&mut *tx)
    .await?;
    let created = created.ok_or_else(|| CreateKeyError::NameTaken(name.as_str().to_owned()))?;
    Record {
        details: serde_json::json!({ "key_id": created.id, "role": role }),
        ..Record::new(Action::StaffKeyCreate, name.as_str())
    }
    .write(&mut tx, by)
    .await?;
    tx.commit().await?;
    Ok((created, key))
}

/// Every key, active ones first, newest first.
pub async fn list_keys(pool: &PgPool) -> sqlx::Result<Vec<KeyInfo>> {
    sqlx::query_as!(
        KeyInfo,
        r#"SELECT id AS "id: StaffKeyId", name, role AS "role: Role", created_at, created_by,
                  last_used_at, revoked_at, revoked_by
           FROM staff_keys ORDER BY revoked_at IS NOT NULL, id DESC"#
    )
    .fetch_all(pool)
    .await
}

/// Why a key was not revoked.
#[derive(Debug, thiserror::Error)]
pub enum RevokeKeyError {
    #[error("no active key {0}; `billpass staff list-keys` shows them")]
    Unknown(String),
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

/// Revokes the active key named `which`, or with the id `which`; it stops working at once.
pub async fn revoke_key(pool: &PgPool, which: &str, by: &Actor) -> Result<KeyInfo, RevokeKeyError> {
    let id: Option<i64> = which.parse().ok();
    let mut tx = crate::infra::db::begin(pool).await?;
    let revoked = sqlx::query_as!(
        KeyInfo,
        r#"UPDATE staff_keys SET revoked_at = now(), revoked_by = $3
           WHERE revoked_at IS NULL AND (id = $1 OR ($1::bigint IS NULL AND name = $2))
           RETURNING id AS "id: StaffKeyId", name, role AS "role: Role", created_at, created_by,
                     last_used_at, revoked_at, revoked_by"#,
        id,
        which,
        by.name,
    )
    .fetch_optional(&mut *tx)
    .await?;
    let revoked = revoked.ok_or_else(|| RevokeKeyError::Unknown(which.to_owned()))?;
    Record {
        details: serde_json::json!({ "key_id": revoked.id, "role": revoked.role }),
        ..Record::new(Action::StaffKeyRevoke, &revoked.name)
    }
    .write(&mut tx, by)
    .await?;
    tx.commit().await?;
    Ok(revoked)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_keys_have_our_shape_and_debug_hides_them() {
        let key = ApiKey::generate();
        assert!(key.expose().starts_with("bp_"));
        assert_eq!(key.expose().len(), ApiKey::LEN);
        assert!(ApiKey::hash(key.expose()).is_some());
        let shown = format!("{key:?}");
        assert!(!shown.contains(&key.expose()[8..]), "{shown}");
        assert!(ApiKey::hash("bp_short").is_none());
        assert!(ApiKey::hash(&format!("xx_{}", &key.expose()[3..])).is_none());
    }

    #[test]
    fn admin_may_do_everything_other_roles_their_own_work() {
        assert!(Role::Admin.allows(Role::Billing));
        assert!(Role::Admin.allows(Role::Csr));
        assert!(Role::Csr.allows(Role::Csr));
        assert!(!Role::Csr.allows(Role::Billing));
        assert!(!Role::Billing.allows(Role::Csr));
        assert!(!Role::Billing.allows(Role::Admin));
    }

    #[test]
    fn key_names_are_short_words_not_numbers() {
        assert!(KeyName::parse("alice").is_ok());
        assert!(KeyName::parse("ops.bot@acme-1").is_ok());
        for bad in ["", "42", "has space", "colon:name", &"a".repeat(65)] {
            assert!(KeyName::parse(bad).is_err(), "{bad}");
        }
    }
}
