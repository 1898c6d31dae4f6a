//! Short links for text messages (`BILLPASS_SMS_LINK=short`): `/s/{code}`, a random code of
//! 11 base62 characters (65 bits) that stands for one link token and answers as its
//! `/b/{token}` does. Only the code's SHA-256 is kept; the code itself lives in the pending
//! delivery that carries it, and leaves the database with the link once sent.

use chrono::{DateTime, Utc};
use rand::Rng;
use rand::distributions::Alphanumeric;
use sha2::{Digest, Sha256};
use sqlx::PgConnection;

use crate::domain::{BrandId, CustomerId, LinkId};
use crate::infra::db::CopyText;

/// The link text messages carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum SmsLink {
    /// `/b/{token}`: the signed token itself.
    #[default]
    Token,
    /// `/s/{code}`: a random code standing for the token.
    Short,
}

/// Characters in a code: 62^11 > 2^65.
const CODE_LEN: usize = 11;

/// A short link's code.
pub struct ShortCode(String);

impl ShortCode {
    /// A fresh random code.
    pub fn random() -> Self {
        let code = rand::thread_rng()
            .sample_iter(&Alphanumeric)
            .take(CODE_LEN)
            .map(char::from)
            .collect();
        Self(code)
    }

    /// A code as typed in a URL; `None` when it cannot be one of ours.
    pub fn parse(raw: &str) -> Option<Self> {
        (raw.len() == CODE_LEN && raw.bytes().all(|b| b.is_ascii_alphanumeric()))
            .then(|| Self(raw.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    fn hash(&self) -> Vec<u8> {
        Sha256::digest(self.0.as_bytes()).to_vec()
    }

    /// The hash as COPY's text form of `bytea`.
    pub(super) fn copy_hash(&self, rows: &mut CopyText) {
        let hex: String = self.hash().iter().map(|b| format!("{b:02x}")).collect();
        rows.text(&format!("\\x{hex}"));
    }
}

/// Whether `link` is a short link (`…/s/{code}`), to be written in one segment.
pub fn is_short_link(link: &str) -> bool {
    link.rsplit_once("/s/")
        .is_some_and(|(_, code)| ShortCode::parse(code).is_some())
}

/// What a short link stands for: the token's claims, as its signature would have given them.
#[derive(Debug, Clone)]
pub struct ShortLinkTarget {
    pub token_id: LinkId,
    pub customer_id: CustomerId,
    pub minted_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    /// The brand the link was minted for, and the key that signed its token.
    pub brand: BrandId,
    pub kid: String,
}

/// The token `code` stands for; `None` for a code not on record.
pub async fn find(
    conn: &mut PgConnection,
    code: &ShortCode,
) -> sqlx::Result<Option<ShortLinkTarget>> {
    sqlx::query_as!(
        ShortLinkTarget,
        r#"SELECT t.id AS "token_id: LinkId", t.customer_id AS "customer_id: CustomerId",
                  t.minted_at, t.expires_at, COALESCE(t.brand_id, 'default') AS "brand!: BrandId",
                  t.kid
           FROM short_links s JOIN link_tokens t ON t.id = s.token_id
           WHERE s.code_hash = $1"#,
        code.hash(),
    )
    .fetch_optional(conn)
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_eleven_base62_characters_and_differ() {
        let (a, b) = (ShortCode::random(), ShortCode::random());
        assert_eq!(a.as_str().len(), 11);
        assert!(ShortCode::parse(a.as_str()).is_some());
        assert_ne!(a.as_str(), b.as_str());
        for bad in ["", "abc", "abcdefghij!", "abcdefghijkl", "ábcdefghij"] {
            assert!(ShortCode::parse(bad).is_none(), "{bad}");
        }
        assert!(is_short_link(&format!(
            "https://bills.example/s/{}",
            a.as_str()
        )));
        assert!(!is_short_link("https://bills.example/b/eyJhbGciOi.eyJ.sig"));
    }
}
