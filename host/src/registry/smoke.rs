//! The smoke run: a freshly uploaded component, created with its default
//! parameters, fed a short stretch of market data through a minimal
//! harness, before it may be stored.
//!
//! It is not a backtest. It checks that the component survives what the
//! pipeline will ask of it: no trap, no call past its deadline, no memory
//! past the cap, answers a strategy could act on, outputs that are numbers.
//!
//! **Strategy.** Each tick carries the legs' prices (leg `i` follows the
//! data's leg `i mod 2`), the positions the harness holds from the
//! strategy's earlier targets (filled at once at the tick's price), the
//! equity marked to market, and the signals. Which model output feeds a
//! signal is wiring (configuration), not part of the component, so the
//! harness makes its own: NaN for the first third of the run (a model that
//! has produced nothing yet), then for each signal a standard-normal AR(1)
//! series (φ = 0.9) from a fixed seed. A strategy must take any such input
//! without trapping; it may refuse a tick (a guest error), as the pipeline
//! allows. A decision fails the run when a target names a leg the strategy
//! does not declare, when its quantity is not a decimal the pipeline
//! accepts (scale above 28), or when its notional at the leg's price is
//! above `smoke_max_leverage` × `smoke_capital`: an absurd quantity.
//!
//! **Model.** The same data as the kind's plausible input: log prices
//! `x = ln leg1`, `y = ln leg0` for a hedge ratio; log returns of leg 0 for
//! volatility; the same in basis points for changepoints.
//!
//! **Floods.** The first half of the run is warm-up. In the second half a
//! step is *bad* when the component refuses it (a guest error) or, for a
//! model, when an output is not finite (a volatility model's steps with
//! `ready = false` are warm-up whenever they come; a changepoint
//! probability outside [0, 1] is bad). More than `smoke_max_bad_fraction`
//! of bad steps fails the run: a NaN flood, or a component that refuses
//! plausible input.
//!
//! **Snapshot.** At the end the harness snapshots the component and
//! restores the bytes into a fresh instance. A trap in either fails the
//! run; a polite refusal only marks the record not `restorable`.

use super::RegistryError;
use crate::models::{ChangepointModel, HedgeRatioModel, VolatilityModel, estimate_outputs};
use crate::runtime::bindings::types::Param;
use crate::runtime::{LoadedComponent, ModelKind, PluginError};
use crate::strategy::{StrategyComponent, StrategyInfo, Tick};
use hft_trading::domain::InstrumentId;
use hft_trading::market::{KlinesReader, MarketEvent, ReaderOptions};
use hft_trading::synthetic::{PairSpec, generate};
use rust_decimal::prelude::ToPrimitive;
use std::collections::BTreeMap;
use std::path::Path;
use std::time::{Duration, Instant};

/// Two price series on one clock: what the smoke run feeds.
///
/// Build it from the bundled kind of data ([`SmokeData::synthetic`]), from
/// klines files ([`SmokeData::from_klines`]), or from recent market events
/// ([`SmokeData::from_events`]) so that a live host smokes uploads on what
/// the market just did.
#[derive(Debug, Clone, PartialEq)]
pub struct SmokeData {
    ts_ns: Vec<i64>,
    legs: [Vec<f64>; 2],
    source: String,
}

impl SmokeData {
    /// Two aligned series of positive finite prices, at least two rows.
    /// `source` names them in reports.
    pub fn new(ts_ns: Vec<i64>, leg0: Vec<f64>, leg1: Vec<f64>, source: &str) -> Result<SmokeData, RegistryError> {
        let bad = |why: String| RegistryError::SmokeData(format!("{source}: {why}"));
        if ts_ns.len() != leg0.len() || ts_ns.len() != leg1.len() {
            return Err(bad(format!(
                "{} times, {} and {} prices: the series must be aligned",
                ts_ns.len(),
                leg0.len(),
                leg1.len()
            )));
        }
        if ts_ns.len() < 2 {
            return Err(bad(format!("{} rows; a smoke run needs at least 2", ts_ns.len())));
        }
        if let Some(p) = leg0.iter().chain(&leg1).find(|p| !(p.is_finite() && **p > 0.0)) {
            return Err(bad(format!("price {p} is not positive and finite")));
        }
        Ok(SmokeData { ts_ns, legs: [leg0, leg1], source: source.to_string() })
    }

