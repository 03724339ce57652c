//! The Kafka bus against a real Kafka-protocol broker (tansu, started per
//! test on a free port; see `util/tansu.rs`), plus a fast check against
//! librdkafka's in-process mock cluster.

mod util;

use hft_bus::bus::{Consumer, EventBus};
use hft_bus::kafka::{KafkaBus, KafkaConfig};
use hft_bus::metrics::BusMetrics;
use hft_bus::typed::Publisher;
use hft_bus::wire::{Envelope, Format, MessageId, OrderMessage};
use rdkafka::mocking::MockCluster;
use std::sync::Arc;
use std::time::{Duration, Instant};
use util::scenarios;
use util::tansu::Tansu;

fn bus(t: &Tansu) -> KafkaBus {
    KafkaBus::new(KafkaConfig::new(&t.bootstrap))
}

#[test]
fn round_trip_every_kind() {
    let t = Tansu::start();
    scenarios::round_trip_every_kind(&bus(&t));
}

#[test]
fn group_resumes_from_committed_offsets() {
    let t = Tansu::start();
    scenarios::group_resumes_from_committed_offsets(&bus(&t));
}

#[test]
fn two_consumers_split_partitions() {
    let t = Tansu::start();
    scenarios::two_consumers_split_partitions(&bus(&t));
}

#[test]
fn malformed_message_is_dead_lettered() {
    let t = Tansu::start();
    scenarios::malformed_message_is_dead_lettered(&bus(&t));
}

#[test]
fn ensure_topics_is_idempotent() {
    let t = Tansu::start();
    let b = bus(&t);
    let topics = scenarios::topics(2);
    b.ensure_topics(&topics).unwrap();
    b.ensure_topics(&topics).unwrap();
}

#[test]
fn clients_are_configured_for_the_delivery_guarantees() {
    let c = KafkaConfig::new("127.0.0.1:1");
    let p = c.producer_config();
    assert_eq!(p.get("enable.idempotence"), Some("true"));
    assert_eq!(p.get("acks"), Some("all"));
    let g = c.consumer_config("strategy");
    assert_eq!(g.get("group.id"), Some("strategy"));
    assert_eq!(g.get("enable.auto.commit"), Some("false"));
    assert_eq!(g.get("auto.offset.reset"), Some("earliest"));
    assert_eq!(g.get("session.timeout.ms"), Some("3000"));
    assert_eq!(g.get("heartbeat.interval.ms"), Some("500"));
    // librdkafka accepts the idempotent producer (it would refuse
    // conflicting settings such as acks=1 at creation).
    KafkaBus::new(c).producer().unwrap();
}

/// librdkafka's mock cluster: a quick in-process check of the client path
/// (no topic admin API there, so the topic is created on the mock).
#[test]
fn mock_cluster_round_trip() {
    let mock = MockCluster::new(1).unwrap();
    let topics = scenarios::topics(2);
    mock.create_topic(&topics.orders.name, 2, 1).unwrap();
    let b = KafkaBus::new(KafkaConfig::new(&mock.bootstrap_servers()));
    let mut p = scenarios::publisher(&b, &topics, Format::Binary);
    for n in 0..5 {
        p.publish(&scenarios::order_env(n, "s")).unwrap();
    }
    p.flush(Duration::from_secs(10)).unwrap();
    let metrics = Arc::new(BusMetrics::default());
    let mut sub = scenarios::subscriber::<OrderMessage, _>(&b, &topics, "mock", &[&topics.orders.name], &metrics);
    let got = scenarios::take(&mut sub, 5, scenarios::PATIENCE);
    assert_eq!(got.len(), 5);
    sub.commit(got.last().unwrap()).unwrap();
}

/// Produce and consume rates through tansu (printed; run with
/// `--nocapture` to see them). A sanity floor only: the machine is shared.
#[test]
fn throughput() {
    let t = Tansu::start();
    let b = bus(&t);
    let topics = scenarios::topics(3);
    b.ensure_topics(&topics).unwrap();
    const N: u64 = 20_000;
    let mut p = Publisher::new(b.producer().unwrap(), topics.clone(), Format::Binary, Arc::default());
    let msgs: Vec<_> = (0..N)
        .map(|n| Envelope::new(MessageId(u128::from(n)), util::samples::trade("BTCUSDT", n as i64, "37123.45")))
        .collect();
    let start = Instant::now();
    for m in &msgs {
        p.publish(m).unwrap();
    }
    p.flush(Duration::from_secs(60)).unwrap();
    let produce = N as f64 / start.elapsed().as_secs_f64();

    let mut c = b.consumer("throughput", &[&topics.market_data.name]).unwrap();
    let first = loop {
        if let Some(d) = c.poll(Duration::from_millis(100)).unwrap() {
            break d;
        }
    };
    let start = Instant::now();
    let mut n = 1;
    let mut last = first;
    while n < N {
        match c.poll(Duration::from_secs(5)).unwrap() {
            Some(d) => {
                n += 1;
                last = d;
            }
            None => break,
        }
    }
    let consume = n as f64 / start.elapsed().as_secs_f64();
    c.commit(&last).unwrap();
    eprintln!("tansu: idempotent produce {produce:.0} msg/s, consume {consume:.0} msg/s ({N} trades, binary)");
    assert_eq!(n, N, "every message consumed");
    assert!(produce > 1000.0 && consume > 1000.0);
}
