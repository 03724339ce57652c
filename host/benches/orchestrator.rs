//! The champion and its challengers (issue 5, "Performance"): the
//! champion's tick latency with 0 and with 5 challengers running, and the
//! pause of a hot swap (promote and rollback), in one run on the bundled
//! pair (`data/pair/`, 20,000 events in 10,000 ticks) with the embedded
//! default configuration.
//!
//! Run with `cargo bench -p hft-host --bench orchestrator` (or
//! `scripts/bench.sh`). It needs the plugin components
//! (`scripts/build-plugins.sh`). A plain `main`: the figures are quantiles
//! over individual ticks and swaps, which criterion does not report.
//!
//! The ticks are read into memory once, so no timed span includes reading
//! or parsing the CSV files. The challengers are five parameter variants
//! of the pairs strategy: entry-z 1.5, 1.75, 2.25 and 2.5 (the default is
//! 2.0), and the Kalman model's `delta` at 1e-10 (default 1e-11).
//!
//! Per repetition (`HFT_ORCH_BENCH_REPS`, default 30, after one untimed
//! warm-up), with 0 and with 5 challengers (the order alternating between
//! repetitions), each on fresh pipelines:
//!
//! 1. **Through [`Orchestrator::on_tick`]**, with `started` taken just
//!    before the call:
//!    - (a) *tick-to-order*: what `on_tick` returns, the champion's time
//!      from the tick's events in hand to its first order at the venue,
//!      over the ticks that sent an order;
//!    - (c) *full `on_tick`*: the whole call, champion and challengers, over
//!      every tick.
//! 2. **(b) The champion's whole tick**: `Orchestrator` has no clock
//!    between the champion's part of a tick and the challengers', so a
//!    second run reproduces its loop step by step with the same pipelines
//!    (the champion's `Pipeline::on_tick`, then its equity for the returns,
//!    then each challenger's `on_tick` and equity, on pipelines wired as
//!    `Challenger::start` wires them) and times the champion's
//!    `Pipeline::on_tick` alone, over every tick. Its full-tick time is
//!    printed next to (c) as a check that the reproduction matches.
//!
//! Printed per measure: p50, p99 and max pooled over the repetitions, the
//! ratio 5 challengers / 0 challengers, and the median and range of the
//! per-repetition p99 ratio (for (a), with about 110 orders per run, a
//! repetition's p99 is its second-largest sample, so that range is wide);
//! and the events per second through `on_tick` in each setting.
//!
//! Then the swap: `HFT_ORCH_BENCH_SWAP_RUNS` (default 5) runs over the
//! whole data with 5 challengers, where every `HFT_ORCH_BENCH_SWAP_EVERY`
//! (default 10) ticks the orchestrator alternately promotes the next
//! challenger and rolls back (1,000 swaps per run). Reported: the
//! orchestrator's own `swap_pauses` (around `Pipeline::swap_wiring` and the
//! id exchange) and, timed from outside, the whole `promote`/`rollback`
//! call (index lookup, audit record, log line): the real pause of the
//! event loop between two ticks. Also the time to `add` a challenger
//! (wiring a variant: load four components from the compile cache and
//! instantiate them), which happens off the hot path.

use hft_host::config::{self, RunConfig, Speed};
use hft_host::orchestrator::{ChallengerSpec, Orchestrator};
use hft_host::pipeline::{LatencySamples, Pipeline, Session, assemble};
use hft_host::runtime::{Runtime, RuntimeConfig};
use hft_trading::domain::Money;
use hft_trading::execution::PaperBroker;
use hft_trading::market::MarketEvent;
use std::collections::BTreeMap;
use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

fn env_or(name: &str, default: usize) -> usize {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "unknown".to_string())
}

/// The five challengers: four entry thresholds and one model parameter.
fn challengers() -> Vec<ChallengerSpec> {
    let mut specs: Vec<ChallengerSpec> = [1.5, 1.75, 2.25, 2.5]
        .into_iter()
        .map(|z| ChallengerSpec {
            id: format!("entry-z-{z}"),
            strategy_params: BTreeMap::from([("entry-z".to_string(), toml::Value::Float(z))]),
            ..Default::default()
        })
        .collect();
    specs.push(ChallengerSpec {
        id: "kalman-delta-1e-10".to_string(),
        model_params: BTreeMap::from([(
            "kalman".to_string(),
            BTreeMap::from([("delta".to_string(), toml::Value::Float(1e-10))]),
        )]),
        ..Default::default()
    });
    specs
}

