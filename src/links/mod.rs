//! Issued links: minting (newest wins), checking a link against the database, renewals,
//! resends and revocations by staff, "get a new link" requests, the bill sessions links
//! open, and each customer's history.

pub mod check;
pub mod fetches;
pub mod history;
pub mod mint;
pub mod renew;
pub mod requests;
pub mod sessions;
pub mod short;
pub mod staff;
pub mod staff_sign_in;

pub use mint::{IssuedToken, Minted, Minter, NewLink, SignedLinks};
pub use short::SmsLink;
