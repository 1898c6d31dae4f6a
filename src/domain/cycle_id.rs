use std::fmt;

/// A billing cycle: `YYYY-MM` or any `[A-Za-z0-9_-]{1,32}`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, sqlx::Type, serde::Serialize)]
#[sqlx(transparent)]
#[serde(transparent)]
pub struct CycleId(String);

impl CycleId {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let ok = (1..=32).contains(&raw.len())
            && raw
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        if ok {
            Ok(Self(raw.to_owned()))
        } else {
            Err("a cycle id like 2026-11 (1-32 letters, digits, - or _) expected".into())
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for CycleId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cycle_ids_are_short_and_url_safe() {
        assert!(CycleId::parse("2026-11").is_ok());
        assert!(CycleId::parse("spring_2026").is_ok());
        assert!(CycleId::parse("").is_err());
        assert!(CycleId::parse("a/b").is_err());
        assert!(CycleId::parse(&"x".repeat(33)).is_err());
    }
}
