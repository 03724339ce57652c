use crate::domain::{Money, Price, Quantity, Side};
use rust_decimal::Decimal;

/// Decimal places the cost basis removed by a partial close is rounded to.
/// Any value keeps the accounting identities exact (the same amount leaves
/// the cost basis and enters realised PnL); rounding only keeps repeated
/// pro-rata divisions from filling all 28 digits of a `Decimal`.
const COST_DP: u32 = 12;

/// One instrument's holding, valued with the average-cost method.
///
/// The position keeps its cost basis (`qty * average entry price`) rather
/// than the average price itself: the average is a division and may not be
/// exact, the basis is a sum of exact products, which is what lets
/// `realised + unrealised` agree with the cash flows to the last digit.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Position {
    qty: Quantity,
    cost: Money,
    realised: Money,
    fees: Money,
}

impl Position {
    /// A position as a snapshot recorded it ([`Position::qty`],
    /// [`Position::cost_basis`], [`Position::realised`], [`Position::fees`]),
    /// to continue the books after a restart. The portfolio it goes into
    /// checks it ([`super::Portfolio::restore`]).
    pub fn from_parts(qty: Quantity, cost_basis: Money, realised: Money, fees: Money) -> Position {
        Position { qty, cost: cost_basis, realised, fees }
    }

    /// Signed quantity: positive long, negative short.
    pub fn qty(&self) -> Quantity {
        self.qty
    }

    /// Signed cost of the open quantity at its entry prices: negative for
    /// a short (the proceeds received). Zero when flat.
    pub fn cost_basis(&self) -> Money {
        self.cost
    }

    /// Average entry price of the open quantity; `None` when flat.
    pub fn avg_price(&self) -> Option<Price> {
        (!self.qty.is_zero()).then(|| Price(self.cost.0 / self.qty.0))
    }

    /// PnL locked in by closing trades, before fees.
    pub fn realised(&self) -> Money {
        self.realised
    }

    /// Fees paid on this instrument.
    pub fn fees(&self) -> Money {
        self.fees
    }

    /// Signed value of the open quantity at `mark`.
    pub fn market_value(&self, mark: Price) -> Money {
        Money::notional(self.qty, mark)
    }

    /// PnL of the open quantity if it were closed at `mark`, before fees.
    pub fn unrealised(&self, mark: Price) -> Money {
        self.market_value(mark) - self.cost
    }

    /// Book a fill of `qty` (positive) at `price` on `side`, paying `fee`.
    ///
    /// Adding to a position (or opening one) adds to the cost basis; a
    /// reducing fill takes out the basis pro rata and realises the
    /// difference to the fill price; a fill that goes through zero closes
    /// the whole position at the fill price and opens the rest on the
    /// other side at the same price.
    pub fn apply(&mut self, side: Side, qty: Quantity, price: Price, fee: Money) {
        let delta = side.signed(qty).0;
        let pos = self.qty.0;
        self.fees += fee;
        if pos.is_zero() || pos.is_sign_positive() == delta.is_sign_positive() {
            self.cost += Money(delta * price.0);
            self.qty = Quantity(pos + delta);
        } else if delta.abs() <= pos.abs() {
            let removed = if delta.abs() == pos.abs() {
                self.cost
            } else {
                Money((self.cost.0 * delta.abs() / pos.abs()).round_dp(COST_DP))
            };
            self.realised += Money(-delta * price.0) - removed;
            self.cost -= removed;
            self.qty = Quantity(pos + delta);
        } else {
            self.realised += Money(pos * price.0) - self.cost;
            let opening = pos + delta;
            self.cost = Money(opening * price.0);
            self.qty = Quantity(opening);
        }
        debug_assert!(!self.qty.is_zero() || self.cost.0 == Decimal::ZERO);
    }
}
