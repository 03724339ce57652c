//! Hostile challengers against the real champion (issue 5, "Sandboxing,
//! tested with hostile plugins"): the faulty strategy loops forever,
//! allocates without bound, traps, sends NaN, infinite, malformed and huge
//! targets, and (patched) imports a WASI capability the sandbox does not
//! grant. For each: it is refused at upload or stopped at run time with a
//! metric and an event; the champion's fills and model board are, tick by
//! tick, bit for bit those of the champion running alone (no missed or
//! repeated event); and the process's resident memory grows by at most
//! what the sandbox lets one instance hold.
//!
//! Each run replays [`TICKS`] ticks of the bundled data (the champion has
//! traded by [`HOSTILE_AT`], where the challenger turns hostile). The runs
//! take turns ([`SERIAL`]) because the memory figures are the whole
//! process's.

mod common;

use hft_host::admin::{AdminConfig, PluginService, serve_admin};
use hft_host::admin_client::{AdminClient, AdminTarget};
use hft_host::config::{RunConfig, Speed, StrategyConfig};
use hft_host::orchestrator::{ChallengerSpec, Orchestrator};
use hft_host::pipeline::{Counters, NodeState, Pipeline, Session, assemble};
use hft_host::registry::{Registry, RegistryConfig, Step, UploadOptions};
use hft_host::runtime::{Limits, Runtime, RuntimeConfig};
use hft_host::telemetry::{PluginFaultMetrics, Telemetry};
use hft_trading::domain::{Decimal, InstrumentId, Money};
use hft_trading::execution::{Fill, PaperBroker};
use hft_trading::market::MarketEvent;
use hft_trading::risk::RejectReason;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

/// Ticks per run: enough for the champion to trade before and after the
/// challenger turns hostile, few enough for a 2-core CI.
const TICKS: usize = 3_500;
/// The tick at which the challenger turns hostile: after the registry's
/// default smoke run (2,000 ticks), so a plugin that waits this long
/// passes validation at upload and only the run-time checks can stop it.
const HOSTILE_AT: i64 = 2_500;
/// The memory cap of every instance in these runs.
const CAP: usize = 16 << 20;
/// The deadline of every per-tick call in these runs.
const DEADLINE: Duration = Duration::from_millis(100);
/// What the process may grow by besides what hostile instances hold: the
/// two pipelines' records of 3,500 ticks, wasmtime's per-call structures
/// and the allocator's rounding. Measured at about 1 MiB (see
/// `memory_growth_of_a_well_behaved_challenger_is_the_baseline`).
const SLACK: u64 = 8 << 20;

/// The runs take turns: resident-memory figures are per process.
static SERIAL: Mutex<()> = Mutex::new(());

fn serial() -> std::sync::MutexGuard<'static, ()> {
    SERIAL.lock().unwrap_or_else(|e| e.into_inner())
}

fn limits() -> Limits {
    Limits { memory_bytes: CAP, call_timeout: DEADLINE, ..Limits::default() }
}

/// The data, and the champion alone over it: the reference every run's
/// champion must match.
struct Fixture {
    cfg: RunConfig,
    /// Every run's runtime, with a compile cache under the target
    /// directory: each component compiles once, not once per pipeline.
    rt: Runtime,
    data: Vec<Vec<MarketEvent>>,
    /// The champion alone: each tick's fills and model board (as bits).
    alone: Vec<(Vec<Fill>, Vec<u64>)>,
    alone_counters: Counters,
}

fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        // The configuration's paths are absolute: its file is not needed
        // once it is loaded.
        let cfg = common::default_config(tempfile::tempdir().unwrap().path());
        let target = std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| common::root().join("target"), PathBuf::from);
        let cache_dir = Some(target.join("test-cache/hostile_challengers"));
        let rt = Runtime::new(RuntimeConfig { limits: limits(), cache_dir, parallel_compilation: true }).unwrap();
        let mut session = Session::open(&cfg, &rt, Speed::Max).unwrap();
        let mut data = Vec::new();
        let mut tick = Vec::new();
        while data.len() < TICKS && session.next_tick(&mut tick).unwrap() {
            data.push(tick.clone());
        }
        assert_eq!(data.len(), TICKS, "the bundled data has fewer ticks than the runs replay");
        let mut champion = pipeline(&cfg, &rt);
        let mut alone = Vec::with_capacity(TICKS);
        for t in &data {
            champion.on_tick(t, Instant::now());
            alone.push((champion.last_fills().to_vec(), bits(champion.board())));
        }
        let fills = |range: std::ops::Range<usize>| alone[range].iter().map(|(f, _)| f.len()).sum::<usize>();
        let at = HOSTILE_AT as usize;
        assert!(fills(0..at) >= 5 && fills(at..TICKS) >= 5, "the champion must trade before and after tick {at}");
        assert!(champion.strategy_active() && champion.wiring().models.iter().all(|m| m.state == NodeState::Active));
        Fixture { alone_counters: champion.counters.clone(), cfg, rt, data, alone }
    })
}

