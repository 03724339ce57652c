//! The strategy role: market data from the bus through the pipeline (the
//! model components, the strategy component, pre-trade risk), its venue
//! steps and signals back onto the bus.

use super::ConsumeOptions;
use super::RoleError;
use super::champion_record::ChampionRecord;
use super::commit_tracker::CommitTracker;
use super::ingest::run_topics;
use super::role_metrics::StrategyMetrics;
use super::strategy_checkpoint::{ChampionState, StrategyCheckpoint};
use super::tick_assembler::{Tick, TickAssembler};
use super::venue_tap::VenueTap;
use crate::config::{RunConfig, Speed};
use crate::orchestrator::ChallengerSpec;
use crate::pipeline::{LatencySamples, Pipeline, RunOutcome, assemble, conclude};
use crate::registry::Registry;
use crate::runtime::Runtime;
use hft_bus::bus::{CommitPosition, EventBus, LagReporter};
use hft_bus::metrics::{BusMetrics, MetricsSnapshot};
use hft_bus::typed::{Deduplicator, Publisher, Subscriber};
use hft_bus::wire::{
    ControlEvent, DeadLetter, Envelope, MarketData, MessageId, NamedValue, Signals, StrategyId, VenueCommand,
    VenueMessage,
};
use hft_state::{AccountSnapshot, ComponentName, ComponentSnapshot, RiskRecord, StateStore};
use hft_trading::domain::{Money, Timestamp};
use hft_trading::execution::PaperBroker;
use hft_trading::market::MarketEvent;
use std::collections::VecDeque;
use std::path::Path;
use std::sync::Arc;
use std::sync::mpsc::{Receiver, channel};
use std::time::{Duration, Instant};

/// Market-data ids remembered for dropping redeliveries: well above what a
/// partition holds uncommitted between two commits.
const DEDUPE_WINDOW: usize = 1 << 18;

/// How long a flush of the role's outputs may take before the role gives up.
const FLUSH_TIMEOUT: Duration = Duration::from_secs(30);

/// Recent ticks kept to warm a new champion logic's models before it takes
/// over (a promotion from the orchestrator role).
const WARMUP_TICKS: usize = 2_000;

/// How often the control topic is read between ticks.
const CONTROL_EVERY: Duration = Duration::from_millis(20);

/// What a strategy role did.
pub struct StrategySummary {
    /// The run's report, books and counters, as the embedded run gives them.
    pub outcome: RunOutcome,
    /// Venue steps published to the orders topic.
    pub venue_steps: u64,
    /// Signals messages published.
    pub signals: u64,
    /// Market events dropped as redeliveries.
    pub duplicates: u64,
    /// Market events dead-lettered because they went back in time.
    pub late_events: u64,
    /// Ticks that shared a timestamp with the tick before them.
    pub split_ticks: u64,
    /// Market events skipped because the checkpoint it resumed from
    /// already included them.
    pub replayed: u64,
    /// Whether it resumed from a checkpoint, and from which tick time.
    pub resumed_after: Option<Timestamp>,
    /// Checkpoints written.
    pub checkpoints: u64,
    /// Checkpoints that could not be written (state store down); the
    /// offsets stayed uncommitted until the next one succeeded.
    pub checkpoint_failures: u64,
    /// The bus counters (published, consumed, dead-lettered).
    pub bus: MetricsSnapshot,
    /// Champion changes applied, one line each.
    pub champion_changes: Vec<String>,
    /// Champion changes that could not be applied (the logic kept trading).
    pub champion_failures: u64,
    /// The champion change the process ran at the end (id and generation);
    /// `None`: the configuration's logic.
    pub champion: Option<(String, u64)>,
}

/// The pipeline and everything around it that turns its work into messages.
struct StrategyLoop<P: hft_bus::bus::Producer> {
    pipeline: Pipeline,
    steps: Receiver<VenueCommand>,
    publisher: Publisher<P>,
    strategy: StrategyId,
    pair_key: String,
    board_names: Vec<String>,
    seq: u64,
    last_tick: Option<Timestamp>,
    latency: LatencySamples,
    venue_steps: u64,
    signals: u64,
    metrics: StrategyMetrics,
    recent: VecDeque<Vec<MarketEvent>>,
    champion: Option<ChampionState>,
    champion_changes: Vec<String>,
    champion_failures: u64,
    faults: Option<crate::telemetry::PluginFaultMetrics>,
}

