//! The strategy component in the pipeline: the slots it reads and whether
//! it is still trusted.

use super::checkpoint::{CheckpointError, NodeCheckpoint};
use super::model_node::NodeState;
use crate::runtime::{LoadedComponent, PluginError};
use crate::strategy::{Decision, StrategyComponent, Tick};

/// The strategy, wired.
pub struct StrategyNode {
    /// Its name (`describe`).
    pub name: String,
    /// Instrument index of each leg, in the strategy's leg order.
    pub legs: Vec<usize>,
    /// Board slot of each signal, in the strategy's signal order.
    pub signals: Vec<usize>,
    /// Running or disabled.
    pub state: NodeState,
    /// Ticks it refused (guest errors).
    pub errors: u64,
    component: StrategyComponent,
    loaded: LoadedComponent,
    tick: Tick,
}

/// What asking the strategy did.
#[derive(Debug)]
pub enum DecideOutcome {
    /// Its decision.
    Decided(Decision),
    /// Disabled; no decision.
    Disabled,
    /// It refused the tick; nothing changes.
    Refused(String),
    /// It faulted and is now disabled.
    Faulted(String),
}

impl StrategyNode {
    /// Wire `component` (made from `loaded`).
    pub fn new(
        name: String,
        loaded: LoadedComponent,
        component: StrategyComponent,
        legs: Vec<usize>,
        signals: Vec<usize>,
    ) -> StrategyNode {
        let n = 2 * legs.len() + signals.len();
        StrategyNode {
            name,
            legs,
            signals,
            state: NodeState::Active,
            errors: 0,
            component,
            loaded,
            tick: Tick { ts_ns: 0, equity: 0.0, values: Vec::with_capacity(n) },
        }
    }

    /// Everything needed to continue the strategy exactly.
    pub fn checkpoint(&mut self) -> Result<NodeCheckpoint, CheckpointError> {
        let (snapshot, disabled) = match &self.state {
            NodeState::Active => {
                (Some(self.component.snapshot().map_err(|e| CheckpointError::Component(self.name.clone(), e))?), None)
            }
            NodeState::Disabled(why) => (None, Some(why.clone())),
        };
        Ok(NodeCheckpoint {
            name: self.name.clone(),
            sha256: self.loaded.sha256.clone(),
            snapshot,
            disabled,
            steps: 0,
            errors: self.errors,
            memory: Vec::new(),
        })
    }

    /// Continue from `cp`, which must be this strategy's.
    pub fn resume(&mut self, cp: &NodeCheckpoint) -> Result<(), CheckpointError> {
        cp.expect_same(&self.name, &self.loaded.sha256, 0)?;
        match (&cp.snapshot, &cp.disabled) {
            (Some(bytes), None) => {
                self.component = StrategyComponent::restore(&self.loaded, bytes)
                    .map_err(|e| CheckpointError::Component(self.name.clone(), e))?;
                self.state = NodeState::Active;
            }
            (None, Some(why)) => self.state = NodeState::Disabled(why.clone()),
            _ => return Err(CheckpointError::Mismatch(format!("strategy {}: snapshot and state disagree", self.name))),
        }
        self.errors = cp.errors;
        Ok(())
    }

    /// Ask for a decision given each instrument's price and position and the board.
    pub fn decide(
        &mut self,
        ts_ns: i64,
        equity: f64,
        prices: &[f64],
        positions: &[f64],
        board: &[f64],
    ) -> DecideOutcome {
        if self.state != NodeState::Active {
            return DecideOutcome::Disabled;
        }
        let t = &mut self.tick;
        t.ts_ns = ts_ns;
        t.equity = equity;
        t.values.clear();
        t.values.extend(self.legs.iter().map(|&l| prices[l]));
        t.values.extend(self.legs.iter().map(|&l| positions[l]));
        t.values.extend(self.signals.iter().map(|&s| board[s]));
        match self.component.on_tick(&self.tick) {
            Ok(d) => DecideOutcome::Decided(d),
            Err(PluginError::Guest(e)) => {
                self.errors += 1;
                DecideOutcome::Refused(e.to_string())
            }
            Err(e) => {
                let why = e.to_string();
                self.state = NodeState::Disabled(why.clone());
                DecideOutcome::Faulted(why)
            }
        }
    }
}
