//! Staff: API keys and their roles, and the audit log of what staff did.

pub mod audit;
pub mod keys;
