//! Values parsed once at the edge; everything past it holds values that are already valid.

/// An enum of words, stored as text and written as the same word in JSON, in messages and on
/// the command line (`Channel::Email` is `email`, `LinkReason::SelfService` is
/// `self_service`); parsing anything else says which words are expected.
macro_rules! word_enum {
    ($(#[$meta:meta])* $vis:vis enum $name:ident {
        $($(#[$variant_meta:meta])* $variant:ident,)*
    }) => {
        $(#[$meta])*
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize,
            serde::Deserialize,
            utoipa::ToSchema, sqlx::Type, strum::EnumString, strum::IntoStaticStr,
            strum::Display, strum::VariantNames, strum::VariantArray,
        )]
        #[serde(rename_all = "snake_case")]
        #[sqlx(type_name = "text", rename_all = "snake_case")]
        #[strum(
            serialize_all = "snake_case",
            parse_err_fn = $crate::domain::one_of::<Self>,
            parse_err_ty = String
        )]
        $vis enum $name {
            $($(#[$variant_meta])* $variant,)*
        }

        impl $name {
            pub fn as_str(self) -> &'static str {
                self.into()
            }
        }
    };
}

mod account_id;
mod actor;
pub mod brand;
pub mod calendar;
mod channel;
mod contact;
mod cycle_id;
mod ids;
pub mod locale;
mod logo;
mod mint_reason;
mod money;
mod role;
mod status;

pub use account_id::AccountId;
pub use actor::{Actor, Reason};
pub use brand::{Brand, BrandBook, BrandId, Colour, PayUrl};
pub use channel::Channel;
pub use contact::{ContactAddress, ContactAddressError, EmailAddress, PhoneNumber, mask};
pub use cycle_id::CycleId;
pub use ids::{
    AuditEntryId, BillId, CustomerId, DeliveryId, LinkId, LinkRequestId, RunId, ShortId,
    StaffKeyId, StaffMemberId,
};
pub use logo::Logo;
pub use mint_reason::{LinkReason, MintReason};
pub use money::{Currency, Money};
pub use role::{Forbidden, Role};
pub use status::{DeliveryStatus, LinkStatus, RunStatus};

/// What a value of `E` may be, as an error says it: "`email` or `sms` expected". (As the
/// `parse_err_fn` of strum's `EnumString`, it is given the value that did not parse.)
pub fn one_of<E: strum::VariantNames>(_typed: &str) -> String {
    let names: Vec<String> = E::VARIANTS.iter().map(|v| format!("`{v}`")).collect();
    match names.split_last() {
        Some((last, [])) => format!("{last} expected"),
        Some((last, rest)) => format!("{} or {last} expected", rest.join(", ")),
        None => "nothing expected".into(),
    }
}
