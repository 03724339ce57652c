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
//! What a restart keeps: the champion record (the orchestrator starts its
//! replica of the champion with that logic) and the committed offsets.
//! Challengers and their records start again.

use super::champion_record::ChampionRecord;
use super::commit_tracker::CommitTracker;
use super::ingest::run_topics;
use super::strategy::logic_config;
use super::tick_assembler::TickAssembler;
use super::{ConsumeOptions, RoleError};
use crate::admin::{AdminInbox, Command, EngineContext};
use crate::config::{RunConfig, Speed};
use crate::orchestrator::{EvopCycles, GateSchedule, Orchestrator};
use crate::pipeline::assemble;
use crate::registry::Registry;
use crate::runtime::Runtime;
use hft_bus::bus::{CommitPosition, EventBus, Producer};
use hft_bus::metrics::{BusMetrics, MetricsSnapshot};
use hft_bus::typed::{Publisher, Subscriber};
use hft_bus::wire::{ControlEvent, Envelope, MarketData, MessageId};
use hft_state::{KillSwitch, StateStore};
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
    /// Market events dead-lettered because they went back in time.
    pub late_events: u64,
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
        let record = ChampionRecord {
            generation: self.generation + 1,
            action: last.action.to_string(),
            spec: orch.champion_spec().clone(),
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
    telemetry.readiness().flag("bus").set(true);

    // The champion's replica runs the logic the strategy processes run.
    let record = ChampionRecord::load(store, &config.run.name)?;
    let logic = match &record {
        Some(r) => logic_config(config, &r.spec)?,
        None => config.clone(),
    };
    let broker = PaperBroker::new(config.execution.clone())?;
    let (pipeline, _) = assemble(&logic, runtime, Box::new(broker), Speed::Max)?;
    let legs = pipeline.wiring().instruments.ids().to_vec();
    let mut orch = Orchestrator::new(pipeline, "champion", config.evop.max_challengers, config.evop.rollback_drawdown)
        .with_gate(gate);
    if let Some(r) = &record {
        orch = orch.with_champion_spec(r.spec.clone());
    }
    if let Some(e) = evop {
        orch = orch.with_evop(e);
    }
    telemetry.readiness().flag("components").set(true);
    let capital = Money(config.evop.challenger_capital.unwrap_or(config.run.initial_capital));
    let ctx = EngineContext {
        config,
        runtime,
        challenger_capital: capital,
        registry: admin.as_ref().and_then(|a| a.registry),
    };
    let mut changes = ChangePublisher {
        store,
        publisher: Publisher::new(bus.producer()?, topics.clone(), format, metrics.clone()),
        run: config.run.name.clone(),
        generation: record.as_ref().map_or(0, |r| r.generation),
        published_swaps: 0,
        changes: Vec::new(),
    };

    let mut assembler = TickAssembler::new(legs);
    let mut commits = CommitTracker::new(Duration::from_millis(config.bus.commit_interval_ms));
    let flush_after = Duration::from_millis(config.bus.tick_flush_ms);
    let poll = flush_after.clamp(Duration::from_millis(1), Duration::from_millis(50));
    let mut last_message = Instant::now();
    let mut last_admin = Instant::now() - ADMIN_EVERY;
    let mut late_events = 0u64;
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
                if assembler.push(event, position.clone()).is_err() {
                    // The strategy role dead-letters it; here it is only skipped.
                    late_events += 1;
                    commits.done(&position);
                }
            }
            None => {
                let quiet = last_message.elapsed();
                if assembler.is_gathering() && quiet >= flush_after {
                    assembler.flush();
                }
                stop = options.until_idle.is_some_and(|idle| quiet >= idle) && !assembler.is_gathering();
            }
        }
        while let Some(tick) = assembler.next_ready() {
            orch.on_tick(&tick.events, Instant::now());
            orch.run_evop(config, runtime, capital);
            tick.positions.iter().for_each(|p| commits.done(p));
            changes.after(&orch)?;
        }
        if let Some(admin) = &admin
            && last_admin.elapsed() >= ADMIN_EVERY
        {
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
            admin.inbox.publish(crate::admin::status(&orch));
            changes.after(&orch)?;
        }
        if commits.is_due(stop) {
            commits.commit(subscriber.consumer_mut())?;
        }
    }
    Ok(OrchestratorSummary {
        ticks: orch.ticks(),
        changes: changes.changes,
        challengers: orch.challengers().len(),
        late_events,
        bus: metrics.snapshot(),
    })
}
