//! The simple trade format: the smallest CSV that carries trades of several
//! symbols, for data that does not come from Binance and for hand-written
//! test inputs.
//!
//! ```text
//! ts,symbol,price,size
//! 1704067200000000000,BTCUSDT,42283.58,0.015
//! 1704067200000000000,ETHUSDT,2281.87,1.2
//! 1704067200250000000,BTCUSDT,42283.60,0.4
//! ```
//!
//! - The header row `ts,symbol,price,size` is required (names compared
//!   without regard to case or surrounding spaces); a file without it is
//!   rejected as a whole with [`MarketDataError::Header`].
//! - `ts`: integer **nanoseconds** since the Unix epoch, UTC, not negative.
//! - `symbol`: the venue's symbol, not empty. The venue is not in the file:
//!   the reader is told it.
//! - `price`: decimal, positive, kept exactly as printed.
//! - `size`: decimal, positive, base-asset quantity.
//! - Rows are in time order across the whole file (equal times allowed).
//!
//! Each row becomes a [`MarketEvent::Trade`]. A reader given a symbol keeps
//! only that symbol's rows; the others are counted in
//! [`ReadStats::rows_filtered`], not as bad rows.

use super::csv_rows::{CsvEvents, FirstRow, RowFormat};
use super::fields;
use super::{BadRowReason, EventSource, MarketDataError, MarketEvent, ReadStats, ReaderOptions, Trade};
use crate::domain::{InstrumentId, Price, Quantity, Symbol, Timestamp, Venue};
use csv::StringRecord;
use std::fs::File;
use std::io::Read;
use std::path::Path;

/// The required header of the simple format.
pub const SIMPLE_COLUMNS: [&str; 4] = ["ts", "symbol", "price", "size"];

struct Simple {
    venue: Venue,
    only: Option<Symbol>,
    last: Option<InstrumentId>,
}

impl Simple {
    /// The instrument for `symbol`, reusing the previous row's when equal so
    /// a long file does not allocate a name per row.
    fn instrument(&mut self, symbol: &str) -> InstrumentId {
        match &self.last {
            Some(last) if last.symbol.as_str() == symbol => last.clone(),
            _ => {
                let id = InstrumentId { venue: self.venue.clone(), symbol: Symbol::new(symbol) };
                self.last = Some(id.clone());
                id
            }
        }
    }
}

impl RowFormat for Simple {
    fn first_row(&self, rec: &StringRecord) -> FirstRow {
        let is_header = rec.len() == SIMPLE_COLUMNS.len()
            && rec.iter().zip(SIMPLE_COLUMNS).all(|(got, want)| got.eq_ignore_ascii_case(want));
        if is_header { FirstRow::Header } else { FirstRow::MissingHeader }
    }

    fn parse(&mut self, rec: &StringRecord) -> Result<Option<MarketEvent>, BadRowReason> {
        fields::columns(rec, &[SIMPLE_COLUMNS.len()])?;
        let ns = fields::int(rec, 0, "ts")?;
        if ns < 0 {
            return Err(BadRowReason::TimestampOutOfRange { column: "ts", value: fields::field(rec, 0).to_owned() });
        }
        let symbol = fields::field(rec, 1);
        if symbol.is_empty() {
            return Err(BadRowReason::EmptySymbol);
        }
        let price = fields::price(rec, 2, "price")?;
        let size = fields::trade_size(rec, 3, "size")?;
        if self.only.as_ref().is_some_and(|only| only.as_str() != symbol) {
            return Ok(None);
        }
        Ok(Some(MarketEvent::Trade(Trade {
            instrument: self.instrument(symbol),
            ts: Timestamp(ns),
            price: Price(price),
            size: Quantity(size),
        })))
    }
}

/// Streams [`MarketEvent::Trade`]s from a file in the simple format (see the
/// module documentation), one row at a time.
pub struct SimpleCsvReader<R: Read> {
    inner: CsvEvents<R, Simple>,
}

impl<R: Read> SimpleCsvReader<R> {
    /// Read `input`, called `file` in reports, as trades on `venue`; with
    /// `only`, keep that symbol's rows alone.
    pub fn new(input: R, file: impl Into<String>, venue: Venue, only: Option<Symbol>, options: ReaderOptions) -> Self {
        SimpleCsvReader { inner: CsvEvents::new(input, file.into(), Simple { venue, only, last: None }, options) }
    }
}

impl SimpleCsvReader<File> {
    /// Open the file at `path`.
    pub fn open(
        path: &Path,
        venue: Venue,
        only: Option<Symbol>,
        options: ReaderOptions,
    ) -> Result<Self, MarketDataError> {
        let file = path.display().to_string();
        let input = File::open(path).map_err(|source| MarketDataError::Io { file: file.clone(), source })?;
        Ok(SimpleCsvReader::new(input, file, venue, only, options))
    }
}

impl<R: Read> Iterator for SimpleCsvReader<R> {
    type Item = Result<MarketEvent, MarketDataError>;

    fn next(&mut self) -> Option<Self::Item> {
        self.inner.next()
    }
}

impl<R: Read> EventSource for SimpleCsvReader<R> {
    fn stats(&self) -> &ReadStats {
        self.inner.stats()
    }
}
