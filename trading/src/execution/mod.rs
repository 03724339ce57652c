//! Orders, fills and the venues that turn one into the other.

mod exchange;
mod order;

pub use exchange::{Exchange, ExchangeError};
pub use order::{Fill, Liquidity, Order, OrderKind};
