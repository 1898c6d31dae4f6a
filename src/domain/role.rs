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
}
