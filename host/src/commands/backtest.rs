//! `hft-host backtest`: one strategy component over market data, alone or
//! side by side with the champion, with the verdict the promotion gate
//! would reach, so an author knows before uploading whether the component
//! could ever replace the champion.
//!
//! Both modes run through the [`Orchestrator`], so the per-tick returns the
//! gate judges are computed exactly as on a running host:
//!
//! - alone, the component is the orchestrator's champion and the gate
//!   compares it with a book that never trades (every return 0): can it
//!   beat holding cash at the configured confidence at all?
//! - `--against-champion`, the configuration's strategy is the champion and
//!   the component a challenger on its own paper account, fed the same
//!   ticks; the gate compares the two as a live host would at one of its
//!   looks. The orchestrator has no gate schedule here, so nothing is
//!   promoted or rolled back during the backtest.
//!
//! The gate is `hft_evop::gate::PromotionGate` with the configuration's
//! `[evop]` settings (confidence, `min_track_record`, `min_batches`,
//! `gate_looks`, as [`GateSchedule::from_config`] checks them), with the
//! component as the only challenger tried (m = 1, the most lenient case).

use crate::config::{self, RunConfig, Speed, StrategyConfig};
use crate::models::parse_params;
use crate::orchestrator::{ChallengerSpec, GateSchedule, Orchestrator, risk_verdict};
use crate::pipeline::{LatencySamples, NodeState, Pipeline, RunOutcome, Session, conclude};
use crate::runtime::{ComponentKind, Runtime, WIT_PACKAGE};
use crate::strategy::{UnwiredSlot, describe_strategy, fit_slots};
use anyhow::{Context, bail};
use hft_evop::gate::{GateConfig, GateDecision, Outlook, PromotionGate};
use hft_trading::domain::{Money, Venue};
use hft_trading::market::{MarketEvent, SourceFormat, SourceSpec, infer_binance_symbol};
use hft_trading::report::Summary;
use hft_trading::risk::RiskState;
use std::fmt::Write as _;
use std::path::PathBuf;
use std::time::Instant;

/// Arguments of `backtest`.
#[derive(Debug, Clone, Default)]
pub struct Backtest {
    /// The strategy component (`.wasm`).
    pub plugin: PathBuf,
    /// Its parameters as `name=value`, typed by what it declares; the
    /// rest keep the component's defaults (not the champion's values).
    pub params: Vec<(String, String)>,
    /// The run configuration: data, models, legs and signals, risk,
    /// execution, `[evop]`, and the champion (its `[strategy]`). The
    /// embedded default when `None`, as for `hft-host run`.
    pub config: Option<PathBuf>,
    /// Market data files replacing the configuration's `[[data]]`: Binance
    /// klines or aggTrades named as Binance names them
    /// (`BTCUSDT-1m-2024-01.csv`, `ETHUSDT-aggTrades-2024-01-01.csv`), any
    /// other name in the simple `ts,symbol,price,size` format.
    pub data: Vec<PathBuf>,
    /// Run the configuration's strategy beside it as the champion and
    /// judge the component against it; otherwise against a flat book.
    pub against_champion: bool,
    /// Write the component's report files under `[run] reports_dir`.
    pub write_report: bool,
}

/// What the component was compared with.
#[derive(Debug, Clone)]
pub enum Benchmark {
    /// The configuration's strategy, on the same ticks.
    Champion {
        /// Its strategy's name (what its `describe` reports).
        name: String,
        /// Its book's headline figures.
        summary: Box<Summary>,
    },
    /// A book that never trades: every per-tick return is 0.
    FlatBook,
}

/// Whether the component could replace the champion, read from the gate's
/// decision and the gate's schedule.
#[derive(Debug, Clone, PartialEq)]
pub enum Verdict {
    /// Every condition holds on this record: the gate would promote it.
    Promotable,
    /// The statistics would hold after about `periods` ticks, within the
    /// gate's looks, if the edge persists.
    CouldPassLater {
        /// Estimated ticks of record needed.
        periods: u64,
    },
    /// The statistics would need about `periods` ticks, more than the
    /// gate's last look (`last_look`): it would shadow-trade until the gate
    /// gives up on it, and only an operator could promote it.
    BeyondLastLook {
        /// Estimated ticks of record needed.
        periods: u64,
        /// The tick of the gate's last look at a challenger.
        last_look: u64,
    },
    /// The gate would not promote it on this evidence at any record length
    /// (or the strategy faulted, or the risk manager vetoes).
    NotPromotable {
        /// Why.
        why: String,
    },
}