fn bits(board: &[f64]) -> Vec<u64> {
    board.iter().map(|v| v.to_bits()).collect()
}

/// A fresh pipeline on `cfg`, as the embedded run wires it (without
/// opening the data again).
fn pipeline(cfg: &RunConfig, rt: &Runtime) -> Pipeline {
    let broker = PaperBroker::new(cfg.execution.clone()).unwrap();
    assemble(cfg, rt, Box::new(broker), Speed::Max).unwrap().0
}

/// The faulty strategy trading 0.5 BTC on leg y, with `params` on top.
fn faulty(params: &[(&str, toml::Value)]) -> StrategyConfig {
    let mut all = BTreeMap::from([("size".to_string(), toml::Value::Float(0.5))]);
    all.extend(params.iter().map(|(k, v)| (k.to_string(), v.clone())));
    StrategyConfig {
        plugin: "faulty_strategy".to_string(),
        legs: BTreeMap::from([("y".to_string(), "BTCUSDT".to_string()), ("x".to_string(), "ETHUSDT".to_string())]),
        signals: BTreeMap::new(),
        params: all,
    }
}

fn at(tick: i64) -> toml::Value {
    toml::Value::Integer(tick)
}

fn word(w: &str) -> toml::Value {
    toml::Value::String(w.to_string())
}

/// A field of `/proc/self/status` in KiB (`VmRSS`, `VmHWM`).
fn status_kib(field: &str) -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").expect("reading /proc/self/status");
    let line = status.lines().find(|l| l.starts_with(field)).unwrap_or_else(|| panic!("no {field} in {status}"));
    line.split_whitespace().nth(1).and_then(|v| v.parse().ok()).unwrap_or_else(|| panic!("{line}"))
}

/// Reset the process's peak resident set (`VmHWM`) to its current one.
fn reset_peak() {
    std::fs::write("/proc/self/clear_refs", "5").expect("resetting VmHWM through /proc/self/clear_refs");
}

/// Collects formatted log lines in memory.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// What a run of the champion with one challenger showed.
struct Shown {
    /// The challenger after the last tick.
    quarantined: Option<String>,
    fault: Option<&'static str>,
    active: bool,
    counters: Counters,
    rejections: BTreeMap<RejectReason, u64>,
    /// Ticks at and after [`HOSTILE_AT`] on which the challenger decided.
    hostile_ticks: u64,
    /// The challenger's largest position and open order, in any instrument
    /// at any tick, over that instrument's position cap (at most 1 when
    /// the book stayed within its limits).
    worst_position_to_cap: Decimal,
    worst_order_to_cap: Decimal,
    /// The slowest tick (champion and challenger).
    slowest_tick: Duration,
    /// Peak resident set over the resident set when the challenger had
    /// been built, KiB.
    peak_growth_kib: u64,
    /// Resident set after the run over the same start, KiB (negative when
    /// memory went back).
    held_kib: i64,
    /// The log and the `/metrics` text.
    log: String,
    metrics: String,
}

