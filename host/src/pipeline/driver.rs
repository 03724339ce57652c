//! A whole run: wire the components, replay the data through the pipeline
//! at the configured pace, and build the report.

use super::engine::{Counters, Pipeline};
use super::latency::LatencySamples;
use super::model_node::NodeState;
use super::pacer::Pacer;
use super::wiring::{Wiring, WiringError};
use crate::admin::{AdminInbox, EngineContext};
use crate::config::{RunConfig, Speed};
use crate::orchestrator::Orchestrator;
use crate::runtime::Runtime;
use hft_trading::domain::{Money, Timestamp};
use hft_trading::execution::{Exchange, PaperBroker, PaperConfigError};
use hft_trading::market::{EventSource, MarketDataError, MarketEvent, ReadStats, Replay};
use hft_trading::report::{Report, ReportError, RunEnd, RunMeta, RunRecorder, utc_iso};
use hft_trading::risk::{RiskConfigError, RiskManager};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::path::{Path, PathBuf};
use std::time::{Instant, SystemTime, UNIX_EPOCH};
use thiserror::Error;

/// Why a run could not start or finish.
#[derive(Debug, Error)]
pub enum RunError {
    /// The configuration cannot be wired (a plugin, an input, a slot).
    #[error(transparent)]
    Wiring(#[from] WiringError),
    /// The risk limits are inconsistent.
    #[error("[risk]: {0}")]
    Risk(#[from] RiskConfigError),
    /// The execution settings are inconsistent.
    #[error("[execution]: {0}")]
    Execution(#[from] PaperConfigError),
    /// Market data could not be read, or a bad row under `bad_rows = "fatal"`.
    #[error("market data: {0}")]
    Data(#[from] MarketDataError),
    /// The report could not be written.
    #[error("report: {0}")]
    Report(#[from] ReportError),
}

/// How to run, beyond the configuration.
#[derive(Debug, Clone, Default)]
pub struct RunOptions {
    /// Overrides `[run] speed`.
    pub speed: Option<Speed>,
    /// Write the report files under `[run] reports_dir`.
    pub write_report: bool,
    /// Draw a progress bar on standard error (when it is a terminal).
    pub progress: bool,
}

/// What a run produced.
pub struct RunOutcome {
    /// The report.
    pub report: Report,
    /// Where the report files went, if written.
    pub report_dir: Option<PathBuf>,
    /// The files written.
    pub files: Vec<PathBuf>,
    /// The pipeline's counters.
    pub counters: Counters,
    /// What each data source read, bad rows included.
    pub read_stats: Vec<ReadStats>,
    /// Whether cash, positions, fees and PnL reconcile exactly with the fills.
    pub reconciliation: Result<(), String>,
    /// Events per second of wall time over the replay loop.
    pub events_per_second: f64,
    /// Tick-to-order latency samples.
    pub latency: LatencySamples,
}

fn now_ns() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_nanos() as i64)
}

/// Rough number of events, for the progress bar: data lines in the files.
fn estimate_events(config: &RunConfig) -> u64 {
    config.data.iter().filter_map(|d| std::fs::read(&d.path).ok()).map(|b| bytecount(&b).saturating_sub(1)).sum()
}

fn bytecount(b: &[u8]) -> u64 {
    b.iter().filter(|&&c| c == b'\n').count() as u64
}

fn progress_bar(total: u64, enabled: bool) -> ProgressBar {
    let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr_with_hz(8));
    if !enabled {
        bar.set_draw_target(ProgressDrawTarget::hidden());
    }
    bar.set_style(
        ProgressStyle::with_template("{spinner} replay [{bar:32}] {pos}/{len} events {per_sec} eta {eta} {msg}")
            .expect("valid template")
            .progress_chars("=> "),
    );
    bar
}

/// A run in progress: the pipeline and the replay that feeds it. [`run`]
/// drives it at the configured pace; tests drive it tick by tick to check
/// the books after every one.
pub struct Session {
    /// The pipeline.
    pub pipeline: Pipeline,
    feed: Feed,
}

/// The replay side of a session: ticks out, and the end of the run.
pub struct Feed {
    replay: Replay<Box<dyn EventSource + Send>>,
    next: Option<MarketEvent>,
    primed: bool,
    run_id: String,
}

/// Wire `config`'s components into a pipeline trading on `exchange`, with
/// a recorder for the report. Returns the pipeline and the run's id
/// (`<name>-<UTC start>`). The embedded run and the distributed strategy
/// role both start here, so they run the same pipeline.
pub fn assemble(
    config: &RunConfig,
    runtime: &Runtime,
    exchange: Box<dyn Exchange>,
    speed: Speed,
) -> Result<(Pipeline, String), RunError> {
    let wiring = Wiring::build(config, runtime)?;
    let risk = RiskManager::new(config.risk.clone())?;
    let started_ns = now_ns();
    let stamp: String = utc_iso(Timestamp(started_ns)).chars().filter(|c| c.is_ascii_alphanumeric()).take(15).collect();
    let run_id = format!("{}-{stamp}", config.run.name);
    let mut summary = vec![
        ("speed".to_string(), format!("{speed:?}")),
        ("initial capital".to_string(), config.run.initial_capital.to_string()),
    ];
    for (name, world, sha) in &wiring.components {
        summary.push((format!("component {name}"), format!("{world} sha256:{}", &sha[..12])));
    }
    for (name, m) in &config.models {
        let inputs: Vec<String> = m.inputs.iter().map(|(k, v)| format!("{k}={v}")).collect();
        summary.push((format!("model {name} inputs"), inputs.join(", ")));
    }
    let meta = RunMeta {
        run_id: run_id.clone(),
        started_at: utc_iso(Timestamp(started_ns)),
        config_summary: summary,
        initial_capital: Money(config.run.initial_capital),
        instruments: wiring.strategy.legs.iter().map(|&l| wiring.instruments.id(l).clone()).collect(),
    };
    let threshold = config.report.regime_threshold.unwrap_or(0.5);
    let pipeline =
        Pipeline::new(wiring, exchange, Money(config.run.initial_capital), risk, RunRecorder::new(meta), threshold);
    Ok((pipeline, run_id))
}

impl Session {
    /// Wire `config`'s components and open its data.
    pub fn open(config: &RunConfig, runtime: &Runtime, speed: Speed) -> Result<Session, RunError> {
        let broker = PaperBroker::new(config.execution.clone())?;
        let replay = Replay::open(&config.data, Path::new(""))?;
        let (pipeline, run_id) = assemble(config, runtime, Box::new(broker), speed)?;
        Ok(Session { pipeline, feed: Feed { replay, next: None, primed: false, run_id } })
    }

    /// The run's id: `<name>-<UTC start>`, the report directory's name.
    pub fn run_id(&self) -> &str {
        &self.feed.run_id
    }

    /// The pipeline and the feed apart, for a loop that hands the
    /// pipeline to an orchestrator.
    pub fn into_parts(self) -> (Pipeline, Feed) {
        (self.pipeline, self.feed)
    }

    /// See [`Feed::next_tick`].
    pub fn next_tick(&mut self, tick: &mut Vec<MarketEvent>) -> Result<bool, RunError> {
        self.feed.next_tick(tick)
    }

    /// End the run: reconcile the books and build the report (and write it
    /// under `reports_dir` when given).
    pub fn finish(
        self,
        wall: f64,
        latency: LatencySamples,
        reports_dir: Option<&Path>,
    ) -> Result<RunOutcome, RunError> {
        self.feed.finish(self.pipeline, wall, latency, reports_dir)
    }
}

impl Feed {
    /// Put the next tick's events (all with one timestamp) into `tick`;
    /// `false` when the data is exhausted. A fatal bad row or an I/O error
    /// ends the run with an error naming the file and line.
    pub fn next_tick(&mut self, tick: &mut Vec<MarketEvent>) -> Result<bool, RunError> {
        tick.clear();
        if !self.primed {
            self.primed = true;
            self.next = self.replay.next().transpose()?;
        }
        let Some(first) = self.next.take() else { return Ok(false) };
        let ts = first.ts();
        tick.push(first);
        loop {
            match self.replay.next().transpose()? {
                Some(e) if e.ts() == ts => tick.push(e),
                other => {
                    self.next = other;
                    return Ok(true);
                }
            }
        }
    }

    /// End the run of `pipeline`: reconcile the books and build the report
    /// (and write it under `reports_dir` when given).
    pub fn finish(
        self,
        pipeline: Pipeline,
        wall: f64,
        latency: LatencySamples,
        reports_dir: Option<&Path>,
    ) -> Result<RunOutcome, RunError> {
        let read_stats: Vec<ReadStats> = self.replay.stats().into_iter().cloned().collect();
        conclude(pipeline, &self.run_id, read_stats, wall, latency, reports_dir)
    }
}

/// End a run of `pipeline`: reconcile the books and build the report (and
/// write it under `reports_dir/run_id` when given). `read_stats` are the
/// data sources' counts, if the run read any.
pub fn conclude(
    pipeline: Pipeline,
    run_id: &str,
    read_stats: Vec<ReadStats>,
    wall: f64,
    mut latency: LatencySamples,
    reports_dir: Option<&Path>,
) -> Result<RunOutcome, RunError> {
    let (recorder, portfolio, risk, wiring, counters) = pipeline.into_parts();
    let reconciliation = portfolio.reconcile().map_err(|e| e.to_string());
    let unrealised = portfolio.unrealised().unwrap_or(Money::ZERO);
    let final_equity = portfolio.equity().unwrap_or(Money::ZERO);
    let mut extra = vec![
        ("risk state".to_string(), format!("{:?}", risk.state())),
        ("orders sent".to_string(), counters.orders_sent.to_string()),
        ("orders refused by risk".to_string(), counters.orders_rejected.to_string()),
        ("orders dropped with a refused leg".to_string(), counters.orders_dropped.to_string()),
        (
            "accounting".to_string(),
            match &reconciliation {
                Ok(()) => "reconciles exactly with the fills".to_string(),
                Err(e) => format!("DOES NOT RECONCILE: {e}"),
            },
        ),
    ];
    for (reason, n) in risk.rejections().into_iter().filter(|(_, n)| *n > 0) {
        extra.push((format!("refused: {}", reason.as_str()), n.to_string()));
    }
    for t in risk.transitions() {
        extra.push((
            "risk transition".to_string(),
            format!("{} {:?} -> {:?} ({:?})", utc_iso(t.ts), t.from, t.to, t.reason),
        ));
    }
    for s in &read_stats {
        extra.push((
            format!("data {}", s.file),
            format!("{} rows, {} events, {} bad rows", s.rows_read, s.events, s.bad_rows),
        ));
        for b in &s.bad_row_details {
            extra.push(("bad row".to_string(), b.to_string()));
        }
    }
    for m in &wiring.models {
        let state = match &m.state {
            NodeState::Active => "active".to_string(),
            NodeState::Disabled(why) => format!("DISABLED: {why}"),
        };
        extra.push((format!("model {}", m.name), format!("{} steps, {} refused, {state}", m.steps, m.errors)));
    }
    extra.push((
        format!("strategy {}", wiring.strategy.name),
        match &wiring.strategy.state {
            NodeState::Active => format!("active, {} ticks refused", wiring.strategy.errors),
            NodeState::Disabled(why) => format!("DISABLED: {why}"),
        },
    ));
    let events_per_second = if wall > 0.0 { counters.events as f64 / wall } else { 0.0 };
    let end = RunEnd {
        final_equity,
        cash: portfolio.cash(),
        realised_pnl: portfolio.realised(),
        unrealised_pnl: unrealised,
        fees_paid: portfolio.fees(),
        events: counters.events,
        ticks: counters.ticks,
        wall_seconds: wall,
        latency_p50_ns: latency.quantile(0.50),
        latency_p99_ns: latency.quantile(0.99),
        extra,
    };
    let report = recorder.finish(end);
    let (report_dir, files) = match reports_dir {
        Some(base) => {
            let dir = base.join(run_id);
            let files = report.write_dir(&dir)?;
            (Some(dir), files)
        }
        None => (None, Vec::new()),
    };
    Ok(RunOutcome { report, report_dir, files, counters, read_stats, reconciliation, events_per_second, latency })
}

/// Run `config` end to end.
pub fn run(config: &RunConfig, runtime: &Runtime, options: &RunOptions) -> Result<RunOutcome, RunError> {
    run_served(config, runtime, options, None)
}

/// How often the loop takes the admin API's commands and publishes its
/// status, at most.
const ADMIN_EVERY: std::time::Duration = std::time::Duration::from_millis(20);

/// [`run`], with the admin API's commands applied between ticks (start,
/// stop, promote and roll back challengers; the kill switch) and the
/// status published for it. Without `admin`, exactly [`run`].
pub fn run_served(
    config: &RunConfig,
    runtime: &Runtime,
    options: &RunOptions,
    admin: Option<&AdminRun>,
) -> Result<RunOutcome, RunError> {
    let speed = options.speed.unwrap_or(config.run.speed);
    let session = Session::open(config, runtime, speed)?;
    let bar = progress_bar(estimate_events(config), options.progress);
    let mut latency = LatencySamples::default();
    let mut tick: Vec<MarketEvent> = Vec::with_capacity(8);
    let mut pacer = Pacer::new(speed);
    let (pipeline, mut feed) = session.into_parts();
    let Some(admin) = admin else {
        let mut pipeline = pipeline;
        while feed.next_tick(&mut tick)? {
            pacer.wait_for(tick[0].ts());
            let started = Instant::now();
            if let Some(d) = pipeline.on_tick(&tick, started) {
                latency.record(d);
            }
            bar.inc(tick.len() as u64);
        }
        let wall = pacer.elapsed().as_secs_f64();
        bar.finish_and_clear();
        return feed.finish(pipeline, wall, latency, options.write_report.then_some(config.run.reports_dir.as_path()));
    };
    let mut orch = Orchestrator::new(pipeline, "champion", admin.max_challengers, admin.rollback_drawdown);
    if let Some(gate) = admin.gate {
        orch = orch.with_gate(gate);
    }
    if let Some(evop) = &admin.evop {
        orch = orch.with_evop(evop.clone());
    }
    if let Some(t) = &admin.telemetry {
        orch = orch.with_telemetry(t);
    }
    let ctx = EngineContext {
        config,
        runtime,
        challenger_capital: admin.challenger_capital,
        registry: admin.registry.as_deref(),
    };
    let mut last_admin = Instant::now();
    let serve = |orch: &mut Orchestrator, last: &mut Instant| {
        admin.inbox.drain(|c| crate::admin::apply(orch, c, &ctx));
        orch.export_metrics(admin.challenger_capital);
        admin.inbox.publish(crate::admin::status(orch));
        if let Some(h) = &admin.heartbeat {
            h.beat();
        }
        *last = Instant::now();
    };
    serve(&mut orch, &mut last_admin);
    while feed.next_tick(&mut tick)? {
        pacer.wait_for(tick[0].ts());
        let started = Instant::now();
        if let Some(d) = orch.on_tick(&tick, started) {
            latency.record(d);
        }
        orch.run_evop(config, runtime, admin.challenger_capital);
        bar.inc(tick.len() as u64);
        if last_admin.elapsed() >= ADMIN_EVERY {
            serve(&mut orch, &mut last_admin);
        }
    }
    serve(&mut orch, &mut last_admin);
    let wall = pacer.elapsed().as_secs_f64();
    bar.finish_and_clear();
    let reports = options.write_report.then_some(config.run.reports_dir.as_path());
    feed.finish(orch.into_champion(), wall, latency, reports)
}

/// The admin API's side of a served run.
pub struct AdminRun {
    /// Commands from the API.
    pub inbox: AdminInbox,
    /// Most challengers at once.
    pub max_challengers: usize,
    /// Virtual capital of each challenger.
    pub challenger_capital: Money,
    /// Roll a promotion back when its drawdown exceeds this fraction.
    pub rollback_drawdown: Option<f64>,
    /// The promotion gate's schedule; `None`: only operators promote.
    pub gate: Option<crate::orchestrator::GateSchedule>,
    /// EVOP cycles, when `[evop.design]` is set.
    pub evop: Option<crate::orchestrator::EvopCycles>,
    /// Where the orchestrator's series go (the served `/metrics`).
    pub telemetry: Option<crate::telemetry::Telemetry>,
    /// Uploaded plugins.
    pub registry: Option<std::sync::Arc<crate::registry::Registry>>,
    /// Beaten whenever the loop takes commands, for `/health`.
    pub heartbeat: Option<crate::telemetry::Heartbeat>,
}
