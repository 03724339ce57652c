//! The risk role: an independent watch over one strategy's real books,
//! built from the fills execution reports (not from the strategy's own
//! copy) and marked with the market data, that engages the kill switch
//! when the drawdown or daily-loss limits are breached.
//!
//! The strategy's pipeline checks every order before it leaves (pre-trade
//! risk, the same code as the embedded mode). This role is the check after
//! the fact, on what actually filled: with a live venue the two can
//! differ, and it is the one that stops everything when they do. Its
//! switch is in the state store, where execution reads it before every
//! order, and it is announced on the control topic.

use super::ConsumeOptions;
use super::RoleError;
use super::commit_tracker::CommitTracker;
use super::ingest::run_topics;
use super::role_metrics::RiskMetrics;
use crate::config::RunConfig;
use crate::telemetry::Telemetry;
use hft_bus::bus::{CommitPosition, EventBus, LagReporter};
use hft_bus::metrics::{BusMetrics, MetricsSnapshot};
use hft_bus::typed::{Publisher, Subscriber};
use hft_bus::wire::{AnyMessage, ControlEvent, Envelope, MessageId};
use hft_state::{AccountSnapshot, ComponentName, ComponentSnapshot, KillSwitch, RiskRecord, StateStore, StoreError};
use hft_trading::domain::{Money, Timestamp};
use hft_trading::portfolio::{Portfolio, PortfolioState};
use hft_trading::risk::{RiskManager, RiskManagerState, RiskState};
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// How long a flush may take before the role gives up.
const FLUSH_TIMEOUT: Duration = Duration::from_secs(30);

/// How often the role asks an unavailable store again.
const STORE_RETRY: Duration = Duration::from_millis(100);

/// What a risk role did.
#[derive(Debug, Clone)]
pub struct RiskSummary {
    /// Fills booked.
    pub fills: u64,
    /// Fills of other strategies (another deployment's), not booked.
    pub foreign_fills: u64,
    /// Market events used as marks.
    pub marks: u64,
    /// The books' equity at the end.
    pub equity: Option<Money>,
    /// The risk state at the end.
    pub state: RiskState,
    /// Whether this role engaged the kill switch.
    pub engaged_kill_switch: bool,
    /// Times it waited for the state store.
    pub store_waits: u64,
    /// Whether it continued from a checkpoint.
    pub resumed: bool,
    /// The bus counters.
    pub bus: MetricsSnapshot,
}

/// The books and the risk manager, as checkpointed.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct RiskCheckpoint {
    portfolio: PortfolioState,
    risk: RiskManagerState,
    last_ts: Option<Timestamp>,
}

/// Run `op` until the store answers (the role cannot act without it).
fn wait_for_store<T>(
    waits: &mut u64,
    telemetry: &Telemetry,
    mut op: impl FnMut() -> Result<T, StoreError>,
) -> Result<T, RoleError> {
    let mut waited = false;
    let up = telemetry.state_store_up();
    loop {
        telemetry.heartbeat().beat();
        match op() {
            Ok(v) => {
                up.set(true);
                return Ok(v);
            }
            Err(e) if e.is_unavailable() => {
                up.set(false);
                if !waited {
                    *waits += 1;
                    waited = true;
                    tracing::warn!(error = %e, "state store unavailable: the risk role waits");
                }
                std::thread::sleep(STORE_RETRY);
            }
            Err(e) => return Err(e.into()),
        }
    }
}

