//! The streaming model: warm-up buffer, first fit, online recursion and the
//! refit schedule.
//!
//! Life of a [`Garch`]:
//!
//! 1. Warm-up. Each return is scaled and buffered; the step is not ready
//!    (NaN) while fewer than `min-obs` returns have been seen.
//! 2. At the `min-obs`-th return the model starts on the buffered returns,
//!    as arch would on that sample: with `estimate=true` it fits
//!    ([`fit_garch`]); with `estimate=false` it takes arch's `fix` backcast
//!    of the buffer ([`arch_backcast`]). It then runs the recursion over the
//!    buffer, and that update returns the step of the last buffered return
//!    (ready; `refitted` when a fit was made).
//! 3. Online. Each return `y` gets the variance the recursion predicted for
//!    it, its standardised residual and log-likelihood term; then
//!    `sigma2 <- omega + alpha (y - mu)^2 + beta sigma2`.
//! 4. With `refit-every = k > 0`, every `k` updates after the last fit the
//!    model re-fits on the trailing `window` returns (arch's fit of that
//!    sample: its own sample mean, backcast and starting values; the current
//!    estimates are also tried as a start) and re-runs the recursion over the
//!    window for the current variance; that step reports the refitted values.
//!
//! A fit can fail only on degenerate data (for example a window of identical
//! returns). At warm-up the model then stays not ready and tries again at
//! the next return; at a refit it keeps its parameters (`refitted` false)
//! and tries again at the next return.
//!
//! Errors: a non-finite return (or one that overflows when scaled) is
//! `InvalidInput`; a return so extreme that the next variance is not finite
//! is `Numerical`. Either way the state is unchanged.

use std::collections::VecDeque;

use crate::error::require_finite;
use crate::{ModelError, ParamValue};

use super::config::Config;
use super::dist::{Dist, normal_term, student_t_constant, student_t_term};
use super::fit::fit_garch_from;
use super::forecast::forecast_variance;
use super::recursion::{GarchParams, arch_backcast, conditional_variance, next_variance};
use super::{FitReport, GarchStep, NAME};

/// Snapshot body format; bump when the serialised fields change.
const SNAPSHOT_FORMAT: u16 = 1;

/// Longest forecast [`Garch::forecast`] produces: a guard against a host
/// asking for billions of steps (the forecasts have long converged to the
/// unconditional variance by then anyway).
pub const MAX_HORIZON: u32 = 1_000_000;

/// The model once it has parameters and is running online.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
struct Running {
    params: GarchParams,
    /// `student_t_constant(nu)` for dist=t (0 for the normal), cached off
    /// the hot path.
    t_const: f64,
    /// Variance of the next return: the recursion's next value.
    next_variance: f64,
    /// Updates since the last fit, for the refit schedule.
    since_fit: u32,
}

/// GARCH(1,1) as a streaming model (see the module documentation).
///
/// Everything needed to continue is in here and serialised by
/// [`Garch::snapshot`], so a restored model continues bit for bit.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Garch {
    config: Config,
    /// Scaled returns, oldest first, at most `window` of them. Kept while
    /// warming up and, when refits are scheduled, for the refit window;
    /// otherwise emptied once the model runs (smaller snapshots).
    buffer: VecDeque<f64>,
    /// None until the first successful fit (or fixed start).
    running: Option<Running>,
}

/// The log-likelihood term of residual `e` at variance `s2`.
#[inline(always)]
fn term(dist: Dist, t_const: f64, nu: f64, e: f64, s2: f64) -> f64 {
    match dist {
        Dist::Normal => normal_term(e, s2),
        Dist::StudentT => student_t_term(t_const, nu, e, s2),
    }
}

fn t_const_of(dist: Dist, p: &GarchParams) -> f64 {
    match dist {
        Dist::Normal => 0.0,
        Dist::StudentT => student_t_constant(p.nu),
    }
}

