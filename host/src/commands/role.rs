//! `hft-host run --role ingest|strategy|execution|risk|orchestrator`: one
//! part of the system, over the Kafka cluster of `[bus.kafka]`.

use crate::admin::{AdminConfig, PluginService, serve_admin};
use crate::config::{self, RunConfig, Speed};
use crate::registry::Registry;
use crate::roles::{self, ConsumeOptions, Role};
use crate::runtime::Runtime;
use crate::telemetry::{Telemetry, serve};
use anyhow::Context;
use hft_bus::kafka::KafkaBus;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

/// Arguments of a role run.
#[derive(Debug, Clone)]
pub struct RoleRun {
    /// Which role (not [`Role::All`]).
    pub role: Role,
    /// The configuration file; the embedded default when `None`.
    pub config: Option<PathBuf>,
    /// Ingest: overrides `[run] speed`.
    pub speed: Option<Speed>,
    /// Consuming roles: stop after this long without a message.
    pub until_idle: Option<Duration>,
    /// Strategy: write the report files when it stops.
    pub write_report: bool,
}

fn kafka(cfg: &RunConfig, role: Role) -> anyhow::Result<KafkaBus> {
    let kafka = cfg.bus.kafka.clone().with_context(|| {
        format!(
            "the {role:?} role talks to Kafka: set [bus.kafka] bootstrap_servers (or HFT_BUS__KAFKA__BOOTSTRAP_SERVERS)"
        )
    })?;
    Ok(KafkaBus::new(kafka))
}

