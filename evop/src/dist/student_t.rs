//! Student's t distribution: the reference distribution of the batch-means
//! t statistic (few batches, so the normal would be anti-conservative) and of
//! an EVOP effect over its standard error after few cycles.

use super::special::{beta_reg, ln_beta};
use super::{DistError, check_probability, normal_quantile, normal_sf};
use std::f64::consts::PI;

/// From this many degrees of freedom on, the tail comes from Hill's normal
/// transformation rather than the incomplete beta function (see
/// `StudentT::upper_tail`).
const HILL_DF: f64 = 1e4;

/// Student's t distribution with `df` degrees of freedom (any finite
/// positive real, not only integers).
///
/// The CDF is the regularized incomplete beta function,
/// P(T > t) = I_x(df/2, 1/2) / 2 with x = df / (df + t^2) for t > 0, and
/// Hill's normalizing transformation from 1e4 degrees of freedom on; the
/// quantile is found by a bracketed Newton iteration on ln P(T > t).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StudentT {
    df: f64,
}

impl StudentT {
    /// A t distribution; `df` must be finite and positive.
    pub fn new(df: f64) -> Result<Self, DistError> {
        if df.is_finite() && df > 0.0 { Ok(Self { df }) } else { Err(DistError::DegreesOfFreedom(df)) }
    }

    /// The degrees of freedom.
    pub fn df(&self) -> f64 {
        self.df
    }

    /// The density at `t`.
    pub fn pdf(&self, t: f64) -> f64 {
        let nu = self.df;
        (-ln_beta(0.5 * nu, 0.5) - 0.5 * nu.ln() - 0.5 * (nu + 1.0) * (t * t / nu).ln_1p()).exp()
    }

    /// P(T <= t).
    pub fn cdf(&self, t: f64) -> f64 {
        self.sf(-t)
    }

    /// P(T > t), computed directly so that a small upper-tail probability (a
    /// one-sided p-value) keeps its relative accuracy.
    pub fn sf(&self, t: f64) -> f64 {
        if t.is_nan() {
            return f64::NAN;
        }
        if t == 0.0 {
            return 0.5;
        }
        let upper = self.upper_tail(t.abs());
        if t > 0.0 { upper } else { 1.0 - upper }
    }

    /// P(T > a) for a > 0.
    ///
    /// Below `HILL_DF` degrees of freedom: I_x(df/2, 1/2) / 2 with
    /// x = df/(df + a^2). From there on the continued fraction of the
    /// incomplete beta function loses digits (x is within ~a^2/df of 1 and
    /// its first terms cancel: 2e-11 relative at df = 1e6, 1e-5 at 1e12), so
    /// Hill's (1970, ACM Algorithm 395) normalizing transformation is used
    /// instead:
    ///
    /// ```text
    /// w = (df - 1/2) ln(1 + a^2 / df),  b = 48 (df - 1/2)^2
    /// z = (1 + ((((-0.4 w - 3.3) w - 24) w - 85.5) / (0.8 w^2 + 100 + b) + w + 3) / b) sqrt(w)
    /// P(T > a) = Phi(-z)
    /// ```
    ///
    /// Against mpmath it is within ~1e-14 relative for df >= 1e4 and
    /// |t| <= 30.
    fn upper_tail(&self, a: f64) -> f64 {
        let t2 = a * a;
        if !t2.is_finite() {
            return 0.0;
        }
        let nu = self.df;
        if nu >= HILL_DF {
            let half = nu - 0.5;
            let b = 48.0 * half * half;
            let w = half * (t2 / nu).ln_1p();
            let z = (((((-0.4 * w - 3.3) * w - 24.0) * w - 85.5) / (0.8 * w * w + 100.0 + b) + w + 3.0) / b + 1.0)
                * w.sqrt();
            return normal_sf(z);
        }
        let denom = nu + t2;
        0.5 * beta_reg(0.5 * nu, 0.5, nu / denom, t2 / denom).0
    }

