//! Values parsed once at the edge; everything past it holds values that are already valid.

mod account_id;
mod actor;
pub mod calendar;
mod channel;
mod contact;
mod cycle_id;
mod mint_reason;
mod money;
mod role;

pub use account_id::AccountId;
pub use actor::{Actor, Reason};
pub use channel::Channel;
pub use contact::{ContactAddress, ContactAddressError, EmailAddress, PhoneNumber, mask};
pub use cycle_id::CycleId;
pub use mint_reason::MintReason;
pub use money::{Currency, Money};
pub use role::Role;