impl<P: hft_bus::bus::Producer> StrategyLoop<P> {
    /// Read run `config`'s champion record and, if it is newer than the
    /// logic running, build that logic, warm its models on the recent
    /// ticks, and swap it in between two ticks. A record this process
    /// cannot apply (a plugin missing from its registry, bad parameters) is
    /// logged and counted; the current logic trades on.
    fn follow_champion(
        &mut self,
        config: &RunConfig,
        runtime: &Runtime,
        store: &dyn StateStore,
    ) -> Result<(), RoleError> {
        let record = match ChampionRecord::load(store, &config.run.name) {
            Ok(Some(r)) => r,
            Ok(None) => return Ok(()),
            Err(RoleError::State(e)) if e.is_unavailable() => {
                tracing::warn!(error = %e, "state store unavailable: the champion record is read later");
                return Ok(());
            }
            Err(e) => return Err(e),
        };
        if self.champion.as_ref().is_some_and(|c| c.generation >= record.generation) {
            return Ok(());
        }
        let started = Instant::now();
        let built = logic_config(config, &record.spec, store, runtime).and_then(|cfg| {
            let broker = PaperBroker::new(cfg.execution.clone())?;
            Ok(assemble(&cfg, runtime, Box::new(broker), Speed::Max)?.0)
        });
        let mut next = match built {
            Ok(p) => p,
            Err(e) => {
                self.champion_failures += 1;
                tracing::error!(generation = record.generation, champion = %record.spec.id, error = %e, "champion change not applied; the current logic trades on");
                return Ok(());
            }
        };
        if let Some(m) = &self.faults {
            next.count_faults_in(m);
        }
        for tick in &self.recent {
            next.on_tick(tick, Instant::now());
        }
        self.pipeline.swap_wiring(&mut next)?;
        if let Some(m) = &self.faults {
            self.pipeline.time_calls_in(m.telemetry(), &config.run.name);
        }
        self.board_names = board_names(&self.pipeline);
        let line = format!(
            "generation {}: {} -> {} after {} (warmed on {} ticks, {:.1} ms)",
            record.generation,
            record.action,
            record.spec.id,
            self.last_tick.map_or_else(|| "the start".to_string(), hft_trading::report::utc_iso),
            self.recent.len(),
            started.elapsed().as_secs_f64() * 1e3
        );
        tracing::info!(%line, "champion changed");
        self.champion_changes.push(line);
        self.champion = Some(ChampionState { generation: record.generation, spec: record.spec });
        Ok(())
    }

    /// A control event: the kill switch now, a champion change at the next
    /// tick boundary (`true`).
    fn on_control(&mut self, event: ControlEvent, slot: &str) -> bool {
        match event {
            ControlEvent::KillSwitch { on, reason } => {
                let ts = self.last_tick.unwrap_or(Timestamp(0));
                if on && self.pipeline.risk().state() != hft_trading::risk::RiskState::Halted {
                    tracing::warn!(%reason, "kill switch engaged (control topic): halting and flattening");
                    self.pipeline.kill(ts);
                } else if !on && self.pipeline.risk().state() == hft_trading::risk::RiskState::Halted {
                    tracing::warn!(%reason, "kill switch released (control topic)");
                    self.pipeline.release_kill(ts);
                }
                self.metrics.kill_switch.set(on);
                false
            }
            ControlEvent::ComponentPromoted { name, .. } | ControlEvent::ComponentRolledBack { name, .. } => {
                name == slot
            }
            ControlEvent::ComponentActivated { .. } => false,
        }
    }

    fn process(&mut self, tick: &Tick, commits: &mut CommitTracker) -> Result<(), RoleError> {
        let started = Instant::now();
        let first_order = self.pipeline.on_tick(&tick.events, started);
        for command in self.steps.try_iter() {
            self.seq += 1;
            let id = VenueMessage::message_id(&self.strategy, self.seq);
            let msg = VenueMessage { strategy: self.strategy.clone(), seq: self.seq, command };
            self.publisher.publish(&Envelope::new(id, msg))?;
            self.venue_steps += 1;
        }
        let latency = first_order.map(|_| started.elapsed());
        if let Some(d) = latency {
            // Measured to the order's hand-over to the producer.
            self.latency.record(d);
        }
        self.metrics.after_tick(&self.pipeline, latency);
        let ts = tick.events[0].ts();
        self.last_tick = Some(ts);
        let values = self
            .board_names
            .iter()
            .zip(self.pipeline.board())
            .map(|(name, &value)| NamedValue { name: name.clone(), value })
            .collect();
        let id = MessageId::derive("signals", &[self.strategy.as_str().as_bytes(), &ts.nanos().to_le_bytes()]);
        self.publisher.publish(&Envelope::new(id, Signals { ts, key: self.pair_key.clone(), values }))?;
        self.signals += 1;
        if self.recent.len() == WARMUP_TICKS {
            self.recent.pop_front();
        }
        self.recent.push_back(tick.events.clone());
        tick.positions.iter().for_each(|p| commits.done(p));
        Ok(())
    }

