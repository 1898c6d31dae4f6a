//! What operators see: logs, and Prometheus metrics.

pub mod logs;
pub mod metrics;