    /// `bars` minutes of the seeded synthetic BTC/ETH-like pair that
    /// `data/pair/` holds (the generator's default spec), made in memory:
    /// the market the built-in plugins are tuned on. Its regime changes (a
    /// volatility burst, a jump of the spread, a hedge-ratio break) are
    /// moved in proportion, so a short run still goes through all of them.
    pub fn synthetic(bars: usize) -> Result<SmokeData, RegistryError> {
        let mut spec = PairSpec::default();
        let full = spec.bars;
        spec.bars = bars.max(2);
        let mut last = None;
        spec.regimes.retain_mut(|r| {
            r.start_bar = r.start_bar * spec.bars / full;
            let keep = last.is_none_or(|l| r.start_bar > l);
            last = Some(r.start_bar);
            keep
        });
        let pair = generate(&spec).map_err(|e| RegistryError::SmokeData(format!("synthetic pair: {e}")))?;
        let ts = pair.bars_a.iter().map(|b| b.ts.nanos()).collect();
        let a = pair.bars_a.iter().map(|b| b.close.to_f64()).collect();
        let b = pair.bars_b.iter().map(|b| b.close.to_f64()).collect();
        SmokeData::new(ts, a, b, &format!("synthetic pair ({} bars)", spec.bars))
    }

    /// The last `last` bars common to two Binance klines files (joined on
    /// close time), read with the trading crate's reader; bad rows are
    /// skipped as the reader's default policy says.
    pub fn from_klines(leg0: &Path, leg1: &Path, last: usize) -> Result<SmokeData, RegistryError> {
        let read = |path: &Path| -> Result<BTreeMap<i64, f64>, RegistryError> {
            let id = InstrumentId::new("SMOKE", &path.display().to_string());
            let reader = KlinesReader::open(path, id, ReaderOptions::default())
                .map_err(|e| RegistryError::SmokeData(e.to_string()))?;
            let mut out = BTreeMap::new();
            for event in reader {
                let event = event.map_err(|e| RegistryError::SmokeData(e.to_string()))?;
                out.insert(event.ts().nanos(), event.price().to_f64());
            }
            Ok(out)
        };
        let (a, b) = (read(leg0)?, read(leg1)?);
        let joined: Vec<(i64, f64, f64)> = a.iter().filter_map(|(t, pa)| b.get(t).map(|pb| (*t, *pa, *pb))).collect();
        let tail = &joined[joined.len().saturating_sub(last)..];
        SmokeData::new(
            tail.iter().map(|r| r.0).collect(),
            tail.iter().map(|r| r.1).collect(),
            tail.iter().map(|r| r.2).collect(),
            &format!("{} + {} (last {} common bars)", leg0.display(), leg1.display(), tail.len()),
        )
    }

    /// Recent market events of two instruments (the first two that appear),
    /// one row per distinct timestamp once both have a price, the last
    /// price of each carried forward.
    pub fn from_events(events: &[MarketEvent]) -> Result<SmokeData, RegistryError> {
        let mut ids: Vec<&InstrumentId> = Vec::new();
        let mut last = [f64::NAN; 2];
        let mut rows: Vec<(i64, f64, f64)> = Vec::new();
        for e in events {
            let i = match ids.iter().position(|id| *id == e.instrument()) {
                Some(i) => i,
                None if ids.len() < 2 => {
                    ids.push(e.instrument());
                    ids.len() - 1
                }
                None => continue,
            };
            last[i] = e.price().to_f64();
            if last.iter().all(|p| p.is_finite()) {
                let ts = e.ts().nanos();
                match rows.last_mut() {
                    Some(r) if r.0 == ts => *r = (ts, last[0], last[1]),
                    _ => rows.push((ts, last[0], last[1])),
                }
            }
        }
        let names: Vec<String> = ids.iter().map(|id| id.symbol.to_string()).collect();
        SmokeData::new(
            rows.iter().map(|r| r.0).collect(),
            rows.iter().map(|r| r.1).collect(),
            rows.iter().map(|r| r.2).collect(),
            &format!("recent events of {}", names.join(" and ")),
        )
    }

    /// Number of rows.
    pub fn len(&self) -> usize {
        self.ts_ns.len()
    }

    /// Whether there are no rows (never, for a value built by this type).
    pub fn is_empty(&self) -> bool {
        self.ts_ns.is_empty()
    }

    /// What the data is, for reports.
    pub fn source(&self) -> &str {
        &self.source
    }
}

/// The smoke run's bounds, from [`super::RegistryConfig`].
#[derive(Debug, Clone)]
pub(crate) struct SmokeLimits {
    pub(crate) ticks: usize,
    pub(crate) capital: f64,
    pub(crate) max_leverage: f64,
    pub(crate) max_bad_fraction: f64,
    pub(crate) budget: Duration,
}

