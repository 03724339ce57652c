//! The orchestrator role: the champion's logic and its challengers
//! shadow-trade the market-data topic in paper accounts of their own (the
//! same [`Orchestrator`] as `hft-host run`, with the promotion gate and
//! EVOP); the admin API drives it. When the champion's logic changes
//! (an operator's promotion or rollback, the gate, an automatic rollback),
//! it writes a [`ChampionRecord`] to the state store and publishes a
//! control event; every strategy process then swaps that logic in between
//! two ticks, without a restart. The kill switch set through the API goes
//! to the state store and the control topic, so execution and every
//! strategy process stop at once.
//!
//! What a restart keeps: every `commit_interval_ms` the role writes its
//! whole state (the champion replica, each challenger's pipeline, book and
//! record, the swaps, EVOP's phase: [`OrchestratorCheckpoint`]) to the
//! state store, and only then commits its offsets; a restarted role
//! restores it and reads on from those offsets.

use super::champion_record::ChampionRecord;
use super::commit_tracker::CommitTracker;
use super::ingest::run_topics;
use super::strategy::logic_config;
use super::tick_assembler::TickAssembler;
use super::{ConsumeOptions, RoleError};
use crate::admin::{AdminInbox, Command, EngineContext};
use crate::config::{RunConfig, Speed};
use crate::orchestrator::{EvopCycles, GateSchedule, Orchestrator, OrchestratorCheckpoint};
use crate::pipeline::assemble;
use crate::registry::Registry;
use crate::runtime::Runtime;
use hft_bus::bus::{CommitPosition, EventBus, LagReporter, Producer};
use hft_bus::metrics::{BusMetrics, MetricsSnapshot};
use hft_bus::typed::{Publisher, Subscriber};
use hft_bus::wire::{ControlEvent, Envelope, MarketData, MessageId};
use hft_state::{ComponentName, ComponentSnapshot, KillSwitch, StateStore};
use hft_trading::domain::{Money, Timestamp};
use hft_trading::execution::PaperBroker;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// How long a flush of the control events may take.
const FLUSH_TIMEOUT: Duration = Duration::from_secs(30);

/// How often the admin API's commands are applied between ticks.
const ADMIN_EVERY: Duration = Duration::from_millis(20);

/// What the orchestrator role did.
pub struct OrchestratorSummary {
    /// Ticks every strategy saw.
    pub ticks: usize,
    /// Champion changes published, one line each.
    pub changes: Vec<String>,
    /// Challengers running at the end.
    pub challengers: usize,
    /// Market events skipped because they went back in time.
    pub late_events: u64,
    /// Each challenger at the end: its id and the ticks it saw.
    pub challenger_ticks: Vec<(String, usize)>,
    /// Whether it resumed from a checkpoint, at which tick.
    pub resumed_at_tick: Option<usize>,
    /// Checkpoints written, and postponed (state store down).
    pub checkpoints: (u64, u64),
    /// EVOP's state at the end (as `/status` shows it), if EVOP runs.
    pub evop: Option<serde_json::Value>,
    /// The bus counters.
    pub bus: MetricsSnapshot,
}

/// The admin API's side of the role: its commands and the registry its
/// uploads go to.
pub struct OrchestratorAdmin<'a> {
    /// Commands from the API.
    pub inbox: &'a AdminInbox,
    /// Uploaded plugins.
    pub registry: Option<&'a Registry>,
}

/// Publishes champion changes: the record first (the truth a restarted
/// strategy process reads), then the control event that wakes the others.
struct ChangePublisher<'s, P: Producer> {
    store: &'s dyn StateStore,
    registry: Option<&'s Registry>,
    publisher: Publisher<P>,
    run: String,
    generation: u64,
    published_swaps: usize,
    changes: Vec<String>,
}

