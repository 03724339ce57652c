//! Sample moments of a per-period return series: mean, standard deviation,
//! skewness, kurtosis and the per-period Sharpe ratio, as the probabilistic
//! Sharpe ratio needs them.

use serde::{Deserialize, Serialize};

/// The moments of a return series.
///
/// Conventions (they matter for the PSR and are stated in the README):
/// - returns are per period (one number per evaluation period, the same
///   periods for every strategy compared), and are treated as excess
///   returns: no risk-free rate is subtracted (at the horizons a trading
///   runtime evaluates, it is negligible, and both sides of a comparison
///   would carry it alike);
/// - `std_dev` uses the n - 1 denominator;
/// - `skewness` (gamma3) = m3 / m2^(3/2) and `kurtosis` (gamma4, not excess:
///   3 for a normal) = m4 / m2^2, with the central moments
///   m_k = (1/n) sum (x - mean)^k, as in Bailey & Lopez de Prado (2012).
///   These satisfy gamma4 >= gamma3^2 + 1, which keeps the PSR's variance
///   term positive.
///
/// A series whose dispersion is at the level of rounding (standard
/// deviation at most 16 ulps of its largest magnitude, e.g. a constant)
/// is treated as having none: `std_dev` 0, `skewness` 0 and `kurtosis` 3
/// by convention (they then multiply a Sharpe ratio of 0 or none at all).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ReturnMoments {
    /// Number of periods.
    pub n: usize,
    /// Mean return per period.
    pub mean: f64,
    /// Sample standard deviation per period (n - 1 denominator).
    pub std_dev: f64,
    /// Skewness gamma3.
    pub skewness: f64,
    /// Kurtosis gamma4 (non-excess; 3 for a normal distribution).
    pub kurtosis: f64,
}

/// Why moments could not be computed.
#[derive(Debug, Clone, Copy, PartialEq, thiserror::Error)]
pub enum MomentsError {
    /// Fewer than two periods.
    #[error("{n} periods: moments need at least 2")]
    TooFew {
        /// Periods given.
        n: usize,
    },
    /// A return is NaN or infinite.
    #[error("return at index {index} is not finite ({value})")]
    NonFinite {
        /// Its index.
        index: usize,
        /// Its value.
        value: f64,
    },
}

impl ReturnMoments {
    /// The moments of `returns` (two passes: the mean, then the central
    /// moments, which is accurate where a one-pass sum of powers is not).
    pub fn of(returns: &[f64]) -> Result<Self, MomentsError> {
        let n = returns.len();
        if let Some((index, &value)) = returns.iter().enumerate().find(|(_, x)| !x.is_finite()) {
            return Err(MomentsError::NonFinite { index, value });
        }
        if n < 2 {
            return Err(MomentsError::TooFew { n });
        }
        let nf = n as f64;
        let mean = returns.iter().sum::<f64>() / nf;
        let (mut m2, mut m3, mut m4) = (0.0, 0.0, 0.0);
        for &x in returns {
            let d = x - mean;
            let d2 = d * d;
            m2 += d2;
            m3 += d2 * d;
            m4 += d2 * d2;
        }
        m2 /= nf;
        m3 /= nf;
        m4 /= nf;
        let scale = returns.iter().fold(0.0_f64, |a, x| a.max(x.abs()));
        let std_dev = (m2 * nf / (nf - 1.0)).sqrt();
        if std_dev <= 16.0 * f64::EPSILON * scale {
            return Ok(Self { n, mean, std_dev: 0.0, skewness: 0.0, kurtosis: 3.0 });
        }
        Ok(Self { n, mean, std_dev, skewness: m3 / m2.powf(1.5), kurtosis: m4 / (m2 * m2) })
    }

    /// The per-period Sharpe ratio mean / std_dev (not annualized: multiply
    /// by sqrt(periods per year) to show it annualized). A series with no
    /// dispersion has Sharpe ratio 0 if its mean is 0 too (a strategy that
    /// never traded) and none otherwise (a constant non-zero return is not
    /// a trading result, and its ratio would be infinite).
    pub fn sharpe(&self) -> Option<f64> {
        if self.std_dev > 0.0 {
            Some(self.mean / self.std_dev)
        } else if self.mean == 0.0 {
            Some(0.0)
        } else {
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_moments() {
        let x = [1.0, 2.0, 3.0, 4.0, 10.0];
        let m = ReturnMoments::of(&x).unwrap();
        assert_eq!(m.n, 5);
        assert!((m.mean - 4.0).abs() < 1e-15);
        // Deviations -3 -2 -1 0 6: m2 = 50/5 = 10, m3 = (-27-8-1+216)/5 = 36, m4 = (81+16+1+1296)/5 = 278.8.
        assert!((m.std_dev - (50.0_f64 / 4.0).sqrt()).abs() < 1e-15);
        assert!((m.skewness - 36.0 / 10.0_f64.powf(1.5)).abs() < 1e-14);
        assert!((m.kurtosis - 278.8 / 100.0).abs() < 1e-14);
        assert!((m.sharpe().unwrap() - 4.0 / 12.5_f64.sqrt()).abs() < 1e-15);
        assert!(m.kurtosis >= m.skewness * m.skewness + 1.0);
    }

    #[test]
    fn degenerate_series() {
        let flat = ReturnMoments::of(&[0.0; 10]).unwrap();
        assert_eq!((flat.std_dev, flat.sharpe()), (0.0, Some(0.0)));
        // 0.1 is not exact in binary; the rounding of the mean must not
        // look like dispersion and give an astronomical Sharpe ratio.
        let constant = ReturnMoments::of(&[0.1; 7]).unwrap();
        assert_eq!(constant.std_dev, 0.0);
        assert_eq!(constant.sharpe(), None);
        assert_eq!(ReturnMoments::of(&[1.0]), Err(MomentsError::TooFew { n: 1 }));
        assert!(matches!(ReturnMoments::of(&[1.0, f64::NAN]), Err(MomentsError::NonFinite { index: 1, .. })));
    }
}
