//! Market data: the events the pipeline replays, and readers for the
//! formats they come in.
//!
//! Each format has a streaming reader over [`csv::Reader`]:
//! [`KlinesReader`] (Binance klines, see [`binance_klines`]),
//! [`AggTradesReader`] (Binance aggTrades, see [`binance_agg_trades`]) and
//! [`SimpleCsvReader`] (`ts,symbol,price,size`, see [`simple_csv`]). They share
//! one bad-row mechanism: a row that cannot become an event is counted in
//! [`ReadStats`] with its file, 1-based line and [`BadRowReason`], then skipped
//! or made fatal by the [`BadRowPolicy`]. [`Replay`] merges sources into one
//! time-ordered stream, and [`SourceSpec`] is how a configuration names one.

pub mod binance_agg_trades;
pub mod binance_klines;
pub mod binance_ws;
pub mod simple_csv;

mod bad_row;
mod binance_time;
mod csv_rows;
mod error;
mod event;
mod event_source;
mod fields;
mod file_name;
mod options;
mod replay;
mod source_spec;
mod stats;

pub use bad_row::{BadRow, BadRowPolicy, BadRowReason};
pub use binance_agg_trades::AggTradesReader;
pub use binance_klines::{KLINES_COLUMNS, KlinesReader};
pub use binance_time::BinanceTimeUnit;
pub use binance_ws::{BinanceWsParser, WsMessage, WsParseError};
pub use error::MarketDataError;
pub use event::{Bar, MarketEvent, Trade};
pub use event_source::EventSource;
pub use file_name::infer_binance_symbol;
pub use options::ReaderOptions;
pub use replay::Replay;
pub use simple_csv::{SIMPLE_COLUMNS, SimpleCsvReader};
pub use source_spec::{SourceFormat, SourceSpec};
pub use stats::{DEFAULT_MAX_BAD_ROW_DETAILS, ReadStats};
