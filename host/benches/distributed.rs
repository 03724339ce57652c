//! Distributed mode through Kafka next to the embedded mode, in one run and
//! on the same data (issue 4, "Performance"): throughput and tick-to-order
//! latency.
//!
//! Run with `cargo bench -p hft-host --bench distributed` (or
//! `scripts/bench.sh`, which installs tansu first; a filter argument other
//! than a part of "distributed" skips it). It needs the plugin
//! components (`scripts/build-plugins.sh`) and the tansu broker
//! (`scripts/install-tansu.sh`, or `HFT_TANSU`).
//!
//! Per repetition (`HFT_BENCH_REPS`, default 3), on a seeded generated
//! BTC/ETH pair (`HFT_BENCH_BARS` one-minute bars per symbol, default
//! 200,000: 400,000 events in 200,000 ticks of two bars) and the embedded
//! default configuration:
//!
//! 1. **Embedded**: `pipeline::run` at `--speed max`, as the pipeline reports
//!    it: events over its replay loop's wall time (component set-up
//!    excluded), and per tick that orders, from the tick's events in hand to
//!    its first order at the venue.
//! 2. **Kafka**, for each client profile: a fresh tansu broker (in memory,
//!    loopback) and `run_strategy`, `run_execution` and `ingest_on` as three
//!    threads of this process, each with its own `KafkaBus` clients; ingest
//!    starts once both consumers own their partitions. Once with ingest at
//!    max speed, once paced to `HFT_BENCH_PACED_TICKS` ticks per second
//!    (default 10,000, about a third of what the chain sustains), so that
//!    the latency is the path and not a backlog. The profiles: `client
//!    defaults` (`KafkaConfig::default()`: idempotent producer,
//!    `linger.ms=1`, and librdkafka's `fetch.wait.max.ms=500`) and
//!    `fetch.wait.max.ms=10` (the same with consumers that let the broker
//!    hold a fetch for at most 10 ms: tansu 0.6 sleeps out the fetch wait,
//!    or 250 ms of it, before every answer; 1 ms makes the idle consumers
//!    poll so often that tansu, which lists every stored batch of a
//!    partition on each fetch that returns data, falls behind on this
//!    data; see BENCHMARKS.md). `HFT_BENCH_PROFILES=defaults|fast|both`
//!    (default both); `HFT_BENCH_LINGER_MS` and
//!    `HFT_BENCH_KAFKA_EXTRA=k=v,k=v` (librdkafka properties for every
//!    client) change both.
//!
//! What is timed in the Kafka runs, all on this process's monotonic clock:
//!
//! - Throughput: the strategy role's ticks (and events) over the wall time
//!   from the first event handed to ingest's producer (`Probe::published`)
//!   to the signals message of the strategy's last tick being handed to its
//!   producer (the strategy publishes one signals message per tick, after
//!   the tick's venue steps; a thin wrapper around the strategy's producer
//!   notes the time of each). The consumers' start-up and group join come
//!   before the window, their idle tail after it.
//! - Tick-to-order: for every order, `Probe::order_received` (execution
//!   decoded the submit, before the venue) minus `Probe::published` of the
//!   last event of that order's tick (the tick of `order.created`): ingest's
//!   producer, the broker, the strategy's fetch, tick assembly and
//!   pipeline, its producer, the broker and execution's fetch; and, at max
//!   pacing, the strategy's backlog. "Steady" leaves out the orders of the
//!   run's first tenth of ticks (the idempotent producer's start-up and the
//!   backlog it leaves; the per-tenth profile printed for each run shows it).
//!
//! Every Kafka run must give the embedded run's fills, in order, at the
//! execution role (and at the strategy's local venue): the bench panics if
//! not.
//!
//! The consumers' wrapper also keeps the roles' `until_idle` from firing
//! early: until a role has received what its upstream sent (ingest's events
//! for the strategy, the strategy's venue steps for execution), a poll that
//! times out is retried instead of reported as idle. Nothing else of the
//! roles changes.

