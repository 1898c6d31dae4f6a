//! billpass: one-click, passwordless links from a billing run to each customer's bill.
//!
//! The modules are layers; each uses only those listed after it:
//!
//! - `cli`, `app`: the commands, and the composition root that builds each component from
//!   the settings and runs the server and the workers;
//! - `web`: customer pages, the staff API, webhooks, health;
//! - `config`: every setting, parsed and checked;
//! - `cycle`, `delivery`: cycle runs; sending the outbox;
//! - `links`: minting, checking, renewing and revoking links, bill sessions, link requests;
//! - `billing`, `tokens`: customers, bills and imports; signing keys and link tokens;
//! - `staff`: API keys and the audit log;
//! - `observe`: logs and metrics;
//! - `domain`, `infra`: values parsed at the edge; the database and other plumbing.

pub mod app;
pub mod billing;
pub mod cli;
pub mod config;
pub mod cycle;
pub mod delivery;
pub mod domain;
pub mod i18n;
pub mod infra;
pub mod links;
pub mod observe;
pub mod staff;
pub mod tokens;
pub mod web;
