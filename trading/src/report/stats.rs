//! Risk ratios and drawdown of an equity curve.
//!
//! Conventions, since every desk uses different ones:
//!
//! * **Returns** are simple returns of the equity curve resampled to a fixed
//!   period: the curve is cut into UTC-aligned buckets and each bucket's
//!   last equity is its close (an empty bucket repeats the previous close:
//!   crypto trades around the clock, so no tick means no change). The first
//!   return runs from the first equity sample to the first close. The period
//!   is **daily** when the curve spans at least 30 days, else **hourly**
//!   when it spans at least 30 hours, else **per tick** (the raw tick-to-tick
//!   returns), so there are enough returns for a meaningful ratio.
//! * **Annualisation** multiplies by `sqrt(periods per year)` with a 365-day
//!   crypto year: 365 for daily, 8760 for hourly, and for per tick
//!   `365 days / mean tick interval`.
//! * **Sharpe** = mean / sample standard deviation (n − 1) of the returns,
//!   risk-free rate zero.
//! * **Sortino** = mean / downside deviation, where the downside deviation
//!   is `sqrt(sum(min(r, 0)²) / n)` over all n returns (target return zero).
//! * **Drawdown** at a point is the fall from the running peak of equity,
//!   in money and as a fraction of that peak.

use crate::domain::{Money, Timestamp};
use rust_decimal::prelude::ToPrimitive;
use serde::Serialize;

const HOUR_NS: i64 = 3_600 * 1_000_000_000;
const DAY_NS: i64 = 24 * HOUR_NS;
const YEAR_NS: f64 = 365.0 * DAY_NS as f64;
/// Periods a curve must span before it is resampled to them.
const MIN_PERIODS: i64 = 30;

/// The period returns are measured over before computing ratios.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ReturnPeriod {
    /// UTC calendar days.
    Daily,
    /// UTC clock hours.
    Hourly,
    /// Consecutive ticks (short runs).
    Tick,
}

impl ReturnPeriod {
    /// Lower-case name for reports.
    pub fn name(self) -> &'static str {
        match self {
            ReturnPeriod::Daily => "daily",
            ReturnPeriod::Hourly => "hourly",
            ReturnPeriod::Tick => "per tick",
        }
    }
}

/// Annualised Sharpe and Sortino ratios with the basis they were computed
/// on (see the module docs for the conventions).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RiskRatios {
    /// The return period chosen for this curve.
    pub period: ReturnPeriod,
    /// The annualisation factor's argument: periods in a 365-day year.
    pub periods_per_year: f64,
    /// The returns the ratios were computed from.
    pub returns: Vec<f64>,
    /// Annualised Sharpe; `None` with fewer than two returns or no variance.
    pub sharpe: Option<f64>,
    /// Annualised Sortino; `None` with no returns or no downside.
    pub sortino: Option<f64>,
}

/// The deepest fall from a running peak of equity.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Drawdown {
    /// The fall as a fraction of the peak (0.1 = 10 %).
    pub fraction: f64,
    /// The fall in money, exact.
    pub amount: Money,
    /// When the peak was set.
    pub peak_ts: Timestamp,
    /// Equity at the peak.
    pub peak_equity: Money,
    /// When the bottom was reached.
    pub trough_ts: Timestamp,
    /// Equity at the bottom.
    pub trough_equity: Money,
    /// When equity first regained the peak, if it did.
    pub recovered_ts: Option<Timestamp>,
}

/// Sharpe and Sortino of an equity curve given as `(time, equity)` in time
/// order, with the conventions of the module docs. `None` for fewer than
/// two samples or a curve spanning no time.
pub fn risk_ratios(curve: &[(Timestamp, f64)]) -> Option<RiskRatios> {
    let (first, last) = (curve.first()?, curve.last()?);
    let span = last.0.0 - first.0.0;
    if curve.len() < 2 || span <= 0 {
        return None;
    }
    let (period, periods_per_year, returns) = if span >= MIN_PERIODS * DAY_NS {
        (ReturnPeriod::Daily, 365.0, bucket_returns(curve, DAY_NS))
    } else if span >= MIN_PERIODS * HOUR_NS {
        (ReturnPeriod::Hourly, 365.0 * 24.0, bucket_returns(curve, HOUR_NS))
    } else {
        let mean_interval = span as f64 / (curve.len() - 1) as f64;
        let returns = curve.windows(2).filter_map(|w| simple_return(w[0].1, w[1].1)).collect();
        (ReturnPeriod::Tick, YEAR_NS / mean_interval, returns)
    };
    let scale = periods_per_year.sqrt();
    Some(RiskRatios {
        period,
        periods_per_year,
        sharpe: sharpe(&returns).map(|s| s * scale),
        sortino: sortino(&returns).map(|s| s * scale),
        returns,
    })
}

