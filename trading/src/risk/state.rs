use crate::domain::Timestamp;
use serde::{Deserialize, Serialize};
use std::fmt;

/// What the risk manager lets through.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RiskState {
    /// Every order that is within limits.
    Active,
    /// Only orders that reduce the absolute position of their instrument
    /// without flipping it.
    Reducing,
    /// Nothing, except the manager's own flattening orders if configured.
    /// Left only by an operator.
    Halted,
}

impl RiskState {
    /// Stable name for logs and metrics.
    pub fn as_str(self) -> &'static str {
        match self {
            RiskState::Active => "active",
            RiskState::Reducing => "reducing",
            RiskState::Halted => "halted",
        }
    }
}

impl fmt::Display for RiskState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What can move the risk state: the reasons in the transition log.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Trigger {
    /// Drawdown reached `reduce_at * max_drawdown`.
    DrawdownReduce,
    /// Drawdown reached `max_drawdown`.
    DrawdownHalt,
    /// The loss since the start of the UTC day reached the daily limit.
    DailyLoss,
    /// Equity cannot be evaluated (peak equity not positive): fail closed.
    EquityUnusable,
    /// The kill switch.
    Kill,
    /// A new UTC day began (event time).
    NewDay,
    /// An operator resumed trading.
    Resume,
}

impl Trigger {
    /// Stable name for logs and metrics.
    pub fn as_str(self) -> &'static str {
        match self {
            Trigger::DrawdownReduce => "drawdown_reduce",
            Trigger::DrawdownHalt => "drawdown_halt",
            Trigger::DailyLoss => "daily_loss",
            Trigger::EquityUnusable => "equity_unusable",
            Trigger::Kill => "kill",
            Trigger::NewDay => "new_day",
            Trigger::Resume => "resume",
        }
    }
}

impl fmt::Display for Trigger {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One entry of the audit log of state changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Transition {
    /// Event time of the change.
    pub ts: Timestamp,
    /// State before.
    pub from: RiskState,
    /// State after.
    pub to: RiskState,
    /// What caused it.
    pub reason: Trigger,
}

/// The machine's full state: [`RiskState`] plus, while reducing, whether
/// drawdown contributed (only a reduction caused by the daily loss alone
/// is lifted by a new day).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Mode {
    Active,
    Reducing { by_drawdown: bool },
    Halted,
}

impl Mode {
    /// The public state.
    pub(super) fn state(self) -> RiskState {
        match self {
            Mode::Active => RiskState::Active,
            Mode::Reducing { .. } => RiskState::Reducing,
            Mode::Halted => RiskState::Halted,
        }
    }

    /// The transition table. Every pair not listed keeps the mode.
    pub(super) fn next(self, trigger: Trigger) -> Mode {
        use Trigger::*;
        match (self, trigger) {
            (Mode::Halted, Resume) => Mode::Active,
            (Mode::Halted, _) => Mode::Halted,
            (_, Kill | DrawdownHalt | EquityUnusable) => Mode::Halted,
            (Mode::Active | Mode::Reducing { .. }, DrawdownReduce) => Mode::Reducing { by_drawdown: true },
            (Mode::Active, DailyLoss) => Mode::Reducing { by_drawdown: false },
            (Mode::Reducing { by_drawdown: false }, NewDay) => Mode::Active,
            (Mode::Reducing { .. }, Resume) => Mode::Active,
            (mode @ (Mode::Active | Mode::Reducing { .. }), DailyLoss | NewDay | Resume) => mode,
        }
    }
}
