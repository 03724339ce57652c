//! The main job end to end, on the real components: the bundled pair
//! through kalman, garch, bocd and pairs, with the risk manager and the
//! paper broker, checked tick by tick; and what happens on bad data rows
//! and on a strategy that traps, loops or asks for too much.

mod common;

use hft_host::config::{self, RunConfig, Speed};
use hft_host::pipeline::{LatencySamples, RunOptions, Session, run};
use hft_trading::domain::{Decimal, InstrumentId, Money, Quantity};
use hft_trading::execution::Liquidity;
use hft_trading::market::MarketEvent;
use hft_trading::risk::RiskState;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

fn plugins_dir() -> PathBuf {
    common::wasm("pairs").parent().unwrap().to_path_buf()
}

fn bundled(symbol: &str) -> String {
    common::root().join(format!("data/pair/{symbol}-1m-synthetic.csv")).display().to_string()
}

/// The embedded default, pointed at absolute paths, with `extra` TOML
/// appended (later keys of a table win over nothing: `extra` adds sections
/// that the default does not have, or replaces whole ones via `replace`).
fn config_text(replace: &[(&str, &str)]) -> String {
    let mut text = config::DEFAULT_CONFIG.to_string();
    text = text.replace("data/pair/BTCUSDT-1m-synthetic.csv", &bundled("BTCUSDT"));
    text = text.replace("data/pair/ETHUSDT-1m-synthetic.csv", &bundled("ETHUSDT"));
    text =
        text.replace("plugins_dir = \"target/wasm32-wasip2/release\"", &format!("plugins_dir = {:?}", plugins_dir()));
    for (from, to) in replace {
        assert!(text.contains(from), "the default config no longer contains {from:?}");
        text = text.replace(from, to);
    }
    text
}

fn load(dir: &Path, text: &str) -> RunConfig {
    let path = dir.join("run.toml");
    std::fs::write(&path, text).unwrap();
    config::load(Some(&path), Vec::<(String, String)>::new()).expect("config loads")
}

/// A config for the faulty test strategy on the bundled pair, no models.
fn faulty_config(dir: &Path, params: &str) -> RunConfig {
    let text = format!(
        r#"
[run]
name = "faulty"
plugins_dir = {plugins:?}
reports_dir = {reports:?}

[[data]]
path = {btc:?}
format = "binance-klines"
venue = "BINANCE"

[[data]]
path = {eth:?}
format = "binance-klines"
venue = "BINANCE"

[strategy]
plugin = "faulty_strategy"
legs = {{ y = "BTCUSDT", x = "ETHUSDT" }}
signals = {{}}
params = {{ {params} }}

[risk]
flatten_on_halt = true
default_limits = {{ max_position = "3", max_notional = "500000" }}
"#,
        plugins = plugins_dir(),
        reports = dir.join("reports"),
        btc = bundled("BTCUSDT"),
        eth = bundled("ETHUSDT"),
    );
    load(dir, &text)
}

/// The books, recomputed from the fills alone.
#[derive(Default)]
struct Shadow {
    cash_flow: Money,
    fees: Money,
    positions: BTreeMap<InstrumentId, Decimal>,
}