/// Run the champion with `challenger` (id `hostile`) over the fixture's
/// ticks, checking on every tick that the champion's fills and board are
/// those of the champion alone.
fn run_with(challenger: StrategyConfig) -> Shown {
    let fx = fixture();
    let rt = &fx.rt;
    let telemetry = Telemetry::new("all");
    let faults = PluginFaultMetrics::new(&telemetry);
    let mut o = Orchestrator::new(pipeline(&fx.cfg, rt), "champion", 5, None);
    let spec = ChallengerSpec { id: "hostile".into(), strategy: Some(challenger), ..Default::default() };
    o.add(spec, &fx.cfg, rt, Money(fx.cfg.run.initial_capital)).unwrap();
    for p in [o.champion(), &o.challengers()[0].pipeline] {
        assert!(p.wiring().strategy.count_faults_in(faults.clone()));
        assert!(p.wiring().models.iter().all(|m| m.count_faults_in(faults.clone())));
    }

    let captured = Captured::default();
    let sink = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(move || sink.clone())
        .with_ansi(false)
        .with_max_level(tracing::Level::INFO)
        .finish();
    let one = Decimal::ONE;
    let (mut worst_position_to_cap, mut worst_order_to_cap) = (Decimal::ZERO, Decimal::ZERO);
    let (mut slowest_tick, mut hostile_ticks) = (Duration::ZERO, 0);
    reset_peak();
    let start_kib = status_kib("VmRSS:");
    tracing::subscriber::with_default(subscriber, || {
        for (n, t) in fx.data.iter().enumerate() {
            let started = Instant::now();
            o.on_tick(t, started);
            slowest_tick = slowest_tick.max(started.elapsed());
            let (fills, board) = &fx.alone[n];
            assert_eq!(o.champion().last_fills(), fills.as_slice(), "the champion's fills at tick {n}");
            assert_eq!(&bits(o.champion().board()), board, "the champion's board at tick {n}");

            let c = &o.challengers()[0].pipeline;
            if n as i64 + 1 >= HOSTILE_AT && c.strategy_active() {
                hostile_ticks += 1;
            }
            let limits = c.risk().limits();
            let to_cap = |q: Decimal, id: &InstrumentId| {
                q.abs().checked_div(limits.limits_for(id).max_position.0).unwrap_or(Decimal::MAX)
            };
            for id in c.wiring().instruments.ids() {
                worst_position_to_cap = worst_position_to_cap.max(to_cap(c.portfolio().position_qty(id).0, id));
            }
            for order in c.exchange().open_orders() {
                worst_order_to_cap = worst_order_to_cap.max(to_cap(order.qty.0, &order.instrument));
            }
        }
    });
    let peak_growth_kib = status_kib("VmHWM:").saturating_sub(start_kib);
    let held_kib = status_kib("VmRSS:") as i64 - start_kib as i64;
    assert_eq!(o.champion().counters, fx.alone_counters, "the champion's counters");
    assert!(worst_position_to_cap <= one, "a position of {worst_position_to_cap} times its cap");

    let c = &o.challengers()[0];
    Shown {
        quarantined: c.quarantined.clone(),
        fault: c.pipeline.wiring().strategy.fault,
        active: c.pipeline.strategy_active(),
        counters: c.pipeline.counters.clone(),
        rejections: c.pipeline.risk().rejections(),
        hostile_ticks,
        worst_position_to_cap,
        worst_order_to_cap,
        slowest_tick,
        peak_growth_kib,
        held_kib,
        log: String::from_utf8(captured.0.lock().unwrap().clone()).unwrap(),
        metrics: telemetry.encode_metrics(),
    }
}

/// The value of one sample in the metrics text (`name{labels}` as written).
fn sample(metrics: &str, series: &str) -> f64 {
    let line = metrics
        .lines()
        .find(|l| l.split_once(' ').is_some_and(|(s, _)| s == series))
        .unwrap_or_else(|| panic!("no {series} in\n{metrics}"));
    line.rsplit(' ').next().unwrap().parse().unwrap()
}

/// A challenger that faults: quarantined with `kind`, counted once in
/// `hft_plugin_traps_total{kind}` and `hft_plugin_quarantined_total`, and
/// logged by the strategy node and the orchestrator.
fn assert_quarantined(shown: &Shown, kind: &str, reason: &str) {
    let why = shown.quarantined.as_deref().unwrap_or_else(|| panic!("not quarantined; log:\n{}", shown.log));
    assert!(why.contains(reason), "{why}");
    assert_eq!(shown.fault, Some(kind));
    assert!(!shown.active);
    for k in ["trap", "timeout", "out_of_memory"] {
        let want = if k == kind { 1.0 } else { 0.0 };
        assert_eq!(sample(&shown.metrics, &format!("hft_plugin_traps_total{{kind=\"{k}\"}}")), want, "{k}");
    }
    assert_eq!(sample(&shown.metrics, "hft_plugin_quarantined_total"), 1.0);
    let node = shown
        .log
        .lines()
        .find(|l| l.contains("strategy component faulted"))
        .unwrap_or_else(|| panic!("no event from the strategy node in\n{}", shown.log));
    assert!(
        node.contains("WARN") && node.contains("strategy=faulty") && node.contains(&format!("kind=\"{kind}\"")),
        "{node}"
    );
    assert!(
        shown.log.lines().any(|l| l.contains("challenger quarantined") && l.contains("challenger=hostile")),
        "{}",
        shown.log
    );
    assert_eq!(shown.hostile_ticks, 0, "the challenger was quarantined on the tick it turned hostile");
}

