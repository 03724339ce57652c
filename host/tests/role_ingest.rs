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

/// A WebSocket server speaking Binance's trade stream: acks the
/// subscription, then sends `n` trades, then waits for the client to close.
fn binance_like_server(n: usize) -> (String, std::thread::JoinHandle<Vec<String>>) {
    use futures_util::{SinkExt, StreamExt};
    use tokio_tungstenite::tungstenite::Message;
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let listener = rt.block_on(tokio::net::TcpListener::bind("127.0.0.1:0")).unwrap();
    let url = format!("ws://{}/ws", listener.local_addr().unwrap());
    let server = std::thread::spawn(move || {
        rt.block_on(async move {
            let (tcp, _) = listener.accept().await.unwrap();
            let mut ws = tokio_tungstenite::accept_async(tcp).await.unwrap();
            let mut requests = Vec::new();
            if let Some(Ok(Message::Text(t))) = ws.next().await {
                requests.push(t.to_string());
                ws.send(Message::Text(r#"{"result":null,"id":1}"#.into())).await.unwrap();
            }
            for i in 0..n {
                let ms = 1_700_000_000_000i64 + i as i64;
                let msg = format!(
                    r#"{{"e":"trade","E":{ms},"s":"BTCUSDT","t":{i},"p":"37000.{i:02}","q":"0.001","T":{ms},"m":true,"M":true}}"#
                );
                ws.send(Message::Text(msg.into())).await.unwrap();
            }
            while let Some(Ok(m)) = ws.next().await {
                if m.is_close() {
                    break;
                }
            }
            requests
        })
    });
    (url, server)
}

#[test]
fn ingest_publishes_a_binance_websocket_stream() {
    let broker = Tansu::start();
    let dir = tempfile::tempdir().unwrap();
    let (url, server) = binance_like_server(50);
    let text = std::fs::read_to_string(config(&dir, &broker.bootstrap)).unwrap()
        + &format!(
            "\n[ingest.websocket]\nurl = {url:?}\nvenue = \"BINANCE\"\nsubscribe = [\"btcusdt@trade\"]\nmax_events = 50\n"
        );
    let cfg = dir.path().join("ws.toml");
    std::fs::write(&cfg, text).unwrap();
    let stdout = ingest(cfg.to_str().unwrap());
    assert!(stdout.contains("published 50 market events"), "{stdout}");
    let requests = server.join().unwrap();
    assert!(requests[0].contains("SUBSCRIBE") && requests[0].contains("btcusdt@trade"), "{requests:?}");

    let got = consume(&broker.bootstrap, "verify-ws", 50);
    let mut prices: Vec<(i64, String)> = got
        .iter()
        .map(|(_, _, _, m)| match &m.0 {
            hft_trading::market::MarketEvent::Trade(t) => (t.ts.nanos(), t.price.to_string()),
            other => panic!("expected trades, got {other:?}"),
        })
        .collect();
    prices.sort();
    assert_eq!(prices[7].1, "37000.07", "exact decimals from the stream");
    assert_eq!(prices.len(), 50);
}