/// Every tick of the bundled data, in memory.
fn read_ticks(cfg: &RunConfig, rt: &Runtime) -> Vec<Vec<MarketEvent>> {
    let mut s = Session::open(cfg, rt, Speed::Max).expect("build the components first (scripts/build-plugins.sh)");
    let mut out = Vec::new();
    let mut tick = Vec::new();
    while s.next_tick(&mut tick).unwrap() {
        out.push(tick.clone());
    }
    out
}

/// A pipeline wired as the champion's (`Session::open`) or, with `spec`, as
/// `Challenger::start` wires a challenger: the spec over the champion's
/// config, a paper broker, the champion's capital.
fn pipeline(cfg: &RunConfig, rt: &Runtime, spec: Option<&ChallengerSpec>) -> Pipeline {
    let config = match spec {
        Some(s) => s.apply(cfg).unwrap(),
        None => cfg.clone(),
    };
    let broker = PaperBroker::new(config.execution.clone()).unwrap();
    assemble(&config, rt, Box::new(broker), Speed::Max).unwrap().0
}

/// Samples pooled over all repetitions, and each repetition's p50/p99.
#[derive(Default)]
struct Measure {
    pooled: LatencySamples,
    rep: LatencySamples,
    per_rep: Vec<(u64, u64)>,
}

impl Measure {
    fn record(&mut self, d: Duration) {
        self.pooled.record(d);
        self.rep.record(d);
    }

    fn end_rep(&mut self) {
        let mut rep = std::mem::take(&mut self.rep);
        if let (Some(p50), Some(p99)) = (rep.quantile(0.5), rep.quantile(0.99)) {
            self.per_rep.push((p50, p99));
        }
    }

    /// n, p50, p99, max of the pooled samples.
    fn summary(&mut self) -> (usize, u64, u64, u64) {
        let q = |s: &mut LatencySamples, p| s.quantile(p).unwrap_or(0);
        (self.pooled.len(), q(&mut self.pooled, 0.5), q(&mut self.pooled, 0.99), q(&mut self.pooled, 1.0))
    }
}

/// The measures of one setting (0 or 5 challengers).
#[derive(Default)]
struct Setting {
    tick_to_order: Measure,
    champion_tick: Measure,
    full_tick: Measure,
    mirror_full_tick: Measure,
    orders: Vec<usize>,
    /// Sum of the full `on_tick` times of each run: its events per second.
    busy: Vec<Duration>,
}

impl Setting {
    fn end_rep(&mut self) {
        self.tick_to_order.end_rep();
        self.champion_tick.end_rep();
        self.full_tick.end_rep();
        self.mirror_full_tick.end_rep();
    }
}

struct Bench {
    cfg: RunConfig,
    rt: Runtime,
    ticks: Vec<Vec<MarketEvent>>,
    specs: Vec<ChallengerSpec>,
    capital: Money,
    add_times: LatencySamples,
}

impl Bench {
    fn orchestrator(&mut self, n: usize) -> Orchestrator {
        let mut o = Orchestrator::new(pipeline(&self.cfg, &self.rt, None), "champion", 5, None);
        for spec in &self.specs[..n] {
            let t0 = Instant::now();
            o.add(spec.clone(), &self.cfg, &self.rt, self.capital).unwrap();
            self.add_times.record(t0.elapsed());
        }
        o
    }

    /// (a) and (c) through the orchestrator, then (b) in the reproduction.
    fn latency_rep(&mut self, n: usize, out: Option<&mut Setting>) {
        let mut scratch = Setting::default();
        let s = out.unwrap_or(&mut scratch);

        let mut o = self.orchestrator(n);
        let mut orders = 0;
        let mut busy = Duration::ZERO;
        for t in &self.ticks {
            let t0 = Instant::now();
            let sent = o.on_tick(t, t0);
            let full = t0.elapsed();
            if let Some(d) = sent {
                s.tick_to_order.record(d);
                orders += 1;
            }
            s.full_tick.record(full);
            busy += full;
        }
        s.busy.push(busy);
        assert_eq!(o.champion().counters.ticks as usize, self.ticks.len());
        assert!(o.challengers().iter().all(|c| c.quarantined.is_none()));
        s.orders.push(orders);
        drop(o);

        let mut champion = pipeline(&self.cfg, &self.rt, None);
        let mut others: Vec<Pipeline> =
            self.specs[..n].iter().map(|spec| pipeline(&self.cfg, &self.rt, Some(spec))).collect();
        for t in &self.ticks {
            let t0 = Instant::now();
            champion.on_tick(t, t0);
            let champion_done = t0.elapsed();
            black_box(champion.portfolio().equity().ok());
            for p in &mut others {
                p.on_tick(t, t0);
                black_box(p.strategy_active());
                black_box(p.portfolio().equity().ok());
            }
            let full = t0.elapsed();
            s.champion_tick.record(champion_done);
            s.mirror_full_tick.record(full);
        }
        s.end_rep();
    }

