//! One model component in the pipeline: where its inputs come from, where
//! its outputs go, and whether it is still trusted.

use super::checkpoint::{CheckpointError, NodeCheckpoint};
use crate::config::InputTransform;
use crate::models::AnyModel;
use crate::models::estimate_outputs;
use crate::runtime::{LoadedComponent, ModelKind, PluginError};
use crate::telemetry::PluginFaultMetrics;
use std::sync::OnceLock;

/// Where an input's source values come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// The last price of the instrument at this index.
    Price(usize),
    /// The model-output board at this index, written by model `model`.
    Output {
        /// Index into the board.
        slot: usize,
        /// The model (in evaluation order) that writes it.
        model: usize,
    },
}

/// One model input, with the memory its transform needs.
#[derive(Debug, Clone)]
pub struct InputRef {
    /// What it reads.
    pub source: Source,
    /// How successive source values become the input.
    pub transform: InputTransform,
    /// Multiplies the transformed value.
    pub scale: f64,
    prev: Option<f64>,
}

impl InputRef {
    /// An input with no history yet.
    pub fn new(source: Source, transform: InputTransform, scale: f64) -> InputRef {
        InputRef { source, transform, scale, prev: None }
    }

    /// Feed the source's current value; the input's value, if it has one.
    /// The previous value is remembered even when the result is unusable,
    /// so a transform always differences consecutive source values.
    pub fn feed(&mut self, v: f64) -> Option<f64> {
        if !v.is_finite() {
            return None;
        }
        let out = self.transform.apply(v, self.prev).map(|x| x * self.scale);
        self.prev = Some(v);
        out.filter(|x| x.is_finite())
    }
}

/// Whether a node still runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NodeState {
    /// Updating on every tick its inputs change.
    Active,
    /// Stopped after a fault (trap, timeout, memory); the reason is kept
    /// for the report. Its outputs read NaN from then on.
    Disabled(String),
}

/// A model component wired into the pipeline.
pub struct ModelNode {
    /// The model's name in `[models]`.
    pub name: String,
    /// Its kind.
    pub kind: ModelKind,
    /// Inputs in the order of [`ModelKind::inputs`].
    pub inputs: Vec<InputRef>,
    /// First slot of its outputs on the board ([`ModelKind::outputs`] order).
    pub offset: usize,
    /// Guest errors (bad input, numerical) that skipped a step.
    pub errors: u64,
    /// Steps taken.
    pub steps: u64,
    /// Running or disabled.
    pub state: NodeState,
    /// The [`PluginError::kind`] of the fault that disabled it (`trap`,
    /// `timeout`, `out_of_memory`), when this node saw one.
    pub fault: Option<&'static str>,
    /// Where each call into the component is timed
    /// (`hft_plugin_call_seconds`), when set.
    pub calls: Option<crate::telemetry::Histogram>,
    metrics: OnceLock<PluginFaultMetrics>,
    /// The instance while the node is active; dropped when it faults, so a
    /// quarantined model (a memory hog at its cap) holds no memory.
    model: Option<AnyModel>,
    component: LoadedComponent,
    scratch: Vec<f64>,
}

/// What one update did.
#[derive(Debug)]
pub enum StepOutcome {
    /// The outputs on the board changed.
    Updated,
    /// Nothing to do: an input has no value yet.
    Waiting,
    /// The model refused this step (its state is unchanged); the message says why.
    Refused(String),
    /// The model faulted and is now disabled.
    Faulted(String),
}

impl ModelNode {
    /// Wire `model` (made from `component`) as `name`, writing its outputs
    /// from `offset`.
    pub fn new(
        name: String,
        component: LoadedComponent,
        model: AnyModel,
        inputs: Vec<InputRef>,
        offset: usize,
    ) -> ModelNode {
        let kind = model.kind();
        ModelNode {
            name,
            kind,
            inputs,
            offset,
            errors: 0,
            steps: 0,
            state: NodeState::Active,
            fault: None,
            calls: None,
            metrics: OnceLock::new(),
            model: Some(model),
            component,
            scratch: vec![0.0; kind.inputs().len()],
        }
    }

    /// Count this model's fault, when it faults, in `metrics`
    /// (`hft_plugin_traps_total{kind}`, `hft_plugin_quarantined_total`).
    /// Takes `&self` so that an owner that sees the node only through
    /// [`Pipeline::wiring`](super::Pipeline::wiring) can attach it. The
    /// first attachment stays; returns whether this one did.
    pub fn count_faults_in(&self, metrics: PluginFaultMetrics) -> bool {
        self.metrics.set(metrics).is_ok()
    }

