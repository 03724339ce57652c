//! Evolutionary Operation (Box 1957) around the champion's parameters: a
//! 2^k factorial of small steps on chosen strategy parameters runs as
//! challengers beside the champion (the design's center); every
//! `cycle_ticks` each point's mean per-tick return is one response; after
//! `min_cycles` the effects and their standard errors say whether a
//! parameter should move (`hft_evop::effects`).
//!
//! A move does not bypass the promotion gate: the variant at the new
//! operating point is the candidate (the design point itself when every
//! factor moves, else a new challenger at that point), and it trades the
//! real book only once the gate passes it, like any challenger. When the
//! champion changes to a design variant, a new design starts around its
//! parameters; the old variants stop.

use super::{ChallengerSpec, Orchestrator, OrchestratorError};
use crate::config::{EvopConfig, EvopDesignConfig, RunConfig};
use crate::runtime::Runtime;
use hft_evop::confidence::ConfidenceLevel;
use hft_evop::design::{Design, Factor, OperatingPoint};
use hft_evop::effects::{Cycles, EffectsConfig, EffectsReport, Recommendation, VarianceModel};
use hft_trading::domain::Money;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

/// One design generation: its variants and their responses so far.
#[derive(Clone)]
struct Generation {
    number: u32,
    cycles: Cycles,
    /// The challenger id of each design point (`None`: the champion, the center).
    ids: Vec<Option<String>>,
    /// Tick at which the current cycle started.
    cycle_start: usize,
    /// The champion's id when this generation started.
    champion_id: String,
    report: Option<EffectsReport>,
    /// The variant at the recommended operating point, and its parameters.
    candidate: Option<(String, OperatingPoint)>,
}

/// EVOP's phase as an orchestrator checkpoint keeps it: the design is
/// rebuilt from its center and the configured factors, the effects from
/// the responses.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct EvopState {
    generations: u32,
    paused: Option<String>,
    generation: Option<GenerationState>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct GenerationState {
    number: u32,
    center: OperatingPoint,
    rows: Vec<Vec<f64>>,
    ids: Vec<Option<String>>,
    cycle_start: usize,
    champion_id: String,
    candidate: Option<(String, OperatingPoint)>,
}

/// The EVOP loop of one run.
#[derive(Clone)]
pub struct EvopCycles {
    design: EvopDesignConfig,
    effects: EffectsConfig,
    generation: Option<Generation>,
    generations: u32,
    /// Why EVOP is not running now, if it is not.
    paused: Option<String>,
}

impl EvopCycles {
    /// From `[evop]` with a `[evop.design]`; `None` without one. The design
    /// must fit in `max_challengers` with room for a move candidate.
    pub fn from_config(c: &EvopConfig) -> Result<Option<EvopCycles>, OrchestratorError> {
        let Some(design) = c.design.clone() else { return Ok(None) };
        let confidence = ConfidenceLevel::new(c.confidence_level)
            .map_err(|e| OrchestratorError::Spec(format!("[evop] confidence_level: {e}")))?;
        let need = (1usize << design.factors.len().min(Design::MAX_FACTORS)) + 1;
        if need > c.max_challengers {
            return Err(OrchestratorError::Spec(format!(
                "[evop.design] {} factors need {need} challengers (2^k variants and a move candidate); max_challengers is {}",
                design.factors.len(),
                c.max_challengers
            )));
        }
        if design.cycle_ticks == 0 || design.min_cycles < 2 {
            return Err(OrchestratorError::Spec(
                "[evop.design] cycle_ticks must be at least 1 and min_cycles at least 2 (a standard error needs two cycles)"
                    .into(),
            ));
        }
        let effects = EffectsConfig { confidence, variance: VarianceModel::CycleBlocked };
        Ok(Some(EvopCycles { design, effects, generation: None, generations: 0, paused: None }))
    }

