//! The standard normal distribution: density, CDF, survival function and
//! quantile. The PSR is a normal probability, and the normal quantile seeds
//! the Student-t quantile and the gate's track-record projection.

use super::special::erfc;
use super::{DistError, check_probability};
use std::f64::consts::{FRAC_1_SQRT_2, PI};

/// The standard normal density phi(x) = exp(-x^2/2) / sqrt(2 pi).
pub fn normal_pdf(x: f64) -> f64 {
    (-0.5 * x * x).exp() / (2.0 * PI).sqrt()
}

/// The standard normal CDF Phi(x) = erfc(-x / sqrt 2) / 2, with small
/// relative error also in the far lower tail (Phi(-38) ~ 3e-316 is still
/// right), which is where small p-values live.
pub fn normal_cdf(x: f64) -> f64 {
    0.5 * erfc(-x * FRAC_1_SQRT_2)
}

/// The standard normal survival function 1 - Phi(x) = Phi(-x), computed
/// directly so an upper tail keeps its relative accuracy.
pub fn normal_sf(x: f64) -> f64 {
    normal_cdf(-x)
}

/// The standard normal quantile Phi^-1(p) for 0 < p < 1.
///
/// A starting value from Abramowitz & Stegun 26.2.23 (|error| < 4.5e-4),
/// then Halley steps on the lower tail Phi(x) = min(p, 1 - p), which
/// converge to a few ulps in two or three steps because [`normal_cdf`] is
/// accurate in relative terms there.
pub fn normal_quantile(p: f64) -> Result<f64, DistError> {
    check_probability(p)?;
    if p == 0.5 {
        return Ok(0.0);
    }
    let q = p.min(1.0 - p);
    // A&S 26.2.23 for the upper-tail quantile of q, negated for the lower tail.
    let t = (-2.0 * q.ln()).sqrt();
    let mut x = -(t
        - (2.515_517 + t * (0.802_853 + t * 0.010_328)) / (1.0 + t * (1.432_788 + t * (0.189_269 + t * 0.001_308))));
    for _ in 0..8 {
        let e = normal_cdf(x) - q;
        // u = e / phi(x); Halley: x <- x - u / (1 + x u / 2).
        let u = e * (2.0 * PI).sqrt() * (0.5 * x * x).exp();
        let step = u / (1.0 + 0.5 * x * u);
        x -= step;
        if step.abs() <= 1e-15 * x.abs() {
            break;
        }
    }
    Ok(if p < 0.5 { x } else { -x })
}

// Reference values are pasted at mpmath's 17 significant digits.
#[cfg(test)]
#[allow(clippy::excessive_precision)]
mod tests {
    use super::*;

    fn rel(a: f64, b: f64) -> f64 {
        if b == 0.0 { a.abs() } else { ((a - b) / b).abs() }
    }

    /// mpmath.ncdf at 40 digits (scripts/reference.py).
    #[test]
    fn cdf_matches_mpmath() {
        let cases: [(f64, f64); 14] = [
            (-38.0, 2.885_428_360_068_784_3e-316),
            (-20.0, 2.753_624_118_606_233_7e-89),
            (-10.0, 7.619_853_024_160_526_1e-24),
            (-5.0, 2.866_515_718_791_939_1e-7),
            (-3.0, 0.001_349_898_031_630_094_5),
            (-1.96, 0.024_997_895_148_220_436),
            (-1.0, 0.158_655_253_931_457_05),
            (-0.1, 0.460_172_162_722_971_02),
            (0.0, 0.5),
            (0.5, 0.691_462_461_274_013_1),
            (1.644_853_626_951_472, 0.949_999_999_999_999_92),
            (2.326_347_874_040_841, 0.99),
            (3.0, 0.998_650_101_968_369_91),
            (8.0, 0.999_999_999_999_999_38),
        ];
        for (x, want) in cases {
            let got = normal_cdf(x);
            // Subnormal results carry fewer significant bits.
            let tol = if want < 1e-300 { 1e-8 } else { 1e-13 };
            assert!(rel(got, want) < tol, "Phi({x}) = {got:e}, want {want:e}, rel {:e}", rel(got, want));
            assert!(rel(normal_sf(-x), want) < tol);
        }
    }

    /// sqrt(2) * mpmath.erfinv(2p - 1), and findroot for the far tail.
    #[test]
    fn quantile_matches_mpmath() {
        let cases: [(f64, f64); 12] = [
            (1e-12, -7.034_483_825_301_131_9),
            (1e-6, -4.753_424_308_822_898_9),
            (0.001, -3.090_232_306_167_813_5),
            (0.01, -2.326_347_874_040_841_1),
            (0.025, -1.959_963_984_540_054_2),
            (0.05, -1.644_853_626_951_472_7),
            (0.3, -0.524_400_512_708_040_82),
            (0.5, 0.0),
            (0.9, 1.281_551_565_544_600_6),
            (0.975, 1.959_963_984_540_053_9),
            (0.99, 2.326_347_874_040_840_8),
            (0.999_999, 4.753_424_308_817_087_8),
        ];
        for (p, want) in cases {
            let got = normal_quantile(p).unwrap();
            assert!((got - want).abs() < 1e-13 * want.abs().max(1.0), "Phi^-1({p}) = {got}, want {want}");
        }
        let deep = normal_quantile(1e-300).unwrap();
        assert!(rel(normal_cdf(deep), 1e-300) < 1e-12, "round trip at 1e-300: {deep}");
    }

    #[test]
    fn quantile_refuses_outside_the_open_unit_interval() {
        for p in [0.0, 1.0, -0.1, 1.5, f64::NAN] {
            assert!(normal_quantile(p).is_err(), "{p}");
        }
    }

    #[test]
    fn round_trips() {
        for i in 1..1000 {
            let p = f64::from(i) / 1000.0;
            let x = normal_quantile(p).unwrap();
            assert!(rel(normal_cdf(x), p) < 1e-14, "{p}");
        }
    }
}