    /// Promote and roll back every `every` ticks over the whole data.
    fn swap_run(&mut self, every: usize, pauses: &mut LatencySamples, calls: &mut LatencySamples) {
        let mut o = self.orchestrator(5);
        let ids: Vec<String> = self.specs.iter().map(|s| s.id.clone()).collect();
        let (mut promoted, mut next) = (false, 0);
        for (k, t) in self.ticks.iter().enumerate() {
            if k > 0 && k % every == 0 {
                let t0 = Instant::now();
                if promoted {
                    o.rollback().unwrap();
                } else {
                    o.promote(&ids[next % ids.len()]).unwrap();
                    next += 1;
                }
                calls.record(t0.elapsed());
                promoted = !promoted;
            }
            o.on_tick(t, Instant::now());
        }
        assert_eq!(o.champion().counters.ticks as usize, self.ticks.len(), "the champion's book saw every tick");
        assert_eq!(o.swaps.len(), (self.ticks.len() - 1) / every);
        // `swap_pauses` holds the same durations as the records' `pause`;
        // the records let the runs be pooled.
        assert_eq!(o.swap_pauses.len(), o.swaps.len());
        for r in &o.swaps {
            pauses.record(r.pause);
        }
    }
}

fn us(ns: u64) -> String {
    format!("{:.1}", ns as f64 / 1000.0)
}

/// Whether a filter given on the command line (as `scripts/bench.sh
/// 'kalman|garch'` passes criterion's to every bench) leaves this bench
/// out: it runs unless some filter is given and none is a substring of
/// "orchestrator".
fn filtered_out() -> bool {
    let filters: Vec<String> = std::env::args().skip(1).filter(|a| !a.starts_with("--")).collect();
    !filters.is_empty() && !filters.iter().any(|f| "orchestrator".contains(f.as_str()))
}

