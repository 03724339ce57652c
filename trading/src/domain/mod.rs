//! Newtypes for the quantities a trading system must never mix up.
//!
//! A price is not a quantity and neither is cash; keeping them apart in the
//! type system is what lets the accounting be checked to the penny.

mod instrument;
mod money;
mod order_id;
mod price;
mod quantity;
mod side;
mod timestamp;

pub use instrument::{InstrumentId, Symbol, Venue};
pub use money::Money;
pub use order_id::OrderId;
pub use price::Price;
pub use quantity::Quantity;
pub use rust_decimal::Decimal;
pub use side::Side;
pub use timestamp::Timestamp;
