//! Staff: members of the console and their sessions, API keys and their roles, and the
//! audit log of what staff did.

pub mod audit;
pub mod keys;
pub mod members;
pub mod oidc;
pub mod sessions;
