//! The run report of `hft-host run`: what happened to the money, and why.
//!
//! The pipeline drives a [`RunRecorder`] event by event (ticks with equity
//! and model signals, fills, strategy markers, regime changes, rejections,
//! notes) and hands it the closing figures in a [`RunEnd`]. The resulting
//! [`Report`] derives everything else from that record alone — round-trip
//! trades from the fills, risk ratios and drawdown from the equity curve —
//! so the numbers can be checked against the raw CSV files it writes next
//! to them.
//!
//! Outputs: a terminal summary ([`Report::render_text`]), and a directory
//! ([`Report::write_dir`]) with `summary.json`, `equity.csv`, `fills.csv`,
//! `trades.csv`, `signals.csv` and a self-contained `report.html` whose
//! charts are inline SVG drawn here, so the page works offline and needs
//! no JavaScript.
//!
//! Money stays exact ([`crate::domain::Money`]) in the accounting figures;
//! ratios and charts are `f64`.

mod book;
mod chart;
mod downsample;
mod error;
mod escape;
mod figures;
mod files;
mod html;
mod recorder;
mod round_trip;
mod run_bounds;
mod run_report;
mod signals;
mod stats;
mod summary;
mod text;
mod utc;

pub use error::ReportError;
pub use recorder::{Note, RegimeChange, RunRecorder, TickRecord};
pub use round_trip::{RoundTrip, round_trips};
pub use run_bounds::{RunEnd, RunMeta};
pub use run_report::Report;
pub use signals::{Marker, TickSignals};
pub use stats::{Drawdown, ReturnPeriod, RiskRatios, drawdown_series, max_drawdown, risk_ratios};
pub use summary::{RatioSummary, Summary, TradeStats};
pub use utc::iso as utc_iso;
