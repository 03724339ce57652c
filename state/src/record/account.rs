use crate::name::StrategyId;
use hft_trading::domain::{InstrumentId, Money, Price, Quantity, Timestamp};
use hft_trading::portfolio::Portfolio;
use serde::{Deserialize, Serialize};

/// One instrument's holding in an [`AccountSnapshot`], with the exact
/// numbers the average-cost accounting needs to continue after a restart.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PositionSnapshot {
    /// What is held.
    pub instrument: InstrumentId,
    /// Signed quantity: positive long, negative short.
    pub qty: Quantity,
    /// Signed cost of the open quantity at its entry prices.
    pub cost_basis: Money,
    /// PnL locked in by closing trades, before fees.
    pub realised: Money,
    /// Fees paid on this instrument.
    pub fees: Money,
}

/// A strategy's books at one point of the fill stream: cash, positions,
/// PnL, fees and the last marks, all exact decimals.
///
/// `sequence` is the position in the input stream (a Kafka offset, a fill
/// count) that this snapshot includes, so a restarted process knows where
/// to resume.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountSnapshot {
    /// Whose books.
    pub strategy: StrategyId,
    /// The last input included (offset or sequence number).
    pub sequence: u64,
    /// Event time of the last change.
    pub as_of: Timestamp,
    /// Cash the strategy started with.
    pub initial_cash: Money,
    /// Cash now.
    pub cash: Money,
    /// Total fees paid.
    pub fees: Money,
    /// Realised PnL over all instruments, before fees.
    pub realised_pnl: Money,
    /// Unrealised PnL at the last marks, before fees; `None` when an open
    /// position has no mark (never valued at a guess).
    pub unrealised_pnl: Option<Money>,
    /// Every instrument ever traded, in instrument order.
    pub positions: Vec<PositionSnapshot>,
    /// The last mark of every instrument that has one, in instrument order.
    pub marks: Vec<(InstrumentId, Price)>,
}

impl AccountSnapshot {
    /// Snapshot `portfolio` as the books of `strategy` after input
    /// `sequence` at event time `as_of`.
    ///
    /// Marks are read for the traded instruments only (the portfolio does
    /// not list the instruments it merely saw).
    pub fn of_portfolio(strategy: StrategyId, sequence: u64, as_of: Timestamp, portfolio: &Portfolio) -> Self {
        let positions: Vec<PositionSnapshot> = portfolio
            .positions()
            .map(|(id, p)| PositionSnapshot {
                instrument: id.clone(),
                qty: p.qty(),
                cost_basis: p.cost_basis(),
                realised: p.realised(),
                fees: p.fees(),
            })
            .collect();
        let marks = positions
            .iter()
            .filter_map(|p| portfolio.last_price(&p.instrument).map(|m| (p.instrument.clone(), m)))
            .collect();
        AccountSnapshot {
            strategy,
            sequence,
            as_of,
            initial_cash: portfolio.initial_cash(),
            cash: portfolio.cash(),
            fees: portfolio.fees(),
            realised_pnl: portfolio.realised(),
            unrealised_pnl: portfolio.unrealised().ok(),
            positions,
            marks,
        }
    }

    /// The signed quantity held in `instrument` (zero if never traded).
    pub fn position_qty(&self, instrument: &InstrumentId) -> Quantity {
        self.positions.iter().find(|p| &p.instrument == instrument).map_or(Quantity::ZERO, |p| p.qty)
    }
}
