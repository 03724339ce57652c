use serde::{Deserialize, Serialize};
use std::fmt;
use std::sync::Arc;

/// A venue name such as `BINANCE`. Cheap to clone: events carry it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Venue(pub Arc<str>);

/// A venue's symbol such as `BTCUSDT`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Symbol(pub Arc<str>);

impl Venue {
    /// A venue by name.
    pub fn new(s: &str) -> Venue {
        Venue(Arc::from(s))
    }
}

impl Symbol {
    /// A symbol by name.
    pub fn new(s: &str) -> Symbol {
        Symbol(Arc::from(s))
    }

    /// The name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// What an event or an order is about: a symbol on a venue. The same symbol
/// on two venues is two instruments.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct InstrumentId {
    /// Where it trades.
    pub venue: Venue,
    /// What the venue calls it.
    pub symbol: Symbol,
}

impl InstrumentId {
    /// `symbol` on `venue`.
    pub fn new(venue: &str, symbol: &str) -> InstrumentId {
        InstrumentId { venue: Venue::new(venue), symbol: Symbol::new(symbol) }
    }
}

impl fmt::Display for Venue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Display for Symbol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Display for InstrumentId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.venue, self.symbol)
    }
}
