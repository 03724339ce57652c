use super::{
    AggTradesReader, BadRowPolicy, EventSource, KlinesReader, MarketDataError, ReaderOptions, SimpleCsvReader,
    infer_binance_symbol,
};
use crate::domain::{InstrumentId, Symbol, Venue};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// The file formats a [`SourceSpec`] can name, spelled in kebab case in
/// configuration: `binance-klines`, `binance-agg-trades`, `simple`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SourceFormat {
    /// Binance klines, read by [`KlinesReader`].
    BinanceKlines,
    /// Binance aggregate trades, read by [`AggTradesReader`].
    #[serde(alias = "binance-aggtrades")]
    BinanceAggTrades,
    /// The simple `ts,symbol,price,size` format, read by [`SimpleCsvReader`].
    Simple,
}

/// One market-data file as a pipeline configuration names it, e.g. in TOML
/// `{ path = "data/BTCUSDT-1m-2024-01-01.csv", format = "binance-klines", venue = "BINANCE", symbol = "BTCUSDT" }`.
/// It is the raw form; [`SourceSpec::open`] checks it and opens the reader.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SourceSpec {
    /// The file. Relative paths are taken from the working directory by
    /// [`SourceSpec::open`] and from a given base by [`SourceSpec::open_from`].
    pub path: PathBuf,
    /// How to read it.
    pub format: SourceFormat,
    /// The venue the data is from; files do not say.
    pub venue: Venue,
    /// Binance formats: the symbol, or `None` to infer it from the file name
    /// ([`infer_binance_symbol`]). Simple format: keep only this symbol's
    /// rows, or `None` for all.
    #[serde(default)]
    pub symbol: Option<Symbol>,
    /// What to do with bad rows; fatal unless stated.
    #[serde(default)]
    pub bad_rows: BadRowPolicy,
}

impl SourceSpec {
    /// The instrument a Binance file's events belong to: the stated symbol,
    /// else the one in the file name.
    pub fn binance_instrument(&self) -> Result<InstrumentId, MarketDataError> {
        let symbol = match &self.symbol {
            Some(symbol) => symbol.clone(),
            None => {
                infer_binance_symbol(&self.path).ok_or_else(|| MarketDataError::NoSymbol { path: self.path.clone() })?
            }
        };
        Ok(InstrumentId { venue: self.venue.clone(), symbol })
    }

    /// Open the reader for this source, relative paths from the working
    /// directory.
    pub fn open(&self) -> Result<Box<dyn EventSource + Send>, MarketDataError> {
        self.open_from(Path::new(""))
    }

    /// Open the reader for this source, relative paths from `base` (for
    /// example the directory of the configuration file).
    pub fn open_from(&self, base: &Path) -> Result<Box<dyn EventSource + Send>, MarketDataError> {
        let path = base.join(&self.path);
        let options = ReaderOptions::with_policy(self.bad_rows);
        Ok(match self.format {
            SourceFormat::BinanceKlines => Box::new(KlinesReader::open(&path, self.binance_instrument()?, options)?),
            SourceFormat::BinanceAggTrades => {
                Box::new(AggTradesReader::open(&path, self.binance_instrument()?, options)?)
            }
            SourceFormat::Simple => {
                Box::new(SimpleCsvReader::open(&path, self.venue.clone(), self.symbol.clone(), options)?)
            }
        })
    }
}
