//! billpass: one-click, passwordless links from a billing run to each customer's bill.

pub mod audit;
pub mod bill;
pub mod cli;
pub mod customers;
pub mod cycle;
pub mod db;
pub mod delivery;
pub mod demo;
pub mod domain;
pub mod history;
pub mod import;
pub mod keys;
pub mod link_requests;
pub mod links;
pub mod metrics;
pub mod private_postgres;
pub mod progress;
pub mod sessions;
pub mod settings;
pub mod sockets;
pub mod staff;
pub mod telemetry;
pub mod tokens;
pub mod web;

/// The cores this process may use; asked once, as the answer reads cgroup files (about
/// 30 µs on Linux).
pub fn cores() -> usize {
    static CORES: std::sync::LazyLock<usize> =
        std::sync::LazyLock::new(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    *CORES
}
