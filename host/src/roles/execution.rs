//! The execution role: each strategy's venue steps from the orders topic
//! into its venue, and the fills onto the fills topic.

use super::RoleError;
use super::commit_tracker::CommitTracker;
use super::ingest::run_topics;
use super::role_metrics::ExecutionMetrics;
use super::{ConsumeOptions, Probe};
use crate::config::RunConfig;
use crate::telemetry::Heartbeat;
use hft_bus::bus::{CommitPosition, EventBus, LagReporter, Producer};
use hft_bus::metrics::{BusMetrics, MetricsSnapshot};
use hft_bus::typed::{Publisher, Subscriber};
use hft_bus::wire::{Envelope, FillMessage, MessageId, StrategyId, VenueCommand, VenueMessage};
use hft_state::{Blocked, ComponentName, ComponentSnapshot, FailClosed, StateStore, StoreError};
use hft_trading::domain::Timestamp;
use hft_trading::execution::{Exchange, Fill, PaperBroker, PaperBrokerState, PaperConfig};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// How long a flush of the fills may take before the role gives up.
const FLUSH_TIMEOUT: Duration = Duration::from_secs(30);

/// How often a blocked order asks the state store again.
const BLOCKED_RETRY: Duration = Duration::from_millis(100);

/// What an execution role did.
#[derive(Debug, Clone, Default)]
pub struct ExecutionSummary {
    /// Venue steps applied.
    pub steps: u64,
    /// Steps dropped because they were applied before (a strategy's replay,
    /// or a redelivery after this process restarted).
    pub duplicates: u64,
    /// Times a strategy's steps skipped ahead: steps that never arrived.
    pub gaps: u64,
    /// Orders refused (by the venue, or by the kill switch).
    pub refused: u64,
    /// Times the stream waited because the state store was unavailable
    /// (fail closed: no order goes out without it, and a venue is not
    /// started without knowing its checkpoint).
    pub blocked: u64,
    /// Strategies whose venue continued from a checkpoint.
    pub resumed: u64,
    /// Fills published.
    pub fills: Vec<FillMessage>,
    /// The bus counters.
    pub bus: MetricsSnapshot,
}

/// One strategy's venue and how far its conversation has got: what the
/// role checkpoints per strategy.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct VenueCheckpoint {
    applied: u64,
    venue: PaperBrokerState,
}

struct Account {
    venue: PaperBroker,
    applied: u64,
}

/// The venues of every strategy seen, and what they did.
struct Venues<'s, P: Producer> {
    config: PaperConfig,
    probe: Option<Arc<dyn Probe>>,
    store: &'s dyn StateStore,
    accounts: BTreeMap<StrategyId, Account>,
    dirty: BTreeSet<StrategyId>,
    publisher: Publisher<P>,
    summary: ExecutionSummary,
    fills: Vec<Fill>,
    metrics: ExecutionMetrics,
    heartbeat: Heartbeat,
}

fn checkpoint_name(strategy: &StrategyId) -> Result<ComponentName, RoleError> {
    Ok(ComponentName::new(&format!("venue.{}", strategy.as_str()))?)
}

