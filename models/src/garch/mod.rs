//! GARCH(1,1) with a constant mean and normal or Student-t errors, matching
//! Python `arch` 8.0.0 (`arch_model(y, mean='Constant', vol='GARCH', p=1,
//! q=1, dist=...)`).
//!
//! A strategy sizes positions by the variance it expects of the next
//! return; GARCH(1,1) is the workhorse for that. This module is the model's
//! math, used natively and by the `volatility` WebAssembly component:
//!
//! ```text
//! y_t      = scale * r_t                      (scale = 100: percent, as arch users pass)
//! e_t      = y_t - mu
//! sigma2_t = omega + alpha * e_{t-1}^2 + beta * sigma2_{t-1}
//! e_t      = sqrt(sigma2_t) * z_t,  z_t ~ N(0, 1) or unit-variance Student-t(nu)
//! ```
//!
//! Conventions (all arch's; see `plugins/garch/README.md` for the full list):
//!
//! - The recursion starts from arch's *backcast*: an EWMA (weights 0.94^i,
//!   normalised) of the first min(75, n) squared residuals at the *sample
//!   mean*, used as both e_{-1}^2 and sigma2_{-1}. arch computes it once,
//!   before estimation, and `fix` uses the same sample-mean residuals, not
//!   the fixed `mu` ([`arch_backcast`]).
//! - Log-likelihood terms include all constants ([`dist`]).
//! - Estimation: arch's starting values, bounds and constraints
//!   ([`fit_garch`]), optimised by an active-set BFGS with analytic
//!   gradients instead of arch's SLSQP with numerical ones.
//! - arch's loose "variance bounds" are not applied; they bind nowhere in
//!   the reference cases (checked by the reference script) and need the
//!   whole sample, which an online model does not have.
//!
//! Module layout, one job each: `recursion` (parameters, backcast, variance
//! recursion), `dist` (log densities), `likelihood` (value and analytic
//! gradient), `logsum` (blockwise sums of logs for the optimiser),
//! `optimizer` (constrained BFGS), `fit` (arch's estimation conventions),
//! `forecast`, `config` (component parameters) and `online` (the streaming
//! [`Garch`] model).

mod config;
mod dist;
mod fit;
mod forecast;
mod likelihood;
mod logsum;
mod online;
mod optimizer;
mod recursion;
#[cfg(test)]
mod simulated;

pub use config::{MAX_WINDOW, param_specs};
pub use dist::{Dist, LN_2PI, NU_BOUNDS, digamma, normal_term, student_t_constant, student_t_term};
pub use fit::{
    FIT_MAX_ITERATIONS, FIT_TOLERANCE, GarchFit, SECOND_START_MAX_NOBS, fit_garch, fit_garch_from, starting_values,
};
pub use forecast::forecast_variance;
pub use likelihood::{loglikelihood, loglikelihood_gradient, loglikelihood_terms};
pub use online::{Garch, MAX_HORIZON};
pub use recursion::{
    BACKCAST_DECAY, BACKCAST_OBS, GarchParams, arch_backcast, backcast, conditional_variance, next_variance,
    sample_mean,
};

use crate::ParamValue;

/// Component name: the snapshot header and `describe()` use it.
pub const NAME: &str = "garch";

/// Model version, reported by `describe()` so a host can tell builds apart.
pub const VERSION: &str = "0.1.0";

/// One-paragraph summary for `describe()` and `plugin inspect`.
pub const DESCRIPTION: &str = "GARCH(1,1) volatility with a constant mean and normal or Student-t errors, \
matching Python arch 8.0.0 (arch_model(100 * r, mean='Constant', vol='GARCH', p=1, q=1)). Returns are \
multiplied by `scale` (100 = percent). After `min-obs` returns the model is fitted by maximum likelihood \
(or, with estimate=false, runs fixed parameters) with arch's conventions: variance recursion started from \
arch's backcast (EWMA 0.94 of the first 75 squared residuals at the sample mean), arch's starting values and \
bounds. It then updates online, optionally re-fitting on the trailing `window` every `refit-every` returns. \
Each return yields the variance known before it, the next-step variance forecast, the mean, the standardised \
residual and its log-likelihood term.";

/// Output column names, in the order of [`GarchStep`]'s fields and of
/// [`GarchStep::values`]; `ready` and `refitted` are written as 0/1.
pub const OUTPUTS: &[&str] = &["variance", "forecast", "mean", "std_resid", "loglik", "ready", "refitted"];

/// Everything one return produces; fields in [`OUTPUTS`] order. Variances
/// are in scaled units (percent squared by default).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GarchStep {
    /// Conditional variance of this return, known before it was seen (what
    /// a strategy could have acted on). NaN while not ready.
    pub variance: f64,
    /// Conditional variance of the next return (the one-step forecast).
    pub forecast: f64,
    /// Conditional mean of this return (`mu`).
    pub mean: f64,
    /// `(return - mean) / sqrt(variance)`.
    pub std_resid: f64,
    /// This return's log-likelihood term given the past, constants
    /// included, as arch's distribution computes it.
    pub loglik: f64,
    /// False while warming up (fewer than `min-obs` returns, or no
    /// successful fit yet); the other fields are NaN then.
    pub ready: bool,
    /// True on the steps at which the parameters were estimated: the first
    /// fit and every scheduled refit (never with estimate=false).
    pub refitted: bool,
}

impl GarchStep {
    /// The step of a model that is not ready yet: every number NaN.
    pub const NOT_READY: GarchStep = GarchStep {
        variance: f64::NAN,
        forecast: f64::NAN,
        mean: f64::NAN,
        std_resid: f64::NAN,
        loglik: f64::NAN,
        ready: false,
        refitted: false,
    };

    /// The fields as numbers in [`OUTPUTS`] order (flags as 0/1), so batch
    /// code and CSV writers can fill columns without naming every field.
    #[inline]
    pub fn values(&self) -> [f64; 7] {
        [
            self.variance,
            self.forecast,
            self.mean,
            self.std_resid,
            self.loglik,
            if self.ready { 1.0 } else { 0.0 },
            if self.refitted { 1.0 } else { 0.0 },
        ]
    }
}

/// Result of [`Garch::fit`], mirroring the WIT `fit-report`.
#[derive(Debug, Clone, PartialEq)]
pub struct FitReport {
    /// The parameters in effect after the fit, as floats: mu, omega, alpha,
    /// beta, and nu for dist=t (the fixed ones when estimate=false).
    pub params: Vec<(String, ParamValue)>,
    /// The sample log-likelihood at those parameters, constants included.
    pub loglik: f64,
    /// Number of returns used.
    pub nobs: u32,
    /// Quasi-Newton iterations (0 when estimate=false).
    pub iterations: u32,
    /// Whether the optimiser met its convergence test (true when
    /// estimate=false: nothing to converge).
    pub converged: bool,
}
