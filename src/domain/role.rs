//! What a member of staff may do.

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
    sqlx::Type,
    strum::EnumString,
    strum::IntoStaticStr,
    strum::Display,
    strum::VariantNames,
)]
#[serde(rename_all = "lowercase")]
#[sqlx(type_name = "text", rename_all = "lowercase")]
#[strum(serialize_all = "lowercase", parse_err_fn = super::one_of::<Self>, parse_err_ty = String)]
pub enum Role {
    Billing,
    Csr,
    Admin,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        self.into()
    }

    /// Whether a key with this role may do what `needed` may: its own role's work, or all
    /// of it for `admin`.
    pub fn allows(self, needed: Role) -> bool {
        self == Role::Admin || self == needed
    }
}