    /// Everything needed to continue this node exactly: the model's own
    /// snapshot, the inputs' memories and the counters.
    pub fn checkpoint(&mut self) -> Result<NodeCheckpoint, CheckpointError> {
        let snapshot = match (&self.state, self.model.as_mut()) {
            (NodeState::Active, Some(m)) => {
                Some(m.snapshot().map_err(|e| CheckpointError::Component(self.name.clone(), e))?)
            }
            (NodeState::Disabled(_), _) => None,
            (NodeState::Active, None) => {
                return Err(CheckpointError::Mismatch(format!("model {}: active without an instance", self.name)));
            }
        };
        Ok(NodeCheckpoint {
            name: self.name.clone(),
            sha256: self.component.sha256.clone(),
            snapshot,
            disabled: match &self.state {
                NodeState::Active => None,
                NodeState::Disabled(why) => Some(why.clone()),
            },
            steps: self.steps,
            errors: self.errors,
            memory: self.inputs.iter().map(|i| i.prev.map(f64::to_bits)).collect(),
        })
    }

    /// Continue from `cp`, which must be this node's (same name, same
    /// component, same inputs).
    pub fn resume(&mut self, cp: &NodeCheckpoint) -> Result<(), CheckpointError> {
        cp.expect_same(&self.name, &self.component.sha256, self.inputs.len())?;
        match (&cp.snapshot, &cp.disabled) {
            (Some(bytes), None) => {
                self.model = Some(
                    AnyModel::restore(&self.component, bytes)
                        .map_err(|e| CheckpointError::Component(self.name.clone(), e))?,
                );
                self.state = NodeState::Active;
            }
            (None, Some(why)) => {
                self.state = NodeState::Disabled(why.clone());
                self.model = None;
            }
            _ => return Err(CheckpointError::Mismatch(format!("model {}: snapshot and state disagree", self.name))),
        }
        for (input, prev) in self.inputs.iter_mut().zip(&cp.memory) {
            input.prev = prev.map(f64::from_bits);
        }
        self.steps = cp.steps;
        self.errors = cp.errors;
        Ok(())
    }

    /// Number of output slots.
    pub fn width(&self) -> usize {
        self.kind.outputs().len()
    }

    /// Compute the inputs from `prices` and `board`, and step the model,
    /// writing its outputs to the board.
    pub fn step(&mut self, prices: &[f64], board: &mut [f64]) -> StepOutcome {
        let Some(model) = self.model.as_mut().filter(|_| self.state == NodeState::Active) else {
            return StepOutcome::Waiting;
        };
        let mut ready = true;
        for (i, input) in self.inputs.iter_mut().enumerate() {
            let v = match input.source {
                Source::Price(p) => prices[p],
                Source::Output { slot, .. } => board[slot],
            };
            match input.feed(v) {
                Some(x) => self.scratch[i] = x,
                None => ready = false,
            }
        }
        if !ready {
            return StepOutcome::Waiting;
        }
        let out = &mut board[self.offset..self.offset + self.kind.outputs().len()];
        let flag = |b: bool| if b { 1.0 } else { 0.0 };
        let started = self.calls.as_ref().map(|_| std::time::Instant::now());
        let result: Result<(), PluginError> = match model {
            AnyModel::HedgeRatio(m) => {
                m.update(self.scratch[0], self.scratch[1]).map(|e| out.copy_from_slice(&estimate_outputs(&e)))
            }
            AnyModel::Volatility(m) => m.update(self.scratch[0]).map(|s| {
                // Not ready: the model has no parameters yet, so its numbers
                // are not forecasts; show them as missing.
                let v = |x: f64| if s.ready { x } else { f64::NAN };
                out.copy_from_slice(&[
                    v(s.variance),
                    v(s.forecast),
                    v(s.mean),
                    v(s.std_resid),
                    v(s.loglik),
                    flag(s.ready),
                    flag(s.refitted),
                ])
            }),
            AnyModel::Changepoint(m) => m.update(self.scratch[0]).map(|s| {
                out.copy_from_slice(&[
                    s.change_prob,
                    f64::from(s.map_length),
                    s.segment_mean,
                    s.segment_var,
                    s.pruned_mass,
                    f64::from(s.hypotheses),
                ])
            }),
        };
        if let (Some(h), Some(t)) = (&self.calls, started) {
            h.observe_duration(t.elapsed());
        }
        match result {
            Ok(()) => {
                self.steps += 1;
                StepOutcome::Updated
            }
            Err(PluginError::Guest(e)) => {
                self.errors += 1;
                StepOutcome::Refused(e.to_string())
            }
            Err(e) => {
                let why = e.to_string();
                let kind = e.kind();
                tracing::warn!(
                    model = %self.name,
                    sha256 = %self.component.sha256.get(..12).unwrap_or_default(),
                    kind,
                    error = %why,
                    "model component faulted: quarantined, its outputs read NaN"
                );
                if let Some(m) = self.metrics.get() {
                    m.fault(kind);
                }
                self.fault = Some(kind);
                self.state = NodeState::Disabled(why.clone());
                self.model = None;
                out.fill(f64::NAN);
                StepOutcome::Faulted(why)
            }
        }
    }
}
