//! The risk manager's checkpoint: everything [`super::RiskManager`] needs to
//! continue exactly after the process that ran it crashed (distributed
//! mode saves one with every pipeline checkpoint and restores from it).

use super::config::RiskConfigError;
use super::rejection::RejectReason;
use super::state::{Mode, RiskState, Transition, Trigger};
use crate::domain::{Money, OrderId, Timestamp};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use thiserror::Error;

/// The state machine's mode with its sub-state, as data.
///
/// [`RiskState`] alone is not enough to continue: a REDUCING caused by the
/// daily loss alone is lifted by a new UTC day, one that drawdown
/// contributed to is not.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case", deny_unknown_fields)]
pub enum RiskModeState {
    /// ACTIVE.
    Active,
    /// REDUCING.
    Reducing {
        /// Whether drawdown contributed (then a new day does not lift it).
        by_drawdown: bool,
    },
    /// HALTED. Why is the `reason` of the last transition in the log.
    Halted,
}

impl RiskModeState {
    /// The public state this mode is in.
    pub fn state(self) -> RiskState {
        Mode::from(self).state()
    }
}

impl From<Mode> for RiskModeState {
    fn from(m: Mode) -> RiskModeState {
        match m {
            Mode::Active => RiskModeState::Active,
            Mode::Reducing { by_drawdown } => RiskModeState::Reducing { by_drawdown },
            Mode::Halted => RiskModeState::Halted,
        }
    }
}

impl From<RiskModeState> for Mode {
    fn from(m: RiskModeState) -> Mode {
        match m {
            RiskModeState::Active => Mode::Active,
            RiskModeState::Reducing { by_drawdown } => Mode::Reducing { by_drawdown },
            RiskModeState::Halted => Mode::Halted,
        }
    }
}

/// A [`super::RiskManager`]'s complete state, taken with
/// [`super::RiskManager::state_snapshot`] and restored with
/// [`super::RiskManager::from_snapshot`].
///
/// Why it exists: distributed mode must survive a crash of the process that
/// runs the pipeline. Restoring this into a fresh manager and feeding it the
/// rest of the events gives exactly the decisions, counters and transitions
/// of a run that never stopped. The limits are not part of it: they are
/// configuration, given again at restore.
///
/// Every field is plain data so the encoding is stable; sets are written
/// sorted so the same state always encodes to the same bytes. Money is
/// encoded as decimal strings, which keep the scale (`"1.50"` stays
/// `"1.50"`). Unknown fields are refused when decoding: a snapshot from a
/// newer format must not lose state silently.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RiskManagerState {
    /// Format version; [`RiskManagerState::VERSION`] when written by this
    /// build, and the only one it restores.
    pub version: u32,
    /// The state machine's mode.
    pub mode: RiskModeState,
    /// Every state change so far, oldest first (the audit log).
    pub transitions: Vec<Transition>,
    /// Event times of the accepted orders the rate window still holds, in
    /// the order they were accepted (which is not necessarily time order:
    /// see [`super::RiskManager::from_snapshot`]). It may hold times already
    /// more than a second old; the next check forgets them, as it would
    /// have without the restart.
    pub rate_window: Vec<Timestamp>,
    /// Rejections so far by reason; every reason must be present.
    pub rejections: BTreeMap<RejectReason, u64>,
    /// Ids of the orders `flatten_orders` produced, ascending.
    pub flatten_ids: Vec<OrderId>,
    /// Highest equity seen since the start or the last reset.
    pub peak: Option<Money>,
    /// UTC day number of the last equity reading.
    pub day: Option<i64>,
    /// Equity at the start of that day.
    pub day_open: Money,
    /// The last equity reading.
    pub last_equity: Option<Money>,
}

impl RiskManagerState {
    /// The format version this build writes and restores.
    pub const VERSION: u32 = 1;
}