    /// Call after every tick of `orch`: starts a design, closes cycles,
    /// analyses them, and follows the champion when it changes.
    pub fn after_tick(&mut self, orch: &mut Orchestrator, config: &RunConfig, runtime: &Runtime, capital: Money) {
        let champion_changed = self.generation.as_ref().is_some_and(|g| g.champion_id != orch.champion_id());
        if champion_changed {
            let g = self.generation.take().expect("checked");
            let center = point_params(&g, orch.champion_id());
            self.retire(orch, &g);
            match center {
                Some(p) => self.start(orch, config, runtime, capital, p),
                None => {
                    self.paused =
                        Some(format!("the champion {} is not an EVOP variant; EVOP waits", orch.champion_id()));
                }
            }
            return;
        }
        if self.generation.is_none() && self.paused.is_none() {
            match self.initial_center(config) {
                Ok(center) => self.start(orch, config, runtime, capital, center),
                Err(e) => self.pause(e),
            }
            return;
        }
        if let Some(g) = &self.generation
            && let Some((id, _)) = &g.candidate
        {
            let c = orch.challengers().iter().find(|c| &c.spec.id == id);
            let looks = orch.gate().map_or(u32::MAX, |s| s.gate.looks);
            if c.is_none_or(|c| c.quarantined.is_some() || c.gate.looks_done >= looks) {
                // The gate never passed it (or it was stopped): start the
                // phase again around the champion, with fresh cycles.
                tracing::info!(candidate = %id, "EVOP candidate not promoted; a new design starts");
                let g = self.generation.take().expect("checked");
                self.retire(orch, &g);
                self.start(orch, config, runtime, capital, g.cycles.design().center().clone());
                return;
            }
        }
        let Some(g) = self.generation.as_mut() else { return };
        // Once a move is recommended the phase is decided: the design waits
        // for the gate's word on the candidate.
        if g.candidate.is_some() || orch.ticks() < g.cycle_start + self.design.cycle_ticks {
            return;
        }
        let from = g.cycle_start;
        let responses: Vec<f64> = g
            .ids
            .iter()
            .map(|id| {
                let r = match id {
                    None => &orch.champion_returns()[from..],
                    Some(id) => orch
                        .challengers()
                        .iter()
                        .find(|c| &c.spec.id == id)
                        .map_or(&[][..], |c| &c.returns[from.saturating_sub(c.started_at_tick)..]),
                };
                if r.is_empty() { 0.0 } else { r.iter().sum::<f64>() / r.len() as f64 }
            })
            .collect();
        g.cycle_start = orch.ticks();
        if let Err(e) = g.cycles.record(&responses) {
            tracing::warn!(error = %e, "EVOP cycle not recorded");
            return;
        }
        if g.cycles.len() < self.design.min_cycles {
            return;
        }
        let report = match g.cycles.analyze(&self.effects) {
            Ok(r) => r,
            Err(e) => {
                tracing::warn!(error = %e, "EVOP effects not computed");
                return;
            }
        };
        if let (Recommendation::Move { point, design_point, moves }, None) = (&report.recommendation, &g.candidate) {
            let candidate = match design_point {
                Some(i) => g.ids[*i].clone().map(|id| (id, point.clone())),
                None => {
                    let id = format!("evop-g{}-move", g.number);
                    // No room (the previous champion's logic, kept for
                    // rollback, holds a slot): the weakest variant makes way.
                    if orch.challengers().len() >= orch.max_challengers() {
                        let weakest = (1..g.ids.len())
                            .filter(|&i| g.ids[i].is_some())
                            .min_by(|&a, &b| report.point_means[a].total_cmp(&report.point_means[b]));
                        if let Some(i) = weakest
                            && let Some(gone) = g.ids[i].take()
                        {
                            let _ = orch.remove(&gone);
                        }
                    }
                    let spec = spec_for(&id, point, &self.design);
                    match orch.add(spec, config, runtime, capital) {
                        Ok(()) => Some((id, point.clone())),
                        Err(e) => {
                            tracing::warn!(error = %e, "EVOP move candidate not started");
                            None
                        }
                    }
                }
            };
            tracing::info!(?moves, candidate = ?candidate.as_ref().map(|c| &c.0), "EVOP: an effect is significant; the candidate goes to the promotion gate");
            g.candidate = candidate;
        }
        g.report = Some(report);
    }

    /// Its phase, for a checkpoint.
    pub fn state(&self) -> Option<EvopState> {
        Some(EvopState {
            generations: self.generations,
            paused: self.paused.clone(),
            generation: self.generation.as_ref().map(|g| GenerationState {
                number: g.number,
                center: g.cycles.design().center().clone(),
                rows: g.cycles.rows().to_vec(),
                ids: g.ids.clone(),
                cycle_start: g.cycle_start,
                champion_id: g.champion_id.clone(),
                candidate: g.candidate.clone(),
            }),
        })
    }

    /// Continue the phase `state` describes. A design that no longer fits
    /// the configured factors (the configuration changed) is dropped: a new
    /// one starts at the next tick.
    pub fn restore(&mut self, state: EvopState) {
        self.generations = state.generations;
        self.paused = state.paused;
        self.generation = state.generation.and_then(|g| {
            let design = Design::full_factorial(&g.center, &self.factors())
                .map_err(|e| tracing::warn!(error = %e, "EVOP design not restored"))
                .ok()?;
            let cycles = Cycles::from_rows(design, g.rows)
                .map_err(|e| tracing::warn!(error = %e, "EVOP cycles not restored"))
                .ok()?;
            let report = if cycles.len() >= self.design.min_cycles { cycles.analyze(&self.effects).ok() } else { None };
            Some(Generation {
                number: g.number,
                cycles,
                ids: g.ids,
                cycle_start: g.cycle_start,
                champion_id: g.champion_id,
                report,
                candidate: g.candidate,
            })
        });
    }