impl<P: Producer> Venues<'_, P> {
    /// The strategy's venue: from the store's checkpoint the first time a
    /// strategy is seen after a start, else a fresh one.
    fn account(&mut self, strategy: &StrategyId) -> Result<&mut Account, RoleError> {
        if !self.accounts.contains_key(strategy) {
            let name = checkpoint_name(strategy)?;
            let store = self.store;
            let saved = self.wait_for_store(|| store.snapshot(&name))?;
            let account = match saved {
                Some(s) => {
                    let cp: VenueCheckpoint = serde_json::from_slice(&s.bytes)
                        .map_err(|e| RoleError::Config(format!("venue checkpoint of {strategy}: {e}")))?;
                    let venue = PaperBroker::from_snapshot(self.config.clone(), cp.venue)
                        .map_err(|e| RoleError::Config(format!("venue checkpoint of {strategy}: {e}")))?;
                    self.summary.resumed += 1;
                    tracing::info!(%strategy, applied = cp.applied, "venue resumed from checkpoint");
                    Account { venue, applied: cp.applied }
                }
                None => Account { venue: PaperBroker::new(self.config.clone())?, applied: 0 },
            };
            self.accounts.insert(strategy.clone(), account);
        }
        Ok(self.accounts.get_mut(strategy).expect("inserted above"))
    }

    /// Run `op` against the store until the store answers: while it is
    /// unavailable nothing can be decided safely, so the stream waits (and
    /// goes on by itself when the store is back). Other errors stop the role.
    fn wait_for_store<T>(&mut self, mut op: impl FnMut() -> Result<T, StoreError>) -> Result<T, RoleError> {
        let mut waited = false;
        loop {
            self.heartbeat.beat();
            match op() {
                Ok(v) => {
                    self.metrics.store_up.set(true);
                    return Ok(v);
                }
                Err(e) if e.is_unavailable() => {
                    if !waited {
                        self.summary.blocked += 1;
                        waited = true;
                    }
                    self.metrics.store_up.set(false);
                    std::thread::sleep(BLOCKED_RETRY);
                }
                Err(e) => return Err(e.into()),
            }
        }
    }

    /// Wait until the store answers, then say whether the kill switch lets
    /// an order out.
    fn permit(&mut self) -> Result<bool, RoleError> {
        let store = self.store;
        let allowed = self.wait_for_store(|| match FailClosed::new(store).permit() {
            Ok(_) => Ok(true),
            Err(Blocked::KillSwitch(_)) => Ok(false),
            Err(Blocked::Store(e)) => Err(e),
        })?;
        self.metrics.kill_switch.set(!allowed);
        Ok(allowed)
    }

    /// Apply one step, exactly once and in order.
    fn apply(&mut self, msg: VenueMessage) -> Result<(), RoleError> {
        let applied = self.account(&msg.strategy)?.applied;
        if msg.seq <= applied {
            self.summary.duplicates += 1;
            return Ok(());
        }
        if msg.seq != applied + 1 {
            self.summary.gaps += 1;
            tracing::error!(strategy = %msg.strategy, expected = applied + 1, got = msg.seq, "venue steps missing");
        }
        let allowed = !matches!(msg.command, VenueCommand::Submit(_)) || self.permit()?;
        self.summary.steps += 1;
        self.dirty.insert(msg.strategy.clone());
        self.fills.clear();
        let account = self.accounts.get_mut(&msg.strategy).expect("looked up above");
        account.applied = msg.seq;
        match msg.command {
            VenueCommand::Market(events) => events.iter().for_each(|e| account.venue.on_market(e, &mut self.fills)),
            VenueCommand::Submit(order) if !allowed => {
                self.summary.refused += 1;
                self.metrics.of(&msg.strategy).2.inc();
                tracing::warn!(strategy = %msg.strategy, order = %order.id, "order refused: kill switch engaged");
            }
            VenueCommand::Submit(order) => {
                if let Some(p) = &self.probe {
                    p.order_received(&order);
                }
                let id = order.id;
                let accepted = account.venue.submit(order);
                let counters = self.metrics.of(&msg.strategy);
                match &accepted {
                    Ok(_) => counters.1.inc(),
                    Err(_) => counters.2.inc(),
                }
                if let Err(e) = accepted {
                    self.summary.refused += 1;
                    tracing::warn!(strategy = %msg.strategy, order = %id, error = %e, "order refused by the venue");
                }
            }
            VenueCommand::Cancel(id) => {
                account.venue.cancel(id);
            }
        }
        for (n, fill) in self.fills.drain(..).enumerate() {
            let id = MessageId::derive(
                "fill",
                &[msg.strategy.as_str().as_bytes(), &msg.seq.to_le_bytes(), &(n as u64).to_le_bytes()],
            );
            let body = FillMessage { strategy: msg.strategy.clone(), fill };
            self.publisher.publish(&Envelope::new(id, body.clone()))?;
            self.metrics.of(&msg.strategy).0.inc();
            self.summary.fills.push(body);
        }
        Ok(())
    }

    /// Flush the fills, then checkpoint every venue that changed. `false`
    /// if the store is down (the offsets then stay uncommitted).
    fn durable(&mut self) -> Result<bool, RoleError> {
        self.publisher.flush(FLUSH_TIMEOUT)?;
        for strategy in &self.dirty {
            let account = &self.accounts[strategy];
            let cp = VenueCheckpoint { applied: account.applied, venue: account.venue.state_snapshot() };
            let snapshot = ComponentSnapshot {
                component: checkpoint_name(strategy)?,
                sequence: account.applied,
                taken_at: Timestamp(0),
                bytes: serde_json::to_vec(&cp).expect("a venue checkpoint serialises"),
            };
            match self.store.put_snapshot(&snapshot) {
                Ok(()) => {}
                Err(e) if e.is_unavailable() => {
                    tracing::warn!(error = %e, "state store unavailable: checkpoint and commit postponed");
                    return Ok(false);
                }
                Err(e) => return Err(e.into()),
            }
        }
        self.dirty.clear();
        Ok(true)
    }
}