/// Why a [`RiskManagerState`] cannot be restored. Each variant names a
/// state that no run of the manager could have reached, so the snapshot is
/// corrupt or was edited; restoring it would make decisions no live run
/// would make.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum RiskRestoreError {
    /// The limits given with the snapshot are invalid.
    #[error(transparent)]
    Limits(#[from] RiskConfigError),
    /// The snapshot was written in a format this build does not read.
    #[error("risk snapshot version {found} is not supported (this build reads version {supported})")]
    UnsupportedVersion {
        /// The snapshot's version.
        found: u32,
        /// [`RiskManagerState::VERSION`].
        supported: u32,
    },
    /// A rejection counter is missing (a live manager counts every reason,
    /// zero or not).
    #[error("risk snapshot has no rejection counter for {0}")]
    MissingRejectReason(RejectReason),
    /// A logged transition cannot follow the ones before it: its `from` is
    /// not where the log was, or the transition table cannot produce it.
    #[error("risk snapshot transition {index} ({from} -> {to} on {reason}) cannot follow the log before it", from = .transition.from, to = .transition.to, reason = .transition.reason)]
    ImpossibleTransition {
        /// Position in the log, from 0.
        index: usize,
        /// The entry.
        transition: Transition,
    },
    /// The mode is not one the transition log can lead to (for example
    /// HALTED with no transition into it, or a REDUCING attributed to the
    /// daily loss alone when drawdown caused it).
    #[error("risk snapshot mode {mode:?} is not where its transition log leads")]
    ModeNotReachable {
        /// The snapshot's mode.
        mode: RiskModeState,
    },
    /// The flatten ids are not strictly ascending (unsorted or duplicated).
    #[error("risk snapshot flatten ids are not strictly ascending: {next} follows {previous}")]
    FlattenIdsNotAscending {
        /// The earlier id.
        previous: OrderId,
        /// The id after it.
        next: OrderId,
    },
    /// `peak`, `day` and `last_equity` are set together by the first equity
    /// reading, and `day_open` is zero before it.
    #[error(
        "risk snapshot equity fields disagree: peak, day and last_equity must be all set or all unset (day_open zero when unset)"
    )]
    IncompleteEquity,
    /// The peak is below the last reading, which it always includes.
    #[error("risk snapshot peak {peak} is below the last equity {last_equity}")]
    PeakBelowEquity {
        /// The snapshot's peak.
        peak: Money,
        /// The snapshot's last equity.
        last_equity: Money,
    },
}

/// Every trigger (a unit test keeps the list complete).
const TRIGGERS: [Trigger; 7] = [
    Trigger::DrawdownReduce,
    Trigger::DrawdownHalt,
    Trigger::DailyLoss,
    Trigger::EquityUnusable,
    Trigger::Kill,
    Trigger::NewDay,
    Trigger::Resume,
];

/// Add every mode reachable from `modes` without a logged transition
/// (triggers that keep the public state but may change the sub-state).
fn close_unlogged(modes: &mut Vec<Mode>) {
    let mut i = 0;
    while i < modes.len() {
        let m = modes[i];
        for t in TRIGGERS {
            let n = m.next(t);
            if n.state() == m.state() && !modes.contains(&n) {
                modes.push(n);
            }
        }
        i += 1;
    }
}

impl RiskManagerState {
    /// Refuse a state no run of the manager could reach (the limits are
    /// checked by the caller).
    pub(super) fn validate(&self) -> Result<(), RiskRestoreError> {
        if self.version != RiskManagerState::VERSION {
            return Err(RiskRestoreError::UnsupportedVersion {
                found: self.version,
                supported: RiskManagerState::VERSION,
            });
        }
        if let Some(r) = RejectReason::ALL.into_iter().find(|r| !self.rejections.contains_key(r)) {
            return Err(RiskRestoreError::MissingRejectReason(r));
        }
        // Replay the log through the transition table from ACTIVE, keeping
        // every mode the history allows (the log records the public state,
        // not the sub-state).
        let mut possible = vec![Mode::Active];
        for (index, transition) in self.transitions.iter().enumerate() {
            close_unlogged(&mut possible);
            let mut next: Vec<Mode> = Vec::new();
            for m in &possible {
                let n = m.next(transition.reason);
                let fits = m.state() == transition.from && n.state() == transition.to && n.state() != m.state();
                if fits && !next.contains(&n) {
                    next.push(n);
                }
            }
            if next.is_empty() {
                return Err(RiskRestoreError::ImpossibleTransition { index, transition: *transition });
            }
            possible = next;
        }
        close_unlogged(&mut possible);
        if !possible.contains(&Mode::from(self.mode)) {
            return Err(RiskRestoreError::ModeNotReachable { mode: self.mode });
        }
        if let Some(w) = self.flatten_ids.windows(2).find(|w| w[0] >= w[1]) {
            return Err(RiskRestoreError::FlattenIdsNotAscending { previous: w[0], next: w[1] });
        }
        match (self.peak, self.day, self.last_equity) {
            (Some(peak), Some(_), Some(last_equity)) => {
                if peak < last_equity {
                    return Err(RiskRestoreError::PeakBelowEquity { peak, last_equity });
                }
            }
            (None, None, None) if self.day_open == Money::ZERO => {}
            _ => return Err(RiskRestoreError::IncompleteEquity),
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The match stops compiling when a trigger is added; the assertion
    /// then fails until [`TRIGGERS`] lists it.
    #[test]
    fn trigger_list_is_complete() {
        let index = |t: Trigger| match t {
            Trigger::DrawdownReduce => 0,
            Trigger::DrawdownHalt => 1,
            Trigger::DailyLoss => 2,
            Trigger::EquityUnusable => 3,
            Trigger::Kill => 4,
            Trigger::NewDay => 5,
            Trigger::Resume => 6,
        };
        let mut seen: Vec<usize> = TRIGGERS.iter().map(|t| index(*t)).collect();
        seen.sort_unstable();
        assert_eq!(seen, (0..7).collect::<Vec<_>>());
    }
}
