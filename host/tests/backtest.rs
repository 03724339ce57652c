//! `hft-host backtest` on the built-in components: alone and against the
//! champion, the promotion gate's statistics, the champion's own logic
//! judged not promotable, `--data`, a strategy that faults, and refusals
//! that name their cause.

mod common;

use hft_evop::gate::Refusal;
use hft_host::commands::{Backtest, Benchmark, Verdict, backtest};
use hft_host::config::RunConfig;
use std::path::{Path, PathBuf};

/// The embedded default with absolute paths, written into `dir`; and the
/// configuration it loads to.
fn config(dir: &Path) -> (PathBuf, RunConfig) {
    let path = common::write_config(dir, "");
    let cfg = hft_host::config::load(Some(&path), Vec::<(String, String)>::new()).expect("config loads");
    (path, cfg)
}

fn run(args: &Backtest) -> hft_host::commands::BacktestOutcome {
    backtest(&common::runtime(), args).unwrap_or_else(|e| panic!("backtest {}: {e:#}", args.plugin.display()))
}

#[test]
fn pairs_with_the_champions_parameters_is_not_promotable_against_the_champion() {
    let dir = tempfile::tempdir().unwrap();
    let (path, cfg) = config(dir.path());
    let args = Backtest {
        plugin: common::wasm("pairs"),
        params: common::strategy_params_text(&cfg),
        config: Some(path),
        against_champion: true,
        ..Backtest::default()
    };
    let out = run(&args);
    out.run.reconciliation.as_ref().expect("the component's books reconcile with its fills");
    assert_eq!(out.name, "pairs");
    assert!(out.faulted.is_none());
    let Benchmark::Champion { name, summary } = &out.benchmark else { panic!("compared with the champion") };
    assert_eq!(name, "pairs");
    // The same logic and parameters on the same ticks with the same capital:
    // the same book, tick for tick.
    assert_eq!(out.returns.len(), 10_000);
    assert_eq!(out.returns, out.benchmark_returns, "the champion's own logic trades exactly as the champion");
    assert_eq!(out.run.report.summary().final_equity, summary.final_equity);
    assert!(out.run.counters.fills > 0, "{:?}", out.run.counters);
    assert!(out.run.report_dir.is_none(), "write_report is off");

    // The gate's statistics, with [evop]'s settings, and its refusal.
    let g = &out.gate;
    assert!(!g.promote);
    // pairs exports warm-up: the configuration's warmup = 600 ticks are
    // left out of the evidence, as a host does for a challenger.
    assert_eq!(out.warm_up_ticks, 600);
    assert_eq!(g.stats.periods, 10_000 - 600);
    assert_eq!(g.stats.psr_required, cfg.evop.confidence_level);
    assert_eq!(g.stats.comparisons, u64::from(cfg.evop.gate_looks), "one challenger, gate_looks looks");
    let d = g.stats.difference.as_ref().expect("enough batches for the difference test");
    assert_eq!((d.mean, d.t), (0.0, 0.0), "{d:?}");
    assert!(g.refusals.iter().any(|r| matches!(r, Refusal::NotSignificant { .. })), "{:?}", g.refusals);
    assert!(
        matches!(&out.verdict, Verdict::NotPromotable { why } if why.contains("does not beat the champion")),
        "{}",
        out.verdict
    );

    let text = out.render_text();
    for want in [
        "Run report backtest-pairs",
        "Backtest\n--------",
        "  champion   pairs: final equity ",
        "[evop] confidence 0.99, min_track_record 2880, min_batches 10, 10 looks every 1440 ticks (the last at tick 14400)",
        "warm-up: 600 ticks (its warm-up export), left out of the evidence",
        "promotion gate: refuse\n  periods 9400, batches ",
        "  mean difference 0.000000e0 per period",
        "  - not significant: p = 5.0000e-1",
        "verdict: not promotable: the challenger does not beat the champion on mean return",
    ] {
        assert!(text.contains(want), "{want:?} not in:\n{text}");
    }
}

#[test]
fn pairs_alone_is_judged_against_a_flat_book_and_writes_the_main_jobs_report() {
    let dir = tempfile::tempdir().unwrap();
    let (path, _) = config(dir.path());
    let reports = dir.path().join("reports");
    // Relative paths in a configuration file are relative to the file: the
    // report goes to <dir>/reports.
    let args = Backtest {
        plugin: common::wasm("pairs"),
        params: vec![("entry-z".into(), "2.5".into()), ("warmup".into(), "600".into())],
        config: Some(path),
        write_report: true,
        ..Backtest::default()
    };
    let out = run(&args);
    out.run.reconciliation.as_ref().expect("the books reconcile with the fills");
    assert!(matches!(out.benchmark, Benchmark::FlatBook));
    assert!(out.benchmark_returns.iter().all(|&r| r == 0.0) && out.benchmark_returns.len() == 10_000);
    // --params warmup=600: those ticks are left out of the evidence.
    assert_eq!((out.warm_up_ticks, out.gate.stats.periods), (600, 10_000 - 600));
    let psr = out.gate.stats.psr.as_ref().expect("a PSR against the flat book's Sharpe ratio of 0");
    assert_eq!(psr.benchmark, 0.0);
    assert!(out.run.counters.fills > 0, "{:?}", out.run.counters);
    assert!(!out.run.latency.is_empty(), "the component is the one timed when it runs alone");
    let report_dir = out.run.report_dir.as_ref().expect("the report is written");
    assert!(report_dir.starts_with(&reports), "{}", report_dir.display());
    assert!(report_dir.join("report.html").is_file() && report_dir.join("summary.json").is_file());

    let text = out.render_text();
    assert!(text.contains("  benchmark  a flat book (no trades)"), "{text}");
    assert!(
        text.contains("promotion gate: ") && text.contains("  outlook: ") && text.contains("\nverdict: "),
        "{text}"
    );
    // The main job's report, for the component's book.
    assert!(text.contains("Sharpe (annualised)") && text.contains("strategy pairs "), "{text}");
}