    /// Write the checkpoint, the books and the risk state to the store, and
    /// obey the kill switch. `false` if the store could not take them (it
    /// is down): the caller then leaves the offsets uncommitted.
    fn checkpoint(&mut self, store: &dyn StateStore, name: &ComponentName) -> Result<bool, RoleError> {
        let cp = StrategyCheckpoint {
            seq: self.seq,
            last_tick: self.last_tick,
            pipeline: self.pipeline.checkpoint()?,
            champion: self.champion.clone(),
        };
        let as_of = self.last_tick.unwrap_or(Timestamp(0));
        let snapshot =
            ComponentSnapshot { component: name.clone(), sequence: self.seq, taken_at: as_of, bytes: cp.encode() };
        let account = AccountSnapshot::of_portfolio(
            hft_state::StrategyId::new(self.strategy.as_str())?,
            self.seq,
            as_of,
            self.pipeline.portfolio(),
        );
        let written = store
            .put_snapshot(&snapshot)
            .and_then(|()| store.put_account(&account))
            .and_then(|()| store.put_risk(&RiskRecord::of_manager(self.pipeline.risk(), as_of)))
            .and_then(|()| store.kill_switch());
        match written {
            Ok(switch) => {
                self.metrics.store_up.set(true);
                self.metrics.kill_switch.set(switch.engaged);
                if switch.engaged && self.pipeline.risk().state() != hft_trading::risk::RiskState::Halted {
                    tracing::warn!(reason = %switch.reason, "kill switch engaged: halting and flattening");
                    self.pipeline.kill(as_of);
                }
                Ok(true)
            }
            Err(e) if e.is_unavailable() => {
                tracing::warn!(error = %e, "state store unavailable: checkpoint and commit postponed");
                self.metrics.store_up.set(false);
                Ok(false)
            }
            Err(e) => Err(e.into()),
        }
    }
}

