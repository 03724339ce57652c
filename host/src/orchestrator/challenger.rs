//! A challenger: another wiring of the strategy (a parameter variant or
//! another component) shadow-trading the champion's stream in a paper
//! account of its own.

use super::OrchestratorError;
use crate::config::{RunConfig, Speed, StrategyConfig};
use crate::pipeline::{Pipeline, assemble};
use crate::runtime::Runtime;
use hft_trading::domain::Money;
use hft_trading::execution::PaperBroker;
use std::collections::BTreeMap;

/// What a challenger is, relative to the champion's configuration.
#[derive(Debug, Clone, Default)]
pub struct ChallengerSpec {
    /// Its name in the API and the report.
    pub id: String,
    /// Another strategy altogether (plugin, legs, signals, params); `None`
    /// keeps the champion's.
    pub strategy: Option<StrategyConfig>,
    /// Strategy parameters to override (a parameter variant).
    pub strategy_params: BTreeMap<String, toml::Value>,
    /// Model parameters to override, by model name.
    pub model_params: BTreeMap<String, BTreeMap<String, toml::Value>>,
}

impl ChallengerSpec {
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
    last_equity: Option<Money>,
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
        config.run.initial_capital = capital.0;
        let broker = PaperBroker::new(config.execution.clone()).map_err(crate::pipeline::RunError::from)?;
        let (pipeline, _) = assemble(&config, runtime, Box::new(broker), Speed::Max)?;
        Ok(Challenger {
            spec,
            pipeline,
            returns: Vec::new(),
            started_at_tick,
            quarantined: None,
            gate: super::GateStanding { window_start: started_at_tick, ..Default::default() },
            last_equity: Some(capital),
        })
    }

    /// Record this tick's return (0 when the account cannot be valued).
    pub fn record_return(&mut self) {
        let r = tick_return(&mut self.last_equity, self.pipeline.portfolio().equity().ok());
        self.returns.push(r);
    }
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
