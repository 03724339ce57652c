//! What the models and the strategy said at each tick, for the charts.

use serde::Serialize;

/// The model outputs of one tick. Each is `None` while its model warms up
/// or when it is not configured, which the charts and `signals.csv` show
/// as a gap rather than as a misleading zero.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize)]
pub struct TickSignals {
    /// The pair's spread, `y - hedge_ratio * x` (or the strategy's own).
    pub spread: Option<f64>,
    /// The spread's z-score the strategy trades on.
    pub zscore: Option<f64>,
    /// The Kalman hedge ratio.
    pub hedge_ratio: Option<f64>,
    /// The GARCH volatility forecast.
    pub vol_forecast: Option<f64>,
    /// The BOCD changepoint probability.
    pub changepoint_prob: Option<f64>,
}

/// A strategy decision worth marking on the spread chart, so a reader can
/// see what the strategy saw when it traded.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Marker {
    /// Opened a position: long the spread (buy y, sell x) or short it.
    Entry {
        /// `true` when long the spread.
        long_spread: bool,
    },
    /// Closed the position on the strategy's own exit rule.
    Exit,
    /// Closed the position because something forced it (risk, regime
    /// change, end of data); `reason` says what.
    Flatten {
        /// Why.
        reason: String,
    },
}

impl Marker {
    /// A short label for tables and tooltips.
    pub fn label(&self) -> String {
        match self {
            Marker::Entry { long_spread: true } => "entry long spread".to_string(),
            Marker::Entry { long_spread: false } => "entry short spread".to_string(),
            Marker::Exit => "exit".to_string(),
            Marker::Flatten { reason } => format!("flatten: {reason}"),
        }
    }
}