#[test]
fn data_files_replace_the_configurations_and_a_short_record_is_refused_as_such() {
    let dir = tempfile::tempdir().unwrap();
    let (path, _) = config(dir.path());
    // The bundled pair's first 2,000 bars, under Binance file names.
    let mut data = Vec::new();
    for symbol in ["BTCUSDT", "ETHUSDT"] {
        let text =
            std::fs::read_to_string(common::root().join(format!("data/pair/{symbol}-1m-synthetic.csv"))).unwrap();
        let head: Vec<&str> = text.lines().take(2001).collect();
        let file = dir.path().join(format!("{symbol}-1m-head.csv"));
        std::fs::write(&file, head.join("\n") + "\n").unwrap();
        data.push(file);
    }
    let args = Backtest {
        plugin: common::wasm("pairs"),
        config: Some(path),
        data,
        against_champion: true,
        ..Backtest::default()
    };
    let out = run(&args);
    assert_eq!(out.returns.len(), 2_000);
    assert_eq!(out.run.report.summary().ticks, 2_000);
    assert!(
        // pairs' default warmup, 100 ticks, is left out of the evidence.
        out.gate.refusals.contains(&Refusal::TrackRecordTooShort { periods: 1_900, required: 2_880 }),
        "{:?}",
        out.gate.refusals
    );
    assert!(!matches!(out.verdict, Verdict::Promotable), "{}", out.verdict);
    assert!(out.render_text().contains("track record too short: 1900 periods, 2880 required"));
}

#[test]
fn a_strategy_that_faults_is_reported_as_one_a_host_would_quarantine() {
    let dir = tempfile::tempdir().unwrap();
    let (path, _) = config(dir.path());
    // The faulty strategy declares no signals: it is wired to the legs of
    // the champion's [strategy] and none of its four signals.
    let args = Backtest {
        plugin: common::wasm("faulty_strategy"),
        params: vec![("trap-at".into(), "3000".into())],
        config: Some(path),
        against_champion: true,
        ..Backtest::default()
    };
    let out = run(&args);
    let why = out.faulted.as_deref().expect("the trap is reported");
    assert!(why.contains("trap"), "{why}");
    assert!(matches!(&out.verdict, Verdict::NotPromotable { why } if why.contains("quarantine")), "{}", out.verdict);
    assert!(out.render_text().contains("  FAULTED    its strategy was disabled: "));
    assert_eq!(out.returns.len(), 10_000, "the run went on after the fault");
}

#[test]
fn refusals_name_their_cause() {
    let dir = tempfile::tempdir().unwrap();
    let (path, _) = config(dir.path());
    let rt = common::runtime();
    let refused = |args: Backtest| format!("{:#}", backtest(&rt, &args).err().expect("refused"));
    let base = Backtest { config: Some(path), against_champion: true, ..Backtest::default() };

    let e = refused(Backtest { plugin: common::wasm("kalman"), ..base.clone() });
    assert!(
        e.contains("backtest needs a strategy component")
            && e.contains("implements hft:strategy/hedge-ratio-model@0.1.1")
            && e.contains("hft-host model run"),
        "{e}"
    );

    let newer = dir.path().join("newer.wasm");
    std::fs::write(&newer, common::component_exporting(&["hft:strategy/strategy@0.2.0"])).unwrap();
    let e = refused(Backtest { plugin: newer, ..base.clone() });
    assert!(e.contains("built against hft:strategy@0.2.0") && e.contains("expects hft:strategy@0.1.1"), "{e}");

    let e = refused(Backtest {
        plugin: common::wasm("pairs"),
        params: vec![("entry_zz".into(), "2".into())],
        ..base.clone()
    });
    assert!(e.contains("--params for pairs") && e.contains("entry_zz"), "{e}");

    let e =
        refused(Backtest { plugin: common::wasm("pairs"), data: vec![dir.path().join("nowhere.csv")], ..base.clone() });
    assert!(e.contains("nowhere.csv: no such file"), "{e}");

    let e = refused(Backtest { plugin: dir.path().join("missing.wasm"), ..base });
    assert!(e.contains("missing.wasm"), "{e}");
}
