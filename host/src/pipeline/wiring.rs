//! From a validated configuration to live components: load each plugin,
//! check that its world fits its place, resolve every input, signal and leg
//! to an index, and order the models so each runs after what it reads.

use super::instruments::Instruments;
use super::model_node::{InputRef, ModelNode, Source};
use super::strategy_node::StrategyNode;
use crate::config::{InputSource, RunConfig};
use crate::models::{AnyModel, describe, parse_params};
use crate::runtime::{ComponentKind, LoadedComponent, Runtime};
use crate::strategy::{StrategyComponent, describe_strategy, fit_slots};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use thiserror::Error;

/// Why a configuration cannot be wired: names the section and the fix.
#[derive(Debug, Error)]
#[error("{0}")]
pub struct WiringError(pub String);

/// Board slots of the series the report charts.
#[derive(Debug, Clone, Copy, Default)]
pub struct ReportSlots {
    /// The spread.
    pub spread: Option<usize>,
    /// The z-score.
    pub zscore: Option<usize>,
    /// The hedge ratio.
    pub hedge_ratio: Option<usize>,
    /// The volatility forecast.
    pub vol_forecast: Option<usize>,
    /// The changepoint probability.
    pub changepoint_prob: Option<usize>,
}

/// Everything the pipeline runs, resolved to indices.
pub struct Wiring {
    /// The instruments.
    pub instruments: Instruments,
    /// Models in evaluation order (every model after the models it reads).
    pub models: Vec<ModelNode>,
    /// Number of model-output slots.
    pub board_len: usize,
    /// The strategy.
    pub strategy: StrategyNode,
    /// What the report charts.
    pub report: ReportSlots,
    /// `(name, world, sha256)` of every component, for the report.
    pub components: Vec<(String, String, String)>,
}

/// `name` as a built-in plugin in `dir`, or `name` itself if it is a path.
pub fn plugin_path(name: &str, dir: &Path) -> PathBuf {
    if name.contains('/') || name.ends_with(".wasm") { PathBuf::from(name) } else { dir.join(format!("{name}.wasm")) }
}

fn load(runtime: &Runtime, what: &str, plugin: &str, dir: &Path) -> Result<LoadedComponent, WiringError> {
    let path = plugin_path(plugin, dir);
    if !path.exists() {
        return Err(WiringError(format!(
            "{what}: plugin {} not found{}",
            path.display(),
            if plugin.contains('/') {
                String::new()
            } else {
                "; build the plugins with ./scripts/build-plugins.sh".into()
            }
        )));
    }
    runtime.load_file(&path).map_err(|e| WiringError(format!("{what}: {}: {e}", path.display())))
}

/// Narrow `config`'s `[strategy]` legs and signals to those its component
/// declares. A challenger (or a promoted logic) whose strategy reads fewer
/// of the champion's signals runs on the champion's wiring unchanged; one
/// that reads a signal the wiring lacks is refused by name.
pub fn fit_strategy_wiring(config: &mut RunConfig, runtime: &Runtime) -> Result<(), WiringError> {
    let s = &mut config.strategy;
    let component = load(runtime, "[strategy]", &s.plugin, &config.run.plugins_dir)?;
    let info = describe_strategy(&component).map_err(|e| WiringError(format!("[strategy]: {e}")))?;
    let name = &info.info.name;
    let fit = |what, declared: &[_], wired: &BTreeMap<_, _>| {
        fit_slots(what, name, declared, wired).map_err(|e| WiringError(format!("[strategy]: {e}")))
    };
    s.legs = fit("leg", &info.legs, &s.legs)?;
    s.signals = fit("signal", &info.signals, &s.signals)?;
    Ok(())
}