/// Run the execution role on `bus`: consume the orders topic in group
/// `<group_prefix>-execution`, apply each strategy's venue steps to its own
/// paper venue in sequence (a step seen before is dropped, so a strategy
/// that replays after a crash fills nothing twice), publish the fills, and
/// commit consumed offsets once the fills are flushed and the venues
/// checkpointed in `store`. No order reaches a venue while the store is
/// unreachable (the role waits, and goes on by itself when it is back) or
/// while the kill switch is engaged (the order is refused).
pub fn run_execution<B: EventBus>(
    config: &RunConfig,
    bus: &B,
    store: &dyn StateStore,
    options: &ConsumeOptions,
) -> Result<ExecutionSummary, RoleError> {
    let telemetry = options.telemetry_for("execution");
    let ready_bus = telemetry.readiness().flag(super::READY_BUS);
    let topics = Arc::new(run_topics(config));
    topics.validate().map_err(|e| RoleError::Config(format!("[bus.topics]: {e}")))?;
    bus.ensure_topics(&topics)?;
    config.execution.validate()?;
    let metrics = Arc::new(BusMetrics::default());
    let format = config.bus.format;
    let publisher = Publisher::new(bus.producer()?, topics.clone(), format, metrics.clone());
    let dead_letters = Publisher::new(bus.producer()?, topics.clone(), format, metrics.clone());
    let group = format!("{}-execution", config.bus.group_prefix);
    let consumer = bus.consumer(&group, &[topics.orders.name.as_str()])?;
    let mut subscriber: Subscriber<VenueMessage, _, _> = Subscriber::new(consumer, dead_letters, metrics.clone());
    ready_bus.set(true);
    let mut venues = Venues {
        config: config.execution.clone(),
        probe: options.probe.clone(),
        store,
        accounts: BTreeMap::new(),
        dirty: BTreeSet::new(),
        publisher,
        summary: ExecutionSummary::default(),
        fills: Vec::new(),
        metrics: ExecutionMetrics::new(&telemetry, &topics.orders.name),
        heartbeat: telemetry.heartbeat().clone(),
    };
    let mut dead_lettered = 0u64;
    let mut commits = CommitTracker::new(Duration::from_millis(config.bus.commit_interval_ms));
    let mut lag = LagReporter::default();
    let mut last_message = Instant::now();
    tracing::info!(%group, topic = %topics.orders.name, "execution role consuming");
    loop {
        venues.heartbeat.beat();
        let idle = match subscriber.poll(Duration::from_millis(50))? {
            Some(received) => {
                last_message = Instant::now();
                let position = CommitPosition::from(&received.delivery);
                venues.apply(received.envelope.body)?;
                commits.done(&position);
                false
            }
            None => options.until_idle.is_some_and(|idle| last_message.elapsed() >= idle),
        };
        let now_dead = metrics.snapshot().dead_lettered;
        venues.metrics.dead_letters.inc_by(now_dead - dead_lettered);
        dead_lettered = now_dead;
        if commits.is_due(idle) {
            if venues.durable()? {
                commits.commit(subscriber.consumer_mut())?;
            } else {
                commits.postpone();
                continue;
            }
        }
        // hft_consumer_lag, at most once a second, and on the last pass so the
        // final value is exact; a failed query is skipped (logged at debug).
        lag.report(subscriber.consumer(), idle, |topic, n| telemetry.consumer_lag(topic).set(n as f64));
        if idle {
            break;
        }
    }
    venues.summary.bus = metrics.snapshot();
    Ok(venues.summary)
}