    /// For `/status`.
    pub fn to_json(&self) -> Value {
        let Some(g) = &self.generation else {
            return json!({"running": false, "paused": self.paused});
        };
        let effects = g.report.as_ref().map(|r| {
            r.main_effects
                .iter()
                .map(|e| json!({"term": e.label, "estimate": e.estimate, "std_error": e.std_error, "limit": e.limit, "significant": e.significant}))
                .collect::<Vec<_>>()
        });
        json!({
            "running": true,
            "generation": g.number,
            "center": g.cycles.design().center().iter().map(|(k, v)| (k.to_string(), json!(v))).collect::<serde_json::Map<_, _>>(),
            "variants": g.ids.iter().flatten().collect::<Vec<_>>(),
            "cycles": g.cycles.len(),
            "effects": effects,
            "recommendation": g.report.as_ref().map(|r| serde_json::to_value(&r.recommendation).unwrap_or(Value::Null)),
            "candidate": g.candidate.as_ref().map(|c| &c.0),
        })
    }

    /// The champion's values of the design's parameters, from
    /// `[strategy.params]` (EVOP moves only what is set explicitly).
    fn initial_center(&self, config: &RunConfig) -> Result<OperatingPoint, String> {
        let mut p = OperatingPoint::new();
        for f in &self.design.factors {
            let v =
                config.strategy.params.get(&f.param).and_then(|v| v.as_float().or(v.as_integer().map(|i| i as f64)));
            let v = v.ok_or_else(|| {
                format!("[evop.design] factor {:?} must have a numeric value in [strategy.params]", f.param)
            })?;
            p = p.with(f.param.clone(), v);
        }
        Ok(p)
    }

    fn factors(&self) -> Vec<Factor> {
        self.design
            .factors
            .iter()
            .map(|f| {
                let mut factor = Factor::new(f.param.clone(), f.step);
                if f.min.is_some() || f.max.is_some() {
                    factor = factor.bounded(f.min.unwrap_or(f64::MIN), f.max.unwrap_or(f64::MAX));
                }
                if f.integer { factor.integer() } else { factor }
            })
            .collect()
    }

    fn start(
        &mut self,
        orch: &mut Orchestrator,
        config: &RunConfig,
        runtime: &Runtime,
        capital: Money,
        center: OperatingPoint,
    ) {
        let design = match Design::full_factorial(&center, &self.factors()) {
            Ok(d) => d,
            Err(e) => return self.pause(format!("[evop.design]: {e}")),
        };
        self.generations += 1;
        let number = self.generations;
        let mut ids: Vec<Option<String>> = Vec::with_capacity(design.points().len());
        for (i, point) in design.points().iter().enumerate() {
            if point.is_center() {
                ids.push(None);
                continue;
            }
            let id = format!("evop-g{number}-p{i}");
            if let Err(e) = orch.add(spec_for(&id, &point.params, &self.design), config, runtime, capital) {
                // All of the design or none of it: a partial design has no effects.
                for started in ids.iter().flatten() {
                    let _ = orch.remove(started.as_str());
                }
                return self.pause(format!("EVOP variant {id} could not start: {e}"));
            }
            ids.push(Some(id));
        }
        tracing::info!(generation = number, center = ?center, variants = ids.len() - 1, "EVOP design started");
        self.paused = None;
        self.generation = Some(Generation {
            number,
            cycles: Cycles::new(design),
            ids,
            cycle_start: orch.ticks(),
            champion_id: orch.champion_id().to_string(),
            report: None,
            candidate: None,
        });
    }

    /// Stop a generation's variants (not the one that became champion).
    fn retire(&mut self, orch: &mut Orchestrator, g: &Generation) {
        let extra = g.candidate.iter().map(|c| &c.0);
        for id in g.ids.iter().flatten().chain(extra) {
            if id != orch.champion_id() {
                let _ = orch.remove(id);
            }
        }
    }

    fn pause(&mut self, why: String) {
        tracing::warn!(%why, "EVOP paused");
        self.paused = Some(why);
    }
}

/// The parameters of challenger `id` in generation `g`: a design point's,
/// or the move candidate's.
fn point_params(g: &Generation, id: &str) -> Option<OperatingPoint> {
    if let Some(i) = g.ids.iter().position(|x| x.as_deref() == Some(id)) {
        return Some(g.cycles.design().points()[i].params.clone());
    }
    g.candidate.as_ref().filter(|c| c.0 == id).map(|c| c.1.clone())
}

/// A parameter variant of the champion at `point` (integer factors as
/// integers, so that the strategy's parameter types match).
fn spec_for(id: &str, point: &OperatingPoint, design: &EvopDesignConfig) -> ChallengerSpec {
    let integer = |name: &str| design.factors.iter().any(|f| f.param == name && f.integer);
    let value =
        |k: &str, v: f64| if integer(k) { toml::Value::Integer(v.round() as i64) } else { toml::Value::Float(v) };
    ChallengerSpec {
        id: id.to_string(),
        strategy_params: point.iter().map(|(k, v)| (k.to_string(), value(k, v))).collect(),
        ..Default::default()
    }
}
