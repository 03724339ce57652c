//! Distributed mode as separate processes against a real Kafka-protocol
//! broker (tansu): `hft-host run --role ingest`, `--role strategy` and
//! `--role execution` give the fills of the embedded run; a malformed
//! market-data message lands in the dead-letter topic and the run goes on;
//! two strategy processes in one group together produce the embedded
//! result.

mod common;

use hft_bus::bus::{EventBus, Producer};
use hft_bus::kafka::{KafkaBus, KafkaConfig};
use hft_bus::metrics::BusMetrics;
use hft_bus::testing::Tansu;
use hft_bus::topics::TopicsConfig;
use hft_bus::typed::{Publisher, Subscriber};
use hft_bus::wire::{DeadLetter, Decode, FillMessage, Format, MessageId};
use hft_host::config::{self, Speed};
use hft_host::pipeline::{RunOptions, run};
use hft_trading::execution::Fill;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The default run on the bundled pair, over the broker at `bootstrap`,
/// with state under `dir`. A tick of bars ends when every leg's bar is
/// in; the quiet-stream flush is for a tick whose end cannot be seen, and
/// at 100 ms (the default) a loaded CI
/// machine descheduling the ingest process between a timestamp's two bars
/// split one tick in two (seen once, during the Redis outage test), which
/// makes the run differ from the embedded one. 2 s keeps the rule and
/// takes scheduling out of the comparison.
fn config(dir: &Path, bootstrap: &str) -> PathBuf {
    common::write_config(
        dir,
        &format!(
            "\n[bus]\ntick_flush_ms = 2000\n\n[bus.kafka]\nbootstrap_servers = {bootstrap:?}\n\n[state]\ndir = \"state\"\n"
        ),
    )
}

fn embedded_fills(cfg: &Path) -> Vec<Fill> {
    let cfg = config::load(Some(cfg), Vec::<(String, String)>::new()).unwrap();
    let outcome = run(&cfg, &common::runtime(), &RunOptions { speed: Some(Speed::Max), ..Default::default() })
        .expect("embedded run");
    outcome.report.fills().to_vec()
}

/// `hft-host run --role ROLE` in the background, stopping after `idle` s
/// without a message.
fn spawn_role(cfg: &Path, role: &str, idle: &str) -> Child {
    Command::new(env!("CARGO_BIN_EXE_hft-host"))
        .args(["run", "--role", role, "--no-report", "--until-idle", idle, "--config"])
        .arg(cfg)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("running hft-host")
}

fn finish(child: Child, what: &str) -> String {
    let out = child.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(out.status.success(), "{what} failed:\n{stdout}\n{}", String::from_utf8_lossy(&out.stderr));
    stdout
}

fn ingest(cfg: &Path) {
    finish(spawn_ingest(cfg, "max"), "ingest");
}