/// The process grew by at most what one hostile instance may hold plus
/// [`SLACK`].
fn assert_memory_bounded(shown: &Shown) {
    let bound = (CAP as u64 + SLACK) / 1024;
    assert!(
        shown.peak_growth_kib <= bound,
        "peak resident set grew by {} KiB, over the bound of {bound} KiB (cap {} KiB + slack {} KiB)",
        shown.peak_growth_kib,
        CAP / 1024,
        SLACK / 1024
    );
}

#[test]
fn memory_growth_of_a_well_behaved_challenger_is_the_baseline() {
    let _turn = serial();
    let shown = run_with(faulty(&[("flip-every", at(500))]));
    eprintln!("well-behaved: peak growth {} KiB, held {} KiB", shown.peak_growth_kib, shown.held_kib);
    assert!(shown.active && shown.quarantined.is_none());
    assert!(shown.counters.fills > 0 && shown.counters.orders_rejected == 0);
    assert!(shown.peak_growth_kib <= SLACK / 1024, "{} KiB", shown.peak_growth_kib);
    assert_eq!(sample(&shown.metrics, "hft_plugin_quarantined_total"), 0.0);
}

#[test]
fn an_endless_loop_is_stopped_at_its_deadline_and_the_champion_misses_nothing() {
    let _turn = serial();
    let shown = run_with(faulty(&[("loop-at", at(HOSTILE_AT))]));
    eprintln!("loop: slowest tick {:?}, peak growth {} KiB", shown.slowest_tick, shown.peak_growth_kib);
    assert_quarantined(&shown, "timeout", "deadline");
    // The loop costs one tick its deadline, once. The deadline counts epoch
    // ticks, the first of which may come at once: at least the deadline
    // less one epoch tick, and far below the 10 s of the heavy-call
    // deadline, with room for a loaded 2-core machine.
    let least = DEADLINE - limits().epoch_tick;
    assert!(shown.slowest_tick >= least && shown.slowest_tick < DEADLINE * 10, "{:?}", shown.slowest_tick);
    assert_memory_bounded(&shown);
}

#[test]
fn unbounded_allocation_stops_at_the_memory_cap_and_the_memory_is_given_back() {
    let _turn = serial();
    let shown = run_with(faulty(&[("hog-at", at(HOSTILE_AT))]));
    eprintln!("hog: peak growth {} KiB, held {} KiB", shown.peak_growth_kib, shown.held_kib);
    assert_quarantined(&shown, "out_of_memory", "out of memory");
    // It really allocated (most of the cap), and no more than the cap.
    assert!(shown.peak_growth_kib >= (CAP / 2 / 1024) as u64, "{} KiB", shown.peak_growth_kib);
    assert_memory_bounded(&shown);
    // The quarantined instance is dropped: its memory goes back at once.
    assert!(shown.held_kib < (CAP / 4 / 1024) as i64, "{} KiB still held", shown.held_kib);
}

#[test]
fn a_trap_is_quarantined_with_a_metric_and_an_event() {
    let _turn = serial();
    let shown = run_with(faulty(&[("trap-at", at(HOSTILE_AT))]));
    assert_quarantined(&shown, "trap", "trapped");
    assert_memory_bounded(&shown);
}

/// NaN and infinite sizes reach the host as the huge decimals a guest
/// makes of them (the contract has no float quantities): every one is an
/// order the challenger's own risk manager refuses for its position cap,
/// counted by reason; none reaches the paper venue.
#[test]
fn nan_and_infinite_targets_never_reach_the_paper_book() {
    let _turn = serial();
    for garbage in ["nan", "inf", "-inf"] {
        let shown = run_with(faulty(&[("garbage", word(garbage)), ("garbage-at", at(HOSTILE_AT))]));
        let garbage_ticks = (TICKS as i64 - HOSTILE_AT + 1) as u64;
        assert!(shown.active && shown.quarantined.is_none(), "{garbage}: {:?}", shown.quarantined);
        assert_eq!(shown.hostile_ticks, garbage_ticks, "{garbage}");
        assert_eq!(
            shown.rejections.get(&RejectReason::PositionLimit),
            Some(&garbage_ticks),
            "{garbage}: {:?}",
            shown.rejections
        );
        assert_eq!(shown.counters.orders_rejected, garbage_ticks, "{garbage}");
        assert!(
            shown.worst_order_to_cap <= Decimal::ONE,
            "{garbage}: an open order {} times its cap",
            shown.worst_order_to_cap
        );
        assert!(shown.worst_position_to_cap <= Decimal::ONE, "{garbage}");
        assert_memory_bounded(&shown);
    }
}