/// The outcome of starting the model on a sample: its running state, the
/// step of the sample's last return, and the fit if one was made.
struct Start {
    running: Running,
    last: GarchStep,
    fit: Option<super::GarchFit>,
    backcast: f64,
}

impl Garch {
    /// Build a model from `name = value` parameters (see [`super::param_specs`]).
    ///
    /// Unknown, repeated or mistyped names are refused by
    /// [`crate::Params::resolve`]; out-of-range values here, with a message
    /// naming the parameter. The fixed parameters are range-checked only
    /// when `estimate=false` (otherwise they are unused).
    pub fn new(params: &[(String, ParamValue)]) -> Result<Self, ModelError> {
        let config = Config::from_params(params)?;
        Ok(Garch { config, buffer: VecDeque::new(), running: None })
    }

    /// Every parameter in effect, defaults filled in, in spec order. `mu`,
    /// `omega`, `alpha`, `beta` (and `nu` for dist=t) are the values in use:
    /// the current estimates once fitted with `estimate=true`, so a caller
    /// can read them, or freeze them by rebuilding with `estimate=false`.
    pub fn params(&self) -> Vec<(String, ParamValue)> {
        let mut in_use = self.running.as_ref().map_or(self.config.fixed, |r| r.params);
        if self.config.dist == Dist::Normal {
            in_use.nu = self.config.fixed.nu;
        }
        self.config.to_params(&in_use)
    }

    /// Whether the model has parameters and produces ready steps.
    pub fn is_ready(&self) -> bool {
        self.running.is_some()
    }

    /// Feed one raw (unscaled) return; see the module documentation for
    /// the warm-up, online and refit behaviour.
    pub fn update(&mut self, ret: f64) -> Result<GarchStep, ModelError> {
        require_finite("ret", ret)?;
        let y = self.config.scale * ret;
        if !y.is_finite() {
            return Err(ModelError::InvalidInput(format!(
                "ret = {ret} times scale = {} is not a finite number",
                self.config.scale
            )));
        }
        match self.running {
            None => Ok(self.warm_up(y)),
            Some(_) => self.online(y),
        }
    }

    /// A step before the model runs: buffer, and start once `min-obs` is met.
    fn warm_up(&mut self, y: f64) -> GarchStep {
        self.push(y);
        if self.buffer.len() < self.config.min_obs as usize {
            return GarchStep::NOT_READY;
        }
        let sample: Vec<f64> = self.buffer.iter().copied().collect();
        match self.start(&sample, None) {
            Ok(start) => {
                self.running = Some(start.running);
                self.trim_buffer();
                start.last
            }
            // Degenerate sample: stay not ready, try again next time.
            Err(_) => GarchStep::NOT_READY,
        }
    }

    /// The online step: the hot path.
    #[inline]
    fn online(&mut self, y: f64) -> Result<GarchStep, ModelError> {
        let dist = self.config.dist;
        let Some(run) = self.running.as_mut() else {
            return Err(ModelError::NotReady("garch model is not running".into()));
        };
        let p = run.params;
        let s2 = run.next_variance;
        let e = y - p.mu;
        let loglik = term(dist, run.t_const, p.nu, e, s2);
        let forecast = next_variance(&p, e * e, s2);
        if !forecast.is_finite() {
            return Err(numerical(y, s2));
        }
        run.next_variance = forecast;
        run.since_fit = run.since_fit.saturating_add(1);
        let due = self.config.refit_every > 0 && run.since_fit >= self.config.refit_every;
        let step = GarchStep {
            variance: s2,
            forecast,
            mean: p.mu,
            std_resid: e / s2.sqrt(),
            loglik,
            ready: true,
            refitted: false,
        };
        if self.keeps_buffer() {
            self.push(y);
        }
        if due {
            let sample: Vec<f64> = self.buffer.iter().copied().collect();
            if let Ok(start) = self.start(&sample, Some(&p)) {
                self.running = Some(start.running);
                return Ok(start.last);
            }
        }
        Ok(step)
    }

