//! What the event loop does with an API command, and the status it shows.

use super::bridge::{ChallengerRequest, Command};
use super::error::ApiError;
use crate::config::RunConfig;
use crate::orchestrator::{ChallengerSpec, Orchestrator, OrchestratorError};
use crate::registry::Registry;
use crate::runtime::Runtime;
use hft_trading::domain::{Money, Timestamp};
use hft_trading::report::utc_iso;
use serde_json::{Value, json};

/// What the loop needs to act on commands.
pub struct EngineContext<'a> {
    /// The champion's configuration (challengers are variants of it).
    pub config: &'a RunConfig,
    /// The loop's component runtime.
    pub runtime: &'a Runtime,
    /// Virtual capital of each challenger.
    pub challenger_capital: Money,
    /// Uploaded plugins.
    pub registry: Option<&'a Registry>,
}

fn conflict(e: OrchestratorError) -> ApiError {
    match e {
        OrchestratorError::Spec(m) if m.starts_with("no challenger") => ApiError::not_found(m),
        OrchestratorError::Run(e) => ApiError::bad_request(e.to_string()),
        other => ApiError::conflict(other.to_string()),
    }
}

fn spec(req: ChallengerRequest, ctx: &EngineContext<'_>) -> Result<ChallengerSpec, ApiError> {
    if req.id.is_empty() || !req.id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') {
        return Err(ApiError::bad_request(format!("challenger id {:?}: use letters, digits, - and _", req.id)));
    }
    let spec = ChallengerSpec {
        id: req.id,
        plugin: req.plugin,
        strategy: None,
        strategy_params: req.params,
        model_params: req.model_params,
    };
    spec.resolve(ctx.config, ctx.registry).map_err(|e| match e {
        OrchestratorError::Plugin(e) if e.code() == "not_found" => ApiError::not_found(e.to_string()),
        other => ApiError::bad_request(other.to_string()),
    })
}

/// Apply one command between two ticks.
pub fn apply(orch: &mut Orchestrator, command: Command, ctx: &EngineContext<'_>) -> Result<Value, ApiError> {
    match command {
        Command::AddChallenger(req) => {
            let spec = spec(req, ctx)?;
            let id = spec.id.clone();
            orch.add(spec, ctx.config, ctx.runtime, ctx.challenger_capital).map_err(conflict)?;
            Ok(json!({"added": id}))
        }
        Command::RemoveChallenger(id) => {
            orch.remove(&id).map_err(conflict)?;
            Ok(json!({"removed": id}))
        }
        Command::Promote(id) => {
            let r = orch.promote(&id).map_err(conflict)?;
            Ok(json!({"champion": r.now_champion, "demoted": r.demoted_to, "pause_ns": r.pause.as_nanos() as u64}))
        }
        Command::Rollback => {
            let r = orch.rollback().map_err(conflict)?;
            Ok(json!({"champion": r.now_champion, "demoted": r.demoted_to, "pause_ns": r.pause.as_nanos() as u64}))
        }
        Command::KillSwitch { on, reason } => {
            let ts = orch.champion().last_tick_time().unwrap_or(Timestamp(0));
            if on {
                orch.champion_mut().kill(ts);
            } else {
                orch.champion_mut().release_kill(ts);
            }
            tracing::warn!(on, %reason, "kill switch set through the admin API");
            Ok(json!({"kill_switch": on, "risk_state": format!("{:?}", orch.champion().risk().state())}))
        }
    }
}

/// Sharpe of per-tick returns (mean over standard deviation, per tick).
fn sharpe(r: &[f64]) -> Option<f64> {
    if r.len() < 2 {
        return None;
    }
    let n = r.len() as f64;
    let mean = r.iter().sum::<f64>() / n;
    let var = r.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0);
    (var > 0.0).then(|| mean / var.sqrt())
}

/// The status `GET /status` shows: champion, challengers with their live
/// statistics, risk state, positions, swaps.
pub fn status(orch: &Orchestrator) -> Value {
    let book = |p: &crate::pipeline::Pipeline| {
        let positions: serde_json::Map<String, Value> = p
            .wiring()
            .instruments
            .ids()
            .iter()
            .map(|id| (id.to_string(), json!(p.portfolio().position_qty(id).to_string())))
            .collect();
        json!({
            "equity": p.portfolio().equity().ok().map(|e| e.to_string()),
            "risk_state": format!("{:?}", p.risk().state()),
            "positions": positions,
            "orders_sent": p.counters.orders_sent,
            "fills": p.counters.fills,
        })
    };
    let challengers: Vec<Value> = orch
        .challengers()
        .iter()
        .map(|c| {
            json!({
                "id": c.spec.id,
                "quarantined": c.quarantined,
                "ticks": c.returns.len(),
                "warm_up_ticks": c.warm_up,
                "sharpe_per_tick": sharpe(&c.returns),
                "book": book(&c.pipeline),
                "gate": orch.gate().map(|g| c.gate.to_json(g)),
            })
        })
        .collect();
    let swaps: Vec<Value> = orch
        .swaps
        .iter()
        .map(|s| json!({"at_tick": s.at_tick, "action": s.action, "champion": s.now_champion, "demoted": s.demoted_to, "pause_ns": s.pause.as_nanos() as u64}))
        .collect();
    json!({
        "champion": {
            "id": orch.champion_id(),
            "ticks": orch.ticks(),
            "sharpe_per_tick": sharpe(orch.champion_returns()),
            "book": book(orch.champion()),
            "last_tick": orch.champion().last_tick_time().map(utc_iso),
        },
        "challengers": challengers,
        "swaps": swaps,
        "evop": orch.evop().map(|e| e.to_json()),
    })
}
