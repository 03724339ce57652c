//! Accounting: cash, positions, realised and unrealised PnL and fees, kept
//! exact in [`rust_decimal`] so that the books reconcile to the last digit.
//!
//! Two identities hold after any sequence of fills and marks, and
//! [`Portfolio::reconcile`] checks them:
//!
//! * `cash == initial + Σ fill.cash_flow()`
//! * `equity == initial + realised + unrealised − fees`, where
//!   `equity = cash + Σ qty × mark`.
//!
//! Realised PnL uses the average-cost method, fees are kept apart from it.
//!
//! Checkpoints: [`Portfolio::state_snapshot`] captures the books as a
//! [`PortfolioState`] and [`Portfolio::from_snapshot`] continues from it
//! through [`Portfolio::restore`], so distributed mode survives a crash of
//! the pipeline process with books that continue to the last digit.

mod error;
mod position;
mod snapshot;

pub use error::{Mismatch, PortfolioError, ReconcileError};
pub use position::Position;
pub use snapshot::{MarkState, PortfolioRestoreError, PortfolioState, PositionState};

use crate::domain::{InstrumentId, Money, Price, Quantity};
use crate::execution::Fill;
use crate::market::MarketEvent;
use std::collections::BTreeMap;

/// The account of one run: cash and a position per instrument.
///
/// Maps are ordered by instrument so iteration, and anything derived from
/// it, is deterministic.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Portfolio {
    initial_cash: Money,
    cash: Money,
    /// Σ `fill.cash_flow()`, kept apart from `cash` so reconciliation
    /// compares two independent sums.
    net_flows: Money,
    fees: Money,
    positions: BTreeMap<InstrumentId, Position>,
    marks: BTreeMap<InstrumentId, Price>,
}

impl Portfolio {
    /// An account holding `initial_cash` and no positions.
    pub fn new(initial_cash: Money) -> Portfolio {
        Portfolio {
            initial_cash,
            cash: initial_cash,
            net_flows: Money::ZERO,
            fees: Money::ZERO,
            positions: BTreeMap::new(),
            marks: BTreeMap::new(),
        }
    }

    /// The books as a snapshot recorded them, to continue after a restart:
    /// the starting and current cash, each instrument's position, and the
    /// last marks. Total fees are the positions' fees; the fill cash flows
    /// so far are taken as `cash - initial_cash` (the snapshot is trusted
    /// for its past, and every fill after it is checked as usual). Refused,
    /// with every mismatch named, if the parts do not reconcile: a flat
    /// position with a cost, or equity that is not initial cash plus PnL
    /// minus fees.
    pub fn restore(
        initial_cash: Money,
        cash: Money,
        positions: impl IntoIterator<Item = (InstrumentId, Position)>,
        marks: impl IntoIterator<Item = (InstrumentId, Price)>,
    ) -> Result<Portfolio, ReconcileError> {
        let positions: BTreeMap<InstrumentId, Position> = positions.into_iter().collect();
        let fees = positions.values().map(Position::fees).sum();
        let mut p =
            Portfolio { initial_cash, cash, net_flows: cash - initial_cash, fees, positions, marks: BTreeMap::new() };
        for (id, price) in marks {
            p.mark(&id, price);
        }
        p.reconcile()?;
        Ok(p)
    }

    /// Book a fill. Refuses a fill with a non-positive quantity or price,
    /// changing nothing.
    pub fn apply(&mut self, fill: &Fill) -> Result<(), PortfolioError> {
        if fill.qty <= Quantity::ZERO {
            return Err(PortfolioError::InvalidFill {
                order_id: fill.order_id,
                reason: format!("quantity must be positive, got {}", fill.qty),
            });
        }
        if !fill.price.is_positive() {
            return Err(PortfolioError::InvalidFill {
                order_id: fill.order_id,
                reason: format!("price must be positive, got {}", fill.price),
            });
        }
        let position = self.positions.entry(fill.instrument.clone()).or_default();
        position.apply(fill.side, fill.qty, fill.price, fill.fee);
        self.cash -= Money::notional(fill.side.signed(fill.qty), fill.price);
        self.cash -= fill.fee;
        self.fees += fill.fee;
        self.net_flows += fill.cash_flow();
        Ok(())
    }