/// What a passed smoke run found.
#[derive(Debug, Clone)]
pub(crate) struct SmokeOutcome {
    pub(crate) detail: String,
    pub(crate) restorable: bool,
}

/// A deterministic standard-normal AR(1) series (splitmix64, Box–Muller).
struct Ar1 {
    state: u64,
    value: f64,
}

impl Ar1 {
    const PHI: f64 = 0.9;

    fn new(seed: u64) -> Ar1 {
        Ar1 { state: seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) ^ 0x5151_5151, value: 0.0 }
    }

    fn uniform(&mut self) -> f64 {
        self.state = self.state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^= z >> 31;
        // In (0, 1]: never 0, so the logarithm below is finite.
        ((z >> 11) as f64 + 1.0) / (1u64 << 53) as f64
    }

    fn next(&mut self) -> f64 {
        let (u1, u2) = (self.uniform(), self.uniform());
        let normal = (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos();
        self.value = Ar1::PHI * self.value + (1.0 - Ar1::PHI * Ar1::PHI).sqrt() * normal;
        self.value
    }
}

/// Counts of a run's steps.
#[derive(Debug, Default)]
struct Tally {
    steps: usize,
    bad_after_warmup: usize,
    refused: usize,
    first_bad: Option<String>,
}

impl Tally {
    /// Record a bad step (a refusal or a non-finite output) at step `t`.
    fn bad(&mut self, t: usize, warmup: usize, why: impl FnOnce() -> String) {
        if t >= warmup {
            self.bad_after_warmup += 1;
            if self.first_bad.is_none() {
                self.first_bad = Some(format!("step {t}: {}", why()));
            }
        }
    }

    /// Fail if the second half had too many bad steps.
    fn check(&self, warmup: usize, lim: &SmokeLimits) -> Result<(), String> {
        let judged = self.steps.saturating_sub(warmup).max(1);
        let fraction = self.bad_after_warmup as f64 / judged as f64;
        if fraction > lim.max_bad_fraction {
            return Err(format!(
                "{} of the {judged} steps after warm-up were bad ({:.0}%, at most {:.0}% allowed); first: {}",
                self.bad_after_warmup,
                fraction * 100.0,
                lim.max_bad_fraction * 100.0,
                self.first_bad.as_deref().unwrap_or("?")
            ));
        }
        Ok(())
    }
}

/// Stop the run when its wall-clock budget is spent.
fn check_budget(started: Instant, t: usize, lim: &SmokeLimits) -> Result<(), String> {
    let spent = started.elapsed();
    if spent > lim.budget {
        return Err(format!("too slow: {t} steps took {spent:?}, over the smoke budget of {:?}", lim.budget));
    }
    Ok(())
}

