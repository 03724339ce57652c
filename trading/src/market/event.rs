use crate::domain::{InstrumentId, Price, Quantity, Timestamp};
use serde::{Deserialize, Serialize};

/// One print on the tape.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Trade {
    /// What traded.
    pub instrument: InstrumentId,
    /// When the venue matched it.
    pub ts: Timestamp,
    /// At what price.
    pub price: Price,
    /// How much of the base asset (always positive).
    pub size: Quantity,
}

/// An OHLCV bar. `ts` is the bar's close time: the moment its values are
/// known, which is when a replay may act on them (using the open time would
/// look into the future).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Bar {
    /// What traded.
    pub instrument: InstrumentId,
    /// Close time of the bar.
    pub ts: Timestamp,
    /// Open time of the bar.
    pub open_ts: Timestamp,
    /// First price.
    pub open: Price,
    /// Highest price.
    pub high: Price,
    /// Lowest price.
    pub low: Price,
    /// Last price.
    pub close: Price,
    /// Base-asset volume.
    pub volume: Quantity,
}

/// Anything the replay or a live feed delivers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum MarketEvent {
    /// A trade.
    Trade(Trade),
    /// A completed bar.
    Bar(Bar),
}

impl MarketEvent {
    /// When the event's information became known.
    pub fn ts(&self) -> Timestamp {
        match self {
            MarketEvent::Trade(t) => t.ts,
            MarketEvent::Bar(b) => b.ts,
        }
    }

    /// What the event is about.
    pub fn instrument(&self) -> &InstrumentId {
        match self {
            MarketEvent::Trade(t) => &t.instrument,
            MarketEvent::Bar(b) => &b.instrument,
        }
    }

    /// The price a model sees and a market order fills against: the trade
    /// price, or the bar's close.
    pub fn price(&self) -> Price {
        match self {
            MarketEvent::Trade(t) => t.price,
            MarketEvent::Bar(b) => b.close,
        }
    }
}
