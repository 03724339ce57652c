use super::SyntheticError;
use crate::domain::Decimal;
use serde::{Deserialize, Serialize};

/// One leg of the synthetic pair: its name, level and market conventions.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LegSpec {
    /// The symbol its bars carry, e.g. `BTCUSDT`.
    pub symbol: String,
    /// The price at the first bar's open, in quote currency.
    pub start_price: f64,
    /// Price tick: every printed price is a multiple of it.
    pub tick: Decimal,
    /// Volume lot: every printed volume is a multiple of it (at least one).
    pub lot: Decimal,
    /// Typical base-asset volume of one bar in a calm regime.
    pub mean_volume: f64,
}

/// A stretch of bars with its own spread level, volatility and hedge ratio.
/// Regime changes are what a change-point model should find and what a
/// pair strategy with a fixed hedge ratio should suffer from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegimeSpec {
    /// Index of the regime's first bar; the first regime starts at 0.
    pub start_bar: usize,
    /// The level the log spread reverts to.
    pub spread_mean: f64,
    /// Scales the long-run volatility of the common factor and of the
    /// spread (1 = [`PairSpec::factor_vol`] and [`PairSpec::spread_vol`]).
    pub vol_multiplier: f64,
    /// `b` in `log B = a + b·log A + spread`. The intercept `a` is adjusted
    /// at a break so prices stay continuous.
    pub hedge_ratio: f64,
}

/// Everything that determines a synthetic pair, seed included: the same
/// spec always gives the same bars, byte for byte once written.
///
/// Per bar `t` (log prices, `x` for leg A, `y` for leg B):
/// - `x` is a random walk whose shocks have GARCH(1,1) variance
///   `h_t = ω + α·ε²_{t-1} + β·h_{t-1}`, with `ω` set so the long-run
///   per-bar volatility is `factor_vol · vol_multiplier`;
/// - `y = a + b·x + s`, `s` an Ornstein–Uhlenbeck spread reverting to the
///   regime's `spread_mean` with half-life `spread_half_life` bars and
///   stationary standard deviation `spread_vol · vol_multiplier`.
///
/// Each bar is simulated on `substeps` points, which give its high and low.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PairSpec {
    /// Seed of the ChaCha20 stream every draw comes from.
    pub seed: u64,
    /// Number of bars per leg.
    pub bars: usize,
    /// Open time of the first bar, milliseconds since the Unix epoch (UTC).
    pub start_ms: i64,
    /// Bar length in milliseconds.
    pub bar_ms: i64,
    /// Venue the bars are stamped with.
    pub venue: String,
    /// The first leg, the regressor (BTC-like by default).
    pub leg_a: LegSpec,
    /// The second leg, priced off the first (ETH-like by default).
    pub leg_b: LegSpec,
    /// Long-run standard deviation of the factor's log return per bar.
    pub factor_vol: f64,
    /// Mean log return of the factor per bar.
    pub drift: f64,
    /// GARCH reaction to the last shock (α).
    pub garch_alpha: f64,
    /// GARCH persistence of the last variance (β); `α + β < 1`.
    pub garch_beta: f64,
    /// Half-life of spread deviations, in bars.
    pub spread_half_life: f64,
    /// Stationary standard deviation of the log spread.
    pub spread_vol: f64,
    /// Path points simulated inside each bar (for high and low).
    pub substeps: usize,
    /// The regimes, by increasing `start_bar`, the first at bar 0.
    pub regimes: Vec<RegimeSpec>,
}