/// TOML parameter values as the `k=v` text `parse_params` checks against the specs.
fn param_text(params: &BTreeMap<String, toml::Value>) -> Vec<(String, String)> {
    params
        .iter()
        .map(|(k, v)| {
            let v = match v {
                toml::Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            (k.replace('_', "-"), v)
        })
        .collect()
}

impl Wiring {
    /// Load and wire everything `config` names.
    pub fn build(config: &RunConfig, runtime: &Runtime) -> Result<Wiring, WiringError> {
        let mut instruments = Instruments::from_config(&config.data, &config.instruments)?;
        let dir = &config.run.plugins_dir;
        let mut components = Vec::new();

        // Load every model, then order them by their model-output inputs.
        let mut loaded = BTreeMap::new();
        for (name, m) in &config.models {
            if name.contains('.') || name.is_empty() {
                return Err(WiringError(format!("[models.{name}]: a model name may not be empty or contain '.'")));
            }
            let c = load(runtime, &format!("[models.{name}]"), &m.plugin, dir)?;
            let Some(kind) = c.world.kind.model() else {
                return Err(WiringError(format!("[models.{name}]: {} is a {}, not a model", m.plugin, c.world.kind)));
            };
            let mut want: Vec<&str> = kind.inputs().to_vec();
            want.sort_unstable();
            let have: Vec<&str> = m.inputs.keys().map(String::as_str).collect();
            if want != have {
                return Err(WiringError(format!(
                    "[models.{name}] inputs: a {kind} takes exactly [{}], the config gives [{}]",
                    kind.inputs().join(", "),
                    have.join(", ")
                )));
            }
            components.push((name.clone(), kind.world().to_string(), c.sha256.clone()));
            loaded.insert(name.clone(), (c, kind));
        }
        let order = evaluation_order(config)?;
        let mut offsets = BTreeMap::new();
        let mut board_len = 0;
        for name in &order {
            offsets.insert(name.clone(), board_len);
            board_len += loaded[name].1.outputs().len();
        }
        let position: BTreeMap<&String, usize> = order.iter().enumerate().map(|(i, n)| (n, i)).collect();
        let slot = |r: &str, context: &str| -> Result<(usize, usize), WiringError> {
            let (model, output) =
                r.split_once('.').ok_or_else(|| WiringError(format!("{context}: {r:?} must be <model>.<output>")))?;
            let (_, kind) =
                loaded.get(model).ok_or_else(|| WiringError(format!("{context}: {r:?} names no model in [models]")))?;
            let col = kind.outputs().iter().position(|o| *o == output).ok_or_else(|| {
                WiringError(format!(
                    "{context}: {model} has no output {output:?}; it has [{}]",
                    kind.outputs().join(", ")
                ))
            })?;
            Ok((offsets[model] + col, position[&model.to_string()]))
        };

        let mut models = Vec::new();
        for name in &order {
            let m = &config.models[name];
            let (component, kind) = &loaded[name];
            let mut inputs = Vec::new();
            for input in kind.inputs() {
                let spec = &m.inputs[*input];
                let context = format!("[models.{name}] inputs.{input}");
                let source = match &spec.source {
                    InputSource::Symbol(s) => Source::Price(
                        instruments
                            .resolve(s, &config.instruments)
                            .map_err(|e| WiringError(format!("{context}: {e}")))?,
                    ),
                    InputSource::ModelOutput { model, output } => {
                        let (slot, model) = slot(&format!("{model}.{output}"), &context)?;
                        Source::Output { slot, model }
                    }
                };
                inputs.push(InputRef::new(source, spec.transform, spec.scale));
            }
            let info = describe(component).map_err(|e| WiringError(format!("[models.{name}]: {e}")))?;
            let params = parse_params(&info.params, &param_text(&m.params))
                .map_err(|e| WiringError(format!("[models.{name}] params: {e:#}")))?;
            let model =
                AnyModel::create(component, &params).map_err(|e| WiringError(format!("[models.{name}]: {e}")))?;
            models.push(ModelNode::new(name.clone(), component.clone(), model, inputs, offsets[name]));
        }

        let s = &config.strategy;
        let component = load(runtime, "[strategy]", &s.plugin, dir)?;
        if component.world.kind != ComponentKind::Strategy {
            return Err(WiringError(format!("[strategy]: {} is a {}, not a strategy", s.plugin, component.world.kind)));
        }
        let info = describe_strategy(&component).map_err(|e| WiringError(format!("[strategy]: {e}")))?;
        let check_slots = |what: &str, declared: &[crate::strategy::Slot], given: &BTreeMap<String, String>| {
            let names: Vec<&str> = declared.iter().map(|d| d.name.as_str()).collect();
            let missing: Vec<&str> = names.iter().copied().filter(|n| !given.contains_key(*n)).collect();
            let unknown: Vec<&str> = given.keys().map(String::as_str).filter(|k| !names.contains(k)).collect();
            if missing.is_empty() && unknown.is_empty() {
                return Ok(());
            }
            Err(WiringError(format!(
                "[strategy] {what}: {} declares [{}]; missing [{}], unknown [{}]",
                info.info.name,
                names.join(", "),
                missing.join(", "),
                unknown.join(", ")
            )))
        };
        check_slots("legs", &info.legs, &s.legs)?;
        check_slots("signals", &info.signals, &s.signals)?;
        let mut legs = Vec::new();
        for l in &info.legs {
            let i = instruments
                .resolve(&s.legs[&l.name], &config.instruments)
                .map_err(|e| WiringError(format!("[strategy] legs.{}: {e}", l.name)))?;
            legs.push(i);
        }
        let mut signals = Vec::new();
        for sig in &info.signals {
            signals.push(slot(&s.signals[&sig.name], &format!("[strategy] signals.{}", sig.name))?.0);
        }
        let params = parse_params(&info.info.params, &param_text(&s.params))
            .map_err(|e| WiringError(format!("[strategy] params: {e:#}")))?;
        components.push(("strategy".to_string(), "trading-strategy".to_string(), component.sha256.clone()));
        let mut strategy_component =
            StrategyComponent::create(&component, &params).map_err(|e| WiringError(format!("[strategy]: {e}")))?;
        let warm_up_ticks =
            strategy_component.warm_up_ticks(&params).map_err(|e| WiringError(format!("[strategy] warm-up: {e}")))?;
        let mut strategy = StrategyNode::new(info.info.name.clone(), component, strategy_component, legs, signals);
        strategy.warm_up_ticks = warm_up_ticks;

        let r = &config.report;
        let report_slot = |v: &Option<String>, key: &str| -> Result<Option<usize>, WiringError> {
            v.as_deref().map(|x| slot(x, &format!("[report] {key}")).map(|s| s.0)).transpose()
        };
        let report = ReportSlots {
            spread: report_slot(&r.spread, "spread")?,
            zscore: report_slot(&r.zscore, "zscore")?,
            hedge_ratio: report_slot(&r.hedge_ratio, "hedge_ratio")?,
            vol_forecast: report_slot(&r.vol_forecast, "vol_forecast")?,
            changepoint_prob: report_slot(&r.changepoint_prob, "changepoint_prob")?,
        };
        Ok(Wiring { instruments, models, board_len, strategy, report, components })
    }
}

/// Models ordered so that each comes after every model whose output it
/// reads (Kahn's algorithm; ties by name, so the order is stable).
fn evaluation_order(config: &RunConfig) -> Result<Vec<String>, WiringError> {
    let mut deps: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for (name, m) in &config.models {
        let d = deps.entry(name).or_default();
        for spec in m.inputs.values() {
            if let InputSource::ModelOutput { model, .. } = &spec.source {
                if !config.models.contains_key(model) {
                    return Err(WiringError(format!("[models.{name}] reads {model}, which is not in [models]")));
                }
                if model == name {
                    return Err(WiringError(format!("[models.{name}] reads its own output")));
                }
                d.push(model);
            }
        }
    }
    let mut order: Vec<String> = Vec::new();
    while order.len() < deps.len() {
        let next = deps
            .iter()
            .find(|(n, d)| !order.iter().any(|o| o == *n) && d.iter().all(|x| order.iter().any(|o| o == x)))
            .map(|(n, _)| n.to_string());
        match next {
            Some(n) => order.push(n),
            None => {
                let stuck: Vec<&str> = deps.keys().copied().filter(|n| !order.iter().any(|o| o == n)).collect();
                return Err(WiringError(format!("models read each other in a cycle: [{}]", stuck.join(", "))));
            }
        }
    }
    Ok(order)
}
