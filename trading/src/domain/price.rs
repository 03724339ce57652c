use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use serde::{Deserialize, Serialize};
use std::fmt;

/// A price in the quote currency per unit of the base asset, exactly as the
/// venue printed it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Price(pub Decimal);

impl Price {
    /// Wrap a decimal price.
    pub const fn new(d: Decimal) -> Price {
        Price(d)
    }

    /// The decimal value.
    pub const fn value(self) -> Decimal {
        self.0
    }

    /// The price as a model input. Lossy by design: models work in `f64`,
    /// money never does.
    pub fn to_f64(self) -> f64 {
        self.0.to_f64().unwrap_or(f64::NAN)
    }

    /// Whether the price can be traded at (strictly positive).
    pub fn is_positive(self) -> bool {
        self.0 > Decimal::ZERO
    }
}

impl fmt::Display for Price {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}