impl std::fmt::Display for Verdict {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Verdict::Promotable => f.write_str("promotable: the gate would promote it on this record"),
            Verdict::CouldPassLater { periods } => write!(
                f,
                "could be promoted: the gate's conditions would hold after about {periods} ticks if its edge persists"
            ),
            Verdict::BeyondLastLook { periods, last_look } => write!(
                f,
                "not by the gate: it would need about {periods} ticks, beyond the gate's last look at tick {last_look}; only an operator could promote it"
            ),
            Verdict::NotPromotable { why } => write!(f, "not promotable: {why}"),
        }
    }
}

/// What a backtest found.
pub struct BacktestOutcome {
    /// The component's file.
    pub path: PathBuf,
    /// Its name, version and sha256, as it reports them.
    pub name: String,
    /// Its version.
    pub version: String,
    /// sha256 of its bytes.
    pub sha256: String,
    /// The WIT world and version it was built against.
    pub world: String,
    /// The component's book: the same report as `hft-host run`'s.
    pub run: RunOutcome,
    /// Why its strategy was disabled mid-run (a trap, a deadline, memory),
    /// if it was. On a host that challenger would be quarantined.
    pub faulted: Option<String>,
    /// What it was compared with.
    pub benchmark: Benchmark,
    /// The component's per-tick returns (the gate's input).
    pub returns: Vec<f64>,
    /// The benchmark's per-tick returns over the same ticks.
    pub benchmark_returns: Vec<f64>,
    /// The gate's settings and schedule, from `[evop]`.
    pub schedule: GateSchedule,
    /// Ticks its strategy observes before it may trade (its `warm-up`
    /// export; 0 without one). The gate leaves them out, as it does for a
    /// challenger on a host.
    pub warm_up_ticks: usize,
    /// The promotion gate's decision on the record after the warm-up.
    pub gate: GateDecision,
    /// The gate's decision read against its schedule.
    pub verdict: Verdict,
}

impl BacktestOutcome {
    /// The run report, then the comparison, the gate's statistics and the
    /// verdict, as `hft-host backtest` prints them.
    pub fn render_text(&self) -> String {
        let mut s = self.run.report.render_text();
        let _ = writeln!(s, "\nBacktest");
        let _ = writeln!(s, "--------");
        let _ = writeln!(
            s,
            "  component  {} {} ({WIT_PACKAGE}/{}) from {}, sha256 {}",
            self.name,
            self.version,
            self.world,
            self.path.display(),
            self.sha256
        );
        let _ = writeln!(s, "  its book   {}", headline(self.run.report.summary()));
        match &self.benchmark {
            Benchmark::Champion { name, summary } => {
                let _ = writeln!(s, "  champion   {name}: {}", headline(summary));
            }
            Benchmark::FlatBook => {
                let _ = writeln!(
                    s,
                    "  benchmark  a flat book (no trades); --against-champion compares it with the champion"
                );
            }
        }
        if let Some(why) = &self.faulted {
            let _ = writeln!(s, "  FAULTED    its strategy was disabled: {why}");
        }
        let g = &self.schedule.gate;
        let _ = writeln!(
            s,
            "\nwarm-up: {}",
            match self.warm_up_ticks {
                0 => "none declared (no warm-up export); the evidence starts at the first tick".to_string(),
                n => format!("{n} ticks (its warm-up export), left out of the evidence: ticks below count from there"),
            }
        );
        let _ = writeln!(
            s,
            "[evop] confidence {}, min_track_record {}, min_batches {}, {} looks every {} ticks (the last at tick {}); judged as the only challenger",
            g.confidence.level(),
            g.min_track_record,
            g.min_batches,
            g.looks,
            self.schedule.interval_ticks,
            last_look(&self.schedule)
        );
        let _ = writeln!(s, "{}", self.gate);
        let _ = writeln!(s, "verdict: {}", self.verdict);
        s
    }
}

/// Return, Sharpe and round trips in one line.
fn headline(s: &Summary) -> String {
    let ret = s.total_return_fraction.map_or_else(String::new, |f| format!(" ({:+.2}%)", 100.0 * f));
    let sharpe = s.ratios.as_ref().and_then(|r| r.sharpe).map_or_else(|| "-".to_string(), |x| format!("{x:.2}"));
    format!(
        "final equity {}{ret}, Sharpe {sharpe} (annualised), {} round trips, fees {}",
        s.final_equity.0.round_dp(2),
        s.trades.closed,
        s.fees_paid.0.round_dp(2)
    )
}

