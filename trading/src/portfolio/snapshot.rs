//! The portfolio's checkpoint: the books as exact decimals, restored
//! through [`Portfolio::restore`] so a checkpoint that does not reconcile is
//! refused.

use super::{Portfolio, Position, ReconcileError};
use crate::domain::{InstrumentId, Money, Price, Quantity};
use serde::{Deserialize, Serialize};
use thiserror::Error;

/// One instrument's holding in a [`PortfolioState`]: the parts
/// [`Position::from_parts`] takes.
///
/// The average entry price is `cost_basis / qty`; the basis is stored
/// rather than the average because it is an exact sum, the average a
/// division that may not be.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PositionState {
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

/// The last price of one instrument in a [`PortfolioState`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MarkState {
    /// The instrument.
    pub instrument: InstrumentId,
    /// Its last price (positive).
    pub price: Price,
}

/// A [`Portfolio`]'s complete state, taken with
/// [`Portfolio::state_snapshot`] and restored with
/// [`Portfolio::from_snapshot`].
///
/// Why it exists: distributed mode must survive a crash of the process that
/// runs the pipeline, and the books must continue to the last digit.
/// Unlike a report of the account, it keeps the marks of every instrument
/// seen, traded or not (the pipeline reads them as the price of the next
/// order). Total fees and realised PnL are the sums over the positions and
/// are not stored twice. Positions and marks are in instrument order, so
/// the same books always encode to the same bytes; unknown fields are
/// refused when decoding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PortfolioState {
    /// Format version; [`PortfolioState::VERSION`] when written by this
    /// build, and the only one it restores.
    pub version: u32,
    /// Cash the run started with.
    pub initial_cash: Money,
    /// Cash now.
    pub cash: Money,
    /// Every instrument ever traded, strictly ascending by instrument.
    pub positions: Vec<PositionState>,
    /// Every instrument with a mark, strictly ascending by instrument.
    pub marks: Vec<MarkState>,
}

impl PortfolioState {
    /// The format version this build writes and restores.
    pub const VERSION: u32 = 1;
}

/// Why a [`PortfolioState`] cannot be restored.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum PortfolioRestoreError {
    /// The snapshot was written in a format this build does not read.
    #[error("portfolio snapshot version {found} is not supported (this build reads version {supported})")]
    UnsupportedVersion {
        /// The snapshot's version.
        found: u32,
        /// [`PortfolioState::VERSION`].
        supported: u32,
    },
    /// The positions are not strictly ascending by instrument (unsorted or
    /// an instrument twice).
    #[error("portfolio snapshot positions are not strictly ascending: {next} follows {previous}")]
    PositionsNotAscending {
        /// The earlier instrument.
        previous: InstrumentId,
        /// The instrument after it.
        next: InstrumentId,
    },
    /// The marks are not strictly ascending by instrument.
    #[error("portfolio snapshot marks are not strictly ascending: {next} follows {previous}")]
    MarksNotAscending {
        /// The earlier instrument.
        previous: InstrumentId,
        /// The instrument after it.
        next: InstrumentId,
    },
    /// A mark that is not positive: the portfolio never keeps one, and
    /// restoring would drop it silently.
    #[error("portfolio snapshot mark {price} for {instrument} is not positive")]
    InvalidMark {
        /// The instrument.
        instrument: InstrumentId,
        /// The mark.
        price: Price,
    },
    /// The books do not reconcile ([`Portfolio::restore`]).
    #[error(transparent)]
    Reconcile(#[from] ReconcileError),
}

impl Portfolio {
    /// The books' complete state, for a checkpoint: distributed mode saves
    /// it so that a crash of the pipeline process can be continued from
    /// with [`Portfolio::from_snapshot`], to the last digit.
    pub fn state_snapshot(&self) -> PortfolioState {
        PortfolioState {
            version: PortfolioState::VERSION,
            initial_cash: self.initial_cash,
            cash: self.cash,
            positions: self
                .positions
                .iter()
                .map(|(id, p)| PositionState {
                    instrument: id.clone(),
                    qty: p.qty(),
                    cost_basis: p.cost_basis(),
                    realised: p.realised(),
                    fees: p.fees(),
                })
                .collect(),
            marks: self.marks.iter().map(|(id, p)| MarkState { instrument: id.clone(), price: *p }).collect(),
        }
    }

    /// The books continuing from a checkpoint taken with
    /// [`Portfolio::state_snapshot`] (crash recovery of distributed mode).
    ///
    /// Refused for another format version, positions or marks not strictly
    /// ascending by instrument, a mark that is not positive, or books that
    /// do not reconcile under [`Portfolio::restore`] (see
    /// [`PortfolioRestoreError`]). That includes books with an open
    /// position that was never marked, whose equity cannot be checked; the
    /// pipeline marks every event before booking the fills it caused, so
    /// its checkpoints do not have one.
    pub fn from_snapshot(s: PortfolioState) -> Result<Portfolio, PortfolioRestoreError> {
        if s.version != PortfolioState::VERSION {
            return Err(PortfolioRestoreError::UnsupportedVersion {
                found: s.version,
                supported: PortfolioState::VERSION,
            });
        }
        if let Some(w) = s.positions.windows(2).find(|w| w[0].instrument >= w[1].instrument) {
            return Err(PortfolioRestoreError::PositionsNotAscending {
                previous: w[0].instrument.clone(),
                next: w[1].instrument.clone(),
            });
        }
        if let Some(w) = s.marks.windows(2).find(|w| w[0].instrument >= w[1].instrument) {
            return Err(PortfolioRestoreError::MarksNotAscending {
                previous: w[0].instrument.clone(),
                next: w[1].instrument.clone(),
            });
        }
        if let Some(m) = s.marks.iter().find(|m| !m.price.is_positive()) {
            return Err(PortfolioRestoreError::InvalidMark { instrument: m.instrument.clone(), price: m.price });
        }
        let positions = s
            .positions
            .into_iter()
            .map(|p| (p.instrument, Position::from_parts(p.qty, p.cost_basis, p.realised, p.fees)));
        let marks = s.marks.into_iter().map(|m| (m.instrument, m.price));
        Ok(Portfolio::restore(s.initial_cash, s.cash, positions, marks)?)
    }
}
