//! The champion and its challengers: one champion trades the real book;
//! up to `max_challengers` challengers shadow-trade every tick the champion
//! sees, each on a paper account of its own; a challenger is promoted by
//! swapping its models and strategy (warm, with their state) into the
//! champion's pipeline between two ticks, and the previous champion's
//! logic stays as a challenger so a rollback is the same swap back.
//!
//! The promotion gate ([`GateSchedule`]) looks at each challenger's
//! returns against the champion's at fixed intervals and, when it passes
//! and `auto_promote` is on, promotes the strongest passing challenger
//! (largest t statistic) at the end of the tick.
//!
//! Order within a tick: the champion first, so its tick-to-order latency
//! does not wait for the challengers; then each challenger. A challenger
//! whose strategy faults (trap, deadline, memory) is quarantined: it stops
//! deciding, its paper book is flattened, and the champion never notices.

mod challenger;
mod checkpoint;
mod evop_cycles;
mod gate_schedule;
mod metrics;

pub use challenger::{Challenger, ChallengerSpec};
pub use checkpoint::{ChallengerCheckpoint, OrchestratorCheckpoint, SwapCheckpoint};
pub use evop_cycles::{EvopCycles, EvopState};
pub use gate_schedule::{GateSchedule, GateScheduleError, GateStanding, risk_verdict};
pub use metrics::{CHAMPION_BOOK, challenger_book};

use crate::config::RunConfig;
use crate::pipeline::{CheckpointError, LatencySamples, Pipeline, RunError};
use crate::runtime::Runtime;
use challenger::tick_return;
use hft_trading::domain::Money;
use hft_trading::market::MarketEvent;
use std::time::{Duration, Instant};
use thiserror::Error;