#[test]
fn the_main_job_reconciles_to_the_penny_and_keeps_its_limits() {
    let dir = tempfile::tempdir().unwrap();
    // A lower changepoint threshold and a looser entry so that regime
    // flattening happens while positions are open.
    let cfg = load(
        dir.path(),
        &config_text(&[("cp-threshold = 0.5", "cp-threshold = 0.3"), ("entry-z = 2.0", "entry-z = 1.5")]),
    );
    let rt = common::runtime();
    let mut session = Session::open(&cfg, &rt, Speed::Max).expect("session opens");
    let initial = Money(cfg.run.initial_capital);
    let taker = cfg.execution.taker_fee_bps;
    let cp_slot = session.pipeline.wiring().report.changepoint_prob.expect("the default charts the changepoint");
    let limits = cfg.risk.clone();

    let mut shadow = Shadow::default();
    let mut tick: Vec<MarketEvent> = Vec::new();
    let (mut ticks, mut fills, mut flattened_with_position, mut must_be_flat) = (0u64, 0u64, 0u64, false);
    // What admitted this tick's fills: orders are decided on one tick and
    // fill on the next (the latency), so the risk state and the marks after
    // the previous tick are the ones the risk manager checked them against.
    let (mut state_before, mut marks_before) = (RiskState::Active, BTreeMap::<InstrumentId, Decimal>::new());
    let (mut fills_while_guarded, mut recent_fills) = (0u64, std::collections::VecDeque::<i64>::new());
    while session.next_tick(&mut tick).unwrap() {
        let cp_before_positions: Vec<Decimal> = shadow.positions.values().copied().collect();
        session.pipeline.on_tick(&tick, Instant::now());
        ticks += 1;
        let p = &session.pipeline;
        for f in p.last_fills() {
            fills += 1;
            assert_eq!(f.liquidity, Liquidity::Taker, "the pipeline sends market orders");
            assert_eq!(f.fee, Money::notional(f.qty, f.price).bps(taker), "fee of {f:?} is not the schedule's");
            shadow.cash_flow += f.cash_flow();
            shadow.fees += f.fee;
            let q = shadow.positions.entry(f.instrument.clone()).or_default();
            let before = *q;
            *q += f.side.signed(f.qty).0;
            let after = *q;
            // REDUCING and HALTED (drawdown, daily loss) let only orders
            // that reduce exposure through.
            if state_before != RiskState::Active {
                fills_while_guarded += 1;
                assert!(after.abs() <= before.abs(), "tick {ticks}: {state_before:?} let {f:?} add exposure");
            }
            // The notional limit, at the mark the order was admitted at.
            if after.abs() > before.abs() {
                let lim = limits.limits_for(&f.instrument);
                let mark = marks_before.get(&f.instrument).expect("an order is admitted at a mark");
                assert!(
                    after.abs() * mark <= lim.max_notional.0,
                    "tick {ticks}: {} at {mark} is above the notional limit {}",
                    after.abs(),
                    lim.max_notional
                );
            }
            // The order rate, over any second of event time.
            recent_fills.push_back(f.ts.nanos());
            while recent_fills.front().is_some_and(|&t| t <= f.ts.nanos() - 1_000_000_000) {
                recent_fills.pop_front();
            }
            assert!(recent_fills.len() <= limits.max_orders_per_second as usize, "tick {ticks}: order rate");
        }
        let book = p.portfolio();
        assert_eq!(book.cash(), initial + shadow.cash_flow, "cash at tick {ticks}");
        assert_eq!(book.fees(), shadow.fees, "fees at tick {ticks}");
        let mut marked = book.cash();
        for (id, q) in &shadow.positions {
            assert_eq!(book.position_qty(id).0, *q, "position of {id} at tick {ticks}");
            let lim = limits.limits_for(id);
            assert!(q.abs() <= lim.max_position.0, "{id}: position {q} above the limit {}", lim.max_position);
            marked += Money(*q * book.last_price(id).expect("a held instrument has a price").0);
        }
        assert_eq!(book.equity().unwrap(), marked, "equity at tick {ticks} is cash plus positions at their marks");
        book.reconcile().unwrap_or_else(|e| panic!("tick {ticks}: {e}"));
        state_before = p.risk().state();
        for e in &tick {
            let px = book.last_price(e.instrument()).expect("a replayed instrument has a price");
            marks_before.insert(e.instrument().clone(), px.0);
        }

        // A changepoint above the threshold flattens the book: the strategy
        // asks for zero at once, and its orders fill on the next tick.
        if must_be_flat && p.risk().state() == RiskState::Active {
            assert!(shadow.positions.values().all(|q| q.is_zero()), "tick {ticks}: book not flat after a changepoint");
        }
        let cp = p.board()[cp_slot];
        must_be_flat = cp > 0.3;
        if must_be_flat && cp_before_positions.iter().any(|q| !q.is_zero()) {
            flattened_with_position += 1;
        }
    }
    assert!(ticks > 9_000, "{ticks} ticks");
    assert!(fills > 20, "the strategy traded: {fills} fills");
    assert!(flattened_with_position > 0, "no changepoint came while a position was open: the check above was vacuous");
    assert!(
        fills_while_guarded > 0,
        "the risk state never left ACTIVE with an order in flight: the reduce-only check was vacuous"
    );
    let outcome = session.finish(1.0, LatencySamples::default(), Some(&dir.path().join("reports"))).unwrap();
    outcome.reconciliation.expect("reconciles");
    let text = outcome.report.render_text();
    assert!(text.contains("Sharpe") && text.contains("Max drawdown") && text.contains("Hit rate"), "{text}");
    assert!(!outcome.report.regime_changes().is_empty(), "regime changes are reported");
    let names: Vec<String> =
        outcome.files.iter().map(|f| f.file_name().unwrap().to_string_lossy().into_owned()).collect();
    for want in ["summary.json", "equity.csv", "fills.csv", "trades.csv", "signals.csv", "report.html"] {
        assert!(names.iter().any(|n| n == want), "{want} not written: {names:?}");
    }
    let html = std::fs::read_to_string(outcome.report_dir.unwrap().join("report.html")).unwrap();
    assert!(html.matches("<svg").count() >= 6, "six charts");
    assert!(!html.contains("<script src") && !html.contains("https://"), "the report works offline");
}