/// Smoke a strategy: create it with `params` (the defaults when empty) and
/// feed it ticks built from `data`.
pub(crate) fn smoke_strategy(
    component: &LoadedComponent,
    info: &StrategyInfo,
    params: &[Param],
    data: &SmokeData,
    lim: &SmokeLimits,
) -> Result<SmokeOutcome, String> {
    let started = Instant::now();
    let mut strategy = StrategyComponent::create(component, params).map_err(|e| format!("create failed: {e}"))?;
    let (n, s) = (info.legs.len(), info.signals.len());
    let steps = lim.ticks.min(data.len());
    let (warmup, silent) = (steps / 2, steps / 3);
    let bound = lim.max_leverage * lim.capital;
    let mut signals: Vec<Ar1> = (0..s).map(|i| Ar1::new(i as u64 + 1)).collect();
    let mut positions = vec![0.0f64; n];
    let mut cash = lim.capital;
    let mut tally = Tally::default();
    let (mut acted, mut peak) = (0usize, 0.0f64);
    let mut tick = Tick { ts_ns: 0, equity: lim.capital, values: Vec::with_capacity(2 * n + s) };
    for t in 0..steps {
        if t % 64 == 0 {
            check_budget(started, t, lim)?;
        }
        let prices: Vec<f64> = (0..n).map(|i| data.legs[i % 2][t]).collect();
        tick.ts_ns = data.ts_ns[t];
        tick.equity = cash + positions.iter().zip(&prices).map(|(q, p)| q * p).sum::<f64>();
        tick.values.clear();
        tick.values.extend(&prices);
        tick.values.extend(&positions);
        tick.values.extend(signals.iter_mut().map(|g| if t < silent { f64::NAN } else { g.next() }));
        tally.steps += 1;
        let decision = match strategy.on_tick(&tick) {
            Ok(d) => d,
            Err(PluginError::Guest(e)) => {
                tally.refused += 1;
                tally.bad(t, warmup, || format!("refused: {e}"));
                continue;
            }
            Err(fault) => return Err(format!("tick {t}: {fault}")),
        };
        if !decision.targets.is_empty() {
            acted += 1;
        }
        for target in &decision.targets {
            let leg = target.leg as usize;
            let Some(&price) = prices.get(leg) else {
                return Err(format!("tick {t}: a target for leg {leg}, but the strategy declares {n} legs"));
            };
            let q = target.quantity;
            let qty = rust_decimal::Decimal::try_from_i128_with_scale(i128::from(q.mantissa), u32::from(q.scale))
                .ok()
                .and_then(|d| d.to_f64())
                .ok_or_else(|| {
                    format!(
                        "tick {t}: quantity {}e-{} for leg {leg} is not a decimal the pipeline accepts (scale at most 28)",
                        q.mantissa, q.scale
                    )
                })?;
            let notional = qty.abs() * price;
            if notional.is_nan() || notional > bound {
                return Err(format!(
                    "tick {t}: target {qty} on leg {leg} ({}) is worth {notional:.0} at {price}, over the smoke bound of \
                     {bound:.0} ({}x the {} capital): an absurd quantity",
                    info.legs[leg].name, lim.max_leverage, lim.capital
                ));
            }
            peak = peak.max(notional);
            cash -= (qty - positions[leg]) * price;
            positions[leg] = qty;
        }
    }
    tally.check(warmup, lim)?;
    let snapshot = strategy.snapshot().map_err(|e| format!("snapshot after the run: {e}"))?;
    let restorable = match StrategyComponent::restore(component, &snapshot) {
        Ok(_) => true,
        Err(PluginError::Guest(_)) => false,
        Err(fault) => return Err(format!("restore of its own snapshot: {fault}")),
    };
    Ok(SmokeOutcome {
        detail: format!(
            "{steps} ticks of {} in {:.1} ms: {acted} decisions with targets, {} refused, largest leg notional {peak:.0} \
             (bound {bound:.0}); snapshot {}",
            data.source,
            started.elapsed().as_secs_f64() * 1e3,
            tally.refused,
            if restorable { "restores" } else { "refused by restore" }
        ),
        restorable,
    })
}

/// Whether every value is finite.
fn finite(values: &[f64]) -> bool {
    values.iter().all(|v| v.is_finite())
}