/// Run the strategy role on `bus`: consume the market-data topic in group
/// `<group_prefix>-strategy`, run each tick through the same pipeline as
/// the embedded mode (its venue a local paper broker whose every step is
/// published to the orders topic for the execution role), publish the
/// model outputs to the signals topic, and commit consumed offsets once
/// what they caused is flushed.
pub fn run_strategy<B: EventBus>(
    config: &RunConfig,
    runtime: &Runtime,
    bus: &B,
    store: &dyn StateStore,
    options: &ConsumeOptions,
) -> Result<StrategySummary, RoleError> {
    let telemetry = options.telemetry_for("strategy");
    let ready_bus = telemetry.readiness().flag(super::READY_BUS);
    let ready_components = telemetry.readiness().flag(super::READY_COMPONENTS);
    let topics = Arc::new(run_topics(config));
    topics.validate().map_err(|e| RoleError::Config(format!("[bus.topics]: {e}")))?;
    bus.ensure_topics(&topics)?;
    let metrics = Arc::new(BusMetrics::default());
    let format = config.bus.format;
    let publisher = Publisher::new(bus.producer()?, topics.clone(), format, metrics.clone());
    let dead_letters = Publisher::new(bus.producer()?, topics.clone(), format, metrics.clone());
    let group = format!("{}-strategy", config.bus.group_prefix);
    let consumer = bus.consumer(&group, &[topics.market_data.name.as_str()])?;
    let mut subscriber: Subscriber<MarketData, _, _> = Subscriber::new(consumer, dead_letters, metrics.clone());
    ready_bus.set(true);

    // The logic to run is the checkpoint's (a champion change applied
    // before a restart), else the configuration's.
    let checkpoint_name = ComponentName::new(&format!("strategy.{}", config.run.name))?;
    let checkpoint = store.snapshot(&checkpoint_name)?.map(|s| StrategyCheckpoint::decode(&s.bytes)).transpose()?;
    let logic = match checkpoint.as_ref().and_then(|c| c.champion.as_ref()) {
        Some(c) => logic_config(config, &c.spec, store, runtime)?,
        None => config.clone(),
    };
    let (tx, steps) = channel();
    let broker = PaperBroker::new(config.execution.clone())?;
    let (pipeline, run_id) = assemble(&logic, runtime, Box::new(VenueTap::new(Box::new(broker), tx)), Speed::Max)?;
    let legs = pipeline.wiring().instruments.ids().to_vec();
    let board_names = board_names(&pipeline);
    let first_leg = legs.first().map(|l| l.symbol.as_str().to_string()).unwrap_or_default();
    let pair_key = topics.market_key(&first_leg).to_string();
    let mut pipeline = pipeline;
    pipeline.time_calls_in(&telemetry, &config.run.name);
    let strategy_metrics = StrategyMetrics::new(
        &telemetry,
        &config.run.name,
        &topics.market_data.name,
        &pipeline,
        Money(config.run.initial_capital),
    );
    let mut work = StrategyLoop {
        pipeline,
        steps,
        publisher,
        strategy: StrategyId::new(&config.run.name),
        pair_key,
        board_names,
        seq: 0,
        last_tick: None,
        latency: LatencySamples::default(),
        venue_steps: 0,
        signals: 0,
        metrics: strategy_metrics,
        recent: VecDeque::with_capacity(WARMUP_TICKS),
        champion: None,
        champion_changes: Vec::new(),
        champion_failures: 0,
        faults: Some(crate::telemetry::PluginFaultMetrics::new(&telemetry)),
    };
    if let Some(m) = &work.faults {
        work.pipeline.count_faults_in(m);
    }
    ready_components.set(true);
    let resumed_after = match checkpoint {
        Some(cp) => {
            work.pipeline.resume(&cp.pipeline)?;
            work.seq = cp.seq;
            work.last_tick = cp.last_tick;
            work.champion = cp.champion;
            tracing::info!(seq = cp.seq, last_tick = ?cp.last_tick, "resumed from checkpoint");
            cp.last_tick
        }
        None => None,
    };
    // Every process reads every control event: a group of its own.
    let control_group = format!(
        "{}-strategy-control-{}-{}",
        config.bus.group_prefix,
        std::process::id(),
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos())
    );
    let control_consumer = bus.consumer(&control_group, &[topics.control.name.as_str()])?;
    let control_dead = Publisher::new(bus.producer()?, topics.clone(), format, metrics.clone());
    let mut control: Subscriber<ControlEvent, _, _> = Subscriber::new(control_consumer, control_dead, metrics.clone());
    let slot = ChampionRecord::slot(&config.run.name);
    // A change decided while this process was down is applied first.
    let mut champion_due = true;
    let mut last_control = Instant::now() - CONTROL_EVERY;
    let (mut checkpoints, mut checkpoint_failures, mut replayed) = (0u64, 0u64, 0u64);

    let mut assembler = TickAssembler::new(legs);
    let mut dedupe = Deduplicator::new(DEDUPE_WINDOW);
    let mut commits = CommitTracker::new(Duration::from_millis(config.bus.commit_interval_ms));
    let mut lag = LagReporter::default();
    let flush_after = Duration::from_millis(config.bus.tick_flush_ms);
    let poll = flush_after.clamp(Duration::from_millis(1), Duration::from_millis(50));
    let (mut duplicates, mut late_events) = (0u64, 0u64);
    let mut last_message = Instant::now();
    let start = Instant::now();
    tracing::info!(%group, topic = %topics.market_data.name, strategy = %work.strategy, "strategy role consuming");
    let heartbeat = telemetry.heartbeat().clone();
    let mut dead_lettered = 0u64;
    let mut stop = false;
    while !stop {
        heartbeat.beat();
        match subscriber.poll(poll)? {
            Some(received) => {
                last_message = Instant::now();
                let position = CommitPosition::from(&received.delivery);
                if !dedupe.first_seen(received.envelope.id) {
                    duplicates += 1;
                    commits.done(&position);
                    continue;
                }
                let MarketData(event) = received.envelope.body;
                if resumed_after.is_some_and(|done| event.ts() <= done) {
                    // Already in the checkpoint's state: redelivered because
                    // the process died between its checkpoint and its commit.
                    replayed += 1;
                    commits.done(&position);
                    continue;
                }
                if let Err(event) = assembler.push(event, position.clone()) {
                    late_events += 1;
                    work.metrics.dead_letters.inc();
                    dead_letter_late(&mut work.publisher, &received.delivery, &event)?;
                    commits.done(&position);
                }
            }
            None => stop = assembler.after_quiet(last_message.elapsed(), flush_after, options.until_idle),
        }
        if last_control.elapsed() >= CONTROL_EVERY {
            last_control = Instant::now();
            while let Some(received) = control.poll(Duration::ZERO)? {
                champion_due |= work.on_control(received.envelope.body, &slot);
            }
            if champion_due {
                champion_due = false;
                work.follow_champion(config, runtime, store)?;
            }
        }
        while let Some(tick) = assembler.next_ready() {
            work.process(&tick, &mut commits)?;
        }
        let now_dead = metrics.snapshot().dead_lettered;
        work.metrics.dead_letters.inc_by(now_dead - dead_lettered);
        dead_lettered = now_dead;
        if commits.is_due(stop) {
            durable(
                &mut work,
                &mut commits,
                subscriber.consumer_mut(),
                store,
                &checkpoint_name,
                &mut checkpoints,
                &mut checkpoint_failures,
            )?;
        }
        // hft_consumer_lag, at most once a second, and on the last pass so the
        // final value is exact; a failed query is skipped (logged at debug).
        lag.report(subscriber.consumer(), stop, |topic, n| telemetry.consumer_lag(topic).set(n as f64));
    }
    let wall = start.elapsed().as_secs_f64();
    let reports = options.write_report.then_some(config.run.reports_dir.as_path());
    let outcome = conclude(work.pipeline, &run_id, Vec::new(), wall, work.latency, reports.map(Path::new))?;
    Ok(StrategySummary {
        outcome,
        venue_steps: work.venue_steps,
        signals: work.signals,
        duplicates,
        late_events,
        split_ticks: assembler.split_ticks,
        replayed,
        resumed_after,
        checkpoints,
        checkpoint_failures,
        bus: metrics.snapshot(),
        champion_changes: work.champion_changes,
        champion_failures: work.champion_failures,
        champion: work.champion.map(|c| (c.spec.id, c.generation)),
    })
}

