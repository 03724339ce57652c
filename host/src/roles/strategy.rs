//! The strategy role: market data from the bus through the pipeline (the
//! model components, the strategy component, pre-trade risk), its venue
//! steps and signals back onto the bus.

use super::ConsumeOptions;
use super::RoleError;
use super::commit_tracker::CommitTracker;
use super::ingest::run_topics;
use super::role_metrics::StrategyMetrics;
use super::strategy_checkpoint::StrategyCheckpoint;
use super::tick_assembler::{Tick, TickAssembler};
use super::venue_tap::VenueTap;
use crate::config::{RunConfig, Speed};
use crate::pipeline::{LatencySamples, Pipeline, RunOutcome, assemble, conclude};
use crate::runtime::Runtime;
use hft_bus::bus::{CommitPosition, EventBus};
use hft_bus::metrics::{BusMetrics, MetricsSnapshot};
use hft_bus::typed::{Deduplicator, Publisher, Subscriber};
use hft_bus::wire::{
    DeadLetter, Envelope, MarketData, MessageId, NamedValue, Signals, StrategyId, VenueCommand, VenueMessage,
};
use hft_state::{AccountSnapshot, ComponentName, ComponentSnapshot, RiskRecord, StateStore};
use hft_trading::domain::{Money, Timestamp};
use hft_trading::execution::PaperBroker;
use hft_trading::market::MarketEvent;
use std::path::Path;
use std::sync::Arc;
use std::sync::mpsc::{Receiver, channel};
use std::time::{Duration, Instant};

/// Market-data ids remembered for dropping redeliveries: well above what a
/// partition holds uncommitted between two commits.
const DEDUPE_WINDOW: usize = 1 << 18;

/// How long a flush of the role's outputs may take before the role gives up.
const FLUSH_TIMEOUT: Duration = Duration::from_secs(30);

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
}

impl<P: hft_bus::bus::Producer> StrategyLoop<P> {
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
        tick.positions.iter().for_each(|p| commits.done(p));
        Ok(())
    }

    /// Write the checkpoint, the books and the risk state to the store, and
    /// obey the kill switch. `false` if the store could not take them (it
    /// is down): the caller then leaves the offsets uncommitted.
    fn checkpoint(&mut self, store: &dyn StateStore, name: &ComponentName) -> Result<bool, RoleError> {
        let cp = StrategyCheckpoint { seq: self.seq, last_tick: self.last_tick, pipeline: self.pipeline.checkpoint()? };
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
    let ready_bus = telemetry.readiness().flag("bus");
    let ready_components = telemetry.readiness().flag("components");
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

    let (tx, steps) = channel();
    let broker = PaperBroker::new(config.execution.clone())?;
    let (pipeline, run_id) = assemble(config, runtime, Box::new(VenueTap::new(Box::new(broker), tx)), Speed::Max)?;
    let legs = pipeline.wiring().instruments.ids().to_vec();
    let board_names = pipeline
        .wiring()
        .models
        .iter()
        .flat_map(|m| m.kind.outputs().iter().map(move |o| format!("{}.{o}", m.name)))
        .collect();
    let first_leg = legs.first().map(|l| l.symbol.as_str().to_string()).unwrap_or_default();
    let pair_key = topics.market_key(&first_leg).to_string();
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
        metrics: StrategyMetrics::new(
            &telemetry,
            &config.run.name,
            &topics.market_data.name,
            Money(config.run.initial_capital),
        ),
    };
    ready_components.set(true);
    let checkpoint_name = ComponentName::new(&format!("strategy.{}", config.run.name))?;
    let resumed_after = match store.snapshot(&checkpoint_name)? {
        Some(snapshot) => {
            let cp = StrategyCheckpoint::decode(&snapshot.bytes)?;
            work.pipeline.resume(&cp.pipeline)?;
            work.seq = cp.seq;
            work.last_tick = cp.last_tick;
            tracing::info!(seq = cp.seq, last_tick = ?cp.last_tick, "resumed from checkpoint");
            cp.last_tick
        }
        None => None,
    };
    let (mut checkpoints, mut checkpoint_failures, mut replayed) = (0u64, 0u64, 0u64);

    let mut assembler = TickAssembler::new(legs);
    let mut dedupe = Deduplicator::new(DEDUPE_WINDOW);
    let mut commits = CommitTracker::new(Duration::from_millis(config.bus.commit_interval_ms));
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
            None => {
                let quiet = last_message.elapsed();
                if assembler.is_gathering() && quiet >= flush_after {
                    assembler.flush();
                }
                stop = options.until_idle.is_some_and(|idle| quiet >= idle) && !assembler.is_gathering();
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
    })
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