/// `b / a - 1`, or `None` when `a` is not a positive equity.
fn simple_return(a: f64, b: f64) -> Option<f64> {
    (a > 0.0 && a.is_finite() && b.is_finite()).then(|| b / a - 1.0)
}

/// Returns between consecutive closes of UTC-aligned buckets of `period`
/// nanoseconds, starting from the first sample.
fn bucket_returns(curve: &[(Timestamp, f64)], period: i64) -> Vec<f64> {
    let first_bucket = curve[0].0.0.div_euclid(period);
    let last_bucket = curve[curve.len() - 1].0.0.div_euclid(period);
    let mut closes = vec![f64::NAN; (last_bucket - first_bucket + 1) as usize];
    for (ts, equity) in curve {
        closes[(ts.0.div_euclid(period) - first_bucket) as usize] = *equity;
    }
    let mut prev = curve[0].1;
    let mut returns = Vec::with_capacity(closes.len());
    for close in closes {
        let close = if close.is_nan() { prev } else { close };
        if let Some(r) = simple_return(prev, close) {
            returns.push(r);
        }
        prev = close;
    }
    returns
}

/// Per-period Sharpe: mean over sample standard deviation.
fn sharpe(returns: &[f64]) -> Option<f64> {
    if returns.len() < 2 {
        return None;
    }
    let n = returns.len() as f64;
    let mean = returns.iter().sum::<f64>() / n;
    let var = returns.iter().map(|r| (r - mean).powi(2)).sum::<f64>() / (n - 1.0);
    (var > 0.0).then(|| mean / var.sqrt())
}

/// Per-period Sortino: mean over downside deviation (target zero).
fn sortino(returns: &[f64]) -> Option<f64> {
    if returns.is_empty() {
        return None;
    }
    let n = returns.len() as f64;
    let mean = returns.iter().sum::<f64>() / n;
    let downside = (returns.iter().map(|r| r.min(0.0).powi(2)).sum::<f64>() / n).sqrt();
    (downside > 0.0).then(|| mean / downside)
}

/// The drawdown at every point of `curve`, as `(amount, fraction)`: the
/// fall from the running peak in money and as a fraction of that peak (zero
/// while the peak is not positive, where a fraction means nothing).
pub fn drawdown_series(curve: &[(Timestamp, Money)]) -> Vec<(Money, f64)> {
    let mut peak: Option<Money> = None;
    curve
        .iter()
        .map(|&(_, equity)| {
            let p = *peak.insert(peak.map_or(equity, |p| p.max(equity)));
            let amount = p - equity;
            (amount, fraction_of(amount, p))
        })
        .collect()
}

fn fraction_of(amount: Money, peak: Money) -> f64 {
    if peak.0.is_sign_positive() && !peak.0.is_zero() { (amount.0 / peak.0).to_f64().unwrap_or(0.0) } else { 0.0 }
}

/// The deepest drawdown of `curve` by fraction of the peak (ties: the
/// earliest), with its money amount, peak and trough. `None` for an empty
/// curve or one that never falls below a previous peak.
pub fn max_drawdown(curve: &[(Timestamp, Money)]) -> Option<Drawdown> {
    let mut best: Option<Drawdown> = None;
    let (mut peak_ts, mut peak) = *curve.first()?;
    for &(ts, equity) in curve {
        if equity >= peak {
            if let Some(d) = best.as_mut()
                && d.recovered_ts.is_none()
                && d.peak_ts == peak_ts
            {
                d.recovered_ts = Some(ts);
            }
            if equity > peak {
                (peak_ts, peak) = (ts, equity);
            }
            continue;
        }
        let amount = peak - equity;
        let fraction = fraction_of(amount, peak);
        let deeper = match &best {
            None => true,
            Some(d) => fraction > d.fraction || (fraction == d.fraction && amount > d.amount),
        };
        if deeper {
            best = Some(Drawdown {
                fraction,
                amount,
                peak_ts,
                peak_equity: peak,
                trough_ts: ts,
                trough_equity: equity,
                recovered_ts: None,
            });
        }
    }
    best
}