/// The names of a pipeline's model outputs, as the signals topic carries them.
fn board_names(pipeline: &Pipeline) -> Vec<String> {
    pipeline
        .wiring()
        .models
        .iter()
        .flat_map(|m| m.kind.outputs().iter().map(move |o| format!("{}.{o}", m.name)))
        .collect()
}

/// `config` running `spec`'s logic: its plugin (resolved in this process's
/// registry; an uploaded one missing there is fetched from `store` and
/// validated, see [`super::shared_plugin`]) and parameters, under the run's
/// own name (the strategy id, the checkpoint and the books stay the run's).
pub(super) fn logic_config(
    config: &RunConfig,
    spec: &ChallengerSpec,
    store: &dyn StateStore,
    runtime: &Runtime,
) -> Result<RunConfig, RoleError> {
    let registry = match &spec.plugin {
        Some(reference) => {
            let registry =
                Registry::open(config.registry.clone()).map_err(|e| RoleError::Config(format!("[registry]: {e}")))?;
            if super::shared_plugin::is_uploaded(reference) && reference.len() == 64 {
                super::shared_plugin::fetch(store, &registry, runtime, reference)?;
            }
            Some(registry)
        }
        None => None,
    };
    let spec = spec.clone().resolve(config, registry.as_ref()).map_err(|e| RoleError::Config(e.to_string()))?;
    let mut logic = spec.apply(config).map_err(|e| RoleError::Config(e.to_string()))?;
    if spec.strategy.is_some() {
        crate::pipeline::fit_strategy_wiring(&mut logic, runtime).map_err(|e| RoleError::Config(e.to_string()))?;
    }
    logic.run.name = config.run.name.clone();
    Ok(logic)
}

/// Make what is done durable: outputs flushed, checkpoint written, offsets
/// committed, in that order. With the store down the commit waits.
fn durable<P: hft_bus::bus::Producer, C: hft_bus::bus::Consumer>(
    work: &mut StrategyLoop<P>,
    commits: &mut CommitTracker,
    consumer: &mut C,
    store: &dyn StateStore,
    name: &ComponentName,
    checkpoints: &mut u64,
    failures: &mut u64,
) -> Result<(), RoleError> {
    work.publisher.flush(FLUSH_TIMEOUT)?;
    if work.checkpoint(store, name)? {
        *checkpoints += 1;
        commits.commit(consumer)?;
    } else {
        *failures += 1;
        commits.postpone();
    }
    Ok(())
}

/// An event older than the tick already processed cannot be put back in
/// order: it goes to the dead-letter topic with the reason, not lost.
fn dead_letter_late<P: hft_bus::bus::Producer>(
    publisher: &mut Publisher<P>,
    delivery: &hft_bus::bus::Delivery,
    event: &MarketEvent,
) -> Result<(), RoleError> {
    tracing::warn!(topic = %delivery.topic, offset = delivery.offset, ts = event.ts().nanos(), "market event out of order");
    let letter = DeadLetter {
        topic: delivery.topic.to_string(),
        partition: delivery.partition,
        offset: delivery.offset,
        reason: format!("market event at {} ns arrived after a later tick was processed", event.ts().nanos()),
        payload: delivery.payload.clone(),
    };
    publisher.publish(&Envelope::new(letter.message_id(), letter))?;
    Ok(())
}
