//! How a role runs beyond its configuration.

use crate::telemetry::Telemetry;
use hft_trading::execution::Order;
use hft_trading::market::MarketEvent;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

/// Hooks that see messages pass through the roles of one process. A
/// benchmark that runs ingest, strategy and execution as threads uses them
/// to time a tick from its hand-over to Kafka to its order's arrival at
/// execution on one clock; a deployment passes none.
pub trait Probe: Send + Sync {
    /// The ingest role handed `event` to the producer.
    fn published(&self, event: &MarketEvent) {
        let _ = event;
    }

    /// The execution role received `order` (a submit step).
    fn order_received(&self, order: &Order) {
        let _ = order;
    }
}

/// How a consuming role runs beyond its configuration.
#[derive(Clone, Default)]
pub struct ConsumeOptions {
    /// Stop once nothing has arrived for this long (a replay through the
    /// bus, a test); `None` runs until the process is stopped.
    pub until_idle: Option<Duration>,
    /// Write the report files under `[run] reports_dir` when the role stops.
    pub write_report: bool,
    /// Hooks for a benchmark.
    pub probe: Option<Arc<dyn Probe>>,
    /// Where the role reports its metrics, readiness and heartbeat (served
    /// by [`crate::telemetry::serve`]); a private one when `None`.
    pub telemetry: Option<Telemetry>,
}

impl ConsumeOptions {
    /// The role's telemetry: the one given, or a private one.
    pub fn telemetry_for(&self, role: &str) -> Telemetry {
        self.telemetry.clone().unwrap_or_else(|| Telemetry::new(role))
    }
}

impl fmt::Debug for ConsumeOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ConsumeOptions")
            .field("until_idle", &self.until_idle)
            .field("write_report", &self.write_report)
            .field("probe", &self.probe.is_some())
            .finish()
    }
}