/// The tick of the gate's last look at a challenger.
fn last_look(schedule: &GateSchedule) -> u64 {
    schedule.interval_ticks as u64 * u64::from(schedule.gate.looks)
}

/// `--data` files as `[[data]]` sources, the format read from the file name;
/// venue and bad-row policy as the configuration's first source has them.
fn data_sources(files: &[PathBuf], config: &RunConfig) -> anyhow::Result<Vec<SourceSpec>> {
    let (venue, bad_rows) = match config.data.first() {
        Some(d) => (d.venue.clone(), d.bad_rows),
        None => (Venue::new("BINANCE"), Default::default()),
    };
    files
        .iter()
        .map(|path| {
            if !path.is_file() {
                bail!("--data {}: no such file", path.display());
            }
            let name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default();
            let format = match infer_binance_symbol(path) {
                Some(_) if name.contains("-aggTrades-") => SourceFormat::BinanceAggTrades,
                Some(_) if name.contains("-trades-") => bail!(
                    "--data {}: Binance trades files are not read; use its aggTrades or klines files, or a --config",
                    path.display()
                ),
                Some(_) => SourceFormat::BinanceKlines,
                None => SourceFormat::Simple,
            };
            Ok(SourceSpec { path: path.clone(), format, venue: venue.clone(), symbol: None, bad_rows })
        })
        .collect()
}

/// A slot the configuration does not wire, with the fix.
fn unwired(e: UnwiredSlot, origin: &str) -> anyhow::Error {
    anyhow::anyhow!(
        "{e}: [strategy] {}s of {origin} do not map it; give a --config whose [strategy] {}s do",
        e.what,
        e.what
    )
}

/// A name safe in a directory name.
fn file_safe(name: &str) -> String {
    name.chars().map(|c| if c.is_ascii_alphanumeric() || c == '-' || c == '_' { c } else { '_' }).collect()
}

/// Why the strategy of `pipeline` is disabled, if it is.
fn fault(pipeline: &Pipeline) -> Option<String> {
    match &pipeline.wiring().strategy.state {
        NodeState::Active => None,
        NodeState::Disabled(why) => Some(why.clone()),
    }
}

