//! The in-process bus: the shared delivery scenarios, plus what only it
//! promises (bounded memory, determinism).

mod util;

use hft_bus::bus::{BusError, CommitPosition, Consumer, EventBus, LagReporter, Producer};
use hft_bus::memory::{MemoryBus, MemoryConsumer, partition_for};
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
fn lag_is_what_is_left_to_read() {
    let bus = MemoryBus::new(1000);
    let topics = scenarios::topics(3);
    bus.ensure_topics(&topics).unwrap();
    scenarios::lag_is_what_is_left_to_read(&bus, &topics, false);
}

/// Produce N, consume k: the lag is N - k, per topic, exactly; a member
/// whose partitions all went to others reports 0 for the topic; the
/// reporter samples at most once per interval unless forced.
#[test]
fn lag_per_topic_and_the_reporter() {
    let bus = MemoryBus::new(1000);
    bus.create_topic("a", 4);
    bus.create_topic("b", 1);
    let mut p = bus.producer().unwrap();
    for n in 0..40u32 {
        p.send("a", format!("key{n}").as_bytes(), &n.to_le_bytes()).unwrap();
    }
    for n in 0..7u32 {
        p.send("b", b"k", &n.to_le_bytes()).unwrap();
    }
    // Another group keeps every record retained, so a lag from the
    // committed offsets differs from one from the start of the log.
    let _keeps = bus.consumer("other", &["a", "b"]).unwrap();
    let mut c = bus.consumer("g", &["a", "b"]).unwrap();
    assert_eq!(c.lag(Duration::ZERO).unwrap(), vec![("a".to_string(), 40), ("b".to_string(), 7)]);
    // Next offset per partition read: all start at 0, so also the count.
    let mut next = std::collections::BTreeMap::<(String, i32), i64>::new();
    let read_one = |c: &mut MemoryConsumer, next: &mut std::collections::BTreeMap<(String, i32), i64>| {
        let d = c.poll(Duration::ZERO).unwrap().unwrap();
        next.insert((d.topic.to_string(), d.partition), d.offset + 1);
    };
    for _ in 0..25 {
        read_one(&mut c, &mut next);
    }
    let read = |topic: &str| next.iter().filter(|((t, _), _)| t == topic).map(|(_, n)| *n as u64).sum::<u64>();
    let (ra, rb) = (read("a"), read("b"));
    assert_eq!(ra + rb, 25);
    assert_eq!(c.lag(Duration::ZERO).unwrap(), vec![("a".to_string(), 40 - ra), ("b".to_string(), 7 - rb)]);

    let mut reporter = LagReporter::new(Duration::from_secs(3600), Duration::ZERO);
    let mut seen = Vec::new();
    assert!(reporter.report(&c, false, |t, l| seen.push((t.to_string(), l))), "the first sample is due");
    assert_eq!(seen, vec![("a".to_string(), 40 - ra), ("b".to_string(), 7 - rb)]);
    assert!(!reporter.report(&c, false, |_, _| panic!("not due")), "within the interval");
    read_one(&mut c, &mut next);
    seen.clear();
    assert!(reporter.report(&c, true, |t, l| seen.push((t.to_string(), l))), "forced");
    assert_eq!(seen.iter().map(|(_, l)| l).sum::<u64>(), 47 - 26);

    // A new member, before it reads: from the group's committed offsets.
    let commits: Vec<CommitPosition> = next
        .iter()
        .map(|((topic, partition), &next_offset)| CommitPosition {
            topic: topic.clone(),
            partition: *partition,
            next_offset,
        })
        .collect();
    c.commit_up_to(&commits).unwrap();
    drop(c);
    let c = bus.consumer("g", &["a", "b"]).unwrap();
    assert_eq!(c.lag(Duration::ZERO).unwrap().iter().map(|(_, l)| l).sum::<u64>(), 47 - 26);

    // Two members, one partition: the second owns nothing of the topic.
    let c2 = bus.consumer("g2", &["b"]).unwrap();
    let late = bus.consumer("g2", &["b"]).unwrap();
    assert_eq!(late.assignment().unwrap(), vec![]);
    assert_eq!(late.lag(Duration::ZERO).unwrap(), vec![("b".to_string(), 0)], "owns nothing of b");
    assert_eq!(c2.lag(Duration::ZERO).unwrap(), vec![("b".to_string(), 7)], "a new group starts at the beginning");
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