use hft_bus::bus::{BusError, CommitPosition, Consumer, Delivery, EventBus, Producer};
use hft_bus::kafka::{KafkaBus, KafkaConfig};
use hft_bus::testing::Tansu;
use hft_bus::topics::TopicsConfig;
use hft_host::config::{self, RunConfig, Speed};
use hft_host::pipeline::{LatencySamples, RunOptions, run};
use hft_host::roles::{ConsumeOptions, Probe, ingest_on, run_execution, run_strategy, run_topics};
use hft_host::runtime::{Runtime, RuntimeConfig};
use hft_state::{FileStore, Namespace};
use hft_trading::execution::{Fill, Order};
use hft_trading::market::MarketEvent;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The generated bars are one minute apart: one tick per 60 s of event time.
const BAR_SECONDS: f64 = 60.0;

/// How long a role waits, once it has received everything upstream sent,
/// before it stops.
const IDLE: Duration = Duration::from_millis(200);

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

/// Where cargo builds: the plugin components and the compile cache live there.
fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR").map(PathBuf::from).unwrap_or_else(|| root().join("target"))
}

fn env_or<T: std::str::FromStr>(name: &str, default: T) -> T {
    match std::env::var(name) {
        Ok(v) => v.parse().unwrap_or_else(|_| panic!("{name}={v:?} does not parse")),
        Err(_) => default,
    }
}

struct Settings {
    bars: usize,
    reps: usize,
    seed: u64,
    paced_ticks_per_s: f64,
    /// (name, client settings); the bootstrap servers are set per run.
    profiles: Vec<(String, KafkaConfig)>,
}

impl Settings {
    fn from_env() -> Settings {
        let mut base = KafkaConfig::new("set per run");
        if let Ok(v) = std::env::var("HFT_BENCH_LINGER_MS") {
            base.linger_ms = v.parse().expect("HFT_BENCH_LINGER_MS is a number of ms");
        }
        if let Ok(v) = std::env::var("HFT_BENCH_KAFKA_EXTRA") {
            for kv in v.split(',').filter(|s| !s.is_empty()) {
                let (k, v) = kv.split_once('=').expect("HFT_BENCH_KAFKA_EXTRA is key=value,…");
                base.extra.insert(k.trim().to_string(), v.trim().to_string());
            }
        }
        let mut fast = base.clone();
        fast.extra.insert("fetch.wait.max.ms".into(), "10".into());
        let defaults = ("client defaults".to_string(), base);
        let fast = ("fetch.wait.max.ms=10".to_string(), fast);
        let profiles = match std::env::var("HFT_BENCH_PROFILES").as_deref() {
            Ok("defaults") => vec![defaults],
            Ok("fast") => vec![fast],
            Ok("both") | Err(_) => vec![defaults, fast],
            Ok(other) => panic!("HFT_BENCH_PROFILES={other:?}: defaults, fast or both"),
        };
        Settings {
            bars: env_or("HFT_BENCH_BARS", 200_000),
            reps: env_or("HFT_BENCH_REPS", 3),
            seed: env_or("HFT_BENCH_SEED", 20240101),
            paced_ticks_per_s: env_or("HFT_BENCH_PACED_TICKS", 10_000.0),
            profiles,
        }
    }
}

/// The embedded default configuration on the generated pair.
fn bench_config(dir: &Path, data: &Path) -> RunConfig {
    let plugins = target_dir().join("wasm32-wasip2/release");
    let text = config::DEFAULT_CONFIG
        .replace("data/pair/", &format!("{}/", data.display()))
        .replace("plugins_dir = \"target/wasm32-wasip2/release\"", &format!("plugins_dir = {plugins:?}"));
    let path = dir.join("run.toml");
    std::fs::write(&path, text).unwrap();
    config::load(Some(&path), Vec::<(String, String)>::new()).expect("the bench configuration loads")
}

// ---------------------------------------------------------------------------
// Instrumentation: the probe, and a bus wrapper that notes the strategy's
// per-tick signals and the consumers' assignment.