/// The ingest role in the background at `speed` (`max`, or `200000x`:
/// the bundled week in about 3 s, long enough to kill something mid-stream).
fn spawn_ingest(cfg: &Path, speed: &str) -> Child {
    Command::new(env!("CARGO_BIN_EXE_hft-host"))
        .args(["run", "--role", "ingest", "--speed", speed, "--config"])
        .arg(cfg)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

/// Wait until `path` exists (a checkpoint was written).
fn wait_for_file(path: &Path) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while !path.exists() {
        assert!(Instant::now() < deadline, "{} never appeared", path.display());
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Fills in order, each id once: what a reader that drops copies by id sees.
fn distinct(fills: Vec<(MessageId, FillMessage)>) -> (Vec<Fill>, usize) {
    let mut seen = std::collections::HashSet::new();
    let total = fills.len();
    let unique: Vec<Fill> = fills.into_iter().filter(|(id, _)| seen.insert(*id)).map(|(_, m)| m.fill).collect();
    let copies = total - unique.len();
    (unique, copies)
}

fn kill(mut child: Child) {
    child.kill().unwrap();
    child.wait().unwrap();
}

/// How long [`read_all`] waits for the first message (the group join
/// included) before it gives up.
const FIRST_MESSAGE_WAIT: Duration = Duration::from_secs(60);

/// Every message of kind `M` on `topic`, read by a fresh group until
/// `quiet` passes without one.
fn read_all<M: Decode>(bootstrap: &str, topic: &str, quiet: Duration) -> Vec<M> {
    read_all_with_ids(bootstrap, topic, quiet).into_iter().map(|(_, m)| m).collect()
}

/// [`read_all`] with each message's id.
fn read_all_with_ids<M: Decode>(bootstrap: &str, topic: &str, quiet: Duration) -> Vec<(MessageId, M)> {
    let bus = KafkaBus::new(KafkaConfig::new(bootstrap));
    let metrics = Arc::new(BusMetrics::default());
    let consumer = bus.consumer(&format!("verify-{topic}"), &[topic]).unwrap();
    let dead =
        Publisher::new(bus.producer().unwrap(), Arc::new(TopicsConfig::default()), Format::Binary, metrics.clone());
    let mut sub = Subscriber::<M, _, _>::new(consumer, dead, metrics);
    let mut got = Vec::new();
    let started = Instant::now();
    let mut last = started;
    // The group join alone takes a second or two. A 12 s wait for the
    // first message once ran out in CI after every role had finished
    // successfully (the cause was not established; a slow join on a
    // loaded machine is the likely one). Every caller expects messages, so
    // the long wait costs nothing when they are there.
    while last.elapsed() < quiet || got.is_empty() && started.elapsed() < FIRST_MESSAGE_WAIT {
        if let Some(r) = sub.poll(Duration::from_millis(200)).unwrap() {
            got.push((r.envelope.id, r.envelope.body));
            last = Instant::now();
        }
    }
    got
}

/// The number printed right after `after` in a role's summary line.
fn count(stdout: &str, after: &str) -> u64 {
    let at = stdout.find(after).unwrap_or_else(|| panic!("{after:?} not in:\n{stdout}"));
    let rest = &stdout[at + after.len()..];
    rest.trim_start().split(|c: char| !c.is_ascii_digit()).next().unwrap().parse().unwrap()
}

#[test]
fn ingest_strategy_and_execution_processes_fill_exactly_as_the_embedded_run() {
    let broker = Tansu::start();
    let dir = tempfile::tempdir().unwrap();
    let cfg = config(dir.path(), &broker.bootstrap);
    let want = embedded_fills(&cfg);
    assert!(want.len() > 50, "{} fills", want.len());

    let topics = TopicsConfig::default();
    let bus = KafkaBus::new(KafkaConfig::new(&broker.bootstrap));
    bus.ensure_topics(&topics).unwrap();
    // A malformed message ahead of the data, on the pair's partition key.
    let mut raw = bus.producer().unwrap();
    raw.send(&topics.market_data.name, b"BTCUSDT/ETHUSDT", b"\x00garbage").unwrap();
    raw.flush(Duration::from_secs(10)).unwrap();

    let strategy = spawn_role(&cfg, "strategy", "6");
    let execution = spawn_role(&cfg, "execution", "6");
    ingest(&cfg);
    let strategy_out = finish(strategy, "strategy");
    let execution_out = finish(execution, "execution");
    assert_eq!(count(&strategy_out, "bus:"), 20_000, "every market event consumed once:\n{strategy_out}");
    assert_eq!(count(&strategy_out, "consumed,"), 1, "the malformed one dead-lettered:\n{strategy_out}");
    assert_eq!(count(&execution_out, "orders refused,"), want.len() as u64, "{execution_out}");

    let got: Vec<Fill> = read_all::<FillMessage>(&broker.bootstrap, &topics.fills.name, Duration::from_secs(3))
        .into_iter()
        .map(|m| m.fill)
        .collect();
    assert_eq!(got, want, "the fills on the fills topic are the embedded run's, in order, each once");
    let letters = read_all::<DeadLetter>(&broker.bootstrap, &topics.dead_letter.name, Duration::from_secs(2));
    assert_eq!(letters.len(), 1, "{letters:?}");
    assert_eq!(letters[0].topic, topics.market_data.name);
    assert_eq!(letters[0].payload, b"\x00garbage");
    assert!(!letters[0].reason.is_empty());
}

#[test]
fn two_strategy_processes_in_one_group_produce_the_embedded_result() {
    let broker = Tansu::start();
    let dir = tempfile::tempdir().unwrap();
    let cfg = config(dir.path(), &broker.bootstrap);
    let want = embedded_fills(&cfg);
    let topics = TopicsConfig::default();
    KafkaBus::new(KafkaConfig::new(&broker.bootstrap)).ensure_topics(&topics).unwrap();

    let a = spawn_role(&cfg, "strategy", "8");
    let b = spawn_role(&cfg, "strategy", "8");
    let execution = spawn_role(&cfg, "execution", "8");
    // Both members join before the data comes, so the group's assignment
    // is settled: the pair's one partition goes to one of them.
    std::thread::sleep(Duration::from_secs(4));
    ingest(&cfg);
    let (a, b) = (finish(a, "strategy a"), finish(b, "strategy b"));
    finish(execution, "execution");
    let ticks = [count(&a, "strategy role:"), count(&b, "strategy role:")];
    assert_eq!(ticks.iter().sum::<u64>(), ticks.iter().copied().max().unwrap(), "one member had the pair: {ticks:?}");
    assert!(ticks.iter().any(|&t| t > 9_000), "{ticks:?}");
    let got: Vec<Fill> = read_all::<FillMessage>(&broker.bootstrap, &topics.fills.name, Duration::from_secs(3))
        .into_iter()
        .map(|m| m.fill)
        .collect();
    assert_eq!(got, want);
}

/// What a kill-and-restart run left: the embedded run's fills, the fills
/// topic (with ids), and the stdout of the restarted role and of the other
/// consuming role.
struct Restarted {
    want: Vec<Fill>,
    fills: Vec<(MessageId, FillMessage)>,
    restarted: String,
    other: String,
}

/// Run strategy and execution with a paced ingest; once `victim` has
/// written its checkpoint (`checkpoint`, under the state store), kill it
/// with SIGKILL mid-stream and start it again.
fn kill_and_restart(victim: &str, other: &str, checkpoint: &str) -> Restarted {
    let broker = Tansu::start();
    let dir = tempfile::tempdir().unwrap();
    let cfg = config(dir.path(), &broker.bootstrap);
    let want = embedded_fills(&cfg);
    let topics = TopicsConfig::default();
    KafkaBus::new(KafkaConfig::new(&broker.bootstrap)).ensure_topics(&topics).unwrap();

    let survivor = spawn_role(&cfg, other, "10");
    let first = spawn_role(&cfg, victim, "10");
    let feed = spawn_ingest(&cfg, "200000x");
    wait_for_file(&dir.path().join("state/hft/snapshots").join(checkpoint));
    std::thread::sleep(Duration::from_millis(300));
    kill(first);
    let second = spawn_role(&cfg, victim, "8");
    finish(feed, "ingest");
    let restarted = finish(second, &format!("restarted {victim}"));
    let other = finish(survivor, other);
    let fills = read_all_with_ids(&broker.bootstrap, &topics.fills.name, Duration::from_secs(3));
    Restarted { want, fills, restarted, other }
}

#[test]
fn killing_the_strategy_mid_stream_and_restarting_it_loses_nothing_and_fills_nothing_twice() {
    let r = kill_and_restart("strategy", "execution", "strategy.pairs-demo.json");
    // It continued from a checkpoint inside the week of data (which runs
    // from 2024-01-01 00:00 to 2024-01-07 23:59), not from the start.
    let second = &r.restarted;
    let resumed = second.split("(resumed after ").nth(1).unwrap_or_else(|| panic!("not resumed:\n{second}"));
    assert!(resumed.starts_with("2024-01-0") && !resumed.starts_with("2024-01-07T23"), "{resumed}");

    // Execution's own count first ("N fills published" follows "orders
    // refused,"), so that a failure tells a fill that was never published
    // from one the verifying reader did not get.
    assert_eq!(count(&r.other, "orders refused,"), r.want.len() as u64, "{}", r.other);
    let (got, copies) = distinct(r.fills);
    assert_eq!(copies, 0, "execution dropped the replayed steps, so no fill was published twice");
    assert_eq!(got, r.want, "the fills are the embedded run's: nothing lost, nothing doubled");
}

#[test]
fn killing_execution_mid_stream_and_restarting_it_fills_each_order_once() {
    let r = kill_and_restart("execution", "strategy", "venue.pairs-demo.json");
    assert_eq!(count(&r.restarted, "gaps,"), 1, "the venue continued from its checkpoint:\n{}", r.restarted);
    // Fills published after the last checkpoint may be published again by
    // the restarted process, under the same ids; a reader dropping copies
    // by id sees each fill exactly once.
    let (got, _copies) = distinct(r.fills);
    assert_eq!(got, r.want);
}

#[test]
fn execution_waits_while_redis_is_down_and_goes_on_by_itself_when_it_is_back() {
    use hft_state::testing::{Persistence, RedisServer};
    let broker = Tansu::start();
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("redis")).unwrap();
    let mut redis = RedisServer::start_with(Persistence::AppendOnly(dir.path().join("redis")));
    let cfg = config(dir.path(), &broker.bootstrap);
    let text = std::fs::read_to_string(&cfg)
        .unwrap()
        .replace("[state]\n", &format!("[state]\nredis_url = {:?}\n", redis.url()));
    std::fs::write(&cfg, text).unwrap();
    let want = embedded_fills(&cfg);
    let topics = TopicsConfig::default();
    KafkaBus::new(KafkaConfig::new(&broker.bootstrap)).ensure_topics(&topics).unwrap();

    let strategy = spawn_role(&cfg, "strategy", "10");
    let execution = spawn_role(&cfg, "execution", "10");
    let feed = spawn_ingest(&cfg, "100000x");
    std::thread::sleep(Duration::from_secs(3));
    redis.stop();
    std::thread::sleep(Duration::from_secs(3));
    redis.restart();
    finish(feed, "ingest");
    let strategy = finish(strategy, "strategy");
    let execution = finish(execution, "execution");
    assert!(count(&execution, "venues resumed,") > 0, "orders waited while Redis was down:\n{execution}");
    assert!(count(&strategy, "checkpoints (") > 0, "checkpoints were postponed:\n{strategy}");
    let (got, copies) = distinct(read_all_with_ids(&broker.bootstrap, &topics.fills.name, Duration::from_secs(3)));
    assert_eq!(copies, 0);
    assert_eq!(got, want, "after the outage everything went through, once");
}

/// `GET path` on `addr`: the status code and body, or `None` if nothing listens.
fn http_get(addr: &str, path: &str) -> Option<(u16, String)> {
    use std::io::{Read, Write};
    let mut s = std::net::TcpStream::connect(addr).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(2))).ok()?;
    write!(s, "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n").ok()?;
    let mut text = String::new();
    s.read_to_string(&mut text).ok()?;
    let status = text.split(' ').nth(1)?.parse().ok()?;
    Some((status, text.split("\r\n\r\n").nth(1).unwrap_or_default().to_string()))
}

