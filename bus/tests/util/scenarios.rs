//! The delivery scenarios, written once against the `EventBus` trait and
//! run on both the in-process bus and Kafka (tansu).

use super::samples;
use hft_bus::bus::{Consumer, Delivery, EventBus, Producer};
use hft_bus::metrics::BusMetrics;
use hft_bus::topics::{Route, TopicsConfig};
use hft_bus::typed::{Publisher, Received, Subscriber};
use hft_bus::wire::{AnyMessage, DeadLetter, Decode, Envelope, Format, MessageId, OrderMessage, StrategyId};
use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Long enough for a Kafka group join (about 1.5 s with the test settings).
pub const PATIENCE: Duration = Duration::from_secs(30);
const POLL: Duration = Duration::from_millis(100);

pub fn topics(partitions: u16) -> Arc<TopicsConfig> {
    let mut t = TopicsConfig::default().with_pair(&["BTCUSDT", "ETHUSDT"], "BTCUSDT/ETHUSDT");
    t.orders.partitions = partitions;
    Arc::new(t)
}

pub fn publisher<B: EventBus>(bus: &B, topics: &Arc<TopicsConfig>, format: Format) -> Publisher<B::Producer> {
    Publisher::new(bus.producer().unwrap(), topics.clone(), format, Arc::new(BusMetrics::default()))
}

pub fn subscriber<M: Decode, B: EventBus>(
    bus: &B,
    topics: &Arc<TopicsConfig>,
    group: &str,
    names: &[&str],
    metrics: &Arc<BusMetrics>,
) -> Subscriber<M, B::Consumer, B::Producer> {
    let consumer = bus.consumer(group, names).unwrap();
    let dead = Publisher::new(bus.producer().unwrap(), topics.clone(), Format::Binary, metrics.clone());
    Subscriber::new(consumer, dead, metrics.clone())
}

/// Polls until `want` messages arrived or `within` passed.
pub fn take<M: Decode, C: Consumer, P: Producer>(
    sub: &mut Subscriber<M, C, P>,
    want: usize,
    within: Duration,
) -> Vec<Received<M>> {
    let deadline = Instant::now() + within;
    let mut out = Vec::new();
    while out.len() < want && Instant::now() < deadline {
        if let Some(r) = sub.poll(POLL).unwrap() {
            out.push(r);
        }
    }
    out
}

/// Polls for `quiet` and returns whatever else arrives.
pub fn extra<M: Decode, C: Consumer, P: Producer>(sub: &mut Subscriber<M, C, P>, quiet: Duration) -> Vec<Received<M>> {
    take(sub, usize::MAX, quiet)
}

pub fn order_env(n: u64, strategy: &str) -> Envelope<OrderMessage> {
    let mut m = samples::order(n);
    m.strategy = StrategyId::new(strategy);
    Envelope::new(MessageId::derive("order", &[&n.to_be_bytes()]), m)
}

fn ids<M>(got: &[Received<M>]) -> Vec<MessageId> {
    got.iter().map(|r| r.envelope.id).collect()
}

/// Commits the last delivery per partition.
fn commit_all<C: Consumer>(consumer: &mut C, got: &[Delivery]) {
    let mut last: std::collections::BTreeMap<(String, i32), &Delivery> = Default::default();
    for d in got {
        let e = last.entry((d.topic.to_string(), d.partition)).or_insert(d);
        if d.offset > e.offset {
            *e = d;
        }
    }
    let positions: Vec<_> = last.values().map(|d| (*d).into()).collect();
    consumer.commit_up_to(&positions).unwrap();
}