/// What the probe saw, with times on one clock.
#[derive(Default)]
struct Recorder {
    /// (event timestamp ns, when ingest handed it to the producer).
    published: Mutex<Vec<(i64, Instant)>>,
    /// (the order's tick timestamp ns, when execution received it).
    orders: Mutex<Vec<(i64, Instant)>>,
}

impl Probe for Recorder {
    fn published(&self, event: &MarketEvent) {
        let now = Instant::now();
        self.published.lock().unwrap().push((event.ts().nanos(), now));
    }

    fn order_received(&self, order: &Order) {
        let now = Instant::now();
        self.orders.lock().unwrap().push((order.created.nanos(), now));
    }
}

/// Shared between a role's bus wrapper and the bench.
struct Watch {
    /// One of the role's consumers owns partitions.
    assigned: AtomicBool,
    /// Messages the role's consumers have received.
    delivered: AtomicU64,
    /// How many it is to receive: until then a poll that times out is
    /// retried instead of letting the role see an idle bus. `u64::MAX`
    /// while the upstream role still runs.
    expect: AtomicU64,
    /// When each signals message (one per tick, in tick order) was handed
    /// to the producer.
    signals: Mutex<Vec<Instant>>,
}

impl Watch {
    fn new() -> Arc<Watch> {
        Arc::new(Watch {
            assigned: AtomicBool::new(false),
            delivered: AtomicU64::new(0),
            expect: AtomicU64::new(u64::MAX),
            signals: Mutex::new(Vec::new()),
        })
    }

    fn expect(&self, n: u64) {
        self.expect.store(n, Ordering::SeqCst);
    }
}

/// A bus that hands out the inner bus's clients, wrapped to tell `watch`
/// what they do.
struct Watched<B> {
    inner: B,
    signals_topic: String,
    watch: Arc<Watch>,
}

struct WatchedProducer<P> {
    inner: P,
    signals_topic: String,
    watch: Arc<Watch>,
}

impl<P: Producer> Producer for WatchedProducer<P> {
    fn send(&mut self, topic: &str, key: &[u8], payload: &[u8]) -> Result<(), BusError> {
        self.inner.send(topic, key, payload)?;
        if topic == self.signals_topic {
            let now = Instant::now();
            self.watch.signals.lock().unwrap().push(now);
        }
        Ok(())
    }

    fn flush(&mut self, timeout: Duration) -> Result<(), BusError> {
        self.inner.flush(timeout)
    }
}

struct WatchedConsumer<C> {
    inner: C,
    watch: Arc<Watch>,
    assigned: bool,
}

impl<C: Consumer> Consumer for WatchedConsumer<C> {
    fn poll(&mut self, timeout: Duration) -> Result<Option<Delivery>, BusError> {
        loop {
            let got = self.inner.poll(timeout)?;
            if !self.assigned && !self.inner.assignment()?.is_empty() {
                self.assigned = true;
                self.watch.assigned.store(true, Ordering::SeqCst);
            }
            if got.is_some() {
                self.watch.delivered.fetch_add(1, Ordering::SeqCst);
                return Ok(got);
            }
            if self.watch.delivered.load(Ordering::SeqCst) >= self.watch.expect.load(Ordering::SeqCst) {
                return Ok(None);
            }
        }
    }

    fn commit_up_to(&mut self, positions: &[CommitPosition]) -> Result<(), BusError> {
        self.inner.commit_up_to(positions)
    }

    fn assignment(&self) -> Result<Vec<(String, i32)>, BusError> {
        self.inner.assignment()
    }

    fn lag(&self, timeout: Duration) -> Result<Vec<(String, u64)>, BusError> {
        self.inner.lag(timeout)
    }
}

impl<B: EventBus> EventBus for Watched<B> {
    type Producer = WatchedProducer<B::Producer>;
    type Consumer = WatchedConsumer<B::Consumer>;

    fn ensure_topics(&self, topics: &TopicsConfig) -> Result<(), BusError> {
        self.inner.ensure_topics(topics)
    }

    fn producer(&self) -> Result<Self::Producer, BusError> {
        Ok(WatchedProducer {
            inner: self.inner.producer()?,
            signals_topic: self.signals_topic.clone(),
            watch: self.watch.clone(),
        })
    }

