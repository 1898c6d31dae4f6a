//! What operators see: logs, and Prometheus metrics.

pub mod logs;
pub mod metrics;
mod scraped;

use prometheus::Registry;
use prometheus::core::Collector;

/// Registers `collector` in `registry`; names are fixed in this module, so a clash is a bug
/// that every test of `/metrics` shows.
fn registered<C: Collector + Clone + 'static>(registry: &Registry, collector: C) -> C {
    registry
        .register(Box::new(collector.clone()))
        .expect("metric names are unique");
    collector
}