/// Every message kind, in both formats, through the bus and back.
pub fn round_trip_every_kind<B: EventBus>(bus: &B) {
    let topics = topics(3);
    bus.ensure_topics(&topics).unwrap();
    let all = samples::all();
    for format in [Format::Binary, Format::Json] {
        let mut p = publisher(bus, &topics, format);
        for (n, msg) in all.iter().enumerate() {
            p.publish(&Envelope::new(samples::id(n as u64), msg.clone())).unwrap();
        }
        p.flush(Duration::from_secs(10)).unwrap();
    }
    let names: Vec<&str> = topics.all().iter().map(|t| t.name.as_str()).collect();
    let metrics = Arc::new(BusMetrics::default());
    let mut sub = subscriber::<AnyMessage, _>(bus, &topics, "round-trip", &names, &metrics);
    let got = take(&mut sub, 2 * all.len(), PATIENCE);
    assert_eq!(got.len(), 2 * all.len(), "every message of both formats arrives");
    for r in &got {
        let n = (r.envelope.id.0 & 0xffff_ffff) as usize;
        assert!(samples::same(&r.envelope.body, &all[n]), "{:?} vs {:?}", r.envelope.body, all[n]);
        assert_eq!(&*r.delivery.topic, r.envelope.body.topic(&topics));
        let key = r.envelope.body.key(&topics).as_bytes().to_vec();
        assert_eq!(r.delivery.key.as_deref(), Some(key.as_slice()));
    }
    // Both pair legs carry the pair key.
    assert!(got.iter().filter(|r| matches!(r.envelope.body, AnyMessage::MarketData(_))).all(|r| {
        let k = r.delivery.key.as_deref().unwrap();
        k == b"BTCUSDT/ETHUSDT"
    }));
    assert_eq!(metrics.snapshot().dead_lettered, 0);
    assert!(extra(&mut sub, Duration::from_millis(300)).is_empty());
}

/// Dropped without committing: redelivered (nothing lost). Committed: not
/// redelivered (nothing doubled).
pub fn group_resumes_from_committed_offsets<B: EventBus>(bus: &B) {
    let topics = topics(3);
    bus.ensure_topics(&topics).unwrap();
    let name = topics.orders.name.as_str();
    let metrics = Arc::new(BusMetrics::default());
    let mut p = publisher(bus, &topics, Format::Binary);
    let first: Vec<_> = (0..10).map(|n| order_env(n, &format!("s{}", n % 4))).collect();
    for e in &first {
        p.publish(e).unwrap();
    }
    p.flush(Duration::from_secs(10)).unwrap();
    let want: BTreeSet<MessageId> = first.iter().map(|e| e.id).collect();

    let mut a = subscriber::<OrderMessage, _>(bus, &topics, "resume", &[name], &metrics);
    let got = take(&mut a, 10, PATIENCE);
    assert_eq!(ids(&got).into_iter().collect::<BTreeSet<_>>(), want);
    drop(a); // crash before the effects were durable: no commit

    let mut b = subscriber::<OrderMessage, _>(bus, &topics, "resume", &[name], &metrics);
    let got = take(&mut b, 10, PATIENCE);
    assert_eq!(ids(&got).into_iter().collect::<BTreeSet<_>>(), want, "uncommitted messages are redelivered");
    let deliveries: Vec<Delivery> = got.iter().map(|r| r.delivery.clone()).collect();
    commit_all(b.consumer_mut(), &deliveries);
    drop(b);

    let mut c = subscriber::<OrderMessage, _>(bus, &topics, "resume", &[name], &metrics);
    let later: Vec<_> = (10..15).map(|n| order_env(n, &format!("s{}", n % 4))).collect();
    for e in &later {
        p.publish(e).unwrap();
    }
    p.flush(Duration::from_secs(10)).unwrap();
    let mut got = take(&mut c, 5, PATIENCE);
    got.extend(extra(&mut c, Duration::from_millis(500)));
    assert_eq!(
        ids(&got).into_iter().collect::<BTreeSet<_>>(),
        later.iter().map(|e| e.id).collect(),
        "committed messages are not redelivered; new ones are"
    );
    assert_eq!(got.len(), 5, "nothing doubled");
}