#[test]
fn the_bundled_data_is_what_the_generator_makes() {
    let dir = tempfile::tempdir().unwrap();
    let files = hft_host::commands::data_generate(dir.path(), None, None, None).unwrap();
    for f in files {
        let name = f.file_name().unwrap().to_string_lossy().into_owned();
        let ours = std::fs::read(&f).unwrap();
        let bundled = std::fs::read(common::root().join("data/pair").join(&name)).unwrap();
        assert!(ours == bundled, "data/pair/{name} differs from `hft-host data generate`; regenerate it");
    }
}

#[test]
fn bad_rows_are_reported_with_their_line_and_skipped_or_fatal_as_configured() {
    let dir = tempfile::tempdir().unwrap();
    let btc = std::fs::read_to_string(bundled("BTCUSDT")).unwrap();
    let mut lines: Vec<String> = btc.lines().map(String::from).collect();
    // Line numbers are 1-based and count the header.
    let mut cols: Vec<String> = lines[4].split(',').map(String::from).collect();
    cols[1] = "abc".into(); // a non-numeric open
    lines[4] = cols.join(",");
    let mut cols: Vec<String> = lines[8].split(',').map(String::from).collect();
    cols.swap(2, 3); // high below low
    lines[8] = cols.join(",");
    let bad = dir.path().join("BTCUSDT-1m-bad.csv");
    std::fs::write(&bad, lines.join("\n") + "\n").unwrap();

    let text = config_text(&[(&bundled("BTCUSDT"), &bad.display().to_string())]);
    let cfg = load(dir.path(), &text);
    let outcome = run(&cfg, &common::runtime(), &RunOptions::default()).expect("skipped rows do not stop the run");
    let stats = &outcome.read_stats[0];
    assert_eq!(stats.bad_rows, 2);
    let at: Vec<u64> = stats.bad_row_details.iter().map(|b| b.line).collect();
    assert_eq!(at, vec![5, 9]);
    assert_eq!(stats.events, stats.rows_read - 2);
    let report = outcome.report.render_text();
    assert!(report.contains("bad row") && report.contains(":5:"), "{report}");
    outcome.reconciliation.unwrap();

    let fatal = load(dir.path(), &text.replacen("bad_rows = \"skip\"", "bad_rows = \"fatal\"", 1));
    let err = match run(&fatal, &common::runtime(), &RunOptions::default()) {
        Ok(_) => panic!("a fatal bad row must stop the run"),
        Err(e) => e.to_string(),
    };
    assert!(err.contains("BTCUSDT-1m-bad.csv") && err.contains('5'), "{err}");
}

#[test]
fn a_strategy_that_traps_is_disabled_its_book_flattened_and_the_run_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = faulty_config(dir.path(), r#"size = 0.5, trap-at = 300"#);
    let outcome = run(&cfg, &common::runtime(), &RunOptions::default()).expect("the run survives the trap");
    assert_eq!(outcome.counters.events, 20_000, "every event was processed");
    assert_eq!(outcome.counters.strategy_refusals, 0);
    let notes: Vec<&str> = outcome.report.notes().iter().map(|n| n.text.as_str()).collect();
    assert!(notes.iter().any(|n| n.contains("disabled") && n.contains("trap")), "{notes:?}");
    let text = outcome.report.render_text();
    assert!(text.contains("DISABLED"), "{text}");
    outcome.reconciliation.unwrap();
    assert!(outcome.report.end().unrealised_pnl.0.is_zero(), "flattened: nothing left open");
}

#[test]
fn a_strategy_that_loops_is_stopped_by_its_deadline() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = faulty_config(dir.path(), r#"size = 0.5, loop-at = 50"#);
    let outcome = run(&cfg, &common::runtime(), &RunOptions::default()).expect("the run survives the loop");
    assert_eq!(outcome.counters.events, 20_000);
    let text = outcome.report.render_text();
    assert!(text.contains("DISABLED"), "{text}");
}