impl<P: Producer> ChangePublisher<'_, P> {
    /// Publish the champion if a swap happened since the last call. With
    /// the store down nothing is published and the next call tries again.
    fn after(&mut self, orch: &Orchestrator) -> Result<(), RoleError> {
        let Some(last) = orch.swaps.last().filter(|_| orch.swaps.len() > self.published_swaps) else { return Ok(()) };
        let mut spec = orch.champion_spec().clone();
        // An uploaded plugin goes to the store first, named by its full
        // sha256, for strategy processes that do not share this registry.
        if let (Some(reference), Some(registry)) = (&spec.plugin, self.registry)
            && super::shared_plugin::is_uploaded(reference)
        {
            match super::shared_plugin::share(self.store, registry, reference) {
                Ok(sha) => spec.plugin = Some(sha),
                Err(RoleError::State(e)) if e.is_unavailable() => {
                    tracing::warn!(error = %e, "state store unavailable: the champion change is published later");
                    return Ok(());
                }
                Err(e) => return Err(e),
            }
        }
        let record = ChampionRecord {
            generation: self.generation + 1,
            action: last.action.to_string(),
            spec,
            decided_after: orch.champion().last_tick_time(),
        };
        let digest = match record.save(self.store, &self.run) {
            Ok(d) => d,
            Err(RoleError::State(e)) if e.is_unavailable() => {
                tracing::warn!(error = %e, "state store unavailable: the champion change is published later");
                return Ok(());
            }
            Err(e) => return Err(e),
        };
        let name = ChampionRecord::slot(&self.run);
        let event = if last.action.ends_with("rollback") {
            ControlEvent::ComponentRolledBack { name, sha256: digest }
        } else {
            ControlEvent::ComponentPromoted { name, sha256: digest }
        };
        let id = MessageId::derive("champion", &[self.run.as_bytes(), &record.generation.to_le_bytes()]);
        self.publisher.publish(&Envelope::new(id, event))?;
        self.publisher.flush(FLUSH_TIMEOUT)?;
        self.generation = record.generation;
        self.published_swaps = orch.swaps.len();
        let line = format!(
            "generation {}: {} -> {} after tick {}",
            record.generation,
            record.action,
            record.spec.id,
            orch.ticks()
        );
        tracing::info!(%line, "champion change published");
        self.changes.push(line);
        Ok(())
    }

    /// The kill switch from the API: into the store (execution and risk
    /// read it there) and onto the control topic (strategy processes stop
    /// at once).
    fn kill_switch(&mut self, on: bool, reason: &str, ts: Timestamp) -> Result<(), RoleError> {
        let switch = if on { KillSwitch::engaged(reason, ts) } else { KillSwitch::released(reason, ts) };
        self.store.set_kill_switch(&switch)?;
        let id = MessageId::derive("kill-switch", &[self.run.as_bytes(), &ts.nanos().to_le_bytes(), &[on as u8]]);
        self.publisher.publish(&Envelope::new(id, ControlEvent::KillSwitch { on, reason: reason.to_string() }))?;
        self.publisher.flush(FLUSH_TIMEOUT)?;
        Ok(())
    }
}

