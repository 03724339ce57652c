use crate::domain::{InstrumentId, Money, OrderId};
use thiserror::Error;

/// Why the portfolio cannot do what was asked.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum PortfolioError {
    /// A fill that would corrupt the books (non-positive quantity or price).
    /// Refused before anything changes.
    #[error("invalid fill for {order_id}: {reason}")]
    InvalidFill {
        /// The fill's order.
        order_id: OrderId,
        /// What is wrong with it.
        reason: String,
    },
    /// An open position has no price to value it at: a valuation that
    /// guessed one would hide risk, so there is none.
    #[error("no mark price for open position in {0}")]
    NoMark(InstrumentId),
}

/// One way the books disagree with themselves.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum Mismatch {
    /// Cash differs from the initial cash plus the sum of fill cash flows.
    #[error("cash {cash} != initial + sum of fill cash flows {expected}")]
    Cash {
        /// Cash on the books.
        cash: Money,
        /// Initial cash plus every fill's `cash_flow()`.
        expected: Money,
    },
    /// Total fees differ from the sum of the per-instrument fees.
    #[error("fees {total} != sum over instruments {by_instrument}")]
    Fees {
        /// Total fees on the books.
        total: Money,
        /// Sum of the positions' fees.
        by_instrument: Money,
    },
    /// Equity differs from initial + realised + unrealised - fees.
    #[error("equity {equity} != initial + realised + unrealised - fees {expected}")]
    Equity {
        /// Cash plus the market value of the positions.
        equity: Money,
        /// Initial cash plus PnL minus fees.
        expected: Money,
    },
    /// A flat position still carries a cost basis.
    #[error("flat position in {instrument} has cost basis {cost}")]
    FlatCost {
        /// The instrument.
        instrument: InstrumentId,
        /// The leftover basis.
        cost: Money,
    },
    /// Equity cannot be checked: an open position has no mark.
    #[error("no mark price for open position in {0}")]
    NoMark(InstrumentId),
}

/// The books do not reconcile; every mismatch found is listed.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
#[error("accounting does not reconcile: {}", list(.mismatches))]
pub struct ReconcileError {
    /// What disagrees, in the order it was checked.
    pub mismatches: Vec<Mismatch>,
}

fn list(m: &[Mismatch]) -> String {
    m.iter().map(ToString::to_string).collect::<Vec<_>>().join("; ")
}
