//! Values parsed once at the edge; everything past it holds values that are already valid.

mod account_id;
pub mod calendar;
mod channel;
mod contact;
mod cycle_id;
mod money;

pub use account_id::AccountId;
pub use channel::Channel;
pub use contact::{ContactAddress, ContactAddressError, EmailAddress, PhoneNumber};
pub use cycle_id::CycleId;
pub use money::{Currency, Money};