    fn consumer(&self, group: &str, topics: &[&str]) -> Result<Self::Consumer, BusError> {
        Ok(WatchedConsumer { inner: self.inner.consumer(group, topics)?, watch: self.watch.clone(), assigned: false })
    }
}

// ---------------------------------------------------------------------------
// CPU time of this process and of the broker (Linux /proc), to see what the
// two cores were doing.

fn clock_ticks_per_s() -> f64 {
    std::process::Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(100.0)
}

/// utime + stime of a process, in clock ticks.
fn cpu_ticks(pid: &str) -> Option<u64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let rest = &stat[stat.rfind(')')? + 2..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    Some(fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?)
}

/// The pids of this process's children named `tansu`.
fn tansu_pids() -> Vec<String> {
    let Ok(tasks) = std::fs::read_dir("/proc/self/task") else { return Vec::new() };
    let mut pids: Vec<String> = tasks
        .flatten()
        .filter_map(|t| std::fs::read_to_string(t.path().join("children")).ok())
        .flat_map(|s| s.split_whitespace().map(str::to_string).collect::<Vec<_>>())
        .filter(|pid| std::fs::read_to_string(format!("/proc/{pid}/comm")).is_ok_and(|c| c.trim() == "tansu"))
        .collect();
    pids.sort();
    pids.dedup();
    pids
}

fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_default()
}

// ---------------------------------------------------------------------------
// The runs.

struct Embedded {
    events: u64,
    ticks: u64,
    wall: f64,
    orders: u64,
    latency: LatencySamples,
    fills: Vec<Fill>,
}

fn run_embedded(cfg: &RunConfig, rt: &Runtime) -> Embedded {
    let mut out = run(cfg, rt, &RunOptions { speed: Some(Speed::Max), write_report: false, progress: false })
        .expect("embedded run");
    out.reconciliation.as_ref().expect("the embedded run reconciles");
    let events = out.counters.events;
    Embedded {
        events,
        ticks: out.counters.ticks,
        wall: events as f64 / out.events_per_second,
        orders: out.counters.orders_sent,
        latency: std::mem::take(&mut out.latency),
        fills: out.report.fills().to_vec(),
    }
}

struct KafkaRun {
    profile: String,
    paced: bool,
    ticks: u64,
    events: u64,
    /// First event published to the last tick's signals handed to the producer.
    window: Duration,
    /// First tick processed to the last.
    processing: Duration,
    /// Ingest's own rate: events published over its wall time (replay and flush).
    ingest_events_per_s: f64,
    /// Last event published to the last tick processed.
    drain: Duration,
    orders: usize,
    /// Tick-to-order through Kafka, one per order.
    latency: LatencySamples,
    /// The same without the orders of the first tenth of the ticks.
    steady: LatencySamples,
    /// Every tick: its last event published to its signals handed to the
    /// strategy's producer.
    to_processed: LatencySamples,
    /// Medians of `to_processed` over each tenth of the run.
    tenths: Vec<u64>,
    /// Every order: its tick's signals handed to the producer (just after
    /// the order was) to execution receiving the order.
    order_leg: LatencySamples,
    /// The strategy's own tick-to-order (tick in hand to the order handed to
    /// its producer), as its report gives it.
    in_strategy: LatencySamples,
    negative: usize,
    cpu_self: f64,
    cpu_broker: f64,
}

impl KafkaRun {
    fn ticks_per_s(&self) -> f64 {
        self.ticks as f64 / self.window.as_secs_f64()
    }

    fn events_per_s(&self) -> f64 {
        self.events as f64 / self.window.as_secs_f64()
    }

    fn name(&self, paced_ticks_per_s: f64) -> String {
        if self.paced {
            format!("Kafka, {}, ingest paced at {:.0} ticks/s", self.profile, paced_ticks_per_s)
        } else {
            format!("Kafka, {}, ingest at max", self.profile)
        }
    }
}

