//! What a member of staff may do.

use std::fmt;
use std::str::FromStr;

/// What a key may do: `billing` imports and runs cycles, `csr` looks customers up and
/// resends or revokes their links, `admin` all of that and reads the audit log.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    clap::ValueEnum,
    serde::Serialize,
    serde::Deserialize,
    utoipa::ToSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Billing,
    Csr,
    Admin,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Billing => "billing",
            Role::Csr => "csr",
            Role::Admin => "admin",
        }
    }

    /// Whether a key with this role may do what `needed` may: its own role's work, or all
    /// of it for `admin`.
    pub fn allows(self, needed: Role) -> bool {
        self == Role::Admin || self == needed
    }
}

impl FromStr for Role {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "billing" => Ok(Role::Billing),
            "csr" => Ok(Role::Csr),
            "admin" => Ok(Role::Admin),
            _ => Err("`billing`, `csr` or `admin` expected".into()),
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
