//! Binance public-data klines (candlesticks), as published on
//! <https://data.binance.vision> (`spot/daily/klines/BTCUSDT/1m/...`).
//!
//! Twelve columns, with or without a header row (detected: a first row whose
//! first field is a name such as `open_time` is a header):
//!
//! | # | column                  | use                                   |
//! |---|-------------------------|---------------------------------------|
//! | 0 | open_time               | [`Bar::open_ts`]                      |
//! | 1 | open                    | [`Bar::open`]                         |
//! | 2 | high                    | [`Bar::high`]                         |
//! | 3 | low                     | [`Bar::low`]                          |
//! | 4 | close                   | [`Bar::close`]                        |
//! | 5 | volume                  | [`Bar::volume`] (base asset)          |
//! | 6 | close_time              | [`Bar::ts`]                           |
//! | 7 | quote_asset_volume      | checked numeric, not kept             |
//! | 8 | number_of_trades        | checked integer, not kept             |
//! | 9 | taker_buy_base_volume   | checked numeric, not kept             |
//! | 10| taker_buy_quote_volume  | checked numeric, not kept             |
//! | 11| ignore                  | not read                              |
//!
//! Times are milliseconds, or microseconds in spot files from 2025 on; the
//! unit is detected per value by magnitude ([`BinanceTimeUnit`]).
//!
//! **Close-time convention.** Binance's `close_time` is the last instant
//! inside the bar (`open_time + interval - 1` in the file's unit, e.g.
//! `...59999` for a 1-minute bar in ms). [`Bar::ts`] is that value as printed:
//! one unit is *not* added, so the bar is known at `close_time`, before the
//! next bar's `open_time`. Replays that mix bars with trades therefore place
//! a bar before any trade stamped at the next bar's open.
//!
//! Checks per row: twelve columns; numeric fields; prices positive; high not
//! below low; open and close inside [low, high]; volumes not negative;
//! close time not before open time; close time not before the previous row's.

#[cfg(doc)]
use super::BinanceTimeUnit;
use super::csv_rows::{CsvEvents, FirstRow, RowFormat};
use super::fields;
use super::{BadRowReason, Bar, EventSource, MarketDataError, MarketEvent, ReadStats, ReaderOptions};
use crate::domain::{InstrumentId, Price, Quantity};
use csv::StringRecord;
use std::fs::File;
use std::io::Read;
use std::path::Path;

/// The columns of a Binance klines file, in order; also the header the
/// synthetic writer prints.
pub const KLINES_COLUMNS: [&str; 12] = [
    "open_time",
    "open",
    "high",
    "low",
    "close",
    "volume",
    "close_time",
    "quote_volume",
    "count",
    "taker_buy_volume",
    "taker_buy_quote_volume",
    "ignore",
];

struct Klines {
    instrument: InstrumentId,
}

impl RowFormat for Klines {
    fn first_row(&self, rec: &StringRecord) -> FirstRow {
        if fields::looks_like_header(rec) { FirstRow::Header } else { FirstRow::Data }
    }

    fn parse(&mut self, rec: &StringRecord) -> Result<Option<MarketEvent>, BadRowReason> {
        fields::columns(rec, &[KLINES_COLUMNS.len()])?;
        let open_ts = fields::binance_ts(rec, 0, "open_time")?;
        let open = fields::price(rec, 1, "open")?;
        let high = fields::price(rec, 2, "high")?;
        let low = fields::price(rec, 3, "low")?;
        let close = fields::price(rec, 4, "close")?;
        let volume = fields::volume(rec, 5, "volume")?;
        let ts = fields::binance_ts(rec, 6, "close_time")?;
        fields::volume(rec, 7, "quote_asset_volume")?;
        fields::int(rec, 8, "number_of_trades")?;
        fields::volume(rec, 9, "taker_buy_base_volume")?;
        fields::volume(rec, 10, "taker_buy_quote_volume")?;
        if high < low {
            return Err(BadRowReason::HighBelowLow {
                high: fields::field(rec, 2).to_owned(),
                low: fields::field(rec, 3).to_owned(),
            });
        }
        for (column, idx, value) in [("open", 1, open), ("close", 4, close)] {
            if value < low || value > high {
                return Err(BadRowReason::OutsideRange {
                    column,
                    value: fields::field(rec, idx).to_owned(),
                    low: fields::field(rec, 3).to_owned(),
                    high: fields::field(rec, 2).to_owned(),
                });
            }
        }
        if ts < open_ts {
            return Err(BadRowReason::CloseBeforeOpen { open: open_ts, close: ts });
        }
        Ok(Some(MarketEvent::Bar(Bar {
            instrument: self.instrument.clone(),
            ts,
            open_ts,
            open: Price(open),
            high: Price(high),
            low: Price(low),
            close: Price(close),
            volume: Quantity(volume),
        })))
    }
}

/// Streams [`MarketEvent::Bar`]s from a Binance klines CSV, one row at a
/// time. Binance files carry no symbol, so the instrument is given.
pub struct KlinesReader<R: Read> {
    inner: CsvEvents<R, Klines>,
}

impl<R: Read> KlinesReader<R> {
    /// Read `input`, called `file` in reports, as bars of `instrument`.
    pub fn new(input: R, file: impl Into<String>, instrument: InstrumentId, options: ReaderOptions) -> Self {
        KlinesReader { inner: CsvEvents::new(input, file.into(), Klines { instrument }, options) }
    }
}

impl KlinesReader<File> {
    /// Open the file at `path`.
    pub fn open(path: &Path, instrument: InstrumentId, options: ReaderOptions) -> Result<Self, MarketDataError> {
        let file = path.display().to_string();
        let input = File::open(path).map_err(|source| MarketDataError::Io { file: file.clone(), source })?;
        Ok(KlinesReader::new(input, file, instrument, options))
    }
}

impl<R: Read> Iterator for KlinesReader<R> {
    type Item = Result<MarketEvent, MarketDataError>;

    fn next(&mut self) -> Option<Self::Item> {
        self.inner.next()
    }
}

impl<R: Read> EventSource for KlinesReader<R> {
    fn stats(&self) -> &ReadStats {
        self.inner.stats()
    }
}