/// Run the component over the data and judge it as the promotion gate
/// would. Errors name the cause: a component that is not a strategy or
/// was built for another WIT version (the runtime's own messages), a
/// parameter it does not declare, a leg or signal the configuration does
/// not wire, unreadable data.
pub fn backtest(runtime: &Runtime, args: &Backtest) -> anyhow::Result<BacktestOutcome> {
    let mut cfg = config::load(args.config.as_deref(), std::env::vars())?;
    let origin = match &args.config {
        Some(p) => p.display().to_string(),
        None => "the embedded default configuration".to_string(),
    };
    // Checked first: a gate that could never pass makes the run pointless.
    let schedule = GateSchedule::from_config(&cfg.evop)?;
    if !args.data.is_empty() {
        cfg.data = data_sources(&args.data, &cfg)?;
    }

    let component = runtime.load_file(&args.plugin).with_context(|| format!("{}", args.plugin.display()))?;
    if component.world.kind != ComponentKind::Strategy {
        bail!(
            "backtest needs a strategy component; {} implements {WIT_PACKAGE}/{}@{} (a model: run it with \
             `hft-host model run`, or name it in [models] of a --config)",
            args.plugin.display(),
            component.world.kind,
            component.world.version
        );
    }
    let info = describe_strategy(&component).with_context(|| format!("{}: describe", args.plugin.display()))?;
    let name = info.info.name.clone();
    parse_params(&info.info.params, &args.params).with_context(|| format!("--params for {name}"))?;
    let strategy = StrategyConfig {
        plugin: std::path::absolute(&args.plugin)
            .with_context(|| format!("cannot resolve {}", args.plugin.display()))?
            .display()
            .to_string(),
        legs: fit_slots("leg", &name, &info.legs, &cfg.strategy.legs).map_err(|e| unwired(e, &origin))?,
        signals: fit_slots("signal", &name, &info.signals, &cfg.strategy.signals).map_err(|e| unwired(e, &origin))?,
        params: args.params.iter().map(|(k, v)| (k.clone(), toml::Value::String(v.clone()))).collect(),
    };
    cfg.run.name = format!("backtest-{}", file_safe(&name));
    let reports = args.write_report.then(|| cfg.run.reports_dir.clone());
    let gate_config = GateConfig { challengers_tried: 1, ..schedule.gate };
    let gate = PromotionGate::new(gate_config).context("[evop]")?;

    let alone = RunConfig { strategy: strategy.clone(), ..cfg.clone() };
    let session = Session::open(if args.against_champion { &cfg } else { &alone }, runtime, Speed::Max).with_context(
        || match (&args.config, args.data.is_empty()) {
            (None, true) => "the embedded default configuration reads data/pair/ and the built-in components in \
                             target/wasm32-wasip2/release/ from the current directory: run from the hft-host \
                             checkout, or give --data or --config"
                .to_string(),
            _ => format!("the run of {origin}"),
        },
    )?;
    let (pipeline, mut feed) = session.into_parts();
    let mut orch = Orchestrator::new(pipeline, "champion", 1, None);
    const ID: &str = "challenger";
    if args.against_champion {
        let capital = Money(cfg.evop.challenger_capital.unwrap_or(cfg.run.initial_capital));
        let spec = ChallengerSpec { id: ID.to_string(), strategy: Some(strategy), ..Default::default() };
        orch.add(spec, &cfg, runtime, capital).with_context(|| format!("{name} as a challenger"))?;
    }

    tracing::info!(plugin = %args.plugin.display(), against_champion = args.against_champion, "backtest started");
    let started = Instant::now();
    let mut latency = LatencySamples::default();
    let mut tick: Vec<MarketEvent> = Vec::with_capacity(8);
    while feed.next_tick(&mut tick)? {
        if let Some(d) = orch.on_tick(&tick, Instant::now()) {
            latency.record(d);
        }
    }
    let wall = started.elapsed().as_secs_f64();

    let (run, faulted, benchmark, returns, benchmark_returns, risk, warm_up) = if args.against_champion {
        let challenger = orch.remove(ID)?;
        let warm_up = challenger.warm_up;
        let champion_returns = orch.champion_returns().to_vec();
        let champion = orch.into_champion();
        let champion_name = champion.wiring().strategy.name.clone();
        let risk = risk_verdict(champion.risk().state(), challenger.pipeline.risk().state());
        let faulted = challenger.quarantined.clone().or_else(|| fault(&challenger.pipeline));
        // The champion's latency is not the component's; a challenger's
        // calls are not timed apart, so its report shows none.
        let champion_run = conclude(champion, "champion", Vec::new(), wall, latency, None)?;
        let run = feed.finish(challenger.pipeline, wall, LatencySamples::default(), reports.as_deref())?;
        let benchmark =
            Benchmark::Champion { name: champion_name, summary: Box::new(champion_run.report.summary().clone()) };
        (run, faulted, benchmark, challenger.returns, champion_returns, risk, warm_up)
    } else {
        let returns = orch.champion_returns().to_vec();
        let pipeline = orch.into_champion();
        let warm_up = pipeline.wiring().strategy.warm_up_ticks.unwrap_or(0) as usize;
        let risk = risk_verdict(RiskState::Active, pipeline.risk().state());
        let faulted = fault(&pipeline);
        let run = feed.finish(pipeline, wall, latency, reports.as_deref())?;
        let flat = vec![0.0; returns.len()];
        (run, faulted, Benchmark::FlatBook, returns, flat, risk, warm_up)
    };

    let from = warm_up.min(returns.len());
    let decision = gate.evaluate(&benchmark_returns[from..], &returns[from..], &risk).context("the promotion gate")?;
    let verdict = verdict(&decision, faulted.as_deref(), last_look(&schedule));
    tracing::info!(%verdict, ticks = returns.len(), "backtest finished");
    Ok(BacktestOutcome {
        path: args.plugin.clone(),
        name,
        version: info.info.version.clone(),
        sha256: component.sha256.clone(),
        world: format!("{}@{}", component.world.kind, component.world.version),
        run,
        faulted,
        benchmark,
        returns,
        benchmark_returns,
        schedule,
        warm_up_ticks: warm_up,
        gate: decision,
        verdict,
    })
}

