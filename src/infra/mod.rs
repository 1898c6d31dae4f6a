//! Plumbing that knows nothing of billpass's concepts: the database (pools, migrations,
//! transactions, notifications), the background-job runner, connections for the customer
//! pages, questions gathered into one query, socket options, and a private PostgreSQL
//! server.

pub mod db;
pub mod gathered;
pub mod jobs;
pub mod private_postgres;
pub mod sockets;

/// The cores this process may use; asked once, as the answer reads cgroup files (about
/// 30 µs on Linux).
pub fn cores() -> usize {
    static CORES: std::sync::LazyLock<usize> =
        std::sync::LazyLock::new(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    *CORES
}
