use std::fmt;

/// A customer's account number as the business knows it (`ACC-1001`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, sqlx::Type, serde::Serialize)]
#[sqlx(transparent)]
#[serde(transparent)]
pub struct AccountId(String);

impl AccountId {
    const MAX_LEN: usize = 64;

    /// Accepts 1–64 printable ASCII characters without spaces.
    pub fn parse(raw: &str) -> Result<Self, String> {
        let raw = raw.trim();
        if raw.is_empty() {
            return Err("an account id is required".into());
        }
        if raw.len() > Self::MAX_LEN {
            return Err(format!("at most {} characters expected", Self::MAX_LEN));
        }
        if !raw.bytes().all(|b| b.is_ascii_graphic()) {
            return Err("letters, digits and punctuation without spaces expected".into());
        }
        Ok(Self(raw.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for AccountId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn account_ids_are_trimmed_and_bounded() {
        assert_eq!(AccountId::parse(" ACC-1 ").unwrap().as_str(), "ACC-1");
        assert!(AccountId::parse("").is_err());
        assert!(AccountId::parse("has space").is_err());
        assert!(AccountId::parse(&"A".repeat(65)).is_err());
    }
}