/// Two consumers of one group share the partitions and together see every
/// message once.
pub fn two_consumers_split_partitions<B: EventBus>(bus: &B) {
    let topics = topics(4);
    bus.ensure_topics(&topics).unwrap();
    let name = topics.orders.name.as_str();
    let metrics = Arc::new(BusMetrics::default());
    let mut a = subscriber::<OrderMessage, _>(bus, &topics, "split", &[name], &metrics);
    let mut b = subscriber::<OrderMessage, _>(bus, &topics, "split", &[name], &metrics);
    // Wait for the group to settle before producing, so no message is read
    // by one member and then redelivered to the other by a rebalance.
    let deadline = Instant::now() + PATIENCE;
    loop {
        assert!(a.poll(Duration::from_millis(50)).unwrap().is_none());
        assert!(b.poll(Duration::from_millis(50)).unwrap().is_none());
        let (pa, pb) = (a.consumer_mut().assignment().unwrap(), b.consumer_mut().assignment().unwrap());
        if !pa.is_empty() && !pb.is_empty() && pa.len() + pb.len() == 4 {
            assert!(pa.iter().all(|p| !pb.contains(p)), "disjoint: {pa:?} {pb:?}");
            break;
        }
        assert!(Instant::now() < deadline, "group did not settle: {pa:?} {pb:?}");
    }
    let mut p = publisher(bus, &topics, Format::Binary);
    let sent: Vec<_> = (0..40).map(|n| order_env(n, &format!("strategy-{n}"))).collect();
    for e in &sent {
        p.publish(e).unwrap();
    }
    p.flush(Duration::from_secs(10)).unwrap();
    let (mut got_a, mut got_b) = (Vec::new(), Vec::new());
    let deadline = Instant::now() + PATIENCE;
    while got_a.len() + got_b.len() < sent.len() && Instant::now() < deadline {
        got_a.extend(a.poll(Duration::from_millis(20)).unwrap());
        got_b.extend(b.poll(Duration::from_millis(20)).unwrap());
    }
    got_a.extend(extra(&mut a, Duration::from_millis(200)));
    got_b.extend(extra(&mut b, Duration::from_millis(200)));
    assert!(!got_a.is_empty() && !got_b.is_empty(), "both members work: {} / {}", got_a.len(), got_b.len());
    let mut all = ids(&got_a);
    all.extend(ids(&got_b));
    assert_eq!(all.len(), sent.len(), "each message once");
    assert_eq!(all.into_iter().collect::<BTreeSet<_>>(), sent.iter().map(|e| e.id).collect());
    let parts_a: BTreeSet<i32> = got_a.iter().map(|r| r.delivery.partition).collect();
    let parts_b: BTreeSet<i32> = got_b.iter().map(|r| r.delivery.partition).collect();
    assert!(parts_a.is_disjoint(&parts_b), "{parts_a:?} {parts_b:?}");
}

/// A malformed message goes to the dead-letter topic with its reason, is
/// counted, and the next message is still consumed.
pub fn malformed_message_is_dead_lettered<B: EventBus>(bus: &B) {
    let topics = topics(1);
    bus.ensure_topics(&topics).unwrap();
    let name = topics.orders.name.as_str();
    let mut p = publisher(bus, &topics, Format::Binary);
    let garbage = b"\x00not a message".to_vec();
    p.producer_mut().send(name, b"pairs-1", &garbage).unwrap();
    let good = order_env(1, "pairs-1");
    p.publish(&good).unwrap();
    p.flush(Duration::from_secs(10)).unwrap();

    let metrics = Arc::new(BusMetrics::default());
    let mut sub = subscriber::<OrderMessage, _>(bus, &topics, "dlq-test", &[name], &metrics);
    let got = take(&mut sub, 1, PATIENCE);
    assert_eq!(ids(&got), vec![good.id], "consumption goes on past the bad message");
    assert_eq!(metrics.snapshot().dead_lettered, 1);
    assert_eq!(metrics.snapshot().consumed, 1);
    sub.commit(&got[0]).unwrap();

    let dlq = topics.dead_letter.name.as_str();
    let mut reader = subscriber::<DeadLetter, _>(bus, &topics, "dlq-reader", &[dlq], &metrics);
    let letters = take(&mut reader, 1, PATIENCE);
    assert_eq!(letters.len(), 1);
    let letter = &letters[0].envelope.body;
    assert_eq!(letter.topic, name);
    assert_eq!(letter.partition, 0);
    assert_eq!(letter.offset, got[0].delivery.offset - 1);
    assert_eq!(letter.payload, garbage);
    assert!(letter.reason.contains("unknown format: first byte 0x00"), "{}", letter.reason);
    assert_eq!(letters[0].envelope.id, letter.message_id());
    assert_eq!(letters[0].delivery.key.as_deref(), Some(name.as_bytes()));
}