#[test]
fn targets_that_are_no_decimal_or_name_no_leg_are_dropped_and_counted() {
    let _turn = serial();
    for garbage in ["bad-scale", "bad-leg"] {
        let shown = run_with(faulty(&[("garbage", word(garbage)), ("garbage-at", at(HOSTILE_AT))]));
        let garbage_ticks = (TICKS as i64 - HOSTILE_AT + 1) as u64;
        assert!(shown.active && shown.quarantined.is_none(), "{garbage}");
        assert_eq!(shown.counters.bad_targets, garbage_ticks, "{garbage}");
        assert_eq!(shown.counters.orders_rejected, 0, "{garbage}: nothing became an order");
        assert_memory_bounded(&shown);
    }
}

#[test]
fn a_huge_order_is_stopped_by_the_challengers_own_risk_limits() {
    let _turn = serial();
    // A million BTC, long then short every 500 ticks: a well-formed decimal,
    // only the risk limits stand in its way.
    let shown = run_with(faulty(&[("size", toml::Value::Float(1e6)), ("flip-every", at(500))]));
    let flips = (TICKS / 500) as u64 + 1;
    assert!(shown.active && shown.quarantined.is_none());
    assert_eq!(shown.rejections.get(&RejectReason::PositionLimit), Some(&flips), "{:?}", shown.rejections);
    assert_eq!((shown.counters.orders_sent, shown.counters.fills), (0, 0));
    assert_eq!(shown.worst_position_to_cap, Decimal::ZERO);
    assert_memory_bounded(&shown);
}

/// The registry's smoke run refuses each new hostile mode when it shows
/// within the smoke run, and accepts a sleeper that waits until after it,
/// which is why the run-time checks above exist.
#[test]
fn hostile_modes_are_refused_at_upload_when_the_smoke_run_sees_them() {
    let _turn = serial();
    let rt = &fixture().rt;
    let dir = tempfile::tempdir().unwrap();
    let registry = Registry::open(RegistryConfig { dir: dir.path().into(), ..RegistryConfig::default() }).unwrap();
    let wasm = std::fs::read(common::wasm("faulty_strategy")).unwrap();
    let options = |params: &[(&str, &str)]| UploadOptions {
        uploaded_by: "tests".into(),
        smoke_params: params.iter().map(|(n, v)| (n.to_string(), v.to_string())).collect(),
        ..UploadOptions::default()
    };
    for (params, expect) in [
        (vec![("hog-at", "100")], "out of memory"),
        (vec![("garbage", "nan"), ("garbage-at", "100")], "absurd quantity"),
        (vec![("garbage", "inf"), ("garbage-at", "100")], "absurd quantity"),
        (vec![("garbage", "-inf"), ("garbage-at", "100")], "absurd quantity"),
        (vec![("garbage", "bad-scale"), ("garbage-at", "100")], "scale at most 28"),
        (vec![("garbage", "bad-leg"), ("garbage-at", "100")], "declares 2 legs"),
        (vec![("garbage", "what")], "not one of none"),
    ] {
        let e = registry.validate(rt, &wasm, &options(&params)).unwrap_err();
        assert!(e.code() == "smoke_failed" || e.code() == "instantiate_failed", "{params:?}: {e}");
        assert!(e.to_string().contains(expect), "{params:?}: {e}");
    }
    let sleeper = HOSTILE_AT.to_string();
    for params in [vec![("hog-at", sleeper.as_str())], vec![("garbage", "nan"), ("garbage-at", sleeper.as_str())]] {
        registry.validate(rt, &wasm, &options(&params)).unwrap_or_else(|e| panic!("{params:?}: {e}"));
    }
}