#[test]
fn risk_limits_refuse_oversized_targets_and_count_the_reason() {
    let dir = tempfile::tempdir().unwrap();
    // 5 BTC against a 3 BTC limit; then one refused tick, which is not fatal.
    let cfg = faulty_config(dir.path(), r#"size = 5.0, refuse-at = 10"#);
    let outcome = run(&cfg, &common::runtime(), &RunOptions::default()).unwrap();
    assert_eq!(outcome.counters.fills, 0, "nothing above the limit went out");
    assert!(outcome.counters.orders_rejected >= 1);
    assert_eq!(outcome.counters.strategy_refusals, 1);
    let text = outcome.report.render_text();
    assert!(text.contains("position_limit"), "{text}");
}

#[test]
fn the_kill_switch_halts_and_flattens() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = faulty_config(dir.path(), r#"size = 0.5, flip-every = 40"#);
    let mut session = Session::open(&cfg, &common::runtime(), Speed::Max).unwrap();
    let btc = session.pipeline.wiring().instruments.id(0).clone();
    let mut tick = Vec::new();
    for _ in 0..100 {
        assert!(session.next_tick(&mut tick).unwrap());
        session.pipeline.on_tick(&tick, Instant::now());
    }
    assert_ne!(session.pipeline.portfolio().position_qty(&btc), Quantity::ZERO, "a position is open");
    let ts = tick[0].ts();
    session.pipeline.kill(ts);
    for _ in 0..3 {
        assert!(session.next_tick(&mut tick).unwrap());
        session.pipeline.on_tick(&tick, Instant::now());
    }
    assert_eq!(session.pipeline.risk().state(), RiskState::Halted);
    assert_eq!(session.pipeline.portfolio().position_qty(&btc), Quantity::ZERO, "flattened on halt");
    let sent = session.pipeline.counters.orders_sent;
    for _ in 0..200 {
        assert!(session.next_tick(&mut tick).unwrap());
        session.pipeline.on_tick(&tick, Instant::now());
    }
    assert_eq!(session.pipeline.counters.orders_sent, sent, "nothing goes out while halted");
}

/// What one tick did, to compare two runs tick by tick.
#[derive(Debug, PartialEq)]
struct TickTrace {
    fills: Vec<hft_trading::execution::Fill>,
    equity: Money,
    board: Vec<u64>,
    open_orders: usize,
}

fn trace(p: &hft_host::pipeline::Pipeline) -> TickTrace {
    TickTrace {
        fills: p.last_fills().to_vec(),
        equity: p.portfolio().equity().unwrap_or(Money::ZERO),
        board: p.board().iter().map(|v| v.to_bits()).collect(),
        open_orders: p.exchange().open_orders().len(),
    }
}

#[test]
fn a_checkpoint_continues_the_run_exactly() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = load(dir.path(), &config_text(&[]));
    let rt = common::runtime();
    let mut tick: Vec<MarketEvent> = Vec::new();
    let mut whole = Session::open(&cfg, &rt, Speed::Max).unwrap();
    let mut want = Vec::new();
    while whole.next_tick(&mut tick).unwrap() {
        whole.pipeline.on_tick(&tick, Instant::now());
        want.push(trace(&whole.pipeline));
    }
    // Cut where orders are in flight (they fill on the next tick), where a
    // position is open, and at an arbitrary late point.
    let in_flight = want.iter().position(|t| t.open_orders > 0).expect("the run sends orders");
    let holding = want.iter().rposition(|t| !t.fills.is_empty()).unwrap() / 2;
    for cut in [in_flight, holding, want.len() * 2 / 3] {
        let mut first = Session::open(&cfg, &rt, Speed::Max).unwrap();
        for _ in 0..=cut {
            assert!(first.next_tick(&mut tick).unwrap());
            first.pipeline.on_tick(&tick, Instant::now());
        }
        let bytes = first.pipeline.checkpoint().expect("checkpoint").encode();
        drop(first);

        let mut second = Session::open(&cfg, &rt, Speed::Max).unwrap();
        for _ in 0..=cut {
            assert!(second.next_tick(&mut tick).unwrap());
        }
        let cp = hft_host::pipeline::PipelineCheckpoint::decode(&bytes).expect("decodes");
        second.pipeline.resume(&cp).expect("resumes");
        let mut n = cut + 1;
        while second.next_tick(&mut tick).unwrap() {
            second.pipeline.on_tick(&tick, Instant::now());
            assert_eq!(trace(&second.pipeline), want[n], "cut after tick {cut}: tick {n} differs");
            n += 1;
        }
        assert_eq!(n, want.len());
        second.pipeline.portfolio().reconcile().expect("reconciles");
    }
    assert!(want[in_flight].open_orders > 0);
}

#[test]
fn a_checkpoint_of_another_wiring_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = load(dir.path(), &config_text(&[]));
    let rt = common::runtime();
    let mut s = Session::open(&cfg, &rt, Speed::Max).unwrap();
    let mut cp = s.pipeline.checkpoint().unwrap();
    cp.models[0].sha256 = "0".repeat(64);
    let err = s.pipeline.resume(&cp).unwrap_err().to_string();
    assert!(err.contains("sha256:0000"), "{err}");
    let mut cp = s.pipeline.checkpoint().unwrap();
    cp.models.pop();
    assert!(s.pipeline.resume(&cp).unwrap_err().to_string().contains("models"));
    let mut bytes = s.pipeline.checkpoint().unwrap().encode();
    bytes.truncate(bytes.len() / 2);
    assert!(hft_host::pipeline::PipelineCheckpoint::decode(&bytes).is_err());
}
