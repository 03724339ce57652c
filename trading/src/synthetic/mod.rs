//! Synthetic market data: a seeded, realistic cointegrated crypto pair for
//! demos and tests, where the truth (regimes, hedge ratios, spread levels)
//! is known.
//!
//! [`generate`] turns a [`PairSpec`] into two legs of OHLCV bars: a common
//! random-walk factor with GARCH(1,1) volatility clustering, a second leg
//! priced off the first through a hedge ratio plus a mean-reverting
//! (Ornstein–Uhlenbeck) spread, and regime changes at known bars.
//! [`write_klines_csv`] and [`GeneratedPair::write_klines`] store the legs
//! as Binance klines CSV files, which [`crate::market::KlinesReader`] reads
//! back.
//!
//! ```
//! use hft_trading::synthetic::{generate, PairSpec};
//!
//! let mut spec = PairSpec { bars: 100, ..PairSpec::default() };
//! spec.regimes.truncate(1); // the default's later regimes start past bar 100
//! let pair = generate(&spec).unwrap();
//! assert_eq!(pair.bars_a.len(), 100);
//! assert_eq!(pair.bars_a[0].open_ts, pair.bars_b[0].open_ts);
//! ```

mod error;
mod generate;
mod klines_writer;
mod leg_bars;
mod normal;
mod spec;

pub use error::SyntheticError;
pub use generate::{GeneratedPair, Regime, generate};
pub use klines_writer::write_klines_csv;
pub use spec::{LegSpec, PairSpec, RegimeSpec};
