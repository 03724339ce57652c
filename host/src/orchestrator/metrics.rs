//! What the orchestrator exports on `/metrics`: every book's equity, PnL,
//! drawdown, Sharpe ratio, positions, risk state and refusals
//! ([`BookMetrics`]; the champion's as `strategy="champion"`, each
//! challenger's as `strategy="challenger:<id>"`), the time of each call
//! into each component, component faults, and each swap's pause.

use super::Orchestrator;
use crate::pipeline::BookMetrics;
use crate::telemetry::{Counter, Histogram, PluginFaultMetrics, Telemetry};
use hft_trading::domain::Money;
use std::collections::BTreeMap;

/// The `strategy` label of the champion's book.
pub const CHAMPION_BOOK: &str = "champion";

/// The `strategy` label of challenger `id`'s book.
pub fn challenger_book(id: &str) -> String {
    format!("challenger:{id}")
}

/// Handles of one orchestrator's series.
pub(super) struct OrchestratorMetrics {
    pub(super) telemetry: Telemetry,
    pub(super) faults: PluginFaultMetrics,
    pub(super) swap_pause: Histogram,
    pub(super) swaps: Counter,
    books: BTreeMap<String, BookMetrics>,
}

impl OrchestratorMetrics {
    pub(super) fn new(t: &Telemetry) -> OrchestratorMetrics {
        OrchestratorMetrics {
            telemetry: t.clone(),
            faults: PluginFaultMetrics::new(t),
            swap_pause: t.swap_pause(),
            swaps: t.plugin_swaps("ok"),
            books: BTreeMap::new(),
        }
    }
}

impl Orchestrator {
    /// Export this orchestrator's series in `telemetry`: component faults
    /// and call times from now on, the swap pauses, and each book's figures
    /// whenever [`Orchestrator::export_metrics`] is called.
    pub fn with_telemetry(mut self, telemetry: &Telemetry) -> Orchestrator {
        let m = OrchestratorMetrics::new(telemetry);
        self.champion.count_faults_in(&m.faults);
        self.champion.time_calls_in(telemetry, CHAMPION_BOOK);
        for c in &mut self.challengers {
            c.pipeline.count_faults_in(&m.faults);
            c.pipeline.time_calls_in(telemetry, &challenger_book(&c.spec.id));
        }
        self.metrics = Some(m);
        self
    }

    /// Attach the series to a challenger's pipeline (new, restored, or
    /// running another logic after a swap).
    pub(super) fn instrument_challenger(&mut self, i: usize) {
        if let Some(m) = &self.metrics {
            let c = &mut self.challengers[i];
            c.pipeline.count_faults_in(&m.faults);
            c.pipeline.time_calls_in(&m.telemetry, &challenger_book(&c.spec.id));
        }
    }

    /// Set every book's series from its state now. Cheap enough for every
    /// status refresh (each book's Sharpe ratio is kept incrementally).
    pub fn export_metrics(&mut self, challenger_capital: Money) {
        let Some(m) = self.metrics.as_mut() else { return };
        let initial = self.champion.portfolio().initial_cash();
        let champion = m
            .books
            .entry(CHAMPION_BOOK.to_string())
            .or_insert_with(|| BookMetrics::new(&m.telemetry, CHAMPION_BOOK, &self.champion, initial));
        champion.observe(&self.champion, Some(&self.champion_returns));
        for c in &self.challengers {
            let label = challenger_book(&c.spec.id);
            let book = m
                .books
                .entry(label.clone())
                .or_insert_with(|| BookMetrics::new(&m.telemetry, &label, &c.pipeline, challenger_capital));
            book.observe(&c.pipeline, Some(&c.returns));
        }
    }
}
