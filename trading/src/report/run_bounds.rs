//! The two bookends of a run: what is known before the first tick, and the
//! closing figures only the pipeline knows at the end.

use crate::domain::{InstrumentId, Money};
use serde::Serialize;

/// Identity and setup of a run, known before the first tick. The report
/// repeats it so a result can always be traced to the configuration that
/// produced it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RunMeta {
    /// Unique id of the run; names the output directory's contents.
    pub run_id: String,
    /// Wall-clock start, RFC 3339.
    pub started_at: String,
    /// Key settings in display order (strategy, models, fees, limits...).
    pub config_summary: Vec<(String, String)>,
    /// Cash at the start; the base of the total return.
    pub initial_capital: Money,
    /// The traded instruments in leg order: `[y, x]` for a pair.
    pub instruments: Vec<InstrumentId>,
}

/// The closing figures of a run, from the accounting and the engine. The
/// recorder cannot derive them itself (it sees no marks, no clock), so the
/// pipeline hands them over once at the end.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RunEnd {
    /// Cash plus positions marked to market at the last tick.
    pub final_equity: Money,
    /// Cash at the end.
    pub cash: Money,
    /// PnL of closed positions, fees deducted.
    pub realised_pnl: Money,
    /// Mark-to-market PnL of open positions.
    pub unrealised_pnl: Money,
    /// All fees paid.
    pub fees_paid: Money,
    /// Market events processed.
    pub events: u64,
    /// Ticks processed (events that reached the strategy).
    pub ticks: u64,
    /// Wall-clock duration of the run, seconds.
    pub wall_seconds: f64,
    /// Median tick-to-decision latency, nanoseconds, if measured.
    pub latency_p50_ns: Option<u64>,
    /// 99th percentile tick-to-decision latency, nanoseconds, if measured.
    pub latency_p99_ns: Option<u64>,
    /// Further figures worth showing (bad rows, risk state, ...), in order.
    pub extra: Vec<(String, String)>,
}
