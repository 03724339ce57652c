//! Distributed mode against the embedded run: the same replay through the
//! ingest, strategy and execution roles gives the same fills and the same
//! books. Here on the in-process bus; `roles_kafka.rs` runs the roles as
//! processes against a real Kafka-protocol broker.

mod common;

use hft_bus::bus::{EventBus, Producer};
use hft_bus::memory::MemoryBus;
use hft_bus::typed::Publisher;
use hft_bus::wire::{Envelope, StrategyId, VenueCommand, VenueMessage};
use hft_host::config::Speed;
use hft_host::pipeline::{RunOptions, run};
use hft_host::roles::{ConsumeOptions, Probe, ingest_on, run_execution, run_risk, run_strategy, run_topics};
use hft_host::telemetry::{Gauge, Telemetry};
use hft_state::{FileStore, Namespace, StateStore};
use hft_trading::domain::{Decimal, InstrumentId, OrderId, Price, Quantity, Side, Timestamp};
use hft_trading::execution::{Order, OrderKind};
use hft_trading::market::{Bar, MarketEvent};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// The execution role's lag gauge, read each time an order reaches it.
struct LagWatch {
    lag: Gauge,
    seen: Mutex<Vec<f64>>,
}

impl Probe for LagWatch {
    fn order_received(&self, _order: &Order) {
        self.seen.lock().unwrap().push(self.lag.get());
    }
}

fn quick() -> ConsumeOptions {
    ConsumeOptions { until_idle: Some(Duration::from_millis(300)), ..Default::default() }
}

