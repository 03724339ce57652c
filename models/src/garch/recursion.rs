//! The GARCH(1,1) parameters, arch's backcast and the variance recursion.
//!
//! ```text
//! e_t      = y_t - mu
//! sigma2_0 = omega + alpha * bc + beta * bc
//! sigma2_t = omega + alpha * e_{t-1}^2 + beta * sigma2_{t-1},   t >= 1
//! ```
//!
//! `bc` is arch's backcast: an EWMA (weights 0.94^i, normalised) of the
//! first min(75, n) squared residuals, standing in for both the squared
//! residual and the variance before the sample. The sums are taken in arch's
//! order (`garch_recursion`: omega, then the alpha term, then the beta term),
//! so the variances agree with arch's to the last bits.
//!
//! arch also clips each sigma2_t to "variance bounds" derived from an EWMA of
//! the whole sample. They are deliberately loose (a factor of 10^6 around
//! the EWMA, at least var/1e8 and 1 + max e^2) and only guard the optimiser
//! against NaN; they cannot be computed causally (they need the whole
//! sample), and the reference script checks they bind nowhere in any case.
//! We do not apply them: omega > 0 and alpha, beta >= 0 already keep every
//! sigma2_t positive.

use crate::ModelError;

use super::Dist;

/// Decay of arch's backcast EWMA (`VolatilityProcess.backcast`).
pub const BACKCAST_DECAY: f64 = 0.94;

/// Number of leading residuals arch's backcast averages over (at most).
pub const BACKCAST_OBS: usize = 75;

/// The model's parameters, in arch's order (mean, volatility, distribution).
///
/// `nu` only means something for [`Dist::StudentT`]; for the normal
/// distribution it is carried along and ignored, so one struct serves both.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct GarchParams {
    /// Constant conditional mean of the (scaled) returns.
    pub mu: f64,
    /// Variance intercept; > 0.
    pub omega: f64,
    /// Weight of the last squared residual (ARCH term); >= 0.
    pub alpha: f64,
    /// Weight of the last variance (GARCH term); >= 0, alpha + beta < 1.
    pub beta: f64,
    /// Student-t degrees of freedom; > 2. Ignored for the normal.
    pub nu: f64,
}

impl GarchParams {
    /// Check the constraints a user-given (fixed) parameter set must meet,
    /// naming the offending parameter: omega > 0, alpha >= 0, beta >= 0,
    /// alpha + beta < 1 (a finite unconditional variance), and nu > 2 for
    /// the Student-t (a finite variance to standardise by).
    pub fn check(&self, dist: Dist) -> Result<(), ModelError> {
        let bad = |m: String| Err(ModelError::InvalidParams(m));
        if !self.mu.is_finite() {
            return bad(format!("mu must be a finite number, got {}", self.mu));
        }
        if !(self.omega > 0.0 && self.omega.is_finite()) {
            return bad(format!("omega must be > 0 and finite, got {}", self.omega));
        }
        if !(self.alpha >= 0.0 && self.alpha.is_finite()) {
            return bad(format!("alpha must be >= 0, got {}", self.alpha));
        }
        if !(self.beta >= 0.0 && self.beta.is_finite()) {
            return bad(format!("beta must be >= 0, got {}", self.beta));
        }
        if !(self.alpha + self.beta < 1.0) {
            return bad(format!(
                "alpha + beta must be < 1 (finite unconditional variance), got alpha = {} + beta = {} = {}",
                self.alpha,
                self.beta,
                self.alpha + self.beta
            ));
        }
        if dist == Dist::StudentT && !(self.nu > 2.0 && self.nu.is_finite()) {
            return bad(format!("nu must be > 2 and finite for dist=t, got {}", self.nu));
        }
        Ok(())
    }

    /// Whether the parameters are inside the region the estimator searches
    /// (arch's constraints, alpha + beta = 1 allowed): what a fitted or
    /// restored parameter set must satisfy for the recursion to stay sane.
    pub fn is_admissible(&self, dist: Dist) -> bool {
        let base = self.mu.is_finite()
            && self.omega > 0.0
            && self.omega.is_finite()
            && self.alpha >= 0.0
            && self.beta >= 0.0
            && self.alpha + self.beta <= 1.0;
        base && (dist == Dist::Normal || (self.nu > 2.0 && self.nu.is_finite()))
    }

    /// The estimated parameters as a vector in arch's order (nu only for t).
    pub fn to_vec(&self, dist: Dist) -> Vec<f64> {
        let mut v = vec![self.mu, self.omega, self.alpha, self.beta];
        if dist == Dist::StudentT {
            v.push(self.nu);
        }
        v
    }
}

/// arch's backcast of a residual series: `sum_i w_i e_i^2` over the first
/// `min(75, n)` residuals with `w_i = 0.94^i / sum_j 0.94^j`.
///
/// Returns NaN for an empty series (arch would divide by zero too).
pub fn backcast(resids: &[f64]) -> f64 {
    let tau = resids.len().min(BACKCAST_OBS);
    let mut wsum = 0.0;
    let mut w = [0.0; BACKCAST_OBS];
    for (i, wi) in w.iter_mut().enumerate().take(tau) {
        *wi = libm::pow(BACKCAST_DECAY, i as f64);
        wsum += *wi;
    }
    let mut acc = 0.0;
    for (e, wi) in resids.iter().zip(&w).take(tau) {
        acc += e * e * (wi / wsum);
    }
    if tau == 0 { f64::NAN } else { acc }
}

