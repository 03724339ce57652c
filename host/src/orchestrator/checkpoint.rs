//! The orchestrator's whole state between two ticks, so that a restarted
//! orchestrator role goes on with the same champion, the same challengers
//! (their books, models and records) and the same EVOP phase, instead of
//! starting every comparison again.

use super::evop_cycles::EvopState;
use super::{Challenger, ChallengerSpec, GateStanding, Orchestrator, OrchestratorError, SwapRecord};
use crate::config::RunConfig;
use crate::pipeline::{CheckpointError, PipelineCheckpoint};
use crate::registry::Registry;
use crate::runtime::Runtime;
use hft_trading::domain::Money;
use serde::{Deserialize, Serialize};
use std::time::Duration;

/// Everything [`Orchestrator::restore`] needs; JSON in the state store.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct OrchestratorCheckpoint {
    /// [`OrchestratorCheckpoint::VERSION`] when written.
    pub version: u32,
    /// Ticks processed.
    pub ticks: usize,
    /// What the champion runs.
    pub champion_spec: ChallengerSpec,
    /// The champion replica's pipeline.
    pub champion: PipelineCheckpoint,
    /// Its return on every tick.
    pub champion_returns: Vec<f64>,
    /// Its equity after the last tick.
    pub last_equity: Option<Money>,
    /// Each challenger.
    pub challengers: Vec<ChallengerCheckpoint>,
    /// Every promotion and rollback.
    pub swaps: Vec<SwapCheckpoint>,
    /// Equity at the last promotion (the automatic rollback's reference).
    pub promoted_at_equity: Option<Money>,
    /// Challengers compared with the current champion.
    pub tried: u32,
    /// The EVOP phase, if EVOP runs.
    pub evop: Option<EvopState>,
}

/// One challenger's state.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ChallengerCheckpoint {
    /// What it is.
    pub spec: ChallengerSpec,
    /// Its pipeline.
    pub pipeline: PipelineCheckpoint,
    /// Its return on every tick it saw.
    pub returns: Vec<f64>,
    /// When it started.
    pub started_at_tick: usize,
    /// Why it was quarantined.
    pub quarantined: Option<String>,
    /// Its evidence window's start and the looks taken.
    pub gate_window: (usize, u32),
    /// Its equity after the last tick.
    pub last_equity: Option<Money>,
}

/// A [`SwapRecord`] as stored.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SwapCheckpoint {
    /// Tick of the swap.
    pub at_tick: usize,
    /// What it was.
    pub action: String,
    /// The champion after it.
    pub now_champion: String,
    /// The demoted logic's id.
    pub demoted_to: String,
    /// The pause, in nanoseconds.
    pub pause_ns: u64,
}

impl OrchestratorCheckpoint {
    /// Format version; a checkpoint of another version is refused.
    pub const VERSION: u32 = 1;

    /// As bytes (JSON).
    pub fn encode(&self) -> Vec<u8> {
        serde_json::to_vec(self).expect("an orchestrator checkpoint serialises")
    }

    /// From [`OrchestratorCheckpoint::encode`]'s bytes.
    pub fn decode(bytes: &[u8]) -> Result<OrchestratorCheckpoint, CheckpointError> {
        let cp: OrchestratorCheckpoint =
            serde_json::from_slice(bytes).map_err(|e| CheckpointError::Encoding(e.to_string()))?;
        if cp.version != Self::VERSION {
            return Err(CheckpointError::Encoding(format!(
                "orchestrator checkpoint version {}, this build reads {}",
                cp.version,
                Self::VERSION
            )));
        }
        Ok(cp)
    }
}

/// The swap actions an orchestrator records, so a stored one maps back to
/// the `&'static str` a [`SwapRecord`] holds.
const ACTIONS: [&str; 4] = ["promote", "gate-promote", "rollback", "auto-rollback"];

impl Orchestrator {
    /// Its state between two ticks.
    pub fn checkpoint(&mut self) -> Result<OrchestratorCheckpoint, CheckpointError> {
        let challengers = self
            .challengers
            .iter_mut()
            .map(|c| {
                Ok(ChallengerCheckpoint {
                    spec: c.spec.clone(),
                    pipeline: c.pipeline.checkpoint()?,
                    returns: c.returns.clone(),
                    started_at_tick: c.started_at_tick,
                    quarantined: c.quarantined.clone(),
                    gate_window: (c.gate.window_start, c.gate.looks_done),
                    last_equity: c.last_equity,
                })
            })
            .collect::<Result<Vec<_>, CheckpointError>>()?;
        Ok(OrchestratorCheckpoint {
            version: OrchestratorCheckpoint::VERSION,
            ticks: self.ticks,
            champion_spec: self.champion_spec.clone(),
            champion: self.champion.checkpoint()?,
            champion_returns: self.champion_returns.clone(),
            last_equity: self.last_equity,
            challengers,
            swaps: self
                .swaps
                .iter()
                .map(|s| SwapCheckpoint {
                    at_tick: s.at_tick,
                    action: s.action.to_string(),
                    now_champion: s.now_champion.clone(),
                    demoted_to: s.demoted_to.clone(),
                    pause_ns: s.pause.as_nanos() as u64,
                })
                .collect(),
            promoted_at_equity: self.promoted_at_equity,
            tried: self.tried,
            evop: self.evop.as_ref().and_then(|e| e.state()),
        })
    }

    /// Continue from `cp`. `self` must be fresh ([`Orchestrator::new`])
    /// with its champion built from `cp.champion_spec`'s logic; each
    /// challenger is rebuilt from its spec over `config` (plugins resolved
    /// in `registry`) with `capital`, and every pipeline resumes exactly.
    pub fn restore(
        &mut self,
        cp: OrchestratorCheckpoint,
        config: &RunConfig,
        runtime: &Runtime,
        capital: Money,
        registry: Option<&Registry>,
    ) -> Result<(), OrchestratorError> {
        self.champion.resume(&cp.champion)?;
        self.champion_spec = cp.champion_spec;
        self.champion_returns = cp.champion_returns;
        self.last_equity = cp.last_equity;
        self.ticks = cp.ticks;
        self.promoted_at_equity = cp.promoted_at_equity;
        self.tried = cp.tried;
        self.challengers.clear();
        for c in cp.challengers {
            let spec = c.spec.resolve(config, registry)?;
            let mut challenger = Challenger::start(spec, config, runtime, capital, c.started_at_tick)?;
            challenger.pipeline.resume(&c.pipeline)?;
            challenger.returns = c.returns;
            challenger.quarantined = c.quarantined;
            challenger.gate = GateStanding { window_start: c.gate_window.0, looks_done: c.gate_window.1, last: None };
            challenger.last_equity = c.last_equity;
            self.challengers.push(challenger);
            self.instrument_challenger(self.challengers.len() - 1);
        }
        self.swaps = cp
            .swaps
            .into_iter()
            .map(|s| SwapRecord {
                at_tick: s.at_tick,
                action: ACTIONS.into_iter().find(|a| *a == s.action).unwrap_or("promote"),
                now_champion: s.now_champion,
                demoted_to: s.demoted_to,
                pause: Duration::from_nanos(s.pause_ns),
            })
            .collect();
        if let (Some(evop), Some(state)) = (self.evop.as_mut(), cp.evop) {
            evop.restore(state);
        }
        Ok(())
    }
}
