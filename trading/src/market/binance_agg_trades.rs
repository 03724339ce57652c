//! Binance public-data aggregate trades, as published on
//! <https://data.binance.vision> (`spot/daily/aggTrades/BTCUSDT/...`).
//!
//! Eight columns (seven are accepted too: futures files have no
//! `is_best_match`), with or without a header row (detected: a first row
//! whose first field is a name such as `agg_trade_id` is a header):
//!
//! | # | column          | use                                  |
//! |---|-----------------|--------------------------------------|
//! | 0 | agg_trade_id    | checked integer, not kept            |
//! | 1 | price           | [`Trade::price`]                     |
//! | 2 | quantity        | [`Trade::size`]                      |
//! | 3 | first_trade_id  | checked integer, not kept            |
//! | 4 | last_trade_id   | checked integer, not kept            |
//! | 5 | transact_time   | [`Trade::ts`]                        |
//! | 6 | is_buyer_maker  | checked `true`/`false`, not kept     |
//! | 7 | is_best_match   | checked `true`/`false`, not kept     |
//!
//! `transact_time` is milliseconds, or microseconds in spot files from 2025
//! on; the unit is detected per value by magnitude ([`BinanceTimeUnit`]).
//!
//! Checks per row: column count; numeric and boolean fields; price
//! positive; quantity positive (a negative one is [`BadRowReason::NegativeSize`],
//! zero is [`BadRowReason::ZeroTradeSize`]); time not before the previous row's
//! (equal times are normal: one match prints several aggregates).

#[cfg(doc)]
use super::BinanceTimeUnit;
use super::csv_rows::{CsvEvents, FirstRow, RowFormat};
use super::fields;
use super::{BadRowReason, EventSource, MarketDataError, MarketEvent, ReadStats, ReaderOptions, Trade};
use crate::domain::{InstrumentId, Price, Quantity};
use csv::StringRecord;
use std::fs::File;
use std::io::Read;
use std::path::Path;

struct AggTrades {
    instrument: InstrumentId,
}

impl RowFormat for AggTrades {
    fn first_row(&self, rec: &StringRecord) -> FirstRow {
        if fields::looks_like_header(rec) { FirstRow::Header } else { FirstRow::Data }
    }

    fn parse(&mut self, rec: &StringRecord) -> Result<Option<MarketEvent>, BadRowReason> {
        fields::columns(rec, &[7, 8])?;
        fields::int(rec, 0, "agg_trade_id")?;
        let price = fields::price(rec, 1, "price")?;
        let size = fields::trade_size(rec, 2, "quantity")?;
        fields::int(rec, 3, "first_trade_id")?;
        fields::int(rec, 4, "last_trade_id")?;
        let ts = fields::binance_ts(rec, 5, "transact_time")?;
        fields::boolean(rec, 6, "is_buyer_maker")?;
        if rec.len() == 8 {
            fields::boolean(rec, 7, "is_best_match")?;
        }
        Ok(Some(MarketEvent::Trade(Trade {
            instrument: self.instrument.clone(),
            ts,
            price: Price(price),
            size: Quantity(size),
        })))
    }
}

/// Streams [`MarketEvent::Trade`]s from a Binance aggTrades CSV, one row at
/// a time. Binance files carry no symbol, so the instrument is given.
pub struct AggTradesReader<R: Read> {
    inner: CsvEvents<R, AggTrades>,
}

impl<R: Read> AggTradesReader<R> {
    /// Read `input`, called `file` in reports, as trades of `instrument`.
    pub fn new(input: R, file: impl Into<String>, instrument: InstrumentId, options: ReaderOptions) -> Self {
        AggTradesReader { inner: CsvEvents::new(input, file.into(), AggTrades { instrument }, options) }
    }
}

impl AggTradesReader<File> {
    /// Open the file at `path`.
    pub fn open(path: &Path, instrument: InstrumentId, options: ReaderOptions) -> Result<Self, MarketDataError> {
        let file = path.display().to_string();
        let input = File::open(path).map_err(|source| MarketDataError::Io { file: file.clone(), source })?;
        Ok(AggTradesReader::new(input, file, instrument, options))
    }
}

impl<R: Read> Iterator for AggTradesReader<R> {
    type Item = Result<MarketEvent, MarketDataError>;

    fn next(&mut self) -> Option<Self::Item> {
        self.inner.next()
    }
}

impl<R: Read> EventSource for AggTradesReader<R> {
    fn stats(&self) -> &ReadStats {
        self.inner.stats()
    }
}