    /// Record the last price of `instrument`, used to value its position.
    /// A non-positive price is ignored: it cannot be a valuation.
    pub fn mark(&mut self, instrument: &InstrumentId, price: Price) {
        if price.is_positive() {
            self.marks.insert(instrument.clone(), price);
        }
    }

    /// Mark the event's instrument at the event's price (trade price, or
    /// the bar's close).
    pub fn on_market(&mut self, event: &MarketEvent) {
        self.mark(event.instrument(), event.price());
    }

    /// Cash the run started with.
    pub fn initial_cash(&self) -> Money {
        self.initial_cash
    }

    /// Cash now.
    pub fn cash(&self) -> Money {
        self.cash
    }

    /// Total fees paid.
    pub fn fees(&self) -> Money {
        self.fees
    }

    /// Realised PnL over all instruments, before fees.
    pub fn realised(&self) -> Money {
        self.positions.values().map(Position::realised).sum()
    }

    /// The position in `instrument`, if it was ever traded.
    pub fn position(&self, instrument: &InstrumentId) -> Option<&Position> {
        self.positions.get(instrument)
    }

    /// The signed quantity held in `instrument` (zero if never traded).
    pub fn position_qty(&self, instrument: &InstrumentId) -> Quantity {
        self.positions.get(instrument).map_or(Quantity::ZERO, Position::qty)
    }

    /// Every instrument ever traded with its position, in instrument order.
    pub fn positions(&self) -> impl Iterator<Item = (&InstrumentId, &Position)> {
        self.positions.iter()
    }

    /// The last mark of `instrument`.
    pub fn last_price(&self, instrument: &InstrumentId) -> Option<Price> {
        self.marks.get(instrument).copied()
    }

    /// Unrealised PnL at the last marks, before fees. An open position
    /// without a mark is an error, never valued at a guess.
    pub fn unrealised(&self) -> Result<Money, PortfolioError> {
        self.valuation().map(|(_, unrealised)| unrealised).map_err(PortfolioError::NoMark)
    }

    /// Cash plus the market value of every position at the last marks.
    pub fn equity(&self) -> Result<Money, PortfolioError> {
        self.valuation().map(|(value, _)| self.cash + value).map_err(PortfolioError::NoMark)
    }

    /// Market value and unrealised PnL of the open positions, or the first
    /// instrument that has no mark.
    fn valuation(&self) -> Result<(Money, Money), InstrumentId> {
        let mut value = Money::ZERO;
        let mut unrealised = Money::ZERO;
        for (id, p) in self.positions.iter().filter(|(_, p)| !p.qty().is_zero()) {
            let mark = self.marks.get(id).copied().ok_or_else(|| id.clone())?;
            value += p.market_value(mark);
            unrealised += p.unrealised(mark);
        }
        Ok((value, unrealised))
    }

    /// Check that the books agree with themselves exactly (see the module
    /// docs); every disagreement found is reported.
    pub fn reconcile(&self) -> Result<(), ReconcileError> {
        let mut mismatches = Vec::new();
        let expected_cash = self.initial_cash + self.net_flows;
        if self.cash != expected_cash {
            mismatches.push(Mismatch::Cash { cash: self.cash, expected: expected_cash });
        }
        let by_instrument: Money = self.positions.values().map(Position::fees).sum();
        if self.fees != by_instrument {
            mismatches.push(Mismatch::Fees { total: self.fees, by_instrument });
        }
        for (id, p) in &self.positions {
            if p.qty().is_zero() && p.cost_basis() != Money::ZERO {
                mismatches.push(Mismatch::FlatCost { instrument: id.clone(), cost: p.cost_basis() });
            }
        }
        match self.valuation() {
            Ok((value, unrealised)) => {
                let equity = self.cash + value;
                let expected = self.initial_cash + self.realised() + unrealised - self.fees;
                if equity != expected {
                    mismatches.push(Mismatch::Equity { equity, expected });
                }
            }
            Err(id) => mismatches.push(Mismatch::NoMark(id)),
        }
        if mismatches.is_empty() { Ok(()) } else { Err(ReconcileError { mismatches }) }
    }
}
