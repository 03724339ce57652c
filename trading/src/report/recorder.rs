//! The recorder the pipeline feeds during a run.

use super::book::Book;
use super::round_trip::round_trips;
use super::run_bounds::{RunEnd, RunMeta};
use super::run_report::Report;
use super::signals::{Marker, TickSignals};
use super::summary::{Summary, SummaryInput};
use crate::domain::{Money, Timestamp};
use crate::execution::Fill;
use serde::Serialize;
use std::collections::BTreeMap;

/// How many notes are kept verbatim. A feed with millions of bad rows must
/// not turn the report into a copy of the log; the rest are counted.
const MAX_NOTES: usize = 10_000;

/// One processed tick: the equity after its fills and the model signals.
/// About 100 bytes each, so a run of ten million ticks costs about 1 GB.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct TickRecord {
    /// Event time of the tick.
    pub ts: Timestamp,
    /// Cash plus positions marked to market after the tick's fills.
    pub equity: Money,
    /// What the models said.
    pub signals: TickSignals,
}

/// A detected regime change: BOCD's changepoint probability crossed the
/// threshold upward.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct RegimeChange {
    /// When.
    pub ts: Timestamp,
    /// The probability at the crossing.
    pub prob: f64,
}

/// A free-text remark on the run (strategy disabled, bad data row, risk
/// state change), kept with its event time.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Note {
    /// Event time it refers to.
    pub ts: Timestamp,
    /// What happened.
    pub text: String,
}

/// Collects what a run did, event by event, for the [`Report`]. It only
/// appends and counts, so it is cheap enough to sit on the hot path; all
/// statistics are computed once in [`RunRecorder::finish`].
#[derive(Debug, Clone)]
pub struct RunRecorder {
    meta: RunMeta,
    ticks: Vec<TickRecord>,
    fills: Vec<Fill>,
    markers: Vec<(Timestamp, Marker)>,
    regime_changes: Vec<RegimeChange>,
    rejections: BTreeMap<String, u64>,
    notes: Vec<Note>,
    notes_dropped: u64,
    book: Book,
    last_tick: Option<(Timestamp, bool)>,
    exposed_ns: i128,
    exposed_ticks: u64,
}

impl RunRecorder {
    /// A recorder for the run described by `meta`.
    pub fn new(meta: RunMeta) -> Self {
        RunRecorder {
            meta,
            ticks: Vec::new(),
            fills: Vec::new(),
            markers: Vec::new(),
            regime_changes: Vec::new(),
            rejections: BTreeMap::new(),
            notes: Vec::new(),
            notes_dropped: 0,
            book: Book::default(),
            last_tick: None,
            exposed_ns: 0,
            exposed_ticks: 0,
        }
    }

    /// Record a processed tick; call once per tick, after its fills, so the
    /// equity and the exposure include them. The interval up to the next
    /// tick counts as exposed when any position is open now.
    pub fn on_tick(&mut self, ts: Timestamp, equity: Money, signals: &TickSignals) {
        let exposed = !self.book.is_flat();
        if let Some((prev_ts, prev_exposed)) = self.last_tick
            && prev_exposed
        {
            self.exposed_ns += i128::from(ts.0) - i128::from(prev_ts.0);
        }
        if exposed {
            self.exposed_ticks += 1;
        }
        self.last_tick = Some((ts, exposed));
        self.ticks.push(TickRecord { ts, equity, signals: *signals });
    }

    /// Record a fill.
    pub fn on_fill(&mut self, fill: &Fill) {
        self.book.apply(fill);
        self.fills.push(fill.clone());
    }

    /// Record a strategy decision for the spread chart.
    pub fn on_marker(&mut self, ts: Timestamp, marker: Marker) {
        self.markers.push((ts, marker));
    }

    /// Record a regime change (the changepoint probability crossed the
    /// threshold upward) at probability `prob`.
    pub fn on_regime_change(&mut self, ts: Timestamp, prob: f64) {
        self.regime_changes.push(RegimeChange { ts, prob });
    }

    /// Record an order the risk manager or the venue rejected; counted by
    /// `reason`, so keep reasons short and stable ("max position", ...).
    pub fn on_rejection(&mut self, _ts: Timestamp, reason: &str) {
        *self.rejections.entry(reason.to_string()).or_insert(0) += 1;
    }

    /// Record a remark. Only the first 10 000 are kept; the rest are counted.
    pub fn on_note(&mut self, ts: Timestamp, text: String) {
        if self.notes.len() < MAX_NOTES {
            self.notes.push(Note { ts, text });
        } else {
            self.notes_dropped += 1;
        }
    }

    /// Close the record with the pipeline's final figures and compute the
    /// report.
    pub fn finish(self, end: RunEnd) -> Report {
        let trades = round_trips(&self.fills);
        let span_ns = match (self.ticks.first(), self.ticks.last()) {
            (Some(a), Some(b)) => i128::from(b.ts.0) - i128::from(a.ts.0),
            _ => 0,
        };
        let exposure = if span_ns > 0 {
            Some(self.exposed_ns as f64 / span_ns as f64)
        } else if !self.ticks.is_empty() {
            Some(self.exposed_ticks as f64 / self.ticks.len() as f64)
        } else {
            None
        };
        let summary = Summary::build(&SummaryInput {
            meta: &self.meta,
            end: &end,
            ticks: &self.ticks,
            fills: &self.fills,
            trades: &trades,
            regime_changes: &self.regime_changes,
            rejections: &self.rejections,
            exposure,
            notes: self.notes.len() as u64 + self.notes_dropped,
        });
        Report {
            meta: self.meta,
            end,
            summary,
            ticks: self.ticks,
            fills: self.fills,
            trades,
            markers: self.markers,
            regime_changes: self.regime_changes,
            notes: self.notes,
            notes_dropped: self.notes_dropped,
        }
    }
}
