//! What each role exports on `/metrics`, kept as handles taken once at
//! start so the loop only touches atomics.

use crate::pipeline::{BookMetrics, Counters, Pipeline};
use crate::telemetry::{Counter, FlagGauge, Gauge, Histogram, Telemetry};
use hft_bus::wire::StrategyId;
use hft_trading::domain::Money;
use hft_trading::risk::RiskState;
use std::collections::BTreeMap;
use std::time::Duration;

/// The strategy role's series, fed from the pipeline's counters after each
/// tick (as increments since the last tick, so restarts resume counting).
pub(crate) struct StrategyMetrics {
    ticks: Counter,
    sent: Counter,
    rejected: Counter,
    dropped: Counter,
    venue_refused: Counter,
    fills: Counter,
    book: BookMetrics,
    tick_to_order: Histogram,
    /// Market events dead-lettered (malformed or out of order).
    pub(crate) dead_letters: Counter,
    /// Whether the last checkpoint reached the store.
    pub(crate) store_up: FlagGauge,
    /// Whether the kill switch was engaged at the last checkpoint.
    pub(crate) kill_switch: FlagGauge,
    last: Counters,
}

impl StrategyMetrics {
    pub(crate) fn new(
        t: &Telemetry,
        strategy: &str,
        market_topic: &str,
        pipeline: &Pipeline,
        initial: Money,
    ) -> StrategyMetrics {
        StrategyMetrics {
            ticks: t.ticks(),
            sent: t.orders(strategy, "sent"),
            rejected: t.orders(strategy, "rejected"),
            dropped: t.orders(strategy, "dropped"),
            venue_refused: t.orders(strategy, "venue_refused"),
            fills: t.fills(strategy),
            book: BookMetrics::new(t, strategy, pipeline, initial),
            tick_to_order: t.tick_to_order(),
            dead_letters: t.dead_letters(market_topic),
            store_up: t.state_store_up(),
            kill_switch: t.kill_switch(),
            last: Counters::default(),
        }
    }

    /// After a tick: the counters' increments, the books, the risk state,
    /// and the tick-to-order time if an order went out.
    pub(crate) fn after_tick(&mut self, p: &Pipeline, latency: Option<Duration>) {
        let c = &p.counters;
        let l = &self.last;
        self.ticks.inc_by(c.ticks.saturating_sub(l.ticks));
        self.sent.inc_by(c.orders_sent.saturating_sub(l.orders_sent));
        self.rejected.inc_by(c.orders_rejected.saturating_sub(l.orders_rejected));
        self.dropped.inc_by(c.orders_dropped.saturating_sub(l.orders_dropped));
        self.venue_refused.inc_by(c.orders_refused_by_venue.saturating_sub(l.orders_refused_by_venue));
        self.fills.inc_by(c.fills.saturating_sub(l.fills));
        self.last = c.clone();
        self.book.observe(p, None);
        if let Some(d) = latency {
            self.tick_to_order.observe_duration(d);
        }
    }
}

/// The execution role's series, per strategy as strategies appear.
pub(crate) struct ExecutionMetrics {
    telemetry: Telemetry,
    fills: BTreeMap<StrategyId, (Counter, Counter, Counter)>,
    /// Whether the store answered last time it was asked.
    pub(crate) store_up: FlagGauge,
    /// Whether the kill switch refused the last order it judged.
    pub(crate) kill_switch: FlagGauge,
    /// Orders dead-lettered (malformed).
    pub(crate) dead_letters: Counter,
}

impl ExecutionMetrics {
    pub(crate) fn new(t: &Telemetry, orders_topic: &str) -> ExecutionMetrics {
        ExecutionMetrics {
            telemetry: t.clone(),
            fills: BTreeMap::new(),
            store_up: t.state_store_up(),
            kill_switch: t.kill_switch(),
            dead_letters: t.dead_letters(orders_topic),
        }
    }

    /// The strategy's (fills, filled orders accepted, orders refused) counters.
    pub(crate) fn of(&mut self, strategy: &StrategyId) -> &(Counter, Counter, Counter) {
        let t = &self.telemetry;
        self.fills.entry(strategy.clone()).or_insert_with(|| {
            (
                t.fills(strategy.as_str()),
                t.orders(strategy.as_str(), "accepted"),
                t.orders(strategy.as_str(), "refused"),
            )
        })
    }
}

/// The risk role's series for its strategy.
pub(crate) struct RiskMetrics {
    pub(crate) fills: Counter,
    pub(crate) equity: Gauge,
    pub(crate) pnl: Gauge,
    pub(crate) risk_state: crate::telemetry::RiskStateGauge,
    pub(crate) kill_switch: FlagGauge,
    initial: Money,
}

impl RiskMetrics {
    pub(crate) fn new(t: &Telemetry, strategy: &str, initial: Money) -> RiskMetrics {
        RiskMetrics {
            fills: t.fills(strategy),
            equity: t.equity(strategy),
            pnl: t.pnl(strategy),
            risk_state: t.risk_state(strategy),
            kill_switch: t.kill_switch(),
            initial,
        }
    }

    /// The books' equity and the manager's state.
    pub(crate) fn observe(&self, equity: Money, state: RiskState) {
        self.equity.set(equity.to_f64());
        self.pnl.set((equity - self.initial).to_f64());
        self.risk_state.set(state);
    }
}
