//! `hft-host run`: the main job on a configuration (the embedded default
//! when none is given).

use crate::admin::{AdminConfig, PluginService, serve_admin};
use crate::config::{self, Speed};
use crate::orchestrator::{EvopCycles, GateSchedule};
use crate::pipeline::{self, AdminRun, RunOptions, RunOutcome};
use crate::registry::Registry;
use crate::runtime::Runtime;
use crate::telemetry::Telemetry;
use anyhow::Context;
use hft_trading::domain::Money;
use std::path::PathBuf;
use std::sync::Arc;

/// Arguments of `run`.
#[derive(Debug, Clone, Default)]
pub struct Run {
    /// The configuration file; the embedded default when `None`.
    pub config: Option<PathBuf>,
    /// Overrides `[run] speed`.
    pub speed: Option<Speed>,
    /// Do not write report files.
    pub no_report: bool,
    /// Draw a progress bar.
    pub progress: bool,
}

/// Load the configuration (with `HFT_...` overrides from the process
/// environment), run it, and return the outcome. With `HFT_ADMIN_TOKEN` (or
/// `HFT_ADMIN_TOKEN_FILE`) set, the admin API is served while it runs
/// (`HFT_ADMIN_ADDR`, default `127.0.0.1:8005`), so challengers can be
/// started, promoted and rolled back during a real-time replay.
pub fn run(runtime: &Runtime, args: &Run) -> anyhow::Result<RunOutcome> {
    let cfg = config::load(args.config.as_deref(), std::env::vars())?;
    let options = RunOptions { speed: args.speed, write_report: !args.no_report, progress: args.progress };
    let what = || match &args.config {
        Some(p) => format!("run of {}", p.display()),
        None => "run of the embedded default configuration".to_string(),
    };
    // Checked even when no admin API is served: a bad [evop] is a bad config.
    let gate = GateSchedule::from_config(&cfg.evop)?;
    let evop = EvopCycles::from_config(&cfg.evop)?;
    let admin = AdminConfig::from_vars(std::env::vars())?;
    if admin.is_none() && evop.is_none() {
        return pipeline::run(&cfg, runtime, &options).with_context(what);
    }
    let mut served = AdminRun {
        // Without an admin API nobody sends commands: EVOP runs alone.
        inbox: crate::admin::channel().1,
        max_challengers: cfg.evop.max_challengers,
        challenger_capital: Money(cfg.evop.challenger_capital.unwrap_or(cfg.run.initial_capital)),
        rollback_drawdown: cfg.evop.rollback_drawdown,
        gate: Some(gate),
        evop,
        telemetry: None,
        registry: None,
        heartbeat: None,
    };
    let mut _server = None;
    if let Some(admin) = admin {
        let telemetry = Telemetry::new("all");
        let addr = admin.addr;
        let registry = Arc::new(Registry::open(cfg.registry.clone()).context("[registry]")?);
        // Uploads are validated on the API's thread, with an engine of their own.
        let validator = Arc::new(runtime.sibling().context("the validation runtime")?);
        let plugins = PluginService { registry: registry.clone(), runtime: validator };
        let (server, inbox) =
            serve_admin(admin, telemetry.clone(), Some(plugins)).with_context(|| format!("admin API on {addr}"))?;
        _server = Some(server);
        served.inbox = inbox;
        served.registry = Some(registry);
        served.heartbeat = Some(telemetry.heartbeat().clone());
        served.telemetry = Some(telemetry.clone());
    }
    pipeline::run_served(&cfg, runtime, &options, Some(&served)).with_context(what)
}
