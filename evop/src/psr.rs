//! The probabilistic Sharpe ratio (Bailey & Lopez de Prado 2012): the
//! probability that a strategy's true Sharpe ratio exceeds a benchmark,
//! given its estimated Sharpe ratio, its track record length and the
//! skewness and kurtosis of its returns.
//!
//! The gate asks for it on top of the difference-of-means test so that a
//! challenger is not promoted on higher mean return alone: leverage raises
//! the mean without improving the Sharpe ratio, and fat left tails make an
//! estimated Sharpe ratio less trustworthy; the PSR's standard error widens
//! with negative skewness and with kurtosis.

use crate::confidence::ConfidenceLevel;
use crate::dist::{normal_cdf, normal_quantile};
use crate::moments::ReturnMoments;
use serde::{Deserialize, Serialize};

/// A probabilistic Sharpe ratio and what went into it.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Psr {
    /// PSR(SR*) = Phi(z), in [0, 1].
    pub psr: f64,
    /// z = (SR - SR*) sqrt(n - 1) / sqrt(1 - gamma3 SR + (gamma4 - 1)/4 SR^2).
    pub z: f64,
    /// The strategy's estimated per-period Sharpe ratio SR.
    pub sharpe: f64,
    /// The benchmark Sharpe ratio SR* (per period).
    pub benchmark: f64,
    /// Track record length n in periods.
    pub periods: usize,
    /// Skewness gamma3 of the strategy's returns.
    pub skewness: f64,
    /// Kurtosis gamma4 (non-excess) of the strategy's returns.
    pub kurtosis: f64,
    /// The standard error of SR under non-normal returns:
    /// sqrt((1 - gamma3 SR + (gamma4 - 1)/4 SR^2) / (n - 1)).
    pub sharpe_std_error: f64,
}

/// Why a PSR could not be computed.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, thiserror::Error)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum PsrError {
    /// Fewer than two periods.
    #[error("{periods} periods: the PSR needs at least 2")]
    TooFewPeriods {
        /// Periods given.
        periods: usize,
    },
    /// The strategy's returns have no dispersion but a non-zero mean, so its
    /// Sharpe ratio is undefined.
    #[error("the strategy's returns are constant and non-zero: no Sharpe ratio")]
    SharpeUndefined,
    /// The benchmark's returns are constant and non-zero, so there is no
    /// benchmark Sharpe ratio.
    #[error("the benchmark's returns are constant and non-zero: no benchmark Sharpe ratio")]
    BenchmarkUndefined,
    /// The benchmark Sharpe ratio is not finite.
    #[error("the benchmark Sharpe ratio {0} is not finite")]
    BenchmarkNotFinite(f64),
    /// 1 - gamma3 SR + (gamma4 - 1)/4 SR^2 is not positive (only possible
    /// for a two-valued series, where gamma4 = gamma3^2 + 1).
    #[error("the Sharpe ratio's variance term {0} is not positive")]
    DegenerateVariance(f64),
}

/// PSR(SR*) for returns with the given moments against the benchmark
/// Sharpe ratio `benchmark` (per period, like the moments):
///
/// PSR = Phi( (SR - SR*) sqrt(n - 1) / sqrt(1 - gamma3 SR + (gamma4 - 1)/4 SR^2) ).
pub fn probabilistic_sharpe_ratio(moments: &ReturnMoments, benchmark: f64) -> Result<Psr, PsrError> {
    let (sharpe, variance_term) = sharpe_and_variance_term(moments, benchmark)?;
    let periods = moments.n;
    let sharpe_std_error = (variance_term / (periods as f64 - 1.0)).sqrt();
    let z = (sharpe - benchmark) / sharpe_std_error;
    Ok(Psr {
        psr: normal_cdf(z),
        z,
        sharpe,
        benchmark,
        periods,
        skewness: moments.skewness,
        kurtosis: moments.kurtosis,
        sharpe_std_error,
    })
}

/// The minimum track record length (Bailey & Lopez de Prado 2012): the
/// number of periods after which PSR(SR*) would exceed `confidence` if the
/// strategy kept its current Sharpe ratio, skewness and kurtosis,
/// MinTRL = 1 + (1 - gamma3 SR + (gamma4 - 1)/4 SR^2) (z_level / (SR - SR*))^2.
/// `None` when SR <= SR*: no track record is long enough.
pub fn min_track_record(
    moments: &ReturnMoments,
    benchmark: f64,
    confidence: ConfidenceLevel,
) -> Result<Option<f64>, PsrError> {
    let (sharpe, variance_term) = sharpe_and_variance_term(moments, benchmark)?;
    if sharpe <= benchmark {
        return Ok(None);
    }
    // A confidence level is in [0.5, 1), inside the quantile's domain.
    let z = normal_quantile(confidence.level()).unwrap_or(f64::INFINITY);
    let edge = sharpe - benchmark;
    Ok(Some(1.0 + variance_term * (z / edge) * (z / edge)))
}