/// The faulty strategy with its `wasi:cli/stderr` import renamed to
/// `wasi:http/types` (same length, so the binary stays well formed): a
/// working strategy that asks for HTTP, which the sandbox never links.
fn asks_for_http() -> Vec<u8> {
    let (from, to) = (b"wasi:cli/stderr", b"wasi:http/types");
    let mut bytes = std::fs::read(common::wasm("faulty_strategy")).unwrap();
    let mut hits = 0;
    let mut i = 0;
    while i + from.len() <= bytes.len() {
        if &bytes[i..i + from.len()] == from {
            bytes[i..i + from.len()].copy_from_slice(to);
            hits += 1;
        }
        i += 1;
    }
    assert!(hits > 0, "the faulty strategy no longer imports wasi:cli/stderr");
    bytes
}

/// Registry tests prove the import policy on hand-built components; this
/// is the whole path for a real strategy: refused at upload through the
/// admin API (422, audited), refused at load when a challenger names the
/// file directly, and the champion trades on untouched.
#[test]
fn a_strategy_importing_ungranted_wasi_is_refused_at_upload_and_at_load() {
    let _turn = serial();
    let fx = fixture();
    let dir = tempfile::tempdir().unwrap();
    let bytes = asks_for_http();
    let file = dir.path().join("asks_for_http.wasm");
    std::fs::write(&file, &bytes).unwrap();

    // Upload through the admin API.
    let token = "admin-token-0123456789abcdef";
    let audit = dir.path().join("audit.jsonl");
    let vars = [
        ("HFT_ADMIN_TOKEN", token.to_string()),
        ("HFT_ADMIN_ADDR", "127.0.0.1:0".to_string()),
        ("HFT_ADMIN_AUDIT_LOG", audit.display().to_string()),
    ];
    let admin = AdminConfig::from_vars(vars.map(|(k, v)| (k.to_string(), v))).unwrap().unwrap();
    let registry = Arc::new(
        Registry::open(RegistryConfig { dir: dir.path().join("registry"), ..RegistryConfig::default() }).unwrap(),
    );
    let plugins = PluginService { registry: registry.clone(), runtime: Arc::new(common::runtime_with(limits())) };
    let (server, _inbox) = serve_admin(admin, Telemetry::new("all"), Some(plugins)).unwrap();
    let target = AdminTarget::new(&format!("http://{}", server.local_addr()), Some(token.to_string()), None).unwrap();
    let e = AdminClient::new(target, Duration::from_secs(30)).upload(&bytes, None).unwrap_err().to_string();
    assert!(e.contains("422") && e.contains("ungranted_import") && e.contains("wasi:http/types"), "{e}");
    assert!(registry.list().is_empty(), "nothing stored");
    let refused = registry.validate(&fx.rt, &bytes, &UploadOptions::default()).unwrap_err();
    let steps = &refused.rejection().unwrap().steps;
    assert_eq!(steps.last().map(|s| s.step), Some(Step::Imports), "refused by name, before compiling");
    let log = std::fs::read_to_string(&audit).unwrap();
    let line: serde_json::Value = serde_json::from_str(log.lines().last().unwrap()).unwrap();
    assert_eq!(
        (line["action"].as_str(), line["ok"].as_bool(), line["error"].as_str()),
        (Some("upload-plugin"), Some(false), Some("ungranted_import")),
        "{log}"
    );
    drop(server);

    // A challenger naming the file: refused at load, mid-run; the champion
    // trades on as if nothing had been asked.
    let rt = &fx.rt;
    let mut o = Orchestrator::new(pipeline(&fx.cfg, rt), "champion", 5, None);
    reset_peak();
    let start_kib = status_kib("VmRSS:");
    for (n, t) in fx.data.iter().enumerate() {
        if n as i64 == HOSTILE_AT {
            let mut strategy = faulty(&[]);
            strategy.plugin = file.display().to_string();
            let spec = ChallengerSpec { id: "http".into(), strategy: Some(strategy), ..Default::default() };
            let e = o.add(spec, &fx.cfg, rt, Money(fx.cfg.run.initial_capital)).unwrap_err().to_string();
            assert!(e.contains("wasi:http/types"), "{e}");
            assert!(o.challengers().is_empty());
        }
        o.on_tick(t, Instant::now());
        let (fills, board) = &fx.alone[n];
        assert_eq!(o.champion().last_fills(), fills.as_slice(), "the champion's fills at tick {n}");
        assert_eq!(&bits(o.champion().board()), board, "the champion's board at tick {n}");
    }
    assert_eq!(o.champion().counters, fx.alone_counters);
    let growth = status_kib("VmHWM:").saturating_sub(start_kib);
    assert!(growth <= SLACK / 1024, "peak resident set grew by {growth} KiB");
}
