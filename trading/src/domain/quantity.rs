use rust_decimal::Decimal;
use rust_decimal::prelude::{FromPrimitive, ToPrimitive};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::ops::{Add, Neg, Sub};

/// An amount of the base asset. Signed: positions are negative when short,
/// order quantities are always positive and carry a [`super::Side`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Quantity(pub Decimal);

impl Quantity {
    /// No quantity.
    pub const ZERO: Quantity = Quantity(Decimal::ZERO);

    /// Wrap a decimal quantity.
    pub const fn new(d: Decimal) -> Quantity {
        Quantity(d)
    }

    /// The decimal value.
    pub const fn value(self) -> Decimal {
        self.0
    }

    /// Round a model's `f64` size toward zero onto the venue's lot `step`,
    /// which is how a target computed in floating point becomes something
    /// an exchange accepts. `None` for a non-finite size or a step that is
    /// not positive.
    pub fn from_f64_lots(size: f64, step: Decimal) -> Option<Quantity> {
        if !size.is_finite() || step <= Decimal::ZERO {
            return None;
        }
        let d = Decimal::from_f64(size)?;
        let lots = (d / step).trunc();
        Some(Quantity(lots * step))
    }

    /// The quantity as a model input.
    pub fn to_f64(self) -> f64 {
        self.0.to_f64().unwrap_or(f64::NAN)
    }

    /// The absolute amount.
    pub fn abs(self) -> Quantity {
        Quantity(self.0.abs())
    }

    /// Whether this is exactly zero.
    pub fn is_zero(self) -> bool {
        self.0.is_zero()
    }
}

impl Add for Quantity {
    type Output = Quantity;
    fn add(self, o: Quantity) -> Quantity {
        Quantity(self.0 + o.0)
    }
}

impl Sub for Quantity {
    type Output = Quantity;
    fn sub(self, o: Quantity) -> Quantity {
        Quantity(self.0 - o.0)
    }
}

impl Neg for Quantity {
    type Output = Quantity;
    fn neg(self) -> Quantity {
        Quantity(-self.0)
    }
}

impl fmt::Display for Quantity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}
