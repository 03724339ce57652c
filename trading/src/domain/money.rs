use super::{Price, Quantity};
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::iter::Sum;
use std::ops::{Add, AddAssign, Neg, Sub, SubAssign};

/// An amount of the quote currency: cash, fees, PnL, notional.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Money(pub Decimal);

impl Money {
    /// No money.
    pub const ZERO: Money = Money(Decimal::ZERO);

    /// Wrap a decimal amount.
    pub const fn new(d: Decimal) -> Money {
        Money(d)
    }

    /// The decimal value.
    pub const fn value(self) -> Decimal {
        self.0
    }

    /// The value of `qty` at `price`, exact.
    pub fn notional(qty: Quantity, price: Price) -> Money {
        Money(qty.0 * price.0)
    }

    /// `self * bps / 10_000`, exact: fees and slippage in basis points.
    pub fn bps(self, bps: Decimal) -> Money {
        Money(self.0 * bps / Decimal::from(10_000))
    }

    /// The amount for charts and statistics, which are `f64`.
    pub fn to_f64(self) -> f64 {
        self.0.to_f64().unwrap_or(f64::NAN)
    }

    /// The absolute amount.
    pub fn abs(self) -> Money {
        Money(self.0.abs())
    }
}

impl Add for Money {
    type Output = Money;
    fn add(self, o: Money) -> Money {
        Money(self.0 + o.0)
    }
}

impl Sub for Money {
    type Output = Money;
    fn sub(self, o: Money) -> Money {
        Money(self.0 - o.0)
    }
}

impl Neg for Money {
    type Output = Money;
    fn neg(self) -> Money {
        Money(-self.0)
    }
}

impl AddAssign for Money {
    fn add_assign(&mut self, o: Money) {
        self.0 += o.0;
    }
}

impl SubAssign for Money {
    fn sub_assign(&mut self, o: Money) {
        self.0 -= o.0;
    }
}

impl Sum for Money {
    fn sum<I: Iterator<Item = Money>>(iter: I) -> Money {
        iter.fold(Money::ZERO, |a, b| a + b)
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}
