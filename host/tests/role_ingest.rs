//! `hft-host run --role ingest` against a real Kafka-protocol broker: the
//! bundled pair lands in the market-data topic, every event once, both legs
//! of the pair on one partition in time order, with ids that are the same
//! on every run so a consumer can drop a replay's copies.

mod common;

use hft_bus::bus::EventBus;
use hft_bus::kafka::{KafkaBus, KafkaConfig};
use hft_bus::metrics::BusMetrics;
use hft_bus::testing::Tansu;
use hft_bus::topics::TopicsConfig;
use hft_bus::typed::{Publisher, Subscriber};
use hft_bus::wire::{Format, MarketData, MessageId};
use hft_host::roles::market_data_id;
use std::collections::{BTreeMap, HashMap};
use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};

const EVENTS: usize = 20_000;

fn config(dir: &tempfile::TempDir, bootstrap: &str) -> String {
    let root = common::root();
    let text =
        hft_host::config::DEFAULT_CONFIG.replace("data/pair/", &format!("{}/data/pair/", root.display())).to_string()
            + &format!("\n[bus.kafka]\nbootstrap_servers = {bootstrap:?}\n");
    let path = dir.path().join("ingest.toml");
    std::fs::write(&path, text).unwrap();
    path.display().to_string()
}

fn ingest(cfg: &str) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_hft-host"))
        .args(["run", "--role", "ingest", "--config", cfg])
        .output()
        .expect("running hft-host");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(out.status.success(), "{stdout}\n{}", String::from_utf8_lossy(&out.stderr));
    stdout
}

/// Read `n` market-data messages in consumer group `group`.
fn consume(bootstrap: &str, group: &str, n: usize) -> Vec<(i32, i64, MessageId, MarketData)> {
    let bus = KafkaBus::new(KafkaConfig::new(bootstrap));
    let topics = Arc::new(TopicsConfig::default());
    let metrics = Arc::new(BusMetrics::default());
    let consumer = bus.consumer(group, &[topics.market_data.name.as_str()]).unwrap();
    let dead = Publisher::new(bus.producer().unwrap(), topics, Format::Binary, Arc::clone(&metrics));
    let mut sub = Subscriber::<MarketData, _, _>::new(consumer, dead, metrics);
    let deadline = Instant::now() + Duration::from_secs(120);
    let mut got = Vec::with_capacity(n);
    while got.len() < n {
        assert!(Instant::now() < deadline, "only {} of {n} messages arrived", got.len());
        if let Some(r) = sub.poll(Duration::from_millis(200)).unwrap() {
            got.push((r.delivery.partition, r.delivery.offset, r.envelope.id, r.envelope.body));
        }
    }
    got
}

#[test]
fn ingest_publishes_every_event_once_pair_keyed_with_stable_ids() {
    let broker = Tansu::start();
    let dir = tempfile::tempdir().unwrap();
    let cfg = config(&dir, &broker.bootstrap);
    let stdout = ingest(&cfg);
    assert!(stdout.contains(&format!("published {EVENTS} market events")), "{stdout}");

    let got = consume(&broker.bootstrap, "verify", EVENTS);
    let mut partitions: BTreeMap<i32, Vec<(i64, &MarketData)>> = BTreeMap::new();
    let mut ids: HashMap<MessageId, usize> = HashMap::new();
    for (p, offset, id, body) in &got {
        partitions.entry(*p).or_default().push((*offset, body));
        *ids.entry(*id).or_default() += 1;
        assert_eq!(*id, market_data_id(&body.0, 0), "the id is derived from the event");
    }
    assert_eq!(ids.len(), EVENTS, "every event once");
    assert_eq!(partitions.len(), 1, "both legs of the pair share one partition: {:?}", partitions.keys());
    for events in partitions.values_mut() {
        events.sort_by_key(|(o, _)| *o);
        assert!(events.windows(2).all(|w| w[0].1.0.ts() <= w[1].1.0.ts()), "a partition is in time order");
    }

    // A second ingest of the same data: the same ids, so a consumer drops
    // every copy.
    ingest(&cfg);
    let twice = consume(&broker.bootstrap, "verify-again", 2 * EVENTS);
    let mut counts: HashMap<MessageId, usize> = HashMap::new();
    for (_, _, id, _) in &twice {
        *counts.entry(*id).or_default() += 1;
    }
    assert_eq!(counts.len(), EVENTS);
    assert!(counts.values().all(|&c| c == 2), "each event published once per run");
}

#[test]
fn ingest_without_a_bus_is_a_clear_error() {
    let out = Command::new(env!("CARGO_BIN_EXE_hft-host"))
        .current_dir(common::root())
        .args(["run", "--role", "ingest"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("bus.kafka") && err.contains("bootstrap_servers"), "{err}");
    let out = Command::new(env!("CARGO_BIN_EXE_hft-host")).args(["run", "--role", "risky"]).output().unwrap();
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown role"));
}
