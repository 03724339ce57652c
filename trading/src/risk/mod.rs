//! Pre-trade risk: the limits every order must pass before it reaches a
//! venue, and the ACTIVE → REDUCING → HALTED state machine that tightens
//! them as losses grow. The manager fails closed: an order it cannot
//! evaluate is rejected.
//!
//! Transitions (one table, [`Trigger`] is the reason logged):
//!
//! * drawdown ≥ `reduce_at × max_drawdown`, or the day's loss ≥
//!   `daily_loss_limit` → REDUCING;
//! * drawdown ≥ `max_drawdown`, the kill switch, or unusable equity →
//!   HALTED;
//! * a new UTC day → ACTIVE, if REDUCING came only from the daily loss;
//! * HALTED (and a drawdown REDUCING) last until an operator calls
//!   [`RiskManager::resume`] or [`RiskManager::reset`].
//!
//! Checkpoints: [`RiskManager::state_snapshot`] captures the whole state
//! as a [`RiskManagerState`] and [`RiskManager::from_snapshot`] continues
//! from it, so distributed mode survives a crash of the process running
//! the pipeline with the same decisions as an uninterrupted run.

mod config;
mod manager;
mod rate;
mod rejection;
mod snapshot;
mod state;

pub use config::{LimitOverride, RiskConfigError, RiskLimits, SymbolLimits};
pub use manager::{CheckContext, RiskManager};
pub use rejection::{RejectReason, Rejection};
pub use snapshot::{RiskManagerState, RiskModeState, RiskRestoreError};
pub use state::{RiskState, Transition, Trigger};
