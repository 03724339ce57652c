//! The handles a pipeline node counts its faults with.
//!
//! A component that traps, runs past its deadline or hits its memory cap
//! is never entered again: one fault is one `hft_plugin_traps_total{kind}`
//! and one `hft_plugin_quarantined_total`. The node that saw the fault
//! counts it (the node knows the typed error); whoever builds the nodes
//! hands them these handles.

use super::{Counter, Telemetry};

/// The `kind` labels taken at construction, so their series export 0 from
/// the start and Prometheus' `increase()` sees the first fault.
const KINDS: [&str; 3] = ["trap", "timeout", "out_of_memory"];

/// `hft_plugin_traps_total{kind}` and `hft_plugin_quarantined_total` of one
/// process. Cheap to clone (handles around atomics); counting a kind taken
/// at construction neither locks nor allocates.
#[derive(Debug, Clone)]
pub struct PluginFaultMetrics {
    telemetry: Telemetry,
    traps: [Counter; 3],
    quarantined: Counter,
}

impl PluginFaultMetrics {
    /// The handles in `telemetry`.
    pub fn new(telemetry: &Telemetry) -> PluginFaultMetrics {
        PluginFaultMetrics {
            telemetry: telemetry.clone(),
            traps: KINDS.map(|k| telemetry.plugin_traps(k)),
            quarantined: telemetry.plugin_quarantined(),
        }
    }

    /// The telemetry these handles count into.
    pub fn telemetry(&self) -> &Telemetry {
        &self.telemetry
    }

    /// Count one fault of `kind` (a [`PluginError::kind`](crate::runtime::PluginError::kind)
    /// label) that took a component out of service.
    pub fn fault(&self, kind: &str) {
        match KINDS.iter().position(|k| *k == kind) {
            Some(i) => self.traps[i].inc(),
            // A rarer kind (`poisoned`, a host-side failure): registered on
            // first use, which takes the registry's lock once.
            None => self.telemetry.plugin_traps(kind).inc(),
        }
        self.quarantined.inc();
    }
}