    /// The quantile: the t with P(T <= t) = p, for 0 < p < 1.
    ///
    /// Closed forms for df = 1 (Cauchy) and df = 2; otherwise a start from
    /// the Cornish-Fisher expansion around the normal quantile (Abramowitz
    /// & Stegun 26.7.5) and Newton steps on ln P(T > t), kept inside a
    /// bracket and falling back to bisection, so it converges for any df and
    /// any p a double can hold.
    pub fn quantile(&self, p: f64) -> Result<f64, DistError> {
        check_probability(p)?;
        if p == 0.5 {
            return Ok(0.0);
        }
        let q = p.min(1.0 - p);
        let t = self.upper_quantile(q)?;
        Ok(if p > 0.5 { t } else { -t })
    }

    /// The t > 0 with P(T > t) = q, 0 < q < 1/2.
    fn upper_quantile(&self, q: f64) -> Result<f64, DistError> {
        let nu = self.df;
        if nu == 1.0 {
            return Ok(1.0 / (PI * q).tan());
        }
        if nu == 2.0 {
            return Ok((1.0 - 2.0 * q) / (2.0 * q * (1.0 - q)).sqrt());
        }
        let z = -normal_quantile(q)?;
        let z2 = z * z;
        let g1 = (z2 + 1.0) * z / 4.0;
        let g2 = ((5.0 * z2 + 16.0) * z2 + 3.0) * z / 96.0;
        let g3 = (((3.0 * z2 + 19.0) * z2 + 17.0) * z2 - 15.0) * z / 384.0;
        let g4 = ((((79.0 * z2 + 776.0) * z2 + 1482.0) * z2 - 1920.0) * z2 - 945.0) * z / 92_160.0;
        let mut t = z + (g1 + (g2 + (g3 + g4 / nu) / nu) / nu) / nu;
        if !(t.is_finite() && t > 0.0) {
            t = z.max(1.0);
        }
        let ln_q = q.ln();
        // Bracket [lo, hi] with sf(lo) >= q > sf(hi).
        let mut lo = 0.0_f64;
        let mut hi = t;
        while self.sf(hi) >= q {
            lo = hi;
            hi *= 2.0;
            if !hi.is_finite() {
                return Ok(f64::MAX);
            }
        }
        for _ in 0..300 {
            let s = self.sf(t);
            let g = s.ln() - ln_q;
            if g > 0.0 {
                lo = lo.max(t);
            } else {
                hi = hi.min(t);
            }
            // d/dt ln sf(t) = -pdf(t) / sf(t).
            let slope = -self.pdf(t) / s;
            let mut next = t - g / slope;
            if !(next.is_finite() && next > lo && next < hi) {
                next = 0.5 * (lo + hi);
            }
            let step = (next - t).abs();
            t = next;
            if step <= 2e-16 * t || hi - lo <= 2e-16 * hi {
                break;
            }
        }
        Ok(t)
    }
}

// Reference values are pasted at mpmath's 17 significant digits.
#[cfg(test)]
#[allow(clippy::excessive_precision)]
mod tests {
    use super::*;

    fn rel(a: f64, b: f64) -> f64 {
        if b == 0.0 { a.abs() } else { ((a - b) / b).abs() }
    }

    /// mpmath at 40 digits (scripts/reference.py).
    #[test]
    fn sf_matches_mpmath() {
        let cases: [(f64, f64, f64); 16] = [
            (2.0, 1.0, 0.147_583_617_650_433_27),
            (2.0, 3.0, 0.069_662_984_279_421_588),
            (-1.5, 4.5, 0.899_890_457_171_923_24),
            (0.3, 10.0, 0.385_160_303_782_899_31),
            (3.0, 29.0, 0.002_749_596_066_951_703_1),
            (5.0, 2.0, 0.018_874_775_675_311_863),
            (10.0, 7.0, 1.069_710_144_538_640_6e-5),
            (40.0, 3.0, 1.719_034_039_457_926_4e-5),
            (2.5, 1000.0, 0.006_289_283_900_545_398_4),
            (4.0, 1e6, 3.167_351_700_502_405_2e-5),
            (1.0, 0.5, 0.301_121_610_841_322_08),
            // Both sides of the switch to Hill's transformation, and far out.
            (2.0, 9999.0, 0.022_763_631_680_755_053),
            (2.0, 10_000.0, 0.022_763_630_330_717_721),
            (6.0, 50_000.0, 9.933_517_623_468_985_2e-10),
            (8.0, 1e8, 6.221_026_254_114_769_1e-16),
            (3.0, 1e12, 0.001_349_898_031_663_333_4),
        ];
        for (t, df, want) in cases {
            let d = StudentT::new(df).unwrap();
            let got = d.sf(t);
            assert!(rel(got, want) < 1e-12, "sf({t}; {df}) = {got:e}, want {want:e}, rel {:e}", rel(got, want));
            assert_eq!(d.cdf(-t), got);
        }
    }