/// The sample mean: arch's starting value for `mu` (the OLS estimate of a
/// constant mean), at which both `fit` and `fix` take their backcast.
pub fn sample_mean(y: &[f64]) -> f64 {
    y.iter().sum::<f64>() / y.len() as f64
}

/// The backcast arch's `fit` *and* `fix` use for the sample `y`: the
/// [`backcast`] of the residuals at the sample mean, `y - mean(y)`.
///
/// arch computes it once, before estimation, from the starting value of
/// `mu`; it is not recomputed as `mu` changes during the fit, and `fix`
/// does not use the fixed `mu` either (base.py: `fix` takes
/// `self.resids(self.starting_values())`).
pub fn arch_backcast(y: &[f64]) -> f64 {
    let m = sample_mean(y);
    let tau = y.len().min(BACKCAST_OBS);
    let head: Vec<f64> = y[..tau].iter().map(|v| v - m).collect();
    backcast(&head)
}

/// Run the recursion over `y`, writing sigma2_t (the variance of `y[t]`
/// given the past) into `sigma2[t]`; returns the variance of the next,
/// unseen observation (the one-step forecast from the end of the sample).
///
/// # Panics
/// If `sigma2` is shorter than `y`.
pub fn conditional_variance(y: &[f64], p: &GarchParams, backcast: f64, sigma2: &mut [f64]) -> f64 {
    assert!(sigma2.len() >= y.len(), "sigma2 has {} slots for {} observations", sigma2.len(), y.len());
    let (mut e2_prev, mut s2_prev) = (backcast, backcast);
    for (yt, s2) in y.iter().zip(sigma2.iter_mut()) {
        let v = next_variance(p, e2_prev, s2_prev);
        *s2 = v;
        let e = yt - p.mu;
        e2_prev = e * e;
        s2_prev = v;
    }
    next_variance(p, e2_prev, s2_prev)
}

/// One step of the recursion, `omega + alpha * e2 + beta * sigma2`, summed
/// in arch's order so batch and online results are bit-identical.
#[inline(always)]
pub fn next_variance(p: &GarchParams, e2_prev: f64, sigma2_prev: f64) -> f64 {
    let mut s = p.omega;
    s += p.alpha * e2_prev;
    s += p.beta * sigma2_prev;
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params() -> GarchParams {
        GarchParams { mu: 0.1, omega: 0.02, alpha: 0.1, beta: 0.85, nu: 8.0 }
    }

    #[test]
    fn backcast_weights_are_arch_ewma() {
        // Constant squared residuals: the weights sum to one.
        assert!((backcast(&[2.0; 200]) - 4.0).abs() < 1e-14);
        // Only the first 75 count.
        let mut r = vec![1.0; 75];
        r.extend([100.0; 10]);
        assert!((backcast(&r) - 1.0).abs() < 1e-14);
        // Shorter series: all of it, first weight largest.
        let b = backcast(&[1.0, 0.0]);
        assert!((b - 1.0 / 1.94).abs() < 1e-15, "{b}");
        assert!(backcast(&[]).is_nan());
    }

    #[test]
    fn arch_backcast_uses_the_sample_mean() {
        let y: Vec<f64> = (0..100).map(|i| (i as f64 * 0.37).sin() + 0.5).collect();
        let m = sample_mean(&y);
        let r: Vec<f64> = y.iter().map(|v| v - m).collect();
        assert_eq!(arch_backcast(&y), backcast(&r));
    }

    #[test]
    fn recursion_starts_from_the_backcast() {
        let p = params();
        let y = [0.5, -1.0, 2.0];
        let mut s = [0.0; 3];
        let next = conditional_variance(&y, &p, 1.5, &mut s);
        assert_eq!(s[0], 0.02 + 0.1 * 1.5 + 0.85 * 1.5);
        assert_eq!(s[1], 0.02 + 0.1 * (0.4 * 0.4) + 0.85 * s[0]);
        let e2 = (2.0f64 - 0.1) * (2.0 - 0.1);
        assert_eq!(next, 0.02 + 0.1 * e2 + 0.85 * s[2]);
    }

    #[test]
    fn check_names_the_parameter() {
        let ok = params();
        assert!(ok.check(Dist::StudentT).is_ok());
        for (p, name) in [
            (GarchParams { omega: 0.0, ..ok }, "omega"),
            (GarchParams { alpha: -0.1, ..ok }, "alpha"),
            (GarchParams { beta: f64::NAN, ..ok }, "beta"),
            (GarchParams { alpha: 0.2, beta: 0.8, ..ok }, "alpha + beta"),
            (GarchParams { nu: 2.0, ..ok }, "nu"),
            (GarchParams { mu: f64::INFINITY, ..ok }, "mu"),
        ] {
            let e = p.check(Dist::StudentT).unwrap_err().to_string();
            assert!(e.contains(name), "{e}");
        }
        // nu is ignored for the normal.
        assert!(GarchParams { nu: 1.0, ..ok }.check(Dist::Normal).is_ok());
    }
}
