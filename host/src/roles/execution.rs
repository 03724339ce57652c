//! The execution role: each strategy's venue steps from the orders topic
//! into its venue, and the fills onto the fills topic.

use super::RoleError;
use super::commit_tracker::CommitTracker;
use super::ingest::run_topics;
use super::strategy::ConsumeOptions;
use crate::config::RunConfig;
use hft_bus::bus::{CommitPosition, EventBus, Producer};
use hft_bus::metrics::{BusMetrics, MetricsSnapshot};
use hft_bus::typed::{Publisher, Subscriber};
use hft_bus::wire::{Envelope, FillMessage, MessageId, StrategyId, VenueCommand, VenueMessage};
use hft_trading::execution::{Exchange, Fill, PaperBroker, PaperConfig};
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// What an execution role did.
#[derive(Debug, Clone, Default)]
pub struct ExecutionSummary {
    /// Venue steps applied.
    pub steps: u64,
    /// Steps dropped because they were applied before (a strategy's replay).
    pub duplicates: u64,
    /// Times a strategy's steps skipped ahead: steps that never arrived.
    pub gaps: u64,
    /// Orders the venue refused.
    pub refused: u64,
    /// Fills published.
    pub fills: Vec<FillMessage>,
    /// The bus counters.
    pub bus: MetricsSnapshot,
}

/// One strategy's venue and how far its conversation has got.
struct Account {
    venue: PaperBroker,
    applied: u64,
}

/// The venues of every strategy seen, and what they did.
struct Venues<P: Producer> {
    config: PaperConfig,
    accounts: BTreeMap<StrategyId, Account>,
    publisher: Publisher<P>,
    summary: ExecutionSummary,
    fills: Vec<Fill>,
}

impl<P: Producer> Venues<P> {
    /// Apply one step, exactly once and in order.
    fn apply(&mut self, msg: VenueMessage) -> Result<(), RoleError> {
        let account = match self.accounts.get_mut(&msg.strategy) {
            Some(a) => a,
            None => {
                let venue = PaperBroker::new(self.config.clone())?;
                self.accounts.entry(msg.strategy.clone()).or_insert(Account { venue, applied: 0 })
            }
        };
        if msg.seq <= account.applied {
            self.summary.duplicates += 1;
            return Ok(());
        }
        if msg.seq != account.applied + 1 {
            self.summary.gaps += 1;
            tracing::error!(strategy = %msg.strategy, expected = account.applied + 1, got = msg.seq, "venue steps missing");
        }
        account.applied = msg.seq;
        self.summary.steps += 1;
        self.fills.clear();
        match msg.command {
            VenueCommand::Market(events) => events.iter().for_each(|e| account.venue.on_market(e, &mut self.fills)),
            VenueCommand::Submit(order) => {
                let id = order.id;
                if let Err(e) = account.venue.submit(order) {
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
            self.summary.fills.push(body);
        }
        Ok(())
    }
}

/// Run the execution role on `bus`: consume the orders topic in group
/// `<group_prefix>-execution`, apply each strategy's venue steps to its own
/// paper venue in sequence (a step seen before is dropped, so a strategy
/// that replays after a crash fills nothing twice), publish the fills, and
/// commit consumed offsets once the fills are flushed.
pub fn run_execution<B: EventBus>(
    config: &RunConfig,
    bus: &B,
    options: &ConsumeOptions,
) -> Result<ExecutionSummary, RoleError> {
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
    let mut venues = Venues {
        config: config.execution.clone(),
        accounts: BTreeMap::new(),
        publisher,
        summary: ExecutionSummary::default(),
        fills: Vec::new(),
    };
    let mut commits = CommitTracker::new(Duration::from_millis(config.bus.commit_interval_ms));
    let mut last_message = Instant::now();
    tracing::info!(%group, topic = %topics.orders.name, "execution role consuming");
    loop {
        match subscriber.poll(Duration::from_millis(50))? {
            Some(received) => {
                last_message = Instant::now();
                let position = CommitPosition::from(&received.delivery);
                venues.apply(received.envelope.body)?;
                commits.done(&position);
            }
            None if options.until_idle.is_some_and(|idle| last_message.elapsed() >= idle) => break,
            None => {}
        }
        commits.maybe_commit(false, &mut venues.publisher, subscriber.consumer_mut())?;
    }
    commits.maybe_commit(true, &mut venues.publisher, subscriber.consumer_mut())?;
    venues.summary.bus = metrics.snapshot();
    Ok(venues.summary)
}