#[test]
fn the_roles_on_a_bus_fill_exactly_as_the_embedded_run() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = common::default_config(dir.path());
    let rt = common::runtime();
    let embedded = run(&cfg, &rt, &RunOptions { speed: Some(Speed::Max), write_report: false, progress: false })
        .expect("embedded run");
    let want = embedded.report.fills();
    assert!(want.len() > 50, "the default run trades: {} fills", want.len());

    let bus = MemoryBus::new(1 << 20);
    let ingested = ingest_on(&cfg, &bus, Speed::Max, None).expect("ingest");
    // A second ingest of the same data (an operator re-running it) must
    // change nothing: the strategy drops the copies by message id.
    ingest_on(&cfg, &bus, Speed::Max, None).expect("second ingest");
    let store = FileStore::open(dir.path().join("state"), Namespace::new("test").unwrap()).unwrap();
    let telemetry = Telemetry::new("strategy");
    let options = ConsumeOptions { telemetry: Some(telemetry.clone()), ..quick() };
    let strategy = run_strategy(&cfg, &rt, &bus, &store, &options).expect("strategy role");
    // What /metrics would show.
    let metrics = telemetry.encode_metrics();
    for want_line in [
        format!("hft_ticks_total {}", embedded.counters.ticks),
        format!("hft_fills_total{{strategy=\"pairs-demo\"}} {}", want.len()),
        format!("hft_orders_total{{strategy=\"pairs-demo\",outcome=\"sent\"}} {}", embedded.counters.orders_sent),
        format!(
            "hft_orders_total{{strategy=\"pairs-demo\",outcome=\"rejected\"}} {}",
            embedded.counters.orders_rejected
        ),
        "hft_state_store_up 1".to_string(),
        "hft_kill_switch 0".to_string(),
        // Everything read by the end (the last pass reports it exactly).
        "hft_consumer_lag{topic=\"hft.market-data\"} 0".to_string(),
    ] {
        assert!(metrics.lines().any(|l| l == want_line), "{want_line:?} not in\n{metrics}");
    }
    assert!(telemetry.readiness().report().is_ready(), "{}", telemetry.readiness().report().render());
    assert_eq!(strategy.duplicates, ingested.published, "every second copy is dropped");
    assert_eq!(strategy.outcome.counters.ticks, embedded.counters.ticks, "same ticks");
    assert_eq!(strategy.split_ticks, 0);
    assert_eq!(strategy.outcome.report.fills(), want, "the strategy's local venue fills as the embedded one");
    assert_eq!(strategy.outcome.report.end().final_equity, embedded.report.end().final_equity);
    strategy.outcome.reconciliation.expect("reconciles");

    // While execution works through the orders topic its lag is what is
    // left: read at each order it receives, the value reported after some
    // earlier message, so between 1 and all but one of the steps.
    let telemetry = Telemetry::new("execution");
    let watch = Arc::new(LagWatch { lag: telemetry.consumer_lag("hft.orders"), seen: Mutex::new(Vec::new()) });
    let options = ConsumeOptions { telemetry: Some(telemetry.clone()), probe: Some(watch.clone()), ..quick() };
    let execution = run_execution(&cfg, &bus, &store, &options).expect("execution role");
    let seen = watch.seen.lock().unwrap().clone();
    let steps = strategy.venue_steps as f64;
    assert!(seen.len() > 50, "{} orders seen", seen.len());
    assert!(seen[1..].iter().all(|&lag| (1.0..steps).contains(&lag)), "lags {seen:?} for {steps} steps");
    assert_eq!(telemetry.consumer_lag("hft.orders").get(), 0.0, "caught up at the end");
    let got: Vec<_> = execution.fills.iter().map(|m| m.fill.clone()).collect();
    assert_eq!(got, want, "the execution role's fills are the embedded run's, in order");
    assert!(execution.fills.iter().all(|m| m.strategy.as_str() == cfg.run.name));
    assert_eq!((execution.duplicates, execution.gaps, execution.refused), (0, 0, 0));
    assert_eq!(execution.steps, strategy.venue_steps);

    // The books and the risk state are in the store, and the checkpoints:
    // a second strategy run over the same (already consumed) stream
    // resumes from its checkpoint and changes nothing.
    let account = store.account(&hft_state::StrategyId::new(&cfg.run.name).unwrap()).unwrap().expect("books stored");
    assert_eq!(account.cash, strategy.outcome.report.end().cash);
    assert!(store.risk().unwrap().is_some());
    let again = run_strategy(&cfg, &rt, &bus, &store, &quick()).expect("strategy again");
    assert!(again.resumed_after.is_some());
    assert_eq!(again.venue_steps, 0);
    assert_eq!(again.outcome.report.end().final_equity, embedded.report.end().final_equity);

    // The risk role's books, from execution's fills and the market data,
    // end where the embedded run's did; the default limits do not halt.
    let risk = run_risk(&cfg, &bus, &store, &quick()).expect("risk role");
    assert_eq!(risk.fills as usize, want.len());
    assert_eq!(risk.equity, Some(embedded.report.end().final_equity));
    assert!(!risk.engaged_kill_switch);
    assert!(!store.kill_switch().unwrap().engaged);
}

#[test]
fn the_risk_role_engages_the_kill_switch_and_execution_then_refuses_every_order() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = common::default_config(dir.path());
    let rt = common::runtime();
    let store = FileStore::open(dir.path().join("state"), Namespace::new("test").unwrap()).unwrap();
    let bus = MemoryBus::new(1 << 20);
    ingest_on(&cfg, &bus, Speed::Max, None).unwrap();
    let strategy = run_strategy(&cfg, &rt, &bus, &store, &quick()).unwrap();
    run_execution(&cfg, &bus, &store, &quick()).unwrap();
    // A risk role with a drawdown limit the run's first losses breach.
    let mut strict = cfg.clone();
    strict.risk.max_drawdown = "0.001".parse().unwrap();
    let risk = run_risk(&strict, &bus, &store, &quick()).unwrap();
    assert_eq!(risk.state, hft_trading::risk::RiskState::Halted);
    assert!(risk.engaged_kill_switch);
    let switch = store.kill_switch().unwrap();
    assert!(switch.engaged && switch.reason.contains("halted"), "{switch:?}");
    let topics = run_topics(&cfg);
    assert_eq!(bus.retained(&topics.control.name).unwrap(), 1, "announced on the control topic");

    // The same run again, with execution reading a store whose switch is
    // engaged: every order is refused, nothing fills.
    let bus = MemoryBus::new(1 << 20);
    ingest_on(&cfg, &bus, Speed::Max, None).unwrap();
    let own = FileStore::open(dir.path().join("state2"), Namespace::new("test").unwrap()).unwrap();
    run_strategy(&cfg, &rt, &bus, &own, &quick()).unwrap();
    let killed = FileStore::open(dir.path().join("state3"), Namespace::new("test").unwrap()).unwrap();
    killed.set_kill_switch(&switch).unwrap();
    let execution = run_execution(&cfg, &bus, &killed, &quick()).unwrap();
    assert!(execution.fills.is_empty(), "{} fills", execution.fills.len());
    let submits = strategy.outcome.counters.orders_sent;
    assert!(submits > 50);
    assert_eq!(execution.refused, submits, "every order refused by the kill switch");
}

