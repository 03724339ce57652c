//! The orchestrator role against a real Kafka-protocol broker (tansu), as
//! separate processes: an uploaded component started as a challenger and
//! promoted through the admin API (the CLI) while market data streams is
//! swapped into the running strategy process (which has a registry of its
//! own: the component reaches it through the state store) between two ticks, without a restart and without a
//! lost tick; the kill switch set there halts it at once; restarted, the
//! strategy process resumes with the promoted logic.

mod common;

use hft_bus::testing::Tansu;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const ADMIN: &str = "admin-token-0123456789abcdef";

fn hft_host(cfg: &Path, args: &[&str], admin_addr: &str, dir: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_hft-host"));
    cmd.args(args)
        .arg("--config")
        .arg(cfg)
        .env("HFT_ADMIN_ADDR", admin_addr)
        .env("HFT_ADMIN_URL", format!("http://{admin_addr}"))
        .env("HFT_ADMIN_AUDIT_LOG", dir.join("audit.jsonl"))
        .env("HFT_REGISTRY__DIR", dir.join("registry"))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    cmd
}

fn finish(child: Child, what: &str) -> String {
    let out = child.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(out.status.success(), "{what} failed:\n{stdout}\n{}", String::from_utf8_lossy(&out.stderr));
    stdout
}

/// The CLI against the orchestrator's admin API.
fn cli(admin_addr: &str, args: &[&str]) -> (bool, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_hft-host"))
        .args(args)
        .env("HFT_ADMIN_URL", format!("http://{admin_addr}"))
        .env("HFT_ADMIN_TOKEN", ADMIN)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    (out.status.success(), text)
}

fn status(admin_addr: &str) -> Option<serde_json::Value> {
    let (ok, text) = cli(admin_addr, &["status", "--json", "--timeout", "5"]);
    ok.then(|| serde_json::from_str(&text).ok()).flatten()
}

/// The number printed right after `after` in a role's summary.
fn count(stdout: &str, after: &str) -> u64 {
    let at = stdout.find(after).unwrap_or_else(|| panic!("{after:?} not in:\n{stdout}"));
    stdout[at + after.len()..].trim_start().split(|c: char| !c.is_ascii_digit()).next().unwrap().parse().unwrap()
}

#[test]
fn a_promotion_on_the_orchestrator_reaches_the_running_strategy_process() {
    let broker = Tansu::start();
    let dir = tempfile::tempdir().unwrap();
    // One Redis for every process, as in a deployment.
    let redis = hft_state::testing::RedisServer::start();
    let cfg = common::write_config(
        dir.path(),
        &format!(
            "\n[bus.kafka]\nbootstrap_servers = {:?}\n\n[state]\nredis_url = {:?}\n",
            broker.bootstrap,
            redis.url()
        ),
    );
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let addr = format!("127.0.0.1:{port}");
    let role = |name: &str| {
        hft_host(&cfg, &["run", "--role", name, "--no-report", "--until-idle", "8"], &addr, dir.path())
            .env("HFT_ADMIN_TOKEN", ADMIN)
            .spawn()
            .unwrap()
    };
    let orchestrator = role("orchestrator");
    // The strategy process has a registry of its own (in Kubernetes the
    // registry volume is the orchestrator's): an uploaded champion reaches
    // it through the state store.
    let strategy_registry = dir.path().join("strategy-registry");
    let strategy =
        hft_host(&cfg, &["run", "--role", "strategy", "--no-report", "--until-idle", "8"], &addr, dir.path())
            .env("HFT_REGISTRY__DIR", &strategy_registry)
            .spawn()
            .unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    while status(&addr).is_none() {
        assert!(Instant::now() < deadline, "the orchestrator's admin API never came up");
        std::thread::sleep(Duration::from_millis(100));
    }
    // The bundled 10,000 minutes in about 12 s.
    let ingest = hft_host(&cfg, &["run", "--role", "ingest", "--speed", "50000x"], &addr, dir.path()).spawn().unwrap();

    // An uploaded component (the pairs build, validated by the registry)
    // with other parameters, started as a challenger in one command.
    let pairs = common::wasm("pairs");
    let (ok, text) = cli(
        &addr,
        &["plugin", "upload", pairs.to_str().unwrap(), "--challenger", "loose", "--params", "entry-z=1.5,exit-z=0.25"],
    );
    assert!(ok, "{text}");
    // Promote mid-stream, once the challenger has a record.
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let s = status(&addr).unwrap_or_default();
        let ticks = s["challengers"][0]["ticks"].as_u64().unwrap_or(0);
        if ticks >= 2_500 {
            assert!(s["champion"]["ticks"].as_u64().unwrap() < 9_000, "promote before the end: {s}");
            break;
        }
        assert!(Instant::now() < deadline, "the challenger never shadow-traded: {s}");
        std::thread::sleep(Duration::from_millis(50));
    }
    let (ok, text) = cli(&addr, &["plugin", "promote", "loose"]);
    assert!(ok, "{text}");
    // The kill switch from the same API halts the strategy process (the
    // control topic wakes it; the state store holds it).
    let (ok, text) = cli(&addr, &["kill-switch", "on", "--reason", "test: stop everything"]);
    assert!(ok, "{text}");

    finish(ingest, "ingest");
    let orch_out = finish(orchestrator, "orchestrator");
    let strat_out = finish(strategy, "strategy");
    // Every market event (two legs of 10,000 bars) once; paced, a few
    // ticks' legs arrive apart and make two ticks.
    assert_eq!(count(&orch_out, "bus:"), 20_000, "{orch_out}");
    assert!(orch_out.contains("1 champion change(s) published"), "{orch_out}");
    assert!(orch_out.contains("generation 1: promote -> loose after tick"), "{orch_out}");
    // The running strategy process swapped the logic in, warm, between two
    // ticks, and saw every tick once.
    // Its bus counts the 20,000 market events and the two control events.
    assert_eq!(count(&strat_out, "bus:"), 20_002, "{strat_out}");
    assert_eq!(count(&strat_out, "duplicates dropped,"), 0, "{strat_out}");
    assert!(strat_out.contains("champion changes applied: 1\n"), "{strat_out}");
    assert!(strat_out.contains("generation 1: promote -> loose after 20"), "mid-stream, not at the start: {strat_out}");
    // Warmed on the ticks it had seen (at most the 2,000 it keeps).
    let warmed = count(&strat_out, "(warmed on");
    assert!((1..=2_000).contains(&warmed), "{strat_out}");

    assert!(strat_out.contains("champion logic: loose (generation 1)"), "{strat_out}");
    let fetched: Vec<_> = std::fs::read_dir(&strategy_registry)
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.path().extension().is_some_and(|x| x == "wasm"))
        .collect();
    assert_eq!(fetched.len(), 1, "the component came through the state store into the strategy's registry");
    assert!(
        strat_out.lines().any(|l| l.contains("risk state") && l.contains("Halted")),
        "the kill switch reached the strategy: {strat_out}"
    );

    // Restarted (a new pod of the same deployment), the strategy process
    // resumes from its checkpoint with the promoted logic.
    let again = hft_host(&cfg, &["run", "--role", "strategy", "--no-report", "--until-idle", "3"], &addr, dir.path())
        .env("HFT_REGISTRY__DIR", &strategy_registry)
        .spawn()
        .unwrap();
    let again_out = finish(again, "the restarted strategy process");
    assert!(again_out.contains("champion changes applied: 0\n"), "{again_out}");
    assert!(again_out.contains("champion logic: loose (generation 1)"), "{again_out}");
}

