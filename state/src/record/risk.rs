use hft_trading::domain::{Money, Timestamp};
use hft_trading::risk::{RiskManager, RiskState, Transition};
use serde::{Deserialize, Serialize};

/// The risk manager's durable state: its ACTIVE/REDUCING/HALTED state, the
/// equity figures its limits are measured against, and the audit log of
/// transitions, so that a HALTED deployment is still halted after a restart.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RiskRecord {
    /// What the manager lets through.
    pub state: RiskState,
    /// Highest equity seen (drawdown is measured from it).
    pub peak_equity: Option<Money>,
    /// PnL since the start of the current UTC day.
    pub daily_pnl: Option<Money>,
    /// Every state change so far, oldest first.
    pub transitions: Vec<Transition>,
    /// Event time of the record.
    pub as_of: Timestamp,
}

impl RiskRecord {
    /// Record what `manager` shows at `as_of`.
    pub fn of_manager(manager: &RiskManager, as_of: Timestamp) -> RiskRecord {
        RiskRecord {
            state: manager.state(),
            peak_equity: manager.peak_equity(),
            daily_pnl: manager.daily_pnl(),
            transitions: manager.transitions().to_vec(),
            as_of,
        }
    }
}