fn bar(ts_ms: i64, price: &str) -> MarketEvent {
    let p = Price(price.parse().unwrap());
    MarketEvent::Bar(Bar {
        instrument: InstrumentId::new("BINANCE", "BTCUSDT"),
        ts: Timestamp::from_millis(ts_ms),
        open_ts: Timestamp::from_millis(ts_ms - 60_000),
        open: p,
        high: p,
        low: p,
        close: p,
        volume: Quantity(1.into()),
    })
}

fn buy(id: u64, qty: &str, created_ms: i64) -> Order {
    Order {
        id: OrderId(id),
        instrument: InstrumentId::new("BINANCE", "BTCUSDT"),
        side: Side::Buy,
        qty: Quantity(qty.parse().unwrap()),
        kind: OrderKind::Market,
        created: Timestamp::from_millis(created_ms),
    }
}

#[test]
fn execution_applies_a_replayed_step_once_and_counts_a_gap() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = common::default_config(dir.path());
    let bus = MemoryBus::new(1 << 16);
    let topics = Arc::new(run_topics(&cfg));
    bus.ensure_topics(&topics).unwrap();
    let mut publisher = Publisher::new(bus.producer().unwrap(), topics.clone(), cfg.bus.format, Default::default());
    let strategy = StrategyId::new("s1");
    let steps = [
        (1, VenueCommand::Submit(buy(1, "0.5", 60_000))),
        (2, VenueCommand::Market(vec![bar(120_000, "100")])),
        // A strategy that restarted replays steps 1 and 2: no second fill.
        (1, VenueCommand::Submit(buy(1, "0.5", 60_000))),
        (2, VenueCommand::Market(vec![bar(120_000, "100")])),
        // Step 3 never arrives; 4 is applied and the gap counted.
        (4, VenueCommand::Submit(buy(2, "0.25", 150_000))),
        (5, VenueCommand::Market(vec![bar(180_000, "101")])),
    ];
    for (seq, command) in steps {
        let msg = VenueMessage { strategy: strategy.clone(), seq, command };
        publisher.publish(&Envelope::new(VenueMessage::message_id(&strategy, seq), msg)).unwrap();
    }
    // Garbage on the orders topic is dead-lettered, and the role goes on.
    bus.producer().unwrap().send(&topics.orders.name, b"s1", b"not a message").unwrap();
    let store = FileStore::open(dir.path().join("state"), Namespace::new("test").unwrap()).unwrap();
    let execution = run_execution(&cfg, &bus, &store, &quick()).expect("execution role");
    let fills: Vec<(u64, Decimal)> = execution.fills.iter().map(|m| (m.fill.order_id.0, m.fill.price.0)).collect();
    // Market orders fill at the next bar's open plus the 1 bp slippage.
    assert_eq!(fills, vec![(1, "100.0100".parse().unwrap()), (2, "101.0101".parse().unwrap())]);
    assert_eq!((execution.steps, execution.duplicates, execution.gaps), (4, 2, 1));
    assert_eq!(execution.bus.dead_lettered, 1);
    assert_eq!(bus.retained(&topics.dead_letter.name).unwrap(), 1);
}
