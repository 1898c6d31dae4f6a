//! How a link reaches a customer.

/// Email or text message; stored, parsed and written as `email` and `sms`.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
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
pub enum Channel {
    Email,
    Sms,
}

impl Channel {
    pub fn as_str(self) -> &'static str {
        self.into()
    }

    /// The other channel, for fallback.
    pub fn other(self) -> Channel {
        match self {
            Channel::Email => Channel::Sms,
            Channel::Sms => Channel::Email,
        }
    }
}

impl TryFrom<String> for Channel {
    type Error = String;

    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}