/// Why the orchestrator refused a request.
#[derive(Debug, Error)]
pub enum OrchestratorError {
    /// The challenger cannot be wired.
    #[error(transparent)]
    Run(#[from] RunError),
    /// The request names no such challenger, or too many are running.
    #[error("{0}")]
    Spec(String),
    /// The swap is impossible (different instruments).
    #[error("swap: {0}")]
    Swap(#[from] CheckpointError),
    /// An uploaded plugin the spec names is not in the registry.
    #[error(transparent)]
    Plugin(crate::registry::RegistryError),
}

/// One promotion or rollback, for the audit trail and the status.
#[derive(Debug, Clone, PartialEq)]
pub struct SwapRecord {
    /// The champion's tick count at the swap.
    pub at_tick: usize,
    /// `promote`, `gate-promote` (by the promotion gate), `rollback` or
    /// `auto-rollback` (a drawdown after a promotion).
    pub action: &'static str,
    /// The challenger id whose logic became the champion's.
    pub now_champion: String,
    /// The id the previous champion's logic runs under now.
    pub demoted_to: String,
    /// How long the event loop was paused.
    pub pause: Duration,
}

/// The champion, the challengers, and what happened between them.
pub struct Orchestrator {
    champion: Pipeline,
    /// What the champion runs now (its id and how it differs from the
    /// configuration); swapped whole with a challenger's on a promotion.
    champion_spec: ChallengerSpec,
    champion_returns: Vec<f64>,
    last_equity: Option<Money>,
    challengers: Vec<Challenger>,
    max_challengers: usize,
    /// Each promotion and rollback.
    pub swaps: Vec<SwapRecord>,
    /// The pause of each swap.
    pub swap_pauses: LatencySamples,
    /// Equity of the champion's book when the current logic was promoted,
    /// and the drawdown bound that rolls it back automatically.
    promoted_at_equity: Option<Money>,
    rollback_drawdown: Option<f64>,
    ticks: usize,
    gate: Option<GateSchedule>,
    /// Challengers compared with the current champion logic (the gate's m).
    tried: u32,
    evop: Option<EvopCycles>,
    metrics: Option<metrics::OrchestratorMetrics>,
}

impl Orchestrator {
    /// `champion` (named `champion_id`) with room for `max_challengers`;
    /// when `rollback_drawdown` is set, a promoted logic whose drawdown
    /// from the equity at its promotion exceeds it is rolled back.
    pub fn new(
        champion: Pipeline,
        champion_id: &str,
        max_challengers: usize,
        rollback_drawdown: Option<f64>,
    ) -> Orchestrator {
        let last_equity = champion.portfolio().equity().ok();
        Orchestrator {
            champion,
            champion_spec: ChallengerSpec { id: champion_id.to_string(), ..Default::default() },
            champion_returns: Vec::new(),
            last_equity,
            challengers: Vec::new(),
            max_challengers,
            swaps: Vec::new(),
            swap_pauses: LatencySamples::default(),
            promoted_at_equity: None,
            rollback_drawdown,
            ticks: 0,
            gate: None,
            tried: 0,
            evop: None,
            metrics: None,
        }
    }

    /// Run EVOP cycles ([`EvopCycles`]) beside the champion.
    pub fn with_evop(mut self, evop: EvopCycles) -> Orchestrator {
        self.evop = Some(evop);
        self
    }

    /// EVOP's state, if it runs.
    pub fn evop(&self) -> Option<&EvopCycles> {
        self.evop.as_ref()
    }

    /// EVOP's work after a tick: start designs, close cycles, judge effects.
    /// Separate from [`Orchestrator::on_tick`] because starting variants
    /// needs the champion's configuration and a runtime.
    pub fn run_evop(&mut self, config: &RunConfig, runtime: &Runtime, capital: Money) {
        if let Some(mut evop) = self.evop.take() {
            evop.after_tick(self, config, runtime, capital);
            self.evop = Some(evop);
        }
    }

    /// Name the champion's logic `spec` (a distributed orchestrator that
    /// restarts with the champion record's logic).
    pub fn with_champion_spec(mut self, spec: ChallengerSpec) -> Orchestrator {
        self.champion_spec = spec;
        self
    }

    /// Consult the promotion gate on `schedule`.
    pub fn with_gate(mut self, schedule: GateSchedule) -> Orchestrator {
        self.gate = Some(schedule);
        self
    }

    /// The gate's schedule, if the gate is on.
    pub fn gate(&self) -> Option<&GateSchedule> {
        self.gate.as_ref()
    }

    /// The champion's pipeline.
    pub fn champion(&self) -> &Pipeline {
        &self.champion
    }

    /// The champion's pipeline, to act on its book (the kill switch).
    pub fn champion_mut(&mut self) -> &mut Pipeline {
        &mut self.champion
    }

    /// The id of the logic the champion runs now.
    pub fn champion_id(&self) -> &str {
        &self.champion_spec.id
    }

    /// What the champion runs now, relative to the configuration.
    pub fn champion_spec(&self) -> &ChallengerSpec {
        &self.champion_spec
    }

    /// The champion's return on every tick so far.
    pub fn champion_returns(&self) -> &[f64] {
        &self.champion_returns
    }

    /// The challengers.
    pub fn challengers(&self) -> &[Challenger] {
        &self.challengers
    }

    /// Most challengers at once.
    pub fn max_challengers(&self) -> usize {
        self.max_challengers
    }

    /// Ticks processed.
    pub fn ticks(&self) -> usize {
        self.ticks
    }

    /// Hand the champion back (the end of a run).
    pub fn into_champion(self) -> Pipeline {
        self.champion
    }

    /// Start a challenger from `spec` over the champion's `config`, with
    /// `capital` of virtual money. It sees every tick from the next one.
    pub fn add(
        &mut self,
        spec: ChallengerSpec,
        config: &RunConfig,
        runtime: &Runtime,
        capital: Money,
    ) -> Result<(), OrchestratorError> {
        if self.challengers.len() >= self.max_challengers {
            return Err(OrchestratorError::Spec(format!(
                "{} challengers already run (the maximum)",
                self.max_challengers
            )));
        }
        if spec.id == self.champion_spec.id || self.challengers.iter().any(|c| c.spec.id == spec.id) {
            return Err(OrchestratorError::Spec(format!("the id {:?} is taken", spec.id)));
        }
        let c = Challenger::start(spec, config, runtime, capital, self.ticks)?;
        self.challengers.push(c);
        self.instrument_challenger(self.challengers.len() - 1);
        self.tried += 1;
        Ok(())
    }

    /// Stop and drop a challenger.
    pub fn remove(&mut self, id: &str) -> Result<Challenger, OrchestratorError> {
        let i = self.index(id)?;
        Ok(self.challengers.remove(i))
    }

    fn index(&self, id: &str) -> Result<usize, OrchestratorError> {
        self.challengers
            .iter()
            .position(|c| c.spec.id == id)
            .ok_or_else(|| OrchestratorError::Spec(format!("no challenger {id:?}")))
    }

    /// One tick through the champion, then every challenger. Returns the
    /// champion's tick-to-order time if it sent an order.
    pub fn on_tick(&mut self, events: &[MarketEvent], started: Instant) -> Option<Duration> {
        let latency = self.champion.on_tick(events, started);
        let r = tick_return(&mut self.last_equity, self.champion.portfolio().equity().ok());
        self.champion_returns.push(r);
        for c in &mut self.challengers {
            c.pipeline.on_tick(events, started);
            if c.quarantined.is_none() && !c.pipeline.strategy_active() {
                let why = match &c.pipeline.wiring().strategy.state {
                    crate::pipeline::NodeState::Disabled(why) => why.clone(),
                    crate::pipeline::NodeState::Active => String::new(),
                };
                tracing::warn!(challenger = %c.spec.id, %why, "challenger quarantined");
                c.quarantined = Some(why);
            }
            c.record_return();
        }
        self.ticks += 1;
        self.check_rollback();
        self.consult_gate();
        latency
    }

    /// Take the looks that are due; promote the strongest challenger the
    /// gate passes, if promotion is automatic.
    fn consult_gate(&mut self) {
        let Some(schedule) = self.gate else { return };
        let champion_state = self.champion.risk().state();
        let mut best: Option<(usize, f64)> = None;
        for (i, c) in self.challengers.iter_mut().enumerate() {
            if c.quarantined.is_some() || !schedule.due(c.gate.window_start, self.ticks, c.gate.looks_done) {
                continue;
            }
            let from = c.gate.window_start;
            let champion = &self.champion_returns[from..self.ticks];
            let challenger = &c.returns[from - c.started_at_tick..];
            let risk = risk_verdict(champion_state, c.pipeline.risk().state());
            let result = schedule.evaluate(champion, challenger, self.tried, &risk);
            c.gate.looks_done += 1;
            match &result {
                Ok(d) => {
                    tracing::info!(challenger = %c.spec.id, look = c.gate.looks_done, promote = d.promote, "promotion gate:\n{d}");
                    let t = d.stats.difference.as_ref().map_or(0.0, |x| x.t);
                    if d.promote && best.is_none_or(|(_, bt)| t > bt) {
                        best = Some((i, t));
                    }
                }
                Err(e) => tracing::warn!(challenger = %c.spec.id, error = %e, "promotion gate could not judge"),
            }
            c.gate.last = Some((self.ticks, result));
        }
        if let (Some((i, _)), true) = (best, schedule.auto_promote)
            && let Err(e) = self.swap(i, "gate-promote")
        {
            tracing::error!(error = %e, "promotion by the gate failed");
        }
    }

    /// Make challenger `id`'s logic the champion's, between two ticks.
    pub fn promote(&mut self, id: &str) -> Result<&SwapRecord, OrchestratorError> {
        let i = self.index(id)?;
        if let Some(why) = &self.challengers[i].quarantined {
            return Err(OrchestratorError::Spec(format!("challenger {id} is quarantined ({why})")));
        }
        self.swap(i, "promote")
    }

    /// Swap back the last promotion: the previous champion's logic (which
    /// kept running as a challenger) trades the real book again.
    pub fn rollback(&mut self) -> Result<&SwapRecord, OrchestratorError> {
        self.rollback_as("rollback")
    }

    fn rollback_as(&mut self, action: &'static str) -> Result<&SwapRecord, OrchestratorError> {
        let last = self
            .swaps
            .last()
            .ok_or_else(|| OrchestratorError::Spec("nothing to roll back: no promotion yet".to_string()))?;
        let i = self.index(&last.demoted_to.clone())?;
        self.swap(i, action)
    }

    fn swap(&mut self, i: usize, action: &'static str) -> Result<&SwapRecord, OrchestratorError> {
        let start = Instant::now();
        let c = &mut self.challengers[i];
        self.champion.swap_wiring(&mut c.pipeline)?;
        // The specs travel with the logics: the challenger now runs the
        // demoted logic under the demoted logic's id and parameters.
        std::mem::swap(&mut self.champion_spec, &mut c.spec);
        let pause = start.elapsed();
        self.swap_pauses.record(pause);
        if let Some(m) = &self.metrics {
            m.swap_pause.observe_duration(pause);
            m.swaps.inc();
            // The nodes moved with the wirings: time them under their new books.
            self.champion.time_calls_in(&m.telemetry, metrics::CHAMPION_BOOK);
        }
        self.promoted_at_equity =
            if action.ends_with("promote") { self.champion.portfolio().equity().ok() } else { None };
        let record = SwapRecord {
            at_tick: self.ticks,
            action,
            now_champion: self.champion_spec.id.clone(),
            demoted_to: c.spec.id.clone(),
            pause,
        };
        tracing::info!(?record, "champion swapped");
        self.swaps.push(record);
        self.instrument_challenger(i);
        // Evidence against the old champion logic says nothing about the
        // new one: every challenger starts a fresh window.
        // (One still warming up starts when its warm-up ends, as before.)
        for c in &mut self.challengers {
            c.gate.restart(self.ticks.max(c.started_at_tick + c.warm_up));
        }
        self.tried = self.challengers.iter().filter(|c| c.quarantined.is_none()).count() as u32;
        Ok(self.swaps.last().expect("just pushed"))
    }

    /// Roll back automatically when the promoted logic has lost more than
    /// the bound since its promotion.
    fn check_rollback(&mut self) {
        let (Some(bound), Some(at)) = (self.rollback_drawdown, self.promoted_at_equity) else { return };
        let Ok(now) = self.champion.portfolio().equity() else { return };
        if at.0.is_zero() {
            return;
        }
        let drawdown = (at - now).to_f64() / at.to_f64();
        if drawdown > bound {
            tracing::warn!(drawdown, bound, "promoted champion breached its drawdown bound: rolling back");
            if let Err(e) = self.rollback_as("auto-rollback") {
                tracing::error!(error = %e, "automatic rollback failed");
            }
        }
    }
}