/// Run the orchestrator role on `bus`: consume the market-data topic in
/// group `<group_prefix>-orchestrator`, run the champion's logic and the
/// challengers on every tick, apply the admin API's commands between
/// ticks, and publish every champion change.
pub fn run_orchestrator<B: EventBus>(
    config: &RunConfig,
    runtime: &Runtime,
    bus: &B,
    store: &dyn StateStore,
    options: &ConsumeOptions,
    admin: Option<OrchestratorAdmin<'_>>,
) -> Result<OrchestratorSummary, RoleError> {
    let telemetry = options.telemetry_for("orchestrator");
    let gate = GateSchedule::from_config(&config.evop).map_err(|e| RoleError::Config(e.to_string()))?;
    let evop = EvopCycles::from_config(&config.evop).map_err(|e| RoleError::Config(e.to_string()))?;
    let topics = Arc::new(run_topics(config));
    topics.validate().map_err(|e| RoleError::Config(format!("[bus.topics]: {e}")))?;
    bus.ensure_topics(&topics)?;
    let metrics = Arc::new(BusMetrics::default());
    let format = config.bus.format;
    let dead_letters = Publisher::new(bus.producer()?, topics.clone(), format, metrics.clone());
    let group = format!("{}-orchestrator", config.bus.group_prefix);
    let consumer = bus.consumer(&group, &[topics.market_data.name.as_str()])?;
    let mut subscriber: Subscriber<MarketData, _, _> = Subscriber::new(consumer, dead_letters, metrics.clone());
    telemetry.readiness().flag(super::READY_BUS).set(true);

    // The champion's replica runs the logic the strategy processes run:
    // the checkpoint's, else the champion record's, else the configuration's.
    let checkpoint_name = ComponentName::new(&format!("orchestrator.{}", config.run.name))?;
    let checkpoint = store.snapshot(&checkpoint_name)?.map(|s| OrchestratorCheckpoint::decode(&s.bytes)).transpose()?;
    let record = ChampionRecord::load(store, &config.run.name)?;
    let champion_spec = match (&checkpoint, &record) {
        (Some(cp), _) => Some(cp.champion_spec.clone()),
        (None, Some(r)) => Some(r.spec.clone()),
        (None, None) => None,
    };
    let logic = match &champion_spec {
        Some(spec) => logic_config(config, spec, store, runtime)?,
        None => config.clone(),
    };
    let broker = PaperBroker::new(config.execution.clone())?;
    let (pipeline, _) = assemble(&logic, runtime, Box::new(broker), Speed::Max)?;
    let legs = pipeline.wiring().instruments.ids().to_vec();
    let mut orch = Orchestrator::new(pipeline, "champion", config.evop.max_challengers, config.evop.rollback_drawdown)
        .with_gate(gate);
    if let Some(spec) = champion_spec {
        orch = orch.with_champion_spec(spec);
    }
    if let Some(e) = evop {
        orch = orch.with_evop(e);
    }
    orch = orch.with_telemetry(&telemetry);
    let capital = Money(config.evop.challenger_capital.unwrap_or(config.run.initial_capital));
    let registry = admin.as_ref().and_then(|a| a.registry);
    let mut resumed_at_tick = None;
    if let Some(cp) = checkpoint {
        let at = cp.ticks;
        orch.restore(cp, config, runtime, capital, registry)
            .map_err(|e| RoleError::Config(format!("restoring the orchestrator checkpoint: {e}")))?;
        tracing::info!(ticks = at, challengers = orch.challengers().len(), "orchestrator resumed from its checkpoint");
        resumed_at_tick = Some(at);
    }
    telemetry.readiness().flag(super::READY_COMPONENTS).set(true);
    let ctx = EngineContext { config, runtime, challenger_capital: capital, registry };
    let mut changes = ChangePublisher {
        store,
        registry,
        publisher: Publisher::new(bus.producer()?, topics.clone(), format, metrics.clone()),
        run: config.run.name.clone(),
        generation: record.as_ref().map_or(0, |r| r.generation),
        published_swaps: orch.swaps.len(),
        changes: Vec::new(),
    };

    let mut assembler = TickAssembler::new(legs);
    let mut commits = CommitTracker::new(Duration::from_millis(config.bus.commit_interval_ms));
    let mut lag = LagReporter::default();
    let flush_after = Duration::from_millis(config.bus.tick_flush_ms);
    let poll = flush_after.clamp(Duration::from_millis(1), Duration::from_millis(50));
    let mut last_message = Instant::now();
    let mut last_admin = Instant::now() - ADMIN_EVERY;
    let mut late_events = 0u64;
    let mut checkpoints = (0u64, 0u64);
    let resumed_after = resumed_at_tick.and_then(|_| orch.champion().last_tick_time());
    let heartbeat = telemetry.heartbeat().clone();
    tracing::info!(%group, topic = %topics.market_data.name, "orchestrator role consuming");
    let mut stop = false;
    while !stop {
        heartbeat.beat();
        match subscriber.poll(poll)? {
            Some(received) => {
                last_message = Instant::now();
                let position = CommitPosition::from(&received.delivery);
                let MarketData(event) = received.envelope.body;
                if resumed_after.is_some_and(|done| event.ts() <= done) {
                    // Already in the checkpoint: redelivered because the
                    // process died between its checkpoint and its commit.
                    commits.done(&position);
                    continue;
                }
                if assembler.push(event, position.clone()).is_err() {
                    // The strategy role dead-letters it; here it is only skipped.
                    late_events += 1;
                    commits.done(&position);
                }
            }
            None => stop = assembler.after_quiet(last_message.elapsed(), flush_after, options.until_idle),
        }
        while let Some(tick) = assembler.next_ready() {
            orch.on_tick(&tick.events, Instant::now());
            orch.run_evop(config, runtime, capital);
            tick.positions.iter().for_each(|p| commits.done(p));
            changes.after(&orch)?;
        }
        if last_admin.elapsed() < ADMIN_EVERY {
            // Between two refreshes.
        } else if let Some(admin) = &admin {
            last_admin = Instant::now();
            let mut switch_failed = None;
            admin.inbox.drain(|command| {
                if let Command::KillSwitch { on, reason } = &command {
                    let ts = orch.champion().last_tick_time().unwrap_or(Timestamp(0));
                    if let Err(e) = changes.kill_switch(*on, reason, ts) {
                        switch_failed = Some(e.to_string());
                        return Err(crate::admin::ApiError::unavailable(format!(
                            "the kill switch could not be set in the state store: {e}"
                        )));
                    }
                }
                crate::admin::apply(&mut orch, command, &ctx)
            });
            if let Some(e) = switch_failed {
                tracing::error!(error = %e, "kill switch not set");
            }
            orch.export_metrics(capital);
            admin.inbox.publish(crate::admin::status(&orch));
            changes.after(&orch)?;
        } else {
            last_admin = Instant::now();
            orch.export_metrics(capital);
        }
        if commits.is_due(stop) {
            // The state first, then the offsets: a crash between the two
            // replays ticks the checkpoint does not hold.
            let cp = orch.checkpoint()?;
            let snapshot = ComponentSnapshot {
                component: checkpoint_name.clone(),
                sequence: cp.ticks as u64,
                taken_at: orch.champion().last_tick_time().unwrap_or(Timestamp(0)),
                bytes: cp.encode(),
            };
            match store.put_snapshot(&snapshot) {
                Ok(()) => {
                    checkpoints.0 += 1;
                    commits.commit(subscriber.consumer_mut())?;
                }
                Err(e) if e.is_unavailable() => {
                    tracing::warn!(error = %e, "state store unavailable: checkpoint and commit postponed");
                    checkpoints.1 += 1;
                    commits.postpone();
                }
                Err(e) => return Err(e.into()),
            }
        }
        // hft_consumer_lag, at most once a second, and on the last pass so the
        // final value is exact; a failed query is skipped (logged at debug).
        lag.report(subscriber.consumer(), stop, |topic, n| telemetry.consumer_lag(topic).set(n as f64));
    }
    Ok(OrchestratorSummary {
        ticks: orch.ticks(),
        changes: changes.changes,
        challengers: orch.challengers().len(),
        late_events,
        challenger_ticks: orch.challengers().iter().map(|c| (c.spec.id.clone(), c.returns.len())).collect(),
        resumed_at_tick,
        checkpoints,
        evop: orch.evop().map(|e| e.to_json()),
        bus: metrics.snapshot(),
    })
}
