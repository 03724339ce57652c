//! The headline figures of a run, as one serialisable value.

use super::recorder::{RegimeChange, TickRecord};
use super::round_trip::RoundTrip;
use super::run_bounds::{RunEnd, RunMeta};
use super::stats::{Drawdown, ReturnPeriod, max_drawdown, risk_ratios};
use crate::domain::{Decimal, Money, Timestamp};
use crate::execution::Fill;
use rust_decimal::prelude::ToPrimitive;
use serde::Serialize;
use std::collections::BTreeMap;

/// Everything a reader checks first, and what `summary.json` holds. Money
/// is exact (JSON strings); ratios are `f64`; times are nanoseconds since
/// the epoch, UTC.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Summary {
    /// The run's id.
    pub run_id: String,
    /// Wall-clock start, RFC 3339.
    pub started_at: String,
    /// Key settings, in display order.
    pub config: Vec<(String, String)>,
    /// Traded instruments in leg order (`venue:symbol`).
    pub instruments: Vec<String>,
    /// Event time of the first tick.
    pub first_tick: Option<Timestamp>,
    /// Event time of the last tick.
    pub last_tick: Option<Timestamp>,
    /// Cash at the start.
    pub initial_capital: Money,
    /// Equity at the end.
    pub final_equity: Money,
    /// Cash at the end.
    pub cash: Money,
    /// `final_equity - initial_capital`.
    pub total_return: Money,
    /// `total_return / initial_capital`; `None` without capital.
    pub total_return_fraction: Option<f64>,
    /// Realised PnL, from the accounting.
    pub realised_pnl: Money,
    /// Unrealised PnL, from the accounting.
    pub unrealised_pnl: Money,
    /// Fees paid, from the accounting.
    pub fees_paid: Money,
    /// Sharpe and Sortino with their basis; `None` for a curve too short.
    pub ratios: Option<RatioSummary>,
    /// The deepest drawdown; `None` if equity never fell.
    pub max_drawdown: Option<Drawdown>,
    /// Share of the run's time (first to last tick) with any position open;
    /// the share of ticks if the run spans no time.
    pub exposure_fraction: Option<f64>,
    /// Number of fills.
    pub fills: usize,
    /// Gross notional of all fills.
    pub traded_notional: Money,
    /// Round-trip statistics.
    pub trades: TradeStats,
    /// Regime changes detected.
    pub regime_changes: usize,
    /// When they were detected.
    pub regime_change_times: Vec<Timestamp>,
    /// Rejected orders by reason.
    pub rejections: BTreeMap<String, u64>,
    /// All rejected orders.
    pub rejections_total: u64,
    /// Notes recorded (including any not kept verbatim).
    pub notes: u64,
    /// Market events processed.
    pub events: u64,
    /// Ticks processed.
    pub ticks: u64,
    /// Wall-clock duration, seconds.
    pub wall_seconds: f64,
    /// `events / wall_seconds`; `None` if no time was measured.
    pub throughput_events_per_sec: Option<f64>,
    /// Median latency, nanoseconds.
    pub latency_p50_ns: Option<u64>,
    /// 99th percentile latency, nanoseconds.
    pub latency_p99_ns: Option<u64>,
    /// Further figures from the pipeline, in order.
    pub extra: Vec<(String, String)>,
}

/// Annualised risk ratios with the basis they were computed on.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RatioSummary {
    /// Return period (daily, hourly or per tick).
    pub period: ReturnPeriod,
    /// Periods in a 365-day year, whose square root annualises.
    pub periods_per_year: f64,
    /// Number of returns used.
    pub returns: usize,
    /// Annualised Sharpe (risk-free zero).
    pub sharpe: Option<f64>,
    /// Annualised Sortino (target zero).
    pub sortino: Option<f64>,
}

/// Round-trip trade statistics (see [`super::round_trips`]).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TradeStats {
    /// All round trips, open ones included.
    pub total: usize,
    /// Trades the book returned to flat from.
    pub closed: usize,
    /// Trades still open at the end (0 or 1).
    pub open: usize,
    /// Closed trades with positive PnL.
    pub winning: usize,
    /// `winning / closed`; `None` without closed trades.
    pub hit_rate: Option<f64>,
    /// Sum of closed trades' PnL.
    pub closed_pnl: Money,
    /// Mean PnL of closed trades.
    pub average_pnl: Option<Money>,
    /// Best closed trade's PnL.
    pub best_pnl: Option<Money>,
    /// Worst closed trade's PnL.
    pub worst_pnl: Option<Money>,
    /// Mean holding time of closed trades, seconds.
    pub average_duration_seconds: Option<f64>,
}

