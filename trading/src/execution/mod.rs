//! Orders, fills and the venues that turn one into the other.

mod exchange;
mod order;
mod paper;

pub use exchange::{Exchange, ExchangeError};
pub use order::{Fill, Liquidity, Order, OrderKind};
pub use paper::{PaperBroker, PaperBrokerState, PaperConfig, PaperConfigError, PaperRestoreError, WorkingOrderState};
