use super::Quantity;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::fmt;

/// Which way an order trades.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Side {
    /// Increases the position.
    Buy,
    /// Decreases the position.
    Sell,
}

impl Side {
    /// +1 for a buy, -1 for a sell: the sign a fill adds to a position.
    pub fn sign(self) -> Decimal {
        match self {
            Side::Buy => Decimal::ONE,
            Side::Sell => Decimal::NEGATIVE_ONE,
        }
    }

    /// The signed change a fill of `qty` (positive) makes to a position.
    pub fn signed(self, qty: Quantity) -> Quantity {
        Quantity(qty.0 * self.sign())
    }
}

impl fmt::Display for Side {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Side::Buy => "buy",
            Side::Sell => "sell",
        })
    }
}