impl Default for PairSpec {
    /// A BTC/ETH-like pair of 10 000 one-minute bars from
    /// 2024-01-01T00:00Z with three regime changes: a volatility burst at
    /// bar 3000, a jump of the spread mean at 6000 and a hedge-ratio break
    /// (with calmer markets) at 8000.
    fn default() -> PairSpec {
        let regime = |start_bar, spread_mean, vol_multiplier, hedge_ratio| RegimeSpec {
            start_bar,
            spread_mean,
            vol_multiplier,
            hedge_ratio,
        };
        PairSpec {
            seed: 20240101,
            bars: 10_000,
            start_ms: 1_704_067_200_000,
            bar_ms: 60_000,
            venue: "BINANCE".to_owned(),
            leg_a: LegSpec {
                symbol: "BTCUSDT".to_owned(),
                start_price: 60_000.0,
                tick: Decimal::new(1, 2),
                lot: Decimal::new(1, 3),
                mean_volume: 25.0,
            },
            leg_b: LegSpec {
                symbol: "ETHUSDT".to_owned(),
                start_price: 3_000.0,
                tick: Decimal::new(1, 2),
                lot: Decimal::new(1, 3),
                mean_volume: 400.0,
            },
            factor_vol: 0.0008,
            drift: 0.0,
            garch_alpha: 0.08,
            garch_beta: 0.90,
            spread_half_life: 30.0,
            spread_vol: 0.004,
            substeps: 8,
            regimes: vec![
                regime(0, 0.0, 1.0, 1.0),
                regime(3_000, 0.0, 2.2, 1.0),
                regime(6_000, 0.015, 1.0, 1.0),
                regime(8_000, 0.015, 0.8, 1.25),
            ],
        }
    }
}

impl PairSpec {
    /// Check every parameter; [`super::generate`] calls this first.
    pub fn validate(&self) -> Result<(), SyntheticError> {
        let positive = |field, v: f64| {
            if v.is_finite() && v > 0.0 {
                Ok(())
            } else {
                Err(SyntheticError::invalid(field, format!("{v} is not positive")))
            }
        };
        if self.bars == 0 {
            return Err(SyntheticError::invalid("bars", "must be at least 1"));
        }
        if self.bar_ms <= 0 {
            return Err(SyntheticError::invalid("bar_ms", "must be positive"));
        }
        if self.start_ms < 0 {
            return Err(SyntheticError::invalid("start_ms", "must not be before 1970"));
        }
        if self.venue.is_empty() {
            return Err(SyntheticError::invalid("venue", "is empty"));
        }
        for (field, leg) in [("leg_a", &self.leg_a), ("leg_b", &self.leg_b)] {
            if leg.symbol.is_empty() {
                return Err(SyntheticError::invalid(field, "symbol is empty"));
            }
            positive(field, leg.start_price)?;
            positive(field, leg.mean_volume)?;
            if leg.tick <= Decimal::ZERO || leg.lot <= Decimal::ZERO {
                return Err(SyntheticError::invalid(field, "tick and lot must be positive"));
            }
        }
        if self.leg_a.symbol == self.leg_b.symbol {
            return Err(SyntheticError::invalid("leg_b", "has the same symbol as leg_a"));
        }
        positive("factor_vol", self.factor_vol)?;
        positive("spread_half_life", self.spread_half_life)?;
        positive("spread_vol", self.spread_vol)?;
        if !self.drift.is_finite() {
            return Err(SyntheticError::invalid("drift", "is not finite"));
        }
        let (a, b) = (self.garch_alpha, self.garch_beta);
        if !(a >= 0.0 && b >= 0.0 && a + b < 1.0) {
            return Err(SyntheticError::invalid("garch_alpha", format!("need α, β ≥ 0 and α + β < 1, got {a}, {b}")));
        }
        if self.substeps == 0 {
            return Err(SyntheticError::invalid("substeps", "must be at least 1"));
        }
        match self.regimes.first() {
            Some(first) if first.start_bar == 0 => {}
            _ => return Err(SyntheticError::invalid("regimes", "the first regime must start at bar 0")),
        }
        for pair in self.regimes.windows(2) {
            if pair[1].start_bar <= pair[0].start_bar || pair[1].start_bar >= self.bars {
                return Err(SyntheticError::invalid("regimes", "start bars must increase and lie below `bars`"));
            }
        }
        for r in &self.regimes {
            positive("regimes.vol_multiplier", r.vol_multiplier)?;
            positive("regimes.hedge_ratio", r.hedge_ratio)?;
            if !r.spread_mean.is_finite() {
                return Err(SyntheticError::invalid("regimes.spread_mean", "is not finite"));
            }
        }
        Ok(())
    }
}