    /// Two-sided 95%, 99% and one-sided points of the familiar t table, and
    /// more, against mpmath; the brief asks for 1e-6, we hold 1e-10 relative.
    #[test]
    fn quantile_matches_table_values() {
        let cases: [(f64, f64, f64); 22] = [
            (0.975, 1.0, 12.706_204_736_174_693),
            (0.975, 2.0, 4.302_652_729_749_461_8),
            (0.975, 3.0, 3.182_446_305_283_708_4),
            (0.975, 5.0, 2.570_581_835_636_314_8),
            (0.975, 10.0, 2.228_138_851_986_274_2),
            (0.975, 29.0, 2.045_229_642_132_703_9),
            (0.975, 30.0, 2.042_272_456_301_237_9),
            (0.975, 120.0, 1.979_930_405_082_440_5),
            (0.95, 1.0, 6.313_751_514_675_037_4),
            (0.95, 4.0, 2.131_846_786_326_649_5),
            (0.95, 20.0, 1.724_718_242_920_786_8),
            (0.99, 1.0, 31.820_515_953_773_93),
            (0.99, 9.0, 2.821_437_925_025_808_2),
            (0.995, 1.0, 63.656_741_162_871_524),
            (0.995, 6.0, 3.707_428_021_324_779_1),
            (0.999, 3.0, 10.214_531_852_407_383),
            (0.9995, 5.0, 6.868_826_625_881_275_1),
            (0.6, 8.0, 0.261_921_096_748_832_31),
            (0.05, 12.0, -1.782_287_555_649_32),
            (0.001, 2.5, -13.822_193_110_865_965),
            (0.999_999, 4.0, 41.577_854_150_450_975),
            (0.99, 100_000.0, 2.326_385_165_355_267_7),
        ];
        for (p, df, want) in cases {
            let got = StudentT::new(df).unwrap().quantile(p).unwrap();
            assert!(rel(got, want) < 1e-10, "t_{p}({df}) = {got}, want {want}, rel {:e}", rel(got, want));
        }
    }

    #[test]
    fn quantile_round_trips_over_df_and_p() {
        for df in [0.3, 1.0, 1.5, 2.0, 3.0, 4.0, 7.5, 29.0, 300.0, 1e5, 1e9] {
            let d = StudentT::new(df).unwrap();
            for p in [1e-15, 1e-9, 1e-4, 0.01, 0.2, 0.49, 0.51, 0.9, 0.999, 1.0 - 1e-9] {
                let t = d.quantile(p).unwrap();
                let back = d.cdf(t);
                let q = p.min(1.0 - p);
                let back_q = if p < 0.5 { back } else { d.sf(t) };
                assert!(rel(back_q, q) < 1e-9, "df {df} p {p}: t {t}, cdf {back}");
            }
        }
    }

    #[test]
    fn large_df_approaches_the_normal() {
        let d = StudentT::new(1e12).unwrap();
        assert!((d.quantile(0.975).unwrap() - 1.959_963_984_540_054).abs() < 1e-9);
    }

    #[test]
    fn refuses_bad_parameters() {
        for df in [0.0, -1.0, f64::NAN, f64::INFINITY] {
            assert!(StudentT::new(df).is_err(), "{df}");
        }
        let d = StudentT::new(5.0).unwrap();
        for p in [0.0, 1.0, f64::NAN] {
            assert!(d.quantile(p).is_err(), "{p}");
        }
        assert!(d.sf(f64::NAN).is_nan());
        assert_eq!(d.sf(f64::INFINITY), 0.0);
        assert_eq!(d.cdf(f64::INFINITY), 1.0);
    }
}