fn main() {
    if filtered_out() {
        return;
    }
    std::env::set_current_dir(root()).unwrap();
    let reps = env_or("HFT_ORCH_BENCH_REPS", 30);
    let swap_runs = env_or("HFT_ORCH_BENCH_SWAP_RUNS", 5);
    let swap_every = env_or("HFT_ORCH_BENCH_SWAP_EVERY", 10).max(1);
    let load_start = load_average();
    let cfg = config::load(None, Vec::<(String, String)>::new()).expect("the embedded default loads");
    let cache = Some(root().join("target/bench-cache"));
    let rt = Runtime::new(RuntimeConfig { limits: Default::default(), cache_dir: cache, parallel_compilation: true })
        .unwrap();
    let ticks = read_ticks(&cfg, &rt);
    let events: usize = ticks.iter().map(Vec::len).sum();
    let capital = Money(cfg.run.initial_capital);
    let mut b = Bench { cfg, rt, ticks, specs: challengers(), capital, add_times: LatencySamples::default() };

    // The first add in the process (compile cache lookups, first
    // instantiation), then one untimed warm-up of each setting.
    let t0 = Instant::now();
    let mut o = Orchestrator::new(pipeline(&b.cfg, &b.rt, None), "champion", 5, None);
    o.add(b.specs[0].clone(), &b.cfg, &b.rt, capital).unwrap();
    let first_add = t0.elapsed();
    drop(o);
    b.latency_rep(0, None);
    b.latency_rep(5, None);
    b.add_times = LatencySamples::default();

    let (mut zero, mut five) = (Setting::default(), Setting::default());
    for rep in 0..reps {
        if rep % 2 == 0 {
            b.latency_rep(0, Some(&mut zero));
            b.latency_rep(5, Some(&mut five));
        } else {
            b.latency_rep(5, Some(&mut five));
            b.latency_rep(0, Some(&mut zero));
        }
    }

    let (mut pauses, mut calls) = (LatencySamples::default(), LatencySamples::default());
    for _ in 0..swap_runs {
        b.swap_run(swap_every, &mut pauses, &mut calls);
    }
    let load_end = load_average();

    println!();
    println!(
        "orchestrator: {} ticks ({events} events) per run, {reps} repetitions per setting (after one warm-up), \
         load average {load_start} at the start, {load_end} at the end",
        b.ticks.len()
    );
    println!(
        "orders per run (ticks that sent one): 0 challengers {:?}, 5 challengers {:?}",
        zero.orders.iter().min().zip(zero.orders.iter().max()),
        five.orders.iter().min().zip(five.orders.iter().max())
    );
    let rate = |s: &Setting| {
        let mut r: Vec<f64> = s.busy.iter().map(|d| events as f64 / d.as_secs_f64()).collect();
        r.sort_by(f64::total_cmp);
        r.get(r.len() / 2).copied().unwrap_or(f64::NAN)
    };
    println!(
        "events/s through `Orchestrator::on_tick` (median run, sum of its on_tick times): \
         0 challengers {:.0}, 5 challengers {:.0}",
        rate(&zero),
        rate(&five)
    );
    println!();
    println!(
        "| measure (µs) | samples (0 / 5) | p50, 0 ch. | p50, 5 ch. | p50 ratio | p99, 0 ch. | p99, 5 ch. | p99 ratio | \
         per-rep p99 ratio (median, min–max) | max, 0 ch. | max, 5 ch. |"
    );
    println!("|---|---|---|---|---|---|---|---|---|---|---|");
    type Pick = fn(&mut Setting) -> &mut Measure;
    let rows: [(&str, Pick); 4] = [
        ("(a) tick-to-order (`on_tick`'s return, ticks with an order)", |s| &mut s.tick_to_order),
        ("(b) the champion's whole tick (`Pipeline::on_tick`, every tick)", |s| &mut s.champion_tick),
        ("(c) full `Orchestrator::on_tick` (every tick)", |s| &mut s.full_tick),
        ("(c') full tick in the reproduction of (b) (check)", |s| &mut s.mirror_full_tick),
    ];
    for (name, get) in rows {
        let (m0, m5) = (get(&mut zero), get(&mut five));
        let (n0, a50, a99, amax) = m0.summary();
        let (n5, b50, b99, bmax) = m5.summary();
        let mut ratios: Vec<f64> =
            m0.per_rep.iter().zip(&m5.per_rep).map(|(x, y)| y.1 as f64 / x.1.max(1) as f64).collect();
        ratios.sort_by(f64::total_cmp);
        let med = ratios.get(ratios.len() / 2).copied().unwrap_or(f64::NAN);
        let (lo, hi) = (ratios.first().copied().unwrap_or(f64::NAN), ratios.last().copied().unwrap_or(f64::NAN));
        println!(
            "| {name} | {n0} / {n5} | {} | {} | {:.2} | {} | {} | {:.2} | {med:.2} ({lo:.2}–{hi:.2}) | {} | {} |",
            us(a50),
            us(b50),
            b50 as f64 / a50.max(1) as f64,
            us(a99),
            us(b99),
            b99 as f64 / a99.max(1) as f64,
            us(amax),
            us(bmax)
        );
    }
    println!();
    let q = |s: &mut LatencySamples, p| s.quantile(p).unwrap_or(0);
    println!("| swap (ns) | samples | p50 | p99 | max |");
    println!("|---|---|---|---|---|");
    println!(
        "| `swap_pauses` (the orchestrator's own figure) | {} | {} | {} | {} |",
        pauses.len(),
        q(&mut pauses, 0.5),
        q(&mut pauses, 0.99),
        q(&mut pauses, 1.0)
    );
    println!(
        "| whole `promote`/`rollback` call, timed outside | {} | {} | {} | {} |",
        calls.len(),
        q(&mut calls, 0.5),
        q(&mut calls, 0.99),
        q(&mut calls, 1.0)
    );
    println!();
    println!(
        "add a challenger (wire a variant: 4 components from the compile cache, instantiated): \
         first in the process {} µs; then {} adds: p50 {} µs, p99 {} µs, max {} µs",
        us(first_add.as_nanos() as u64),
        b.add_times.len(),
        us(q(&mut b.add_times, 0.5)),
        us(q(&mut b.add_times, 0.99)),
        us(q(&mut b.add_times, 1.0))
    );
}
