//! The strategy component in the pipeline: the slots it reads and whether
//! it is still trusted.

use super::checkpoint::{CheckpointError, NodeCheckpoint};
use super::model_node::NodeState;
use crate::runtime::{LoadedComponent, PluginError};
use crate::strategy::{Decision, StrategyComponent, Tick};
use crate::telemetry::PluginFaultMetrics;
use std::sync::OnceLock;

/// The strategy, wired.
pub struct StrategyNode {
    /// Its name (`describe`).
    pub name: String,
    /// Instrument index of each leg, in the strategy's leg order.
    pub legs: Vec<usize>,
    /// Board slot of each signal, in the strategy's signal order.
    pub signals: Vec<usize>,
    /// Ticks it observes before it may trade, if its `warm-up` export
    /// (WIT 0.1.1) says; `None` for a strategy without one.
    pub warm_up_ticks: Option<u32>,
    /// Running or disabled.
    pub state: NodeState,
    /// Ticks it refused (guest errors).
    pub errors: u64,
    /// The [`PluginError::kind`] of the fault that disabled it (`trap`,
    /// `timeout`, `out_of_memory`), when this node saw one.
    pub fault: Option<&'static str>,
    /// Where each call into the component is timed
    /// (`hft_plugin_call_seconds`), when set.
    pub calls: Option<crate::telemetry::Histogram>,
    metrics: OnceLock<PluginFaultMetrics>,
    /// The instance while the node is active; dropped when it faults, so a
    /// quarantined strategy (a memory hog at its cap) holds no memory.
    component: Option<StrategyComponent>,
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
            warm_up_ticks: None,
            state: NodeState::Active,
            errors: 0,
            fault: None,
            calls: None,
            metrics: OnceLock::new(),
            component: Some(component),
            loaded,
            tick: Tick { ts_ns: 0, equity: 0.0, values: Vec::with_capacity(n) },
        }
    }

    /// Count this strategy's fault, when it faults, in `metrics`
    /// (`hft_plugin_traps_total{kind}`, `hft_plugin_quarantined_total`).
    /// Takes `&self` so that an owner that sees the node only through
    /// [`Pipeline::wiring`](super::Pipeline::wiring), such as the
    /// orchestrator once it has built a challenger, can attach it. The
    /// first attachment stays; returns whether this one did.
    pub fn count_faults_in(&self, metrics: PluginFaultMetrics) -> bool {
        self.metrics.set(metrics).is_ok()
    }

    /// Everything needed to continue the strategy exactly.
    pub fn checkpoint(&mut self) -> Result<NodeCheckpoint, CheckpointError> {
        let (snapshot, disabled) = match (&self.state, self.component.as_mut()) {
            (NodeState::Active, Some(c)) => {
                (Some(c.snapshot().map_err(|e| CheckpointError::Component(self.name.clone(), e))?), None)
            }
            (NodeState::Disabled(why), _) => (None, Some(why.clone())),
            (NodeState::Active, None) => {
                return Err(CheckpointError::Mismatch(format!("strategy {}: active without an instance", self.name)));
            }
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
                self.component = Some(
                    StrategyComponent::restore(&self.loaded, bytes)
                        .map_err(|e| CheckpointError::Component(self.name.clone(), e))?,
                );
                self.state = NodeState::Active;
            }
            (None, Some(why)) => {
                self.state = NodeState::Disabled(why.clone());
                self.component = None;
            }
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
        let Some(component) = self.component.as_mut().filter(|_| self.state == NodeState::Active) else {
            return DecideOutcome::Disabled;
        };
        let t = &mut self.tick;
        t.ts_ns = ts_ns;
        t.equity = equity;
        t.values.clear();
        t.values.extend(self.legs.iter().map(|&l| prices[l]));
        t.values.extend(self.legs.iter().map(|&l| positions[l]));
        t.values.extend(self.signals.iter().map(|&s| board[s]));
        let started = self.calls.as_ref().map(|_| std::time::Instant::now());
        let result = component.on_tick(&self.tick);
        if let (Some(h), Some(t)) = (&self.calls, started) {
            h.observe_duration(t.elapsed());
        }
        match result {
            Ok(d) => DecideOutcome::Decided(d),
            Err(PluginError::Guest(e)) => {
                self.errors += 1;
                DecideOutcome::Refused(e.to_string())
            }
            Err(e) => {
                let why = e.to_string();
                let kind = e.kind();
                tracing::warn!(
                    strategy = %self.name,
                    sha256 = %self.loaded.sha256.get(..12).unwrap_or_default(),
                    kind,
                    error = %why,
                    "strategy component faulted: quarantined, never entered again"
                );
                if let Some(m) = self.metrics.get() {
                    m.fault(kind);
                }
                self.fault = Some(kind);
                self.state = NodeState::Disabled(why.clone());
                self.component = None;
                DecideOutcome::Faulted(why)
            }
        }
    }
}
