use super::leg_bars::LegBars;
use super::normal::Normals;
use super::{PairSpec, SyntheticError};
use crate::domain::Timestamp;
use crate::market::Bar;
use std::f64::consts::PI;

/// A regime as generated: the spec's values plus where it ends and the
/// intercept that kept prices continuous, so tests and demos can check a
/// model's change points and hedge ratios against the truth.
#[derive(Debug, Clone, PartialEq)]
pub struct Regime {
    /// Index of the first bar.
    pub start_bar: usize,
    /// Index one past the last bar.
    pub end_bar: usize,
    /// Open time of the first bar.
    pub start: Timestamp,
    /// The level the log spread reverts to.
    pub spread_mean: f64,
    /// Multiplier of the long-run factor and spread volatility.
    pub vol_multiplier: f64,
    /// `b` in `log B = a + b·log A + spread`.
    pub hedge_ratio: f64,
    /// `a` in `log B = a + b·log A + spread`.
    pub intercept: f64,
}

/// Two legs of bars on the same clock and the regimes they went through.
#[derive(Debug, Clone, PartialEq)]
pub struct GeneratedPair {
    /// The first leg ([`PairSpec::leg_a`]).
    pub bars_a: Vec<Bar>,
    /// The second leg ([`PairSpec::leg_b`]), bar for bar on the same times.
    pub bars_b: Vec<Bar>,
    /// The regimes in order; together they cover every bar.
    pub regimes: Vec<Regime>,
}

/// Intraday volume profile: busiest around 14:00 UTC (US open), quietest
/// twelve hours later, ±30 %.
fn seasonal(open_ms: i64) -> f64 {
    let minute = open_ms.div_euclid(60_000).rem_euclid(1_440) as f64;
    1.0 + 0.3 * libm::cos(2.0 * PI * (minute - 840.0) / 1_440.0)
}

/// Generate the pair `spec` describes (see [`PairSpec`] for the model).
/// Deterministic: the same spec gives the same bars.
pub fn generate(spec: &PairSpec) -> Result<GeneratedPair, SyntheticError> {
    spec.validate()?;
    let mut z = Normals::new(spec.seed);
    let steps = spec.substeps as f64;
    let (alpha, beta) = (spec.garch_alpha, spec.garch_beta);
    let phi_sub = libm::pow(0.5, 1.0 / (spec.spread_half_life * steps));
    let leg_a = LegBars::new(&spec.leg_a, &spec.venue, spec.bar_ms);
    let leg_b = LegBars::new(&spec.leg_b, &spec.venue, spec.bar_ms);

    let first = &spec.regimes[0];
    let mut x = libm::log(spec.leg_a.start_price);
    let mut spread = first.spread_mean;
    let mut hedge = first.hedge_ratio;
    let mut intercept = libm::log(spec.leg_b.start_price) - hedge * x - spread;
    let mut variance = (spec.factor_vol * first.vol_multiplier).powi(2);
    let mut last_shock = 0.0_f64;

    let mut regimes: Vec<Regime> = Vec::with_capacity(spec.regimes.len());
    let mut bars_a = Vec::with_capacity(spec.bars);
    let mut bars_b = Vec::with_capacity(spec.bars);
    let mut path_a = Vec::with_capacity(spec.substeps + 1);
    let mut path_b = Vec::with_capacity(spec.substeps + 1);
    let mut next_regime = 0;
    for t in 0..spec.bars {
        let open_ms = spec.start_ms + t as i64 * spec.bar_ms;
        if spec.regimes.get(next_regime).is_some_and(|r| r.start_bar == t) {
            let r = &spec.regimes[next_regime];
            // A hedge-ratio break moves the intercept so log B does not jump.
            intercept += (hedge - r.hedge_ratio) * x;
            hedge = r.hedge_ratio;
            if let Some(previous) = regimes.last_mut() {
                previous.end_bar = t;
            }
            regimes.push(Regime {
                start_bar: t,
                end_bar: spec.bars,
                start: Timestamp::from_millis(open_ms),
                spread_mean: r.spread_mean,
                vol_multiplier: r.vol_multiplier,
                hedge_ratio: hedge,
                intercept,
            });
            next_regime += 1;
        }
        let regime = &spec.regimes[next_regime - 1];
        let long_run = (spec.factor_vol * regime.vol_multiplier).powi(2);
        if t > 0 {
            variance = (1.0 - alpha - beta) * long_run + alpha * last_shock * last_shock + beta * variance;
        }
        let step_sd = libm::sqrt(variance / steps);
        let spread_sd = spec.spread_vol * regime.vol_multiplier * libm::sqrt(1.0 - phi_sub * phi_sub);

        path_a.clear();
        path_b.clear();
        path_a.push(x);
        path_b.push(intercept + hedge * x + spread);
        let mut shock = 0.0;
        for _ in 0..spec.substeps {
            let e = step_sd * z.next();
            shock += e;
            x += spec.drift / steps + e;
            spread = regime.spread_mean + phi_sub * (spread - regime.spread_mean) + spread_sd * z.next();
            path_a.push(x);
            path_b.push(intercept + hedge * x + spread);
        }
        last_shock = shock;

        // Volume follows volatility and the size of this bar's move, with
        // the daily profile and lognormal noise (mean one) on top.
        let sd = libm::sqrt(variance);
        let activity = sd / spec.factor_vol * (0.6 + 0.4 * shock.abs() / sd) * seasonal(open_ms);
        let noise = |z: &mut Normals| libm::exp(0.35 * z.next() - 0.5 * 0.35 * 0.35);
        bars_a.push(leg_a.bar(open_ms, &path_a, activity * noise(&mut z)));
        bars_b.push(leg_b.bar(open_ms, &path_b, activity * noise(&mut z)));
    }
    Ok(GeneratedPair { bars_a, bars_b, regimes })
}