fn run_kafka(
    profile: &(String, KafkaConfig),
    cfg: &RunConfig,
    rt: &Runtime,
    speed: Speed,
    embedded: &Embedded,
) -> KafkaRun {
    let paced = speed != Speed::Max;
    let label = format!("{} ({})", profile.0, if paced { "paced" } else { "max" });
    let broker = Tansu::start();
    let kafka = KafkaConfig { bootstrap_servers: broker.bootstrap.clone(), ..profile.1.clone() };
    let state = tempfile::tempdir().unwrap();
    let signals_topic = run_topics(cfg).signals.name.clone();
    let recorder = Arc::new(Recorder::default());
    recorder.published.lock().unwrap().reserve(embedded.events as usize);
    let strategy_watch = Watch::new();
    let execution_watch = Watch::new();
    let hz = clock_ticks_per_s();
    let self_before = cpu_ticks("self").unwrap_or(0);
    let broker_pids = tansu_pids();
    let broker_before: u64 = broker_pids.iter().filter_map(|p| cpu_ticks(p)).sum();

    let (ingested, strategy, execution) = std::thread::scope(|s| {
        let strategy = {
            let (watch, exec_watch, kafka, signals_topic, state) =
                (strategy_watch.clone(), execution_watch.clone(), kafka.clone(), signals_topic.clone(), state.path());
            s.spawn(move || {
                let bus = Watched { inner: KafkaBus::new(kafka), signals_topic, watch };
                let store = FileStore::open(state, Namespace::new("bench").unwrap()).unwrap();
                let options = ConsumeOptions { until_idle: Some(IDLE), ..Default::default() };
                let result = run_strategy(cfg, rt, &bus, &store, &options);
                exec_watch.expect(result.as_ref().map_or(0, |r| r.venue_steps));
                // Boxed: `RoleError` is large to move through a thread's result.
                result.map_err(Box::new)
            })
        };
        let execution = {
            let (watch, kafka, signals_topic, state, probe) =
                (execution_watch.clone(), kafka.clone(), signals_topic.clone(), state.path(), recorder.clone());
            s.spawn(move || {
                let bus = Watched { inner: KafkaBus::new(kafka), signals_topic, watch };
                let store = FileStore::open(state, Namespace::new("bench").unwrap()).unwrap();
                let options = ConsumeOptions { until_idle: Some(IDLE), probe: Some(probe), ..Default::default() };
                run_execution(cfg, &bus, &store, &options).map_err(Box::new)
            })
        };
        // Both consumers in their groups before the first event.
        let deadline = Instant::now() + Duration::from_secs(60);
        while !(strategy_watch.assigned.load(Ordering::SeqCst) && execution_watch.assigned.load(Ordering::SeqCst)) {
            if strategy.is_finished() || execution.is_finished() || Instant::now() > deadline {
                // Let both roles stop by themselves before failing.
                strategy_watch.expect(0);
                execution_watch.expect(0);
                panic!("{label}: the consumers did not get their partitions (a role stopped, or 60 s passed)");
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        std::thread::sleep(Duration::from_millis(500));
        let probe: Arc<dyn Probe> = recorder.clone();
        let ingested = ingest_on(cfg, &KafkaBus::new(kafka.clone()), speed, Some(probe));
        strategy_watch.expect(ingested.as_ref().map_or(0, |i| i.published));
        (ingested, strategy.join().unwrap(), execution.join().unwrap())
    });
    let cpu_self = (cpu_ticks("self").unwrap_or(0) - self_before) as f64 / hz;
    let broker_after: u64 = broker_pids.iter().filter_map(|p| cpu_ticks(p)).sum();
    let cpu_broker = broker_after.saturating_sub(broker_before) as f64 / hz;
    drop(broker);
    let ingested = ingested.expect("ingest role");
    let strategy = strategy.expect("strategy role");
    let execution = execution.expect("execution role");

    // The distributed run must be the embedded run.
    assert_eq!(ingested.published, embedded.events, "{label}: ingest published every event");
    assert_eq!(strategy.outcome.counters.ticks, embedded.ticks, "{label}: the strategy saw every tick");
    assert_eq!(strategy.outcome.counters.events, embedded.events, "{label}: the strategy saw every event");
    assert_eq!((strategy.duplicates, strategy.late_events, strategy.split_ticks), (0, 0, 0), "{label}");
    assert!(strategy.outcome.report.fills() == embedded.fills, "{label}: the strategy's local venue diverged");
    let got: Vec<Fill> = execution.fills.iter().map(|m| m.fill.clone()).collect();
    assert!(
        got == embedded.fills,
        "{label}: execution's fills ({}) are not the embedded run's ({})",
        got.len(),
        embedded.fills.len()
    );
    assert_eq!((execution.duplicates, execution.gaps, execution.refused), (0, 0, 0), "{label}");
    assert_eq!(execution.steps, strategy.venue_steps, "{label}");

    let signals = std::mem::take(&mut *strategy_watch.signals.lock().unwrap());
    assert_eq!(signals.len() as u64, strategy.outcome.counters.ticks, "{label}: one signals message per tick");
    let published = std::mem::take(&mut *recorder.published.lock().unwrap());
    let orders = std::mem::take(&mut *recorder.orders.lock().unwrap());
    assert_eq!(orders.len() as u64, embedded.orders, "{label}: every order reached execution");

    // Each tick (the data is in time order) and when its last event was
    // published; the strategy's i-th signals message is the i-th tick's.
    let mut ticks: Vec<(i64, Instant)> = Vec::with_capacity(signals.len());
    for &(ts, at) in &published {
        match ticks.last_mut() {
            Some(last) if last.0 == ts => last.1 = at,
            _ => ticks.push((ts, at)),
        }
    }
    assert_eq!(ticks.len(), signals.len(), "{label}: ticks published and processed");
    let index: HashMap<i64, usize> = ticks.iter().enumerate().map(|(i, t)| (t.0, i)).collect();
    let mut negative = 0;
    let mut since = |later: Instant, earlier: Instant| {
        later.checked_duration_since(earlier).unwrap_or_else(|| {
            negative += 1;
            Duration::ZERO
        })
    };
    let per_tick: Vec<Duration> = ticks.iter().zip(&signals).map(|(t, &done)| since(done, t.1)).collect();
    let warm_up = ticks.len() / 10;
    let (mut latency, mut steady, mut order_leg) = Default::default();
    for (ts, at) in &orders {
        let i = *index.get(ts).unwrap_or_else(|| panic!("{label}: an order of tick {ts} that was never published"));
        let d = since(*at, ticks[i].1);
        LatencySamples::record(&mut latency, d);
        if i >= warm_up {
            LatencySamples::record(&mut steady, d);
        }
        LatencySamples::record(&mut order_leg, since(*at, signals[i]));
    }
    let mut to_processed = LatencySamples::default();
    per_tick.iter().for_each(|d| to_processed.record(*d));
    // The median of each tenth of the run, in tick order: a backlog shows
    // as a trend.
    let tenths = per_tick
        .chunks(per_tick.len().div_ceil(10))
        .map(|c| {
            let mut s = LatencySamples::default();
            c.iter().for_each(|d| s.record(*d));
            s.quantile(0.5).unwrap_or(0)
        })
        .collect();
    KafkaRun {
        profile: profile.0.clone(),
        paced,
        ticks: strategy.outcome.counters.ticks,
        events: strategy.outcome.counters.events,
        window: signals[signals.len() - 1].duration_since(published[0].1),
        processing: signals[signals.len() - 1].duration_since(signals[0]),
        ingest_events_per_s: ingested.published as f64 / ingested.wall.as_secs_f64(),
        drain: signals[signals.len() - 1].saturating_duration_since(published[published.len() - 1].1),
        orders: orders.len(),
        latency,
        steady,
        to_processed,
        tenths,
        order_leg,
        in_strategy: strategy.outcome.latency,
        negative,
        cpu_self,
        cpu_broker,
    }
}

// ---------------------------------------------------------------------------
// Reporting.

fn us(ns: Option<u64>) -> String {
    match ns {
        None => "-".into(),
        Some(ns) if ns >= 10_000_000 => format!("{:.0} ms", ns as f64 / 1e6),
        Some(ns) if ns >= 1_000_000 => format!("{:.1} ms", ns as f64 / 1e6),
        Some(ns) => format!("{:.1} µs", ns as f64 / 1e3),
    }
}

fn k(x: f64) -> String {
    format!("{:.1}k", x / 1e3)
}

/// The median, and the range when there is more than one value.
fn spread(v: &[f64], show: impl Fn(f64) -> String) -> String {
    let mut v = v.to_vec();
    v.sort_by(f64::total_cmp);
    let median = v[v.len() / 2];
    if v.len() == 1 { show(median) } else { format!("{} ({}–{})", show(median), show(v[0]), show(v[v.len() - 1])) }
}

fn quantiles(s: &mut [&mut LatencySamples], q: f64) -> String {
    s.iter_mut().map(|s| us(s.quantile(q))).collect::<Vec<_>>().join(", ")
}

fn print_kafka(rep: usize, r: &mut KafkaRun, paced_ticks_per_s: f64) {
    println!(
        "rep {rep} {}: {} events, {} ticks in {:.3} s: {} events/s, {} ticks/s; first to last tick processed \
         {:.3} s ({} ticks/s); ingest alone {} events/s; last tick processed {:.3} s after the last publish",
        r.name(paced_ticks_per_s),
        r.events,
        r.ticks,
        r.window.as_secs_f64(),
        k(r.events_per_s()),
        k(r.ticks_per_s()),
        r.processing.as_secs_f64(),
        k(r.ticks as f64 / r.processing.as_secs_f64()),
        k(r.ingest_events_per_s),
        r.drain.as_secs_f64(),
    );
    println!(
        "    {} orders, fills = embedded; tick-to-order p50 {} p99 {} max {}; steady ({} orders) p50 {} p99 {} max {}",
        r.orders,
        us(r.latency.quantile(0.5)),
        us(r.latency.quantile(0.99)),
        us(r.latency.quantile(1.0)),
        r.steady.len(),
        us(r.steady.quantile(0.5)),
        us(r.steady.quantile(0.99)),
        us(r.steady.quantile(1.0)),
    );
    println!(
        "    parts: in the strategy (tick in hand to order sent) p50 {} p99 {}; its signals sent to execution \
         receiving the order p50 {} p99 {}",
        us(r.in_strategy.quantile(0.5)),
        us(r.in_strategy.quantile(0.99)),
        us(r.order_leg.quantile(0.5)),
        us(r.order_leg.quantile(0.99)),
    );
    println!(
        "    every tick, last event published to processed: p50 {} p99 {} max {}; median per tenth of the run: {}",
        us(r.to_processed.quantile(0.5)),
        us(r.to_processed.quantile(0.99)),
        us(r.to_processed.quantile(1.0)),
        r.tenths.iter().map(|&ns| us(Some(ns))).collect::<Vec<_>>().join(", "),
    );
    println!(
        "    CPU: this process {:.1} s, tansu {:.1} s{}",
        r.cpu_self,
        r.cpu_broker,
        if r.negative > 0 { format!("; {} intervals < 0 (clamped to 0)", r.negative) } else { String::new() },
    );
}

fn main() {
    // `scripts/bench.sh FILTER` passes a criterion filter to every bench:
    // run only if it names this one.
    let filters: Vec<String> = std::env::args().skip(1).filter(|a| !a.starts_with('-')).collect();
    if !filters.is_empty() && !filters.iter().any(|f| "distributed".contains(f.as_str())) {
        println!("distributed bench: skipped (filter {filters:?})");
        return;
    }
    let settings = Settings::from_env();
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    hft_host::commands::data_generate(&data, None, Some(settings.seed), Some(settings.bars)).expect("generate data");
    let cfg = bench_config(dir.path(), &data);
    let cache = Some(target_dir().join("bench-cache"));
    let rt = Runtime::new(RuntimeConfig { limits: Default::default(), cache_dir: cache, parallel_compilation: true })
        .expect("runtime");
    let paced = Speed::Multiple(settings.paced_ticks_per_s * BAR_SECONDS);
    let load_before = load_average();
    println!(
        "distributed bench: {} bars per symbol (seed {}), {} repetitions, paced runs at {:.0} ticks/s ({}x); \
         cores {}; load average at start {}",
        settings.bars,
        settings.seed,
        settings.reps,
        settings.paced_ticks_per_s,
        settings.paced_ticks_per_s * BAR_SECONDS,
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        load_before,
    );
    for (name, c) in &settings.profiles {
        println!(
            "client profile {name:?}: linger.ms={}, extra {:?} (else KafkaConfig's defaults)",
            c.linger_ms, c.extra
        );
    }

    let mut embedded_runs = Vec::new();
    let mut kafka_runs: Vec<KafkaRun> = Vec::new();
    for rep in 1..=settings.reps {
        let mut e = run_embedded(&cfg, &rt);
        println!(
            "rep {rep} embedded: {} events, {} ticks in {:.3} s: {} events/s, {} ticks/s; {} orders; \
             tick-to-order p50 {} p99 {} max {} ({} ticks with orders)",
            e.events,
            e.ticks,
            e.wall,
            k(e.events as f64 / e.wall),
            k(e.ticks as f64 / e.wall),
            e.orders,
            us(e.latency.quantile(0.5)),
            us(e.latency.quantile(0.99)),
            us(e.latency.quantile(1.0)),
            e.latency.len(),
        );
        for profile in &settings.profiles {
            for speed in [Speed::Max, paced] {
                let mut r = run_kafka(profile, &cfg, &rt, speed, &e);
                print_kafka(rep, &mut r, settings.paced_ticks_per_s);
                kafka_runs.push(r);
            }
        }
        embedded_runs.push(e);
    }

    // Side by side: medians over the repetitions (ranges in brackets);
    // latency columns list each repetition's figure.
    println!();
    println!("load average at start {load_before}, at end {}", load_average());
    println!();
    println!("| mode | events/s | ticks/s | orders | tick-to-order p50 | p99 | max | steady orders: p50 | p99 |");
    println!("|---|---|---|---|---|---|---|---|---|");
    let mut lat: Vec<&mut LatencySamples> = embedded_runs.iter_mut().map(|e| &mut e.latency).collect();
    let (p50, p99, max) = (quantiles(&mut lat, 0.5), quantiles(&mut lat, 0.99), quantiles(&mut lat, 1.0));
    println!(
        "| embedded (`pipeline::run`, max) | {} | {} | {} | {p50} | {p99} | {max} | | |",
        spread(&embedded_runs.iter().map(|e| e.events as f64 / e.wall).collect::<Vec<_>>(), k),
        spread(&embedded_runs.iter().map(|e| e.ticks as f64 / e.wall).collect::<Vec<_>>(), k),
        embedded_runs[0].orders,
    );
    for profile in &settings.profiles {
        for paced in [false, true] {
            let mut runs: Vec<&mut KafkaRun> =
                kafka_runs.iter_mut().filter(|r| r.profile == profile.0 && r.paced == paced).collect();
            let name = runs[0].name(settings.paced_ticks_per_s);
            let orders = runs[0].orders;
            let eps: Vec<f64> = runs.iter().map(|r| r.events_per_s()).collect();
            let tps: Vec<f64> = runs.iter().map(|r| r.ticks_per_s()).collect();
            let mut lat: Vec<&mut LatencySamples> = runs.iter_mut().map(|r| &mut r.latency).collect();
            let (p50, p99, max) = (quantiles(&mut lat, 0.5), quantiles(&mut lat, 0.99), quantiles(&mut lat, 1.0));
            let mut steady: Vec<&mut LatencySamples> = runs.iter_mut().map(|r| &mut r.steady).collect();
            let steady_orders = steady[0].len();
            let (s50, s99) = (quantiles(&mut steady, 0.5), quantiles(&mut steady, 0.99));
            println!(
                "| {name} | {} | {} | {orders} | {p50} | {p99} | {max} | {steady_orders}: {s50} | {s99} |",
                spread(&eps, k),
                spread(&tps, k)
            );
        }
    }
}
