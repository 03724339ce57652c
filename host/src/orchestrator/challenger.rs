//! A challenger: another wiring of the strategy (a parameter variant or
//! another component) shadow-trading the champion's stream in a paper
//! account of its own.

use super::OrchestratorError;
use crate::config::{RunConfig, Speed, StrategyConfig};
use crate::pipeline::{Pipeline, assemble};
use crate::registry::Registry;
use crate::runtime::Runtime;
use hft_trading::domain::Money;
use hft_trading::execution::PaperBroker;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// What a challenger is, relative to the champion's configuration. Also
/// what the distributed orchestrator writes to the state store when a
/// logic becomes the champion, so that every strategy process rebuilds the
/// same logic from its own configuration and registry.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChallengerSpec {
    /// Its name in the API and the report.
    pub id: String,
    /// Another strategy component as the operator named it: a built-in
    /// name, or an uploaded plugin's sha256 (or unique prefix). `None`
    /// keeps the champion's.
    #[serde(default)]
    pub plugin: Option<String>,
    /// That plugin resolved to a `[strategy]` (its path in this process's
    /// registry); set by [`ChallengerSpec::resolve`], never stored.
    #[serde(skip)]
    pub strategy: Option<StrategyConfig>,
    /// Strategy parameters to override (a parameter variant).
    #[serde(default)]
    pub strategy_params: BTreeMap<String, toml::Value>,
    /// Model parameters to override, by model name.
    #[serde(default)]
    pub model_params: BTreeMap<String, BTreeMap<String, toml::Value>>,
}

impl ChallengerSpec {
    /// Resolve [`ChallengerSpec::plugin`] against `champion`'s `[strategy]`
    /// and `registry`: an uploaded plugin's sha256 (8+ hex digits) becomes
    /// its path in the registry, anything else is a built-in name. The
    /// legs and signals stay the champion's; its parameters do not.
    pub fn resolve(
        mut self,
        champion: &RunConfig,
        registry: Option<&Registry>,
    ) -> Result<ChallengerSpec, OrchestratorError> {
        self.strategy = match &self.plugin {
            Some(p) => {
                let mut s = champion.strategy.clone();
                s.plugin = resolve_plugin(p, registry)?;
                s.params.clear();
                Some(s)
            }
            None => None,
        };
        Ok(self)
    }

    /// The champion's configuration with this challenger's changes.
    pub fn apply(&self, champion: &RunConfig) -> Result<RunConfig, OrchestratorError> {
        let mut config = champion.clone();
        if let Some(s) = &self.strategy {
            config.strategy = s.clone();
        }
        config.strategy.params.extend(self.strategy_params.clone());
        for (model, params) in &self.model_params {
            let m = config.models.get_mut(model).ok_or_else(|| {
                OrchestratorError::Spec(format!("challenger {}: there is no model {model:?}", self.id))
            })?;
            m.params.extend(params.clone());
        }
        config.run.name = format!("{}:{}", champion.run.name, self.id);
        Ok(config)
    }
}

/// A challenger running.
pub struct Challenger {
    /// What it is.
    pub spec: ChallengerSpec,
    /// Its pipeline: its own models and strategy, on a paper account.
    pub pipeline: Pipeline,
    /// Its equity after each tick it has seen, as returns of the previous
    /// tick's equity (the promotion gate's input).
    pub returns: Vec<f64>,
    /// The champion's tick count when it started: its returns line up with
    /// the champion's from there.
    pub started_at_tick: usize,
    /// Why it was stopped, if it was (its strategy faulted: a trap, a
    /// deadline, memory).
    pub quarantined: Option<String>,
    /// Its evidence window and the promotion gate's last word on it.
    pub gate: super::GateStanding,
    /// Ticks its strategy observes before it may trade, as its `warm-up`
    /// export says (0 without one): its evidence starts after them, since
    /// a book that may not trade yet says nothing about the logic.
    pub warm_up: usize,
    pub(super) last_equity: Option<Money>,
}

impl Challenger {
    /// Wire `spec` over the champion's `config`, on a paper account with
    /// `capital`.
    pub fn start(
        spec: ChallengerSpec,
        champion: &RunConfig,
        runtime: &Runtime,
        capital: Money,
        started_at_tick: usize,
    ) -> Result<Challenger, OrchestratorError> {
        let mut config = spec.apply(champion)?;
        if spec.strategy.is_some() {
            // Another strategy reads the champion's legs and signals it declares.
            crate::pipeline::fit_strategy_wiring(&mut config, runtime)
                .map_err(|e| OrchestratorError::Spec(format!("challenger {}: {e}", spec.id)))?;
        }
        config.run.initial_capital = capital.0;
        let broker = PaperBroker::new(config.execution.clone()).map_err(crate::pipeline::RunError::from)?;
        let (pipeline, _) = assemble(&config, runtime, Box::new(broker), Speed::Max)?;
        let warm_up = pipeline.wiring().strategy.warm_up_ticks.unwrap_or(0) as usize;
        Ok(Challenger {
            spec,
            pipeline,
            returns: Vec::new(),
            started_at_tick,
            quarantined: None,
            gate: super::GateStanding { window_start: started_at_tick + warm_up, ..Default::default() },
            warm_up,
            last_equity: Some(capital),
        })
    }

    /// Record this tick's return (0 when the account cannot be valued).
    pub fn record_return(&mut self) {
        let r = tick_return(&mut self.last_equity, self.pipeline.portfolio().equity().ok());
        self.returns.push(r);
    }
}

/// A plugin reference: an uploaded plugin's sha256 (or a unique prefix of
/// at least 8 hex digits), as the registry resolves it, else a built-in name.
fn resolve_plugin(name: &str, registry: Option<&Registry>) -> Result<String, OrchestratorError> {
    let hex = name.len() >= 8 && name.chars().all(|c| c.is_ascii_hexdigit());
    let Some(registry) = registry.filter(|_| hex) else { return Ok(name.to_string()) };
    let record = registry.get(name).map_err(OrchestratorError::Plugin)?;
    Ok(registry.dir().join(format!("{}.wasm", record.sha256)).display().to_string())
}

/// The return from `last` to `now`, updating `last`.
pub(crate) fn tick_return(last: &mut Option<Money>, now: Option<Money>) -> f64 {
    let r = match (*last, now) {
        (Some(a), Some(b)) if !a.0.is_zero() => (b - a).to_f64() / a.to_f64(),
        _ => 0.0,
    };
    if now.is_some() {
        *last = now;
    }
    r
}
