//! The in-process bus: the shared delivery scenarios, plus what only it
//! promises (bounded memory, determinism).

mod util;

use hft_bus::bus::{BusError, Consumer, EventBus, Producer};
use hft_bus::memory::{MemoryBus, partition_for};
use hft_bus::topics::TopicsConfig;
use hft_bus::typed::Deduplicator;
use hft_bus::wire::MessageId;
use std::time::Duration;
use util::scenarios;

#[test]
fn round_trip_every_kind() {
    scenarios::round_trip_every_kind(&MemoryBus::new(1000));
}

#[test]
fn group_resumes_from_committed_offsets() {
    scenarios::group_resumes_from_committed_offsets(&MemoryBus::new(1000));
}

#[test]
fn two_consumers_split_partitions() {
    scenarios::two_consumers_split_partitions(&MemoryBus::new(1000));
}

#[test]
fn malformed_message_is_dead_lettered() {
    scenarios::malformed_message_is_dead_lettered(&MemoryBus::new(1000));
}

#[test]
fn a_full_partition_pushes_back_until_committed() {
    let bus = MemoryBus::new(3);
    bus.create_topic("t", 1);
    let mut c = bus.consumer("g", &["t"]).unwrap();
    let mut p = bus.producer().unwrap();
    for n in 0..3u8 {
        p.send("t", b"k", &[n]).unwrap();
    }
    assert!(matches!(p.send("t", b"k", &[3]), Err(BusError::Full { capacity: 3, .. })));
    let d0 = c.poll(Duration::ZERO).unwrap().unwrap();
    let d1 = c.poll(Duration::ZERO).unwrap().unwrap();
    assert_eq!((d0.offset, d1.offset), (0, 1));
    c.commit(&d1).unwrap();
    assert_eq!(bus.retained("t").unwrap(), 1);
    p.send("t", b"k", &[3]).unwrap();
    p.send("t", b"k", &[4]).unwrap();
    assert_eq!(c.poll(Duration::ZERO).unwrap().unwrap().payload, vec![2]);
    assert_eq!(c.poll(Duration::ZERO).unwrap().unwrap().offset, 3);
}

#[test]
fn unknown_topics_and_foreign_partitions_are_errors() {
    let bus = MemoryBus::new(10);
    bus.ensure_topics(&TopicsConfig::default()).unwrap();
    assert!(matches!(bus.producer().unwrap().send("nope", b"", b""), Err(BusError::UnknownTopic(_))));
    assert!(matches!(bus.consumer("g", &["nope"]), Err(BusError::UnknownTopic(_))));
    let mut c = bus.consumer("g", &["hft.control"]).unwrap();
    let foreign = hft_bus::bus::CommitPosition { topic: "hft.orders".into(), partition: 0, next_offset: 1 };
    assert!(matches!(c.commit_up_to(&[foreign]), Err(BusError::NotAssigned { .. })));
}

#[test]
fn the_same_calls_give_the_same_deliveries() {
    let run = || {
        let bus = MemoryBus::new(1000);
        bus.create_topic("t", 5);
        let mut p = bus.producer().unwrap();
        let mut a = bus.consumer("g", &["t"]).unwrap();
        let mut b = bus.consumer("g", &["t"]).unwrap();
        for n in 0..50u32 {
            p.send("t", format!("key{}", n % 7).as_bytes(), &n.to_le_bytes()).unwrap();
        }
        let mut log = Vec::new();
        for _ in 0..30 {
            for (who, c) in [("a", &mut a), ("b", &mut b)] {
                if let Some(d) = c.poll(Duration::ZERO).unwrap() {
                    log.push((who, d.partition, d.offset, d.payload));
                }
            }
        }
        log
    };
    let first = run();
    assert_eq!(first.len(), 50);
    assert_eq!(first, run());
}

#[test]
fn one_key_one_partition() {
    for key in ["BTCUSDT/ETHUSDT", "pairs-1", ""] {
        let p = partition_for(key.as_bytes(), 6);
        assert!((0..6).contains(&p));
        assert_eq!(p, partition_for(key.as_bytes(), 6));
    }
    assert_eq!(partition_for(b"x", 1), 0);
}

#[test]
fn dedupe_drops_ids_seen_within_its_window() {
    let mut d = Deduplicator::new(2);
    assert!(d.first_seen(MessageId(1)));
    assert!(!d.first_seen(MessageId(1)));
    assert!(d.first_seen(MessageId(2)));
    assert!(d.first_seen(MessageId(3)));
    assert!(!d.first_seen(MessageId(3)));
    assert!(d.first_seen(MessageId(1)), "forgotten after the window");
}