/// The number printed right after `after` on the line that holds `line`.
fn count_on(stdout: &str, line: &str, after: &str) -> u64 {
    let l = stdout.lines().find(|l| l.contains(line)).unwrap_or_else(|| panic!("{line:?} not in:\n{stdout}"));
    count(l, after)
}

#[test]
fn a_killed_orchestrator_resumes_its_challengers_and_evop_from_its_checkpoint() {
    let broker = Tansu::start();
    let redis = hft_state::testing::RedisServer::start();
    let dir = tempfile::tempdir().unwrap();
    // EVOP starts four challengers at the first tick: no API call needed;
    // nothing is promoted, so they stay to the end.
    let cfg = common::write_config(
        dir.path(),
        &format!(
            "\n[bus.kafka]\nbootstrap_servers = {:?}\n\n[state]\nredis_url = {:?}\n\n\
             [evop]\nauto_promote = false\n\n[evop.design]\ncycle_ticks = 1000\nmin_cycles = 2\nfactors = [\n  \
             {{ param = \"entry-z\", step = 0.25, min = 0.5 }},\n  {{ param = \"exit-z\", step = 0.1, min = 0.0 }},\n]\n",
            broker.bootstrap,
            redis.url()
        ),
    );
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let addr = format!("127.0.0.1:{port}");
    // All the market data first: the orchestrator reads it at full speed.
    finish(
        hft_host(&cfg, &["run", "--role", "ingest", "--speed", "max"], &addr, dir.path()).spawn().unwrap(),
        "ingest",
    );
    // Idle long enough for the group to drop the killed member and take
    // the new one.
    let orchestrator = || {
        hft_host(&cfg, &["run", "--role", "orchestrator", "--until-idle", "10"], &addr, dir.path())
            .env("HFT_ADMIN_TOKEN", ADMIN)
            .spawn()
            .unwrap()
    };
    let mut first = orchestrator();
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let ticks = status(&addr).and_then(|s| s["champion"]["ticks"].as_u64()).unwrap_or(0);
        if ticks >= 3_000 {
            break;
        }
        assert!(Instant::now() < deadline, "the orchestrator never got going");
        std::thread::sleep(Duration::from_millis(50));
    }
    first.kill().unwrap();
    first.wait().unwrap();
    let out = finish(orchestrator(), "the restarted orchestrator");
    let resumed = count(&out, "resumed at tick");
    assert!((1..10_000).contains(&resumed), "{out}");
    // Every tick once over both lives: the champion's and each of the four
    // EVOP variants' (EVOP starts them after the first tick).
    assert_eq!(count(&out, "orchestrator role:"), 10_000, "{out}");
    for p in 1..=4 {
        assert_eq!(count_on(&out, &format!("challenger evop-g1-p{p}:"), ":"), 9_999, "{out}");
    }
    // EVOP's phase went on: one design, a cycle per 1,000 ticks since it
    // started after the first tick.
    assert!(out.contains("evop: generation 1, 9 cycles"), "{out}");
}
