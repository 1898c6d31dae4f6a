//! The ids of stored rows, one type each, so that a customer's id is never taken for a
//! link's; and the compact form in which link tokens carry them.

use std::fmt;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

/// A row id that is only ever written as a number.
macro_rules! row_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, sqlx::Type, serde::Serialize,
            serde::Deserialize,
        )]
        #[sqlx(transparent)]
        #[serde(transparent)]
        pub struct $name(pub i64);

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }

        impl From<i64> for $name {
            fn from(id: i64) -> Self {
                Self(id)
            }
        }
    };
}

row_id!(
    /// A customer: the `sub` of their link tokens (as a [`ShortId`]), never their account number.
    CustomerId
);
row_id!(
    /// A bill.
    BillId
);
row_id!(
    /// A message carrying a link.
    DeliveryId
);
row_id!(
    /// A cycle run.
    RunId
);
row_id!(
    /// A staff API key.
    StaffKeyId
);
row_id!(
    /// A member of staff who signs in to the console.
    StaffMemberId
);
row_id!(
    /// An entry of the audit log.
    AuditEntryId
);
row_id!(
    /// A "get a new link" request waiting to be answered.
    LinkRequestId
);

/// An issued link: the `jti` of its token. Staff see it as that `jti` (`Ag`), never as a
/// number, so it is written (and serialised) in its compact form.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, sqlx::Type)]
#[sqlx(transparent)]
pub struct LinkId(pub i64);

impl LinkId {
    /// The link with this `jti`, if it is one (canonical and positive).
    pub fn parse(jti: &str) -> Option<Self> {
        ShortId::parse(jti).map(|short| Self(short.0))
    }
}

impl fmt::Display for LinkId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        ShortId(self.0).fmt(f)
    }
}

impl serde::Serialize for LinkId {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl From<i64> for LinkId {
    fn from(id: i64) -> Self {
        Self(id)
    }
}

/// An id written compactly, as link tokens carry them (`jti`, `sub`): big-endian bytes
/// without leading zeros, in base64url. Opaque, and no personal data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ShortId(pub i64);

impl ShortId {
    /// The id in `raw`, if `raw` is its one canonical spelling of a positive id.
    pub fn parse(raw: &str) -> Option<Self> {
        if raw.is_empty() || raw.len() > 11 {
            return None;
        }
        let bytes = URL_SAFE_NO_PAD.decode(raw).ok()?;
        let mut buf = [0u8; 8];
        buf.get_mut(8usize.checked_sub(bytes.len())?..)?
            .copy_from_slice(&bytes);
        let id = Self(i64::from_be_bytes(buf));
        (id.0 > 0 && id.to_string() == raw).then_some(id)
    }
}

impl fmt::Display for ShortId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let bytes = self.0.to_be_bytes();
        let skip = bytes.iter().take_while(|b| **b == 0).count().min(7);
        f.write_str(&URL_SAFE_NO_PAD.encode(&bytes[skip..]))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_ids_round_trip_compactly() {
        for id in [1, 255, 256, 65_535, 1_000_000, 1 << 40, i64::MAX] {
            let short = ShortId(id).to_string();
            assert_eq!(ShortId::parse(&short), Some(ShortId(id)), "{id} as {short}");
        }
        assert_eq!(ShortId(1_000_000).to_string().len(), 4);
        assert_eq!(LinkId(2).to_string(), "Ag");
        assert_eq!(serde_json::to_string(&LinkId(2)).unwrap(), "\"Ag\"");
        assert_eq!(serde_json::to_string(&DeliveryId(9)).unwrap(), "9");
    }

    #[test]
    fn non_canonical_or_hostile_short_ids_are_refused() {
        for bad in ["", "AAE", "!!", "AAAAAAAAAAAAAAAA", "gAAAAAAAAAA"] {
            assert_eq!(ShortId::parse(bad), None, "{bad}");
        }
        assert_eq!(ShortId::parse("AA"), None, "zero is not an id");
    }
}