/// What [`Summary::build`] reads; the recorder's state at the end.
pub(crate) struct SummaryInput<'a> {
    pub(crate) meta: &'a RunMeta,
    pub(crate) end: &'a RunEnd,
    pub(crate) ticks: &'a [TickRecord],
    pub(crate) fills: &'a [Fill],
    pub(crate) trades: &'a [RoundTrip],
    pub(crate) regime_changes: &'a [RegimeChange],
    pub(crate) rejections: &'a BTreeMap<String, u64>,
    pub(crate) exposure: Option<f64>,
    pub(crate) notes: u64,
}

impl TradeStats {
    /// Statistics of `trades`.
    pub fn of(trades: &[RoundTrip]) -> TradeStats {
        let closed: Vec<&RoundTrip> = trades.iter().filter(|t| t.is_closed()).collect();
        let winning = closed.iter().filter(|t| t.is_win()).count();
        let closed_pnl: Money = closed.iter().map(|t| t.pnl).sum();
        let n = closed.len();
        let average_duration_seconds = (n > 0)
            .then(|| closed.iter().filter_map(|t| t.duration_ns()).map(|d| d as f64 / 1e9).sum::<f64>() / n as f64);
        TradeStats {
            total: trades.len(),
            closed: n,
            open: trades.len() - n,
            winning,
            hit_rate: (n > 0).then(|| winning as f64 / n as f64),
            closed_pnl,
            average_pnl: (n > 0).then(|| Money(closed_pnl.0 / Decimal::from(n))),
            best_pnl: closed.iter().map(|t| t.pnl).max(),
            worst_pnl: closed.iter().map(|t| t.pnl).min(),
            average_duration_seconds,
        }
    }
}

impl Summary {
    pub(crate) fn build(input: &SummaryInput<'_>) -> Summary {
        let SummaryInput { meta, end, ticks, fills, trades, regime_changes, rejections, exposure, notes } = *input;
        let curve_f64: Vec<(Timestamp, f64)> = ticks.iter().map(|t| (t.ts, t.equity.to_f64())).collect();
        let curve: Vec<(Timestamp, Money)> = ticks.iter().map(|t| (t.ts, t.equity)).collect();
        let total_return = end.final_equity - meta.initial_capital;
        let total_return_fraction =
            (!meta.initial_capital.0.is_zero()).then(|| (total_return.0 / meta.initial_capital.0).to_f64()).flatten();
        let ratios = risk_ratios(&curve_f64).map(|r| RatioSummary {
            period: r.period,
            periods_per_year: r.periods_per_year,
            returns: r.returns.len(),
            sharpe: r.sharpe,
            sortino: r.sortino,
        });
        Summary {
            run_id: meta.run_id.clone(),
            started_at: meta.started_at.clone(),
            config: meta.config_summary.clone(),
            instruments: meta.instruments.iter().map(|i| i.to_string()).collect(),
            first_tick: ticks.first().map(|t| t.ts),
            last_tick: ticks.last().map(|t| t.ts),
            initial_capital: meta.initial_capital,
            final_equity: end.final_equity,
            cash: end.cash,
            total_return,
            total_return_fraction,
            realised_pnl: end.realised_pnl,
            unrealised_pnl: end.unrealised_pnl,
            fees_paid: end.fees_paid,
            ratios,
            max_drawdown: max_drawdown(&curve),
            exposure_fraction: exposure,
            fills: fills.len(),
            traded_notional: fills.iter().map(|f| Money::notional(f.qty, f.price)).sum(),
            trades: TradeStats::of(trades),
            regime_changes: regime_changes.len(),
            regime_change_times: regime_changes.iter().map(|r| r.ts).collect(),
            rejections: rejections.clone(),
            rejections_total: rejections.values().sum(),
            notes,
            events: end.events,
            ticks: end.ticks,
            wall_seconds: end.wall_seconds,
            throughput_events_per_sec: (end.wall_seconds > 0.0).then(|| end.events as f64 / end.wall_seconds),
            latency_p50_ns: end.latency_p50_ns,
            latency_p99_ns: end.latency_p99_ns,
            extra: end.extra.clone(),
        }
    }
}