/// Run one role to its end (a finished replay, or `until_idle`) and return
/// what it did, as lines for the terminal. The strategy role needs the
/// component runtime; the others do not load components.
pub fn run_role(runtime: Option<&Runtime>, args: &RoleRun) -> anyhow::Result<Vec<String>> {
    let cfg = config::load(args.config.as_deref(), std::env::vars())?;
    let role_name = format!("{:?}", args.role).to_lowercase();
    let telemetry = Telemetry::new(&role_name);
    for flag in args.role.readiness_flags() {
        telemetry.readiness().flag(flag);
    }
    // Kept alive for the role's life; dropping it stops the server.
    let _server = match cfg.server.listen {
        Some(addr) => {
            let server = serve(addr, telemetry.clone()).with_context(|| format!("[server] listen {addr}"))?;
            tracing::info!(addr = %server.local_addr(), "serving /health, /ready and /metrics");
            Some(server)
        }
        None => None,
    };
    let options = ConsumeOptions {
        until_idle: args.until_idle,
        write_report: args.write_report,
        probe: None,
        telemetry: Some(telemetry),
    };
    let mut out = Vec::new();
    match args.role {
        Role::All => anyhow::bail!("role all is the embedded run (`hft-host run`)"),
        Role::Ingest => {
            let telemetry = options.telemetry_for("ingest");
            let summary = roles::ingest(&cfg, args.speed.unwrap_or(cfg.run.speed), &telemetry)?;
            for s in &summary.read_stats {
                out.push(format!("{}: {} rows, {} events, {} bad rows", s.file, s.rows_read, s.events, s.bad_rows));
            }
            out.push(format!(
                "published {} market events in {:.3} s ({:.0}/s)",
                summary.published,
                summary.wall.as_secs_f64(),
                summary.published as f64 / summary.wall.as_secs_f64().max(1e-9)
            ));
        }
        Role::Strategy => {
            let runtime = runtime.context("the strategy role needs the component runtime")?;
            let bus = kafka(&cfg, args.role)?;
            let store = roles::open_store(&cfg.state)?;
            let s = roles::run_strategy(&cfg, runtime, &bus, store.as_ref(), &options)?;
            out.push(s.outcome.report.render_text());
            if let Some(dir) = &s.outcome.report_dir {
                out.push(format!("report written to {}/ (open report.html)", dir.display()));
            }
            out.push(format!(
                "strategy role: {} ticks, {} venue steps and {} signals published, {} duplicates dropped, {} late events dead-lettered, {} split ticks, {} events already in the checkpoint{}, {} checkpoints ({} postponed); bus: {} consumed, {} dead-lettered",
                s.outcome.counters.ticks,
                s.venue_steps,
                s.signals,
                s.duplicates,
                s.late_events,
                s.split_ticks,
                s.replayed,
                match s.resumed_after {
                    Some(ts) => format!(" (resumed after {})", hft_trading::report::utc_iso(ts)),
                    None => String::new(),
                },
                s.checkpoints,
                s.checkpoint_failures,
                s.bus.consumed,
                s.bus.dead_lettered
            ));
            out.push(format!(
                "champion changes applied: {}{}",
                s.champion_changes.len(),
                if s.champion_failures > 0 { format!(" ({} refused)", s.champion_failures) } else { String::new() }
            ));
            out.extend(s.champion_changes.iter().map(|c| format!("  {c}")));
            out.push(match &s.champion {
                Some((id, generation)) => format!("champion logic: {id} (generation {generation})"),
                None => "champion logic: the configuration's".to_string(),
            });
            if let Err(e) = &s.outcome.reconciliation {
                anyhow::bail!("the books do not reconcile with the fills: {e}");
            }
        }
        Role::Execution => {
            let bus = kafka(&cfg, args.role)?;
            let store = roles::open_store(&cfg.state)?;
            let s = roles::run_execution(&cfg, &bus, store.as_ref(), &options)?;
            out.push(format!(
                "execution role: {} venue steps applied, {} duplicates dropped, {} gaps, {} venues resumed, {} waits for the state store, {} orders refused, {} fills published; bus: {} consumed, {} dead-lettered",
                s.steps,
                s.duplicates,
                s.gaps,
                s.resumed,
                s.blocked,
                s.refused,
                s.fills.len(),
                s.bus.consumed,
                s.bus.dead_lettered
            ));
        }
        Role::Risk => {
            let bus = kafka(&cfg, args.role)?;
            let store = roles::open_store(&cfg.state)?;
            let s = roles::run_risk(&cfg, &bus, store.as_ref(), &options)?;
            out.push(format!(
                "risk role: {} fills booked ({} of other strategies skipped), {} marks, equity {}, state {:?}, kill switch {}, {} waits for the state store{}; bus: {} consumed, {} dead-lettered",
                s.fills,
                s.foreign_fills,
                s.marks,
                s.equity.map_or_else(|| "not valued".to_string(), |e| e.to_string()),
                s.state,
                if s.engaged_kill_switch { "ENGAGED" } else { "untouched" },
                s.store_waits,
                if s.resumed { ", resumed from its checkpoint" } else { "" },
                s.bus.consumed,
                s.bus.dead_lettered
            ));
        }
        Role::Orchestrator => {
            let runtime = runtime.context("the orchestrator role needs the component runtime")?;
            let bus = kafka(&cfg, args.role)?;
            let store = roles::open_store(&cfg.state)?;
            // The admin API (HFT_ADMIN_TOKEN[_FILE]; the chart sets
            // HFT_ADMIN_ADDR=0.0.0.0:8005): uploads, challengers, promotion.
            let mut served = None;
            if let Some(admin) = AdminConfig::from_vars(std::env::vars())? {
                let addr = admin.addr;
                let registry = Arc::new(Registry::open(cfg.registry.clone()).context("[registry]")?);
                let validator = Arc::new(runtime.sibling().context("the validation runtime")?);
                let plugins = PluginService { registry: registry.clone(), runtime: validator };
                let (server, inbox) = serve_admin(admin, options.telemetry_for("orchestrator"), Some(plugins))
                    .with_context(|| format!("admin API on {addr}"))?;
                tracing::info!(addr = %server.local_addr(), "serving the admin API");
                served = Some((server, inbox, registry));
            }
            let admin = served
                .as_ref()
                .map(|(_, inbox, registry)| roles::OrchestratorAdmin { inbox, registry: Some(registry.as_ref()) });
            let s = roles::run_orchestrator(&cfg, runtime, &bus, store.as_ref(), &options, admin)?;
            out.push(format!(
                "orchestrator role: {} ticks, {} challengers at the end, {} champion change(s) published, {} late events skipped; bus: {} consumed, {} dead-lettered",
                s.ticks,
                s.challengers,
                s.changes.len(),
                s.late_events,
                s.bus.consumed,
                s.bus.dead_lettered
            ));
            out.extend(s.changes.iter().map(|c| format!("  {c}")));
            out.extend(s.challenger_ticks.iter().map(|(id, n)| format!("  challenger {id}: {n} ticks")));
            if let Some(e) = &s.evop {
                out.push(format!(
                    "evop: generation {}, {} cycles, recommendation {}",
                    e["generation"], e["cycles"], e["recommendation"]
                ));
            }
            out.push(format!(
                "checkpoints: {} ({} postponed){}",
                s.checkpoints.0,
                s.checkpoints.1,
                s.resumed_at_tick.map_or_else(String::new, |t| format!(", resumed at tick {t}"))
            ));
        }
    }
    Ok(out)
}