/// Run the risk role for the strategy `[run] name` on `bus`: consume the
/// fills and market-data topics in group `<group_prefix>-risk`, keep the
/// strategy's books from its fills marked at the market, feed their equity
/// to a risk manager with the `[risk]` limits, and when it halts (maximum
/// drawdown, daily loss limit) engage the kill switch in `store` and
/// announce it on the control topic. The books and the risk state are
/// written to the store, and checkpointed, before every offset commit.
pub fn run_risk<B: EventBus>(
    config: &RunConfig,
    bus: &B,
    store: &dyn StateStore,
    options: &ConsumeOptions,
) -> Result<RiskSummary, RoleError> {
    let telemetry = options.telemetry_for("risk");
    let ready_bus = telemetry.readiness().flag(super::READY_BUS);
    let topics = Arc::new(run_topics(config));
    topics.validate().map_err(|e| RoleError::Config(format!("[bus.topics]: {e}")))?;
    bus.ensure_topics(&topics)?;
    let metrics = Arc::new(BusMetrics::default());
    let format = config.bus.format;
    let mut publisher = Publisher::new(bus.producer()?, topics.clone(), format, metrics.clone());
    let dead_letters = Publisher::new(bus.producer()?, topics.clone(), format, metrics.clone());
    let group = format!("{}-risk", config.bus.group_prefix);
    let consumer = bus.consumer(&group, &[topics.fills.name.as_str(), topics.market_data.name.as_str()])?;
    let mut subscriber: Subscriber<AnyMessage, _, _> = Subscriber::new(consumer, dead_letters, metrics.clone());
    ready_bus.set(true);
    let gauges = RiskMetrics::new(&telemetry, &config.run.name, Money(config.run.initial_capital));

    let strategy = config.run.name.clone();
    let checkpoint_name = ComponentName::new(&format!("risk.{strategy}"))?;
    let state_id = hft_state::StrategyId::new(&strategy)?;
    let mut store_waits = 0u64;
    let saved = wait_for_store(&mut store_waits, &telemetry, || store.snapshot(&checkpoint_name))?;
    let (mut portfolio, mut risk, mut last_ts, resumed) = match saved {
        Some(s) => {
            let cp: RiskCheckpoint = serde_json::from_slice(&s.bytes)
                .map_err(|e| RoleError::Config(format!("risk checkpoint of {strategy}: {e}")))?;
            let portfolio = Portfolio::from_snapshot(cp.portfolio)
                .map_err(|e| RoleError::Config(format!("risk checkpoint of {strategy}: {e}")))?;
            let risk = RiskManager::from_snapshot(config.risk.clone(), cp.risk)
                .map_err(|e| RoleError::Config(format!("risk checkpoint of {strategy}: {e}")))?;
            (portfolio, risk, cp.last_ts, true)
        }
        None => (
            Portfolio::new(Money(config.run.initial_capital)),
            RiskManager::new(config.risk.clone()).map_err(crate::pipeline::RunError::from)?,
            None,
            false,
        ),
    };
    let (mut fills, mut foreign_fills, mut marks) = (0u64, 0u64, 0u64);
    let mut engaged = false;
    let mut commits = CommitTracker::new(Duration::from_millis(config.bus.commit_interval_ms));
    let mut lag = LagReporter::default();
    let mut last_message = Instant::now();
    tracing::info!(%group, %strategy, "risk role consuming");
    loop {
        telemetry.heartbeat().beat();
        let idle = match subscriber.poll(Duration::from_millis(50))? {
            Some(received) => {
                last_message = Instant::now();
                let position = CommitPosition::from(&received.delivery);
                let ts = match received.envelope.body {
                    AnyMessage::Fill(f) if f.strategy.as_str() == strategy => {
                        fills += 1;
                        gauges.fills.inc();
                        if let Err(e) = portfolio.apply(&f.fill) {
                            tracing::error!(order = %f.fill.order_id, error = %e, "fill not booked");
                        }
                        Some(f.fill.ts)
                    }
                    AnyMessage::Fill(_) => {
                        foreign_fills += 1;
                        None
                    }
                    AnyMessage::MarketData(m) => {
                        marks += 1;
                        portfolio.on_market(&m.0);
                        Some(m.0.ts())
                    }
                    other => {
                        tracing::warn!(kind = %other.kind(), "unexpected message on a risk topic");
                        None
                    }
                };
                if let (Some(ts), Ok(equity)) = (ts, portfolio.equity()) {
                    // Event time only moves forward for the limits' clock.
                    let ts = last_ts.map_or(ts, |l: Timestamp| l.max(ts));
                    last_ts = Some(ts);
                    let before = risk.state();
                    let now = risk.on_equity(ts, equity);
                    gauges.observe(equity, now);
                    if now == RiskState::Halted && before != RiskState::Halted {
                        let why = risk.transitions().last().map(|t| format!("{:?}", t.reason)).unwrap_or_default();
                        let reason = format!("risk role: {strategy} halted ({why})");
                        tracing::error!(%reason, "engaging the kill switch");
                        wait_for_store(&mut store_waits, &telemetry, || {
                            store.set_kill_switch(&KillSwitch::engaged(&reason, ts))
                        })?;
                        gauges.kill_switch.set(true);
                        let event = ControlEvent::KillSwitch { on: true, reason: reason.clone() };
                        let id = MessageId::derive("kill-switch", &[strategy.as_bytes(), &ts.nanos().to_le_bytes()]);
                        publisher.publish(&Envelope::new(id, event))?;
                        publisher.flush(FLUSH_TIMEOUT)?;
                        engaged = true;
                    }
                }
                commits.done(&position);
                false
            }
            None => options.until_idle.is_some_and(|idle| last_message.elapsed() >= idle),
        };
        if commits.is_due(idle) {
            publisher.flush(FLUSH_TIMEOUT)?;
            let as_of = last_ts.unwrap_or(Timestamp(0));
            let cp = RiskCheckpoint { portfolio: portfolio.state_snapshot(), risk: risk.state_snapshot(), last_ts };
            let snapshot = ComponentSnapshot {
                component: checkpoint_name.clone(),
                sequence: fills,
                taken_at: as_of,
                bytes: serde_json::to_vec(&cp).expect("a risk checkpoint serialises"),
            };
            let account = AccountSnapshot::of_portfolio(state_id.clone(), fills, as_of, &portfolio);
            wait_for_store(&mut store_waits, &telemetry, || {
                store.put_snapshot(&snapshot)?;
                store.put_account(&account)?;
                store.put_risk(&RiskRecord::of_manager(&risk, as_of))
            })?;
            commits.commit(subscriber.consumer_mut())?;
        }
        // hft_consumer_lag, at most once a second, and on the last pass so the
        // final value is exact; a failed query is skipped (logged at debug).
        lag.report(subscriber.consumer(), idle, |topic, n| telemetry.consumer_lag(topic).set(n as f64));
        if idle {
            break;
        }
    }
    Ok(RiskSummary {
        fills,
        foreign_fills,
        marks,
        equity: portfolio.equity().ok(),
        state: risk.state(),
        engaged_kill_switch: engaged,
        store_waits,
        resumed,
        bus: metrics.snapshot(),
    })
}