#[test]
fn a_role_serves_health_readiness_and_metrics_while_it_runs() {
    let broker = Tansu::start();
    let dir = tempfile::tempdir().unwrap();
    let cfg = config(dir.path(), &broker.bootstrap);
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let addr = format!("127.0.0.1:{port}");
    let mut child = Command::new(env!("CARGO_BIN_EXE_hft-host"))
        .args(["run", "--role", "execution", "--until-idle", "6", "--config"])
        .arg(&cfg)
        .env("HFT_SERVER__LISTEN", &addr)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(5);
    let ready = loop {
        match http_get(&addr, "/ready") {
            Some((200, body)) => break body,
            _ if Instant::now() > deadline => panic!("/ready never answered 200 on {addr}"),
            _ => std::thread::sleep(Duration::from_millis(50)),
        }
    };
    assert!(ready.contains("bus"), "{ready}");
    assert_eq!(http_get(&addr, "/health").map(|r| r.0), Some(200));
    let (status, metrics) = http_get(&addr, "/metrics").unwrap();
    assert_eq!(status, 200);
    assert!(metrics.contains("hft_build_info{version=") && metrics.contains("role=\"execution\""), "{metrics}");
    assert!(metrics.contains("hft_dead_letters_total{topic=\"hft.orders\"} 0"), "{metrics}");
    // The lag, queried from tansu once a second: nothing to read yet.
    let lag = "hft_consumer_lag{topic=\"hft.orders\"} 0";
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let (_, metrics) = http_get(&addr, "/metrics").unwrap();
        if metrics.lines().any(|l| l == lag) {
            break;
        }
        assert!(Instant::now() < deadline, "{lag:?} not in\n{metrics}");
        std::thread::sleep(Duration::from_millis(50));
    }
    assert_eq!(http_get(&addr, "/nope").map(|r| r.0), Some(404));
    assert!(child.wait().unwrap().success());
}
