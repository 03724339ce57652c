use crate::domain::Timestamp;
use serde::{Deserialize, Serialize};
use std::fmt;

/// What a reader does with a row it cannot turn into an event. Either way the
/// row is counted and reported in [`super::ReadStats`]; nothing is dropped
/// silently, because a backtest on quietly thinned data looks better than it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum BadRowPolicy {
    /// Record the row and go on with the next one.
    Skip,
    /// Record the row, yield a [`super::MarketDataError::BadRow`] and stop
    /// reading. The default: corrupt data should stop a run unless the
    /// operator chose otherwise.
    #[default]
    Fatal,
}

/// Why a row was rejected. The variants are the checks a reader makes, so a
/// report can be grouped by cause.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BadRowReason {
    /// The row has the wrong number of fields for the format.
    #[error("expected {expected} columns, found {found}")]
    ColumnCount {
        /// What the format needs (the smallest accepted count when several are).
        expected: usize,
        /// What the row has.
        found: usize,
    },
    /// A numeric field does not parse.
    #[error("column {column}: {value:?} is not a number")]
    NotANumber {
        /// The column's name in the format.
        column: &'static str,
        /// The field as read.
        value: String,
    },
    /// A boolean field is neither `true` nor `false`.
    #[error("column {column}: {value:?} is not true or false")]
    NotABool {
        /// The column's name in the format.
        column: &'static str,
        /// The field as read.
        value: String,
    },
    /// A price that is zero or negative: nothing can trade there.
    #[error("column {column}: price {value} is not positive")]
    NonPositivePrice {
        /// The column's name in the format.
        column: &'static str,
        /// The field as read.
        value: String,
    },
    /// A bar whose high is below its low.
    #[error("high {high} is below low {low}")]
    HighBelowLow {
        /// The bar's high as read.
        high: String,
        /// The bar's low as read.
        low: String,
    },
    /// A bar whose open or close lies outside its high-low range.
    #[error("column {column}: {value} is outside the bar's range [{low}, {high}]")]
    OutsideRange {
        /// `open` or `close`.
        column: &'static str,
        /// The field as read.
        value: String,
        /// The bar's low as read.
        low: String,
        /// The bar's high as read.
        high: String,
    },
    /// A negative volume or size.
    #[error("column {column}: size {value} is negative")]
    NegativeSize {
        /// The column's name in the format.
        column: &'static str,
        /// The field as read.
        value: String,
    },
    /// A trade of size zero: [`super::Trade::size`] is always positive.
    #[error("column {column}: trade size is zero")]
    ZeroTradeSize {
        /// The column's name in the format.
        column: &'static str,
    },
    /// A timestamp that is negative or too large for any supported unit.
    #[error("column {column}: timestamp {value} is out of range")]
    TimestampOutOfRange {
        /// The column's name in the format.
        column: &'static str,
        /// The field as read.
        value: String,
    },
    /// A bar that closes before it opens.
    #[error("close time {close} is before open time {open}")]
    CloseBeforeOpen {
        /// Open time, ns since the epoch.
        open: Timestamp,
        /// Close time, ns since the epoch.
        close: Timestamp,
    },
    /// An event earlier than the one before it in the same file. The merge
    /// relies on every file being ordered, so such a row cannot be replayed.
    #[error("timestamp {ts} is before the previous row's {previous} (ns)")]
    TimestampBackwards {
        /// The last accepted event's time, ns since the epoch.
        previous: Timestamp,
        /// This row's time, ns since the epoch.
        ts: Timestamp,
    },
    /// An empty symbol field.
    #[error("column symbol is empty")]
    EmptySymbol,
    /// The CSV layer could not read the row (for example invalid UTF-8).
    #[error("unreadable row: {0}")]
    Unreadable(String),
}

/// One rejected row: where it was and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadRow {
    /// The source the row came from, usually a file path.
    pub file: String,
    /// 1-based line number in the file (the header, if any, is line 1).
    pub line: u64,
    /// What was wrong with it.
    pub reason: BadRowReason,
}

impl fmt::Display for BadRow {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}", self.file, self.line, self.reason)
    }
}