/// Smoke a model of `kind`: create it with `params` and feed it the kind's
/// plausible input built from `data`.
pub(crate) fn smoke_model(
    component: &LoadedComponent,
    kind: ModelKind,
    params: &[Param],
    data: &SmokeData,
    lim: &SmokeLimits,
) -> Result<SmokeOutcome, String> {
    let started = Instant::now();
    let steps = lim.ticks.min(data.len() - 1);
    let warmup = steps / 2;
    let log = |leg: usize, t: usize| data.legs[leg][t].ln();
    let ret = |t: usize| log(0, t + 1) - log(0, t);
    let mut tally = Tally::default();
    let mut warming = 0usize;
    let created = |e: PluginError| format!("create failed: {e}");
    let snapshotted = |e: PluginError| format!("snapshot after the run: {e}");
    // One verdict per step: Ok(true) a good step, Ok(false) warm-up,
    // Err(why) a bad one; a fault ends the run.
    let mut run = |step: &mut dyn FnMut(usize) -> Result<Result<bool, String>, PluginError>| -> Result<(), String> {
        for t in 0..steps {
            if t % 64 == 0 {
                check_budget(started, t, lim)?;
            }
            tally.steps += 1;
            match step(t) {
                Ok(Ok(true)) => {}
                Ok(Ok(false)) => warming += 1,
                Ok(Err(why)) => tally.bad(t, warmup, || why),
                Err(PluginError::Guest(e)) => {
                    tally.refused += 1;
                    tally.bad(t, warmup, || format!("refused: {e}"));
                }
                Err(fault) => return Err(format!("update {t}: {fault}")),
            }
        }
        Ok(())
    };
    let restore = |r: Result<(), PluginError>| match r {
        Ok(()) => Ok(true),
        Err(PluginError::Guest(_)) => Ok(false),
        Err(fault) => Err(format!("restore of its own snapshot: {fault}")),
    };
    let restorable = match kind {
        ModelKind::HedgeRatio => {
            let mut m = HedgeRatioModel::create(component, params).map_err(created)?;
            run(&mut |t| {
                let e = m.update(log(1, t), log(0, t))?;
                let out = estimate_outputs(&e);
                Ok(if finite(&out) { Ok(true) } else { Err(format!("non-finite output {out:?}")) })
            })?;
            let snap = m.snapshot().map_err(snapshotted)?;
            restore(HedgeRatioModel::restore(component, &snap).map(drop))?
        }
        ModelKind::Volatility => {
            let mut m = VolatilityModel::create(component, params).map_err(created)?;
            run(&mut |t| {
                let s = m.update(ret(t))?;
                let out = [s.variance, s.forecast, s.mean, s.std_resid, s.loglik];
                Ok(match (s.ready, finite(&out)) {
                    (false, _) => Ok(false),
                    (true, true) => Ok(true),
                    (true, false) => Err(format!("ready, with non-finite output {out:?}")),
                })
            })?;
            let snap = m.snapshot().map_err(snapshotted)?;
            restore(VolatilityModel::restore(component, &snap).map(drop))?
        }
        ModelKind::Changepoint => {
            let mut m = ChangepointModel::create(component, params).map_err(created)?;
            run(&mut |t| {
                let s = m.update(1e4 * ret(t))?;
                let out = [s.change_prob, s.segment_mean, s.segment_var, s.pruned_mass];
                Ok(if !finite(&out) {
                    Err(format!("non-finite output {out:?}"))
                } else if !(-1e-9..=1.0 + 1e-9).contains(&s.change_prob) {
                    Err(format!("change-prob {} is not a probability", s.change_prob))
                } else {
                    Ok(true)
                })
            })?;
            let snap = m.snapshot().map_err(snapshotted)?;
            restore(ChangepointModel::restore(component, &snap).map(drop))?
        }
    };
    tally.check(warmup, lim)?;
    let input = match kind {
        ModelKind::HedgeRatio => "log prices",
        ModelKind::Volatility => "log returns",
        ModelKind::Changepoint => "log returns in basis points",
    };
    Ok(SmokeOutcome {
        detail: format!(
            "{steps} updates ({input} of {}) in {:.1} ms: {} bad after warm-up, {} refused, {warming} warming up; snapshot {}",
            data.source,
            started.elapsed().as_secs_f64() * 1e3,
            tally.bad_after_warmup,
            tally.refused,
            if restorable { "restores" } else { "refused by restore" }
        ),
        restorable,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ar1_is_deterministic_and_roughly_standard() {
        let (mut a, mut b) = (Ar1::new(1), Ar1::new(1));
        let xs: Vec<f64> = (0..20_000).map(|_| a.next()).collect();
        assert!(xs.iter().zip((0..20_000).map(|_| b.next())).all(|(x, y)| *x == y));
        let mean = xs.iter().sum::<f64>() / xs.len() as f64;
        let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / xs.len() as f64;
        assert!(mean.abs() < 0.1 && (var - 1.0).abs() < 0.15, "mean {mean}, var {var}");
        assert!(xs.iter().all(|x| x.is_finite()));
    }

    #[test]
    fn data_must_be_aligned_and_positive() {
        assert!(SmokeData::new(vec![1, 2], vec![1.0, 2.0], vec![1.0], "t").is_err());
        assert!(SmokeData::new(vec![1, 2], vec![1.0, -2.0], vec![1.0, 1.0], "t").is_err());
        assert!(SmokeData::new(vec![1], vec![1.0], vec![1.0], "t").is_err());
        let d = SmokeData::synthetic(300).unwrap();
        assert_eq!(d.len(), 300);
    }

    #[test]
    fn events_become_forward_filled_rows() {
        use hft_trading::domain::{Price, Quantity, Timestamp};
        use hft_trading::market::Trade;
        let trade = |sym: &str, ts: i64, px: i64| {
            MarketEvent::Trade(Trade {
                instrument: InstrumentId::new("V", sym),
                ts: Timestamp(ts),
                price: Price::new(rust_decimal::Decimal::new(px, 0)),
                size: Quantity::new(rust_decimal::Decimal::ONE),
            })
        };
        let events = [trade("A", 1, 10), trade("B", 2, 20), trade("A", 3, 11), trade("A", 3, 12), trade("C", 4, 99)];
        let d = SmokeData::from_events(&events).unwrap();
        assert_eq!(d.ts_ns, vec![2, 3]);
        assert_eq!(d.legs, [vec![10.0, 12.0], vec![20.0, 20.0]]);
    }
}
