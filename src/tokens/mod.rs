//! Link tokens: the signing keys in their directory, and the JWTs they sign and verify.

pub mod jwt;
pub mod keys;

pub use jwt::{Audience, InvalidToken, TokenIssuer, TokenSettings, VerifiedToken};
