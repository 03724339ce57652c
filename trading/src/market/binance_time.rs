use crate::domain::Timestamp;

/// The unit of a Binance timestamp. Binance printed milliseconds everywhere
/// until its spot public data switched to microseconds for files from
/// 2025-01-01 on (futures files stayed in milliseconds), and nothing in a
/// file says which it is. The unit is therefore told by magnitude, per value:
/// below 10^14 is milliseconds (10^14 ms is the year 5138), from 10^14 up to
/// 10^17 is microseconds (10^14 µs is 1973-03-03, so every real microsecond
/// stamp lands here). Anything else, negative included, is rejected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BinanceTimeUnit {
    /// Milliseconds since the epoch.
    Millis,
    /// Microseconds since the epoch.
    Micros,
}

/// Where milliseconds end and microseconds begin.
const MICROS_FROM: i64 = 100_000_000_000_000;
/// Where microseconds end: beyond this a value is neither unit.
const MICROS_UNTIL: i64 = 100_000_000_000_000_000;

impl BinanceTimeUnit {
    /// The unit of a raw Binance timestamp, or `None` when it is negative or
    /// too large to be either.
    pub fn detect(raw: i64) -> Option<BinanceTimeUnit> {
        match raw {
            0..MICROS_FROM => Some(BinanceTimeUnit::Millis),
            MICROS_FROM..MICROS_UNTIL => Some(BinanceTimeUnit::Micros),
            _ => None,
        }
    }

    /// A raw value in this unit as a [`Timestamp`] (nanoseconds).
    pub fn timestamp(self, raw: i64) -> Timestamp {
        match self {
            BinanceTimeUnit::Millis => Timestamp::from_millis(raw),
            BinanceTimeUnit::Micros => Timestamp::from_micros(raw),
        }
    }

    /// Detect the unit of `raw` and convert it; `None` when out of range.
    pub fn to_timestamp(raw: i64) -> Option<Timestamp> {
        BinanceTimeUnit::detect(raw).map(|unit| unit.timestamp(raw))
    }
}
