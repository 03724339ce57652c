//! One book's series on `/metrics`: equity, PnL, drawdown, Sharpe ratio
//! per tick, positions, the risk state and the risk manager's refusals by
//! reason. The orchestrator keeps one per strategy (the champion's and
//! each challenger's paper book), the strategy role one for its book.

use super::Pipeline;
use crate::telemetry::{Counter, Gauge, RiskStateGauge, Telemetry};
use hft_trading::domain::Money;
use std::collections::BTreeMap;

/// Handles taken once; [`BookMetrics::observe`] only sets them.
pub struct BookMetrics {
    telemetry: Telemetry,
    book: String,
    initial: Money,
    equity: Gauge,
    pnl: Gauge,
    drawdown: Gauge,
    sharpe: Gauge,
    risk_state: RiskStateGauge,
    positions: Vec<Gauge>,
    rejections: BTreeMap<&'static str, (Counter, u64)>,
    rejected_seen: u64,
    peak: f64,
    returns_seen: usize,
    sum: f64,
    sum_sq: f64,
}

impl BookMetrics {
    /// The series of book `book` (a `strategy` label) of `pipeline`, which
    /// started with `initial`.
    pub fn new(t: &Telemetry, book: &str, pipeline: &Pipeline, initial: Money) -> BookMetrics {
        let positions =
            pipeline.wiring().instruments.ids().iter().map(|id| t.position(book, &id.to_string())).collect();
        BookMetrics {
            telemetry: t.clone(),
            book: book.to_string(),
            initial,
            equity: t.equity(book),
            pnl: t.pnl(book),
            drawdown: t.drawdown(book),
            sharpe: t.sharpe_per_tick(book),
            risk_state: t.risk_state(book),
            positions,
            rejections: BTreeMap::new(),
            rejected_seen: 0,
            peak: initial.to_f64(),
            returns_seen: 0,
            sum: 0.0,
            sum_sq: 0.0,
        }
    }

    /// Set every series from `pipeline`'s books; `returns` (the book's
    /// per-tick returns so far, growing) feeds the Sharpe ratio, taking only
    /// what is new since the last call.
    pub fn observe(&mut self, pipeline: &Pipeline, returns: Option<&[f64]>) {
        if let Ok(e) = pipeline.portfolio().equity() {
            let e = e.to_f64();
            self.equity.set(e);
            self.pnl.set(e - self.initial.to_f64());
            self.peak = self.peak.max(e);
            self.drawdown.set(if self.peak > 0.0 { (self.peak - e) / self.peak } else { 0.0 });
        }
        self.risk_state.set(pipeline.risk().state());
        for (gauge, id) in self.positions.iter().zip(pipeline.wiring().instruments.ids()) {
            gauge.set(pipeline.portfolio().position_qty(id).to_f64());
        }
        // The refusals by reason only when the total moved: the map is
        // built on each call.
        if pipeline.counters.orders_rejected != self.rejected_seen {
            self.rejected_seen = pipeline.counters.orders_rejected;
            for (reason, n) in pipeline.risk().rejections() {
                let key = reason.as_str();
                let (counter, seen) =
                    self.rejections.entry(key).or_insert_with(|| (self.telemetry.risk_rejections(&self.book, key), 0));
                counter.inc_by(n.saturating_sub(*seen));
                *seen = n.max(*seen);
            }
        }
        if let Some(r) = returns.filter(|r| r.len() > self.returns_seen) {
            for &x in &r[self.returns_seen..] {
                self.sum += x;
                self.sum_sq += x * x;
            }
            self.returns_seen = r.len();
            let n = r.len() as f64;
            if n >= 2.0 {
                let mean = self.sum / n;
                let var = (self.sum_sq - n * mean * mean) / (n - 1.0);
                self.sharpe.set(if var > 0.0 { mean / var.sqrt() } else { 0.0 });
            }
        }
    }
}