/// Raw deliveries until `want` arrived or `within` passed.
fn take_raw<C: Consumer>(consumer: &mut C, want: usize, within: Duration) -> Vec<Delivery> {
    let deadline = Instant::now() + within;
    let mut out = Vec::new();
    while out.len() < want && Instant::now() < deadline {
        out.extend(consumer.poll(POLL).unwrap());
    }
    out
}

/// Per topic, how many of `got` came from it.
fn read_from(got: &[Delivery], topic: &str) -> u64 {
    got.iter().filter(|d| &*d.topic == topic).count() as u64
}

/// A consumer's lag is, per topic, what was produced minus what it has
/// read: from its position where it has read, from the group's committed
/// offsets where a new member has read nothing yet, and from the start of a
/// partition with neither. The caller has created `topics` (the orders
/// topic with 3 partitions, the fills topic with any).
///
/// `one_at_a_time` flushes after every message, so each is a batch of its
/// own: tansu 0.6 reports a partition's high watermark as its last batch's
/// first offset + 1, which is right only then (see `tests/kafka.rs`).
pub fn lag_is_what_is_left_to_read<B: EventBus>(bus: &B, topics: &TopicsConfig, one_at_a_time: bool) {
    let (orders, fills) = (topics.orders.name.as_str(), topics.fills.name.as_str());
    let mut p = bus.producer().unwrap();
    let send = |p: &mut B::Producer, topic: &str, key: &[u8], n: u32| {
        p.send(topic, key, &n.to_le_bytes()).unwrap();
        if one_at_a_time {
            p.flush(Duration::from_secs(10)).unwrap();
        }
    };
    for n in 0..30u32 {
        send(&mut p, orders, format!("k{}", n % 7).as_bytes(), n);
    }
    p.flush(Duration::from_secs(10)).unwrap();

    let mut c = bus.consumer("lag", &[orders, fills]).unwrap();
    // A Kafka member joins its group first: a couple of seconds.
    let first = take_raw(&mut c, 12, PATIENCE);
    assert_eq!(first.len(), 12);
    assert_eq!(read_from(&first, orders), 12);
    let lag = |c: &B::Consumer| c.lag(Duration::from_secs(10)).unwrap();
    assert_eq!(lag(&c), vec![(fills.to_string(), 0), (orders.to_string(), 18)], "30 produced, 12 read");

    // On partitions it has read nothing from and the group never
    // committed: counted from the partition's start.
    for n in 0..5u32 {
        send(&mut p, fills, b"pairs-1", n);
    }
    p.flush(Duration::from_secs(10)).unwrap();
    assert_eq!(lag(&c), vec![(fills.to_string(), 5), (orders.to_string(), 18)], "5 new on a partition not read yet");

    commit_all(&mut c, &first);
    drop(c);
    // A new member resumes from the committed offsets: that is its lag
    // before it reads anything (Kafka: joining may already deliver some).
    let mut c = bus.consumer("lag", &[orders, fills]).unwrap();
    let deadline = Instant::now() + PATIENCE;
    let mut joined = Vec::new();
    while c.assignment().unwrap().len() < 3 + usize::from(topics.fills.partitions) {
        assert!(Instant::now() < deadline, "the new member got no partitions");
        joined.extend(c.poll(POLL).unwrap());
    }
    assert_eq!(
        lag(&c),
        vec![(fills.to_string(), 5 - read_from(&joined, fills)), (orders.to_string(), 18 - read_from(&joined, orders))],
        "from the committed offsets, less what joining delivered ({} messages)",
        joined.len()
    );
    let rest = take_raw(&mut c, 23 - joined.len(), PATIENCE);
    assert_eq!(joined.len() + rest.len(), 23, "everything not committed is read once");
    assert_eq!(lag(&c), vec![(fills.to_string(), 0), (orders.to_string(), 0)], "caught up");
}