    /// Start (or restart) on `sample`: fit or fix as configured, then run the
    /// recursion over it. Does not modify `self`.
    fn start(&self, sample: &[f64], warm: Option<&GarchParams>) -> Result<Start, ModelError> {
        let dist = self.config.dist;
        let (params, backcast, fit) = if self.config.estimate {
            let fit = fit_garch_from(sample, dist, warm)?;
            (fit.params, fit.backcast, Some(fit))
        } else {
            if sample.is_empty() {
                return Err(ModelError::NotReady("no returns to start from".into()));
            }
            (self.config.fixed, arch_backcast(sample), None)
        };
        let mut sigma2 = vec![0.0; sample.len()];
        let next = conditional_variance(sample, &params, backcast, &mut sigma2);
        let n = sample.len();
        let (s2, e) = (sigma2[n - 1], sample[n - 1] - params.mu);
        let t_const = t_const_of(dist, &params);
        if !(next.is_finite() && s2.is_finite() && next > 0.0) {
            return Err(ModelError::Numerical(format!(
                "the variance recursion over {n} returns is not finite (next variance {next})"
            )));
        }
        let last = GarchStep {
            variance: s2,
            forecast: next,
            mean: params.mu,
            std_resid: e / s2.sqrt(),
            loglik: term(dist, t_const, params.nu, e, s2),
            ready: true,
            refitted: fit.is_some(),
        };
        Ok(Start { running: Running { params, t_const, next_variance: next, since_fit: 0 }, last, fit, backcast })
    }

    /// Fit on these raw returns (the whole slice, ignoring `window` and
    /// `min-obs`) with arch's conventions, and leave the model at the end
    /// of the sample: [`Garch::forecast`] and further [`Garch::update`]s
    /// continue from there, and the refit schedule restarts.
    ///
    /// With `estimate=false` nothing is optimised: the fixed parameters run
    /// over the sample with arch's `fix` conventions and their
    /// log-likelihood is reported. On error the model is unchanged.
    pub fn fit(&mut self, rets: &[f64]) -> Result<FitReport, ModelError> {
        let nobs = u32::try_from(rets.len())
            .map_err(|_| ModelError::InvalidInput(format!("{} returns are too many to fit", rets.len())))?;
        if rets.is_empty() {
            return Err(ModelError::NotReady("fit needs at least one return".into()));
        }
        let mut sample = Vec::with_capacity(rets.len());
        for (i, &r) in rets.iter().enumerate() {
            let y = self.config.scale * require_finite("ret", r).map_err(|e| at_index(e, i))?;
            if !y.is_finite() {
                return Err(ModelError::InvalidInput(format!(
                    "return {i} = {r} times scale = {} is not a finite number",
                    self.config.scale
                )));
            }
            sample.push(y);
        }
        let start = self.start(&sample, None)?;
        let dist = self.config.dist;
        let p = start.running.params;
        let (loglik, iterations, converged) = match &start.fit {
            Some(f) => (f.loglik, f.iterations, f.converged),
            None => (super::loglikelihood(&sample, &p, dist, start.backcast), 0, true),
        };
        if !loglik.is_finite() {
            return Err(ModelError::Numerical(format!("the log-likelihood of the sample is {loglik}")));
        }
        let mut names = vec![("mu", p.mu), ("omega", p.omega), ("alpha", p.alpha), ("beta", p.beta)];
        if dist == Dist::StudentT {
            names.push(("nu", p.nu));
        }
        self.running = Some(start.running);
        let keep = (self.config.window as usize).min(sample.len());
        self.buffer = sample[sample.len() - keep..].iter().copied().collect();
        self.trim_buffer();
        Ok(FitReport {
            params: names.into_iter().map(|(n, v)| (n.to_string(), ParamValue::Float(v))).collect(),
            loglik,
            nobs,
            iterations,
            converged,
        })
    }