/// The decision read against the schedule: a strategy that faulted is
/// quarantined before any look; a projection beyond the last look is a
/// promotion only an operator can make.
fn verdict(d: &GateDecision, faulted: Option<&str>, last_look: u64) -> Verdict {
    if let Some(why) = faulted {
        return Verdict::NotPromotable { why: format!("its strategy faulted and a host would quarantine it ({why})") };
    }
    if d.promote {
        return Verdict::Promotable;
    }
    match &d.outlook {
        // The statistics hold; what refuses is the risk manager.
        Outlook::Passes => {
            Verdict::NotPromotable { why: d.refusals.iter().map(ToString::to_string).collect::<Vec<_>>().join("; ") }
        }
        Outlook::MorePeriods { estimated_periods } if *estimated_periods <= last_look => {
            Verdict::CouldPassLater { periods: *estimated_periods }
        }
        Outlook::MorePeriods { estimated_periods } => {
            Verdict::BeyondLastLook { periods: *estimated_periods, last_look }
        }
        Outlook::NotOnCurrentEvidence { why } => Verdict::NotPromotable { why: why.clone() },
        Outlook::Unknown => Verdict::NotPromotable { why: "too few ticks to tell".to_string() },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::strategy::Slot;
    use hft_evop::gate::{Refusal, RiskVerdict};
    use std::collections::BTreeMap;

    #[test]
    fn data_formats_come_from_binance_file_names() {
        let dir = tempfile::tempdir().unwrap();
        let files: Vec<PathBuf> = ["BTCUSDT-1m-2024-01.csv", "ETHUSDT-aggTrades-2024-01-01.csv", "mine.csv"]
            .iter()
            .map(|n| {
                let p = dir.path().join(n);
                std::fs::write(&p, "").unwrap();
                p
            })
            .collect();
        let cfg = config::load(None, Vec::<(String, String)>::new()).unwrap();
        let specs = data_sources(&files, &cfg).unwrap();
        let formats: Vec<SourceFormat> = specs.iter().map(|s| s.format).collect();
        assert_eq!(formats, [SourceFormat::BinanceKlines, SourceFormat::BinanceAggTrades, SourceFormat::Simple]);
        assert!(specs.iter().all(|s| s.venue == Venue::new("BINANCE") && s.symbol.is_none()));
        let trades = dir.path().join("BTCUSDT-trades-2024-01-01.csv");
        std::fs::write(&trades, "").unwrap();
        let e = data_sources(&[trades], &cfg).unwrap_err().to_string();
        assert!(e.contains("trades files are not read"), "{e}");
        let e = data_sources(&[dir.path().join("missing.csv")], &cfg).unwrap_err().to_string();
        assert!(e.contains("missing.csv: no such file"), "{e}");
    }

    #[test]
    fn a_slot_the_configuration_does_not_wire_names_the_configuration_and_the_fix() {
        let slot = |n: &str| Slot { name: n.to_string(), description: format!("the {n}") };
        let wired: BTreeMap<String, String> = [("zscore", "kalman.zscore")].map(|(k, v)| (k.into(), v.into())).into();
        let e = fit_slots("signal", "mine", &[slot("volume")], &wired).map_err(|e| unwired(e, "run.toml")).unwrap_err();
        let e = e.to_string();
        assert!(e.contains("mine reads the signal \"volume\"") && e.contains("signals of run.toml"), "{e}");
        assert!(e.contains("give a --config whose [strategy] signals do"), "{e}");
    }

    #[test]
    fn the_verdict_reads_the_outlook_against_the_last_look() {
        let level = hft_evop::confidence::ConfidenceLevel::new(0.95).unwrap();
        let gate = PromotionGate::new(GateConfig { min_track_record: 100, ..GateConfig::new(level) }).unwrap();
        let returns: Vec<f64> = (0..400).map(|t| 0.001 * ((t as f64 * 0.618_033_988_75).fract() - 0.5)).collect();
        let mut d = gate.evaluate(&returns, &returns, &RiskVerdict::Allow).unwrap();
        assert!(!d.promote);
        let v = verdict(&d, None, 10_000);
        assert!(matches!(&v, Verdict::NotPromotable { why } if why.contains("does not beat")), "{v}");

        d.outlook = Outlook::MorePeriods { estimated_periods: 900 };
        assert_eq!(verdict(&d, None, 1000), Verdict::CouldPassLater { periods: 900 });
        assert_eq!(verdict(&d, None, 800), Verdict::BeyondLastLook { periods: 900, last_look: 800 });
        d.outlook = Outlook::Passes;
        d.refusals = vec![Refusal::RiskVeto { reason: "the champion's book is halted".into() }];
        let v = verdict(&d, None, 1000);
        assert!(matches!(&v, Verdict::NotPromotable { why } if why.contains("vetoed by risk")), "{v}");
        d.promote = true;
        d.refusals.clear();
        assert_eq!(verdict(&d, None, 1000), Verdict::Promotable);
        let v = verdict(&d, Some("plugin call `on-tick` trapped"), 1000);
        assert!(matches!(&v, Verdict::NotPromotable { why } if why.contains("quarantine") && why.contains("trapped")));
    }
}
