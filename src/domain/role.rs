//! What a member of staff may do.

word_enum! {
    /// What a key may do: `billing` imports and runs cycles, `csr` looks customers up and
    /// resends or revokes their links, `admin` all of that and reads the audit log.
    #[derive(clap::ValueEnum)]
    pub enum Role {
        Billing,
        Csr,
        Admin,
    }
}

impl Role {
    /// Whether a key with this role may do what `needed` may: its own role's work, or all
    /// of it for `admin`.
    pub fn allows(self, needed: Role) -> bool {
        self == Role::Admin || self == needed
    }

    /// Refuses unless this role covers `needed`.
    pub fn require(self, needed: Role) -> Result<(), Forbidden> {
        match self.allows(needed) {
            true => Ok(()),
            false => Err(Forbidden { needed, has: self }),
        }
    }
}

/// A role that does not cover the action.
#[derive(Debug, thiserror::Error)]
#[error("this needs the {needed} or admin role; the role here is {has}")]
pub struct Forbidden {
    pub needed: Role,
    pub has: Role,
}