    /// Variance forecasts for 1..=`horizon` steps ahead, scaled units, from
    /// the last return seen (arch's analytic forecast). `NotReady` before
    /// the model has parameters.
    pub fn forecast(&self, horizon: u32) -> Result<Vec<f64>, ModelError> {
        let Some(run) = &self.running else {
            return Err(ModelError::NotReady(format!(
                "garch has no parameters yet: it needs min-obs = {} returns (has {}) or a fit()",
                self.config.min_obs,
                self.buffer.len()
            )));
        };
        if horizon == 0 || horizon > MAX_HORIZON {
            return Err(ModelError::InvalidInput(format!("horizon must be in [1, {MAX_HORIZON}], got {horizon}")));
        }
        Ok(forecast_variance(&run.params, run.next_variance, horizon as usize))
    }

    /// The full state as bytes (header naming the model and format, then
    /// the fields), for hot swap and crash recovery.
    pub fn snapshot(&self) -> Vec<u8> {
        crate::snapshot::encode(NAME, SNAPSHOT_FORMAT, self)
    }

    /// Rebuild a model from [`Garch::snapshot`] bytes; it continues bit for
    /// bit where the original left off.
    ///
    /// The decoded state is validated (settings in range, buffer finite and
    /// within the window, parameters admissible, cached values consistent),
    /// so a corrupt snapshot is an `InvalidSnapshot` error rather than a
    /// model producing garbage.
    pub fn restore(bytes: &[u8]) -> Result<Self, ModelError> {
        let g: Garch = crate::snapshot::decode(NAME, SNAPSHOT_FORMAT, bytes)?;
        let bad = |m: String| ModelError::InvalidSnapshot(format!("garch snapshot: {m}"));
        g.config.check().map_err(|e| bad(e.to_string()))?;
        if g.buffer.len() > g.config.window as usize {
            return Err(bad(format!("{} buffered returns exceed window {}", g.buffer.len(), g.config.window)));
        }
        if g.buffer.iter().any(|v| !v.is_finite()) {
            return Err(bad("buffered returns are not all finite".into()));
        }
        if let Some(run) = &g.running {
            let dist = g.config.dist;
            if !run.params.is_admissible(dist) {
                return Err(bad(format!("parameters {:?} are not admissible", run.params)));
            }
            if !g.config.estimate && run.params != g.config.fixed {
                return Err(bad("running parameters differ from the fixed ones".into()));
            }
            if run.t_const.to_bits() != t_const_of(dist, &run.params).to_bits() {
                return Err(bad("cached Student-t constant does not match nu".into()));
            }
            if !(run.next_variance > 0.0 && run.next_variance.is_finite()) {
                return Err(bad(format!("next variance {} is not positive and finite", run.next_variance)));
            }
        }
        Ok(g)
    }

    /// Whether the buffer is still needed: before the first fit, and for
    /// scheduled refits.
    fn keeps_buffer(&self) -> bool {
        self.running.is_none() || (self.config.estimate && self.config.refit_every > 0)
    }

    /// Drop the buffer when it will not be needed again.
    fn trim_buffer(&mut self) {
        if !self.keeps_buffer() {
            self.buffer = VecDeque::new();
        }
    }

    /// Append a scaled return, keeping the last `window`.
    fn push(&mut self, y: f64) {
        if self.buffer.len() >= self.config.window as usize {
            self.buffer.pop_front();
        }
        self.buffer.push_back(y);
    }
}

/// Prefix an input error with the index of the offending return.
fn at_index(e: ModelError, i: usize) -> ModelError {
    match e {
        ModelError::InvalidInput(m) => ModelError::InvalidInput(format!("return {i}: {m}")),
        other => other,
    }
}

/// The `Numerical` error of the online step, out of line: the hot path
/// should not carry the formatting code.
#[cold]
#[inline(never)]
fn numerical(y: f64, s2: f64) -> ModelError {
    ModelError::Numerical(format!(
        "garch update with scaled return {y} at variance {s2} gives a next variance that is not finite; \
         the return was not applied"
    ))
}
