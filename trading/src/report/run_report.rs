//! The finished report of a run.

use super::error::ReportError;
use super::recorder::{Note, RegimeChange, TickRecord};
use super::round_trip::RoundTrip;
use super::run_bounds::{RunEnd, RunMeta};
use super::signals::Marker;
use super::summary::Summary;
use super::{files, html, text};
use crate::domain::Timestamp;
use crate::execution::Fill;
use std::path::{Path, PathBuf};

/// Everything recorded during a run plus the figures derived from it,
/// ready to print or to write out. Built by [`super::RunRecorder::finish`].
#[derive(Debug, Clone)]
pub struct Report {
    pub(crate) meta: RunMeta,
    pub(crate) end: RunEnd,
    pub(crate) summary: Summary,
    pub(crate) ticks: Vec<TickRecord>,
    pub(crate) fills: Vec<Fill>,
    pub(crate) trades: Vec<RoundTrip>,
    pub(crate) markers: Vec<(Timestamp, Marker)>,
    pub(crate) regime_changes: Vec<RegimeChange>,
    pub(crate) notes: Vec<Note>,
    pub(crate) notes_dropped: u64,
}

impl Report {
    /// The headline figures (what `summary.json` holds).
    pub fn summary(&self) -> &Summary {
        &self.summary
    }

    /// The run's identity and setup.
    pub fn meta(&self) -> &RunMeta {
        &self.meta
    }

    /// The pipeline's closing figures.
    pub fn end(&self) -> &RunEnd {
        &self.end
    }

    /// Every tick: equity curve and signals.
    pub fn ticks(&self) -> &[TickRecord] {
        &self.ticks
    }

    /// Every fill, in the order recorded.
    pub fn fills(&self) -> &[Fill] {
        &self.fills
    }

    /// Round-trip trades derived from the fills.
    pub fn trades(&self) -> &[RoundTrip] {
        &self.trades
    }

    /// Strategy markers.
    pub fn markers(&self) -> &[(Timestamp, Marker)] {
        &self.markers
    }

    /// Regime changes detected.
    pub fn regime_changes(&self) -> &[RegimeChange] {
        &self.regime_changes
    }

    /// Notes kept verbatim (the first 10 000).
    pub fn notes(&self) -> &[Note] {
        &self.notes
    }

    /// Notes counted but not kept.
    pub fn notes_dropped(&self) -> u64 {
        self.notes_dropped
    }

    /// The terminal report: aligned sections of figures, then notes.
    pub fn render_text(&self) -> String {
        text::render(self)
    }

    /// The self-contained HTML page written as `report.html`.
    pub fn render_html(&self) -> String {
        html::render(self)
    }

    /// Write `summary.json`, `equity.csv` (ts, equity, drawdown),
    /// `fills.csv`, `trades.csv` (round trips), `signals.csv`,
    /// `markers.csv` and `report.html` into `dir`, creating it if needed;
    /// returns the paths written.
    pub fn write_dir(&self, dir: &Path) -> Result<Vec<PathBuf>, ReportError> {
        files::write_dir(self, dir)
    }
}
