use crate::domain::{InstrumentId, Money, OrderId, Price, Quantity, Side, Timestamp};
use serde::{Deserialize, Serialize};

/// How an order may be filled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase", tag = "type", content = "price")]
pub enum OrderKind {
    /// At whatever the market gives (taker).
    Market,
    /// At `price` or better; rests until the market reaches it (maker).
    Limit(Price),
}

/// An order as the risk manager approved it and a venue receives it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Order {
    /// Unique id; a venue ignores an id it has already seen.
    pub id: OrderId,
    /// What to trade.
    pub instrument: InstrumentId,
    /// Which way.
    pub side: Side,
    /// How much (positive).
    pub qty: Quantity,
    /// Market or limit.
    pub kind: OrderKind,
    /// When the pipeline created it (the tick that caused it).
    pub created: Timestamp,
}

/// Whether a fill took liquidity (taker fee) or provided it (maker fee).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Liquidity {
    /// Crossed the spread.
    Taker,
    /// Rested in the book.
    Maker,
}

/// An execution: part or all of an order, at one price.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Fill {
    /// The order it belongs to.
    pub order_id: OrderId,
    /// What traded.
    pub instrument: InstrumentId,
    /// Which way.
    pub side: Side,
    /// How much (positive).
    pub qty: Quantity,
    /// At what price, slippage included.
    pub price: Price,
    /// Fee charged, in the quote currency (positive is a cost).
    pub fee: Money,
    /// Taker or maker.
    pub liquidity: Liquidity,
    /// When it filled.
    pub ts: Timestamp,
}

impl Fill {
    /// The cash this fill moves: negative for a buy, positive for a sell,
    /// net of the fee.
    pub fn cash_flow(&self) -> Money {
        let gross = Money::notional(self.qty, self.price);
        let signed = match self.side {
            Side::Buy => -gross,
            Side::Sell => gross,
        };
        signed - self.fee
    }
}