fn sharpe_and_variance_term(moments: &ReturnMoments, benchmark: f64) -> Result<(f64, f64), PsrError> {
    if moments.n < 2 {
        return Err(PsrError::TooFewPeriods { periods: moments.n });
    }
    if !benchmark.is_finite() {
        return Err(PsrError::BenchmarkNotFinite(benchmark));
    }
    let sharpe = moments.sharpe().ok_or(PsrError::SharpeUndefined)?;
    let variance_term = 1.0 - moments.skewness * sharpe + (moments.kurtosis - 1.0) / 4.0 * sharpe * sharpe;
    if !(variance_term > 0.0 && variance_term.is_finite()) {
        return Err(PsrError::DegenerateVariance(variance_term));
    }
    Ok((sharpe, variance_term))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn moments(n: usize, mean: f64, std_dev: f64, skewness: f64, kurtosis: f64) -> ReturnMoments {
        ReturnMoments { n, mean, std_dev, skewness, kurtosis }
    }

    /// Inputs shaped like Bailey & Lopez de Prado's example (monthly SR
    /// 1/sqrt(12) over 24 months, strongly negative skew, fat tails),
    /// against a direct evaluation of the formula.
    #[test]
    fn formula() {
        let sr = 1.0 / 12.0_f64.sqrt();
        let m = moments(24, sr, 1.0, -2.448, 10.164);
        let p = probabilistic_sharpe_ratio(&m, 0.0).unwrap();
        let var = 1.0 + 2.448 * sr + (10.164 - 1.0) / 4.0 * sr * sr;
        let z = sr * 23.0_f64.sqrt() / var.sqrt();
        assert!((p.z - z).abs() < 1e-15);
        assert!((p.psr - normal_cdf(z)).abs() < 1e-15);
        assert!((p.sharpe_std_error - (var / 23.0).sqrt()).abs() < 1e-15);
        // Normal returns: variance term 1 + SR^2 / 2.
        let normal = probabilistic_sharpe_ratio(&moments(24, sr, 1.0, 0.0, 3.0), 0.0).unwrap();
        assert!((normal.z - sr * 23.0_f64.sqrt() / (1.0 + sr * sr / 2.0).sqrt()).abs() < 1e-15);
        assert!(p.psr < normal.psr, "negative skew and fat tails lower the PSR");
    }

    #[test]
    fn equal_sharpe_gives_one_half() {
        let m = moments(500, 0.02, 1.0, -0.3, 5.0);
        let p = probabilistic_sharpe_ratio(&m, 0.02).unwrap();
        assert_eq!(p.psr, 0.5);
    }

    #[test]
    fn min_track_record_is_where_psr_reaches_the_level() {
        let level = ConfidenceLevel::new(0.95).unwrap();
        let m = moments(100, 0.1, 1.0, -0.5, 4.0);
        let trl = min_track_record(&m, 0.03, level).unwrap().unwrap();
        let at = probabilistic_sharpe_ratio(&ReturnMoments { n: trl.ceil() as usize, ..m }, 0.03).unwrap();
        let before = probabilistic_sharpe_ratio(&ReturnMoments { n: trl.floor() as usize - 1, ..m }, 0.03).unwrap();
        assert!(at.psr >= 0.95 && before.psr < 0.95, "{trl} {} {}", at.psr, before.psr);
        assert_eq!(min_track_record(&m, 0.2, level).unwrap(), None);
    }

    #[test]
    fn errors() {
        assert_eq!(
            probabilistic_sharpe_ratio(&moments(1, 0.1, 1.0, 0.0, 3.0), 0.0).unwrap_err(),
            PsrError::TooFewPeriods { periods: 1 }
        );
        assert_eq!(
            probabilistic_sharpe_ratio(&moments(10, 0.1, 0.0, 0.0, 3.0), 0.0).unwrap_err(),
            PsrError::SharpeUndefined
        );
        assert!(matches!(
            probabilistic_sharpe_ratio(&moments(10, 0.1, 1.0, 0.0, 3.0), f64::NAN),
            Err(PsrError::BenchmarkNotFinite(_))
        ));
        // Two-valued series at the boundary gamma4 = gamma3^2 + 1 with SR = 2 / gamma3.
        assert!(matches!(
            probabilistic_sharpe_ratio(&moments(10, 1.0, 1.0, 2.0, 5.0), 0.0),
            Err(PsrError::DegenerateVariance(_))
        ));
    }
}
