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
    #[inline]
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
    /// Out of line, so that the online step inlines into batch loops.
    #[inline(never)]
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
    #[inline(always)]
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
        if due && let Some(refitted) = self.refit(&p) {
            return Ok(refitted);
        }
        Ok(step)
    }

    /// Re-estimate on the buffered window, warm-started from `p`; the step
    /// of the last return under the new parameters, or `None` (keep the
    /// old ones) if the fit fails. Out of line: rare, and large.
    #[inline(never)]
    fn refit(&mut self, p: &GarchParams) -> Option<GarchStep> {
        let sample: Vec<f64> = self.buffer.iter().copied().collect();
        let start = self.start(&sample, Some(p)).ok()?;
        self.running = Some(start.running);
        Some(start.last)
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::garch::simulated::Simulation;
    use crate::garch::{OUTPUTS, param_specs};

    fn f(name: &str, v: f64) -> (String, ParamValue) {
        (name.to_string(), ParamValue::Float(v))
    }
    fn i(name: &str, v: i64) -> (String, ParamValue) {
        (name.to_string(), ParamValue::Int(v))
    }
    fn flag(name: &str, v: bool) -> (String, ParamValue) {
        (name.to_string(), ParamValue::Flag(v))
    }
    fn text(name: &str, v: &str) -> (String, ParamValue) {
        (name.to_string(), ParamValue::Text(v.to_string()))
    }

    /// Raw (fractional) returns with GARCH volatility from a fixed stream.
    fn returns(n: usize) -> Vec<f64> {
        let sim = Simulation {
            seed: 0x0123_4567_89ab_cdef,
            mu: 0.05,
            omega: 0.02,
            alpha: 0.09,
            beta: 0.89,
            initial_variance: 1.2,
        };
        sim.series(n).into_iter().map(|r| r / 100.0).collect()
    }

    fn err_of(params: &[(String, ParamValue)]) -> String {
        match Garch::new(params) {
            Ok(_) => panic!("{params:?} was accepted"),
            Err(e @ ModelError::InvalidParams(_)) => e.to_string(),
            Err(e) => panic!("{params:?}: wrong error kind {e:?}"),
        }
    }

    #[test]
    fn specs_outputs_and_defaults_agree() {
        let names: Vec<&str> = param_specs().iter().map(|s| s.name).collect();
        assert_eq!(
            names,
            ["dist", "scale", "window", "min-obs", "refit-every", "estimate", "mu", "omega", "alpha", "beta", "nu"]
        );
        let g = Garch::new(&[]).unwrap();
        for ((name, value), spec) in g.params().iter().zip(param_specs()) {
            assert_eq!(name, spec.name);
            assert_eq!(*value, spec.default);
        }
        assert_eq!(OUTPUTS.len(), GarchStep::NOT_READY.values().len());
        // The default fixed parameters are valid fixed parameters.
        assert!(Garch::new(&[flag("estimate", false)]).is_ok());
        assert!(Garch::new(&[flag("estimate", false), text("dist", "t")]).is_ok());
        // Rebuilding from params() gives the same model.
        let g = Garch::new(&[text("dist", "t"), i("window", 400), i("min-obs", 100), i("refit-every", 20)]).unwrap();
        assert_eq!(Garch::new(&g.params()).unwrap().snapshot(), g.snapshot());
    }

    #[test]
    fn invalid_params_are_refused_naming_them() {
        let fixed = |extra: Vec<(String, ParamValue)>| {
            let mut p = vec![flag("estimate", false)];
            p.extend(extra);
            p
        };
        for (params, name) in [
            (vec![text("dist", "gaussian")], "dist"),
            (vec![f("scale", 0.0)], "scale"),
            (vec![f("scale", -100.0)], "scale"),
            (vec![f("scale", f64::NAN)], "scale"),
            (vec![i("window", 0)], "window"),
            (vec![i("window", MAX_WINDOW_TEST + 1)], "window"),
            (vec![i("min-obs", 0)], "min-obs"),
            (vec![i("window", 100), i("min-obs", 101)], "min-obs"),
            (vec![i("min-obs", 1)], "min-obs"),
            (vec![i("refit-every", -1)], "refit-every"),
            (fixed(vec![i("refit-every", 5)]), "refit-every"),
            (fixed(vec![f("omega", 0.0)]), "omega"),
            (fixed(vec![f("omega", -0.1)]), "omega"),
            (fixed(vec![f("alpha", -0.01)]), "alpha"),
            (fixed(vec![f("beta", -0.01)]), "beta"),
            (fixed(vec![f("alpha", 0.2), f("beta", 0.8)]), "alpha + beta"),
            (fixed(vec![text("dist", "t"), f("nu", 2.0)]), "nu"),
            (fixed(vec![f("mu", f64::INFINITY)]), "mu"),
            (vec![f("beta", f64::NAN)], "beta"),
            (vec![f("window", 10.0)], "window"),
            (vec![f("Omega", 1.0)], "Omega"),
        ] {
            let msg = err_of(&params);
            assert!(msg.contains(name), "{params:?}: {msg}");
        }
        // Fixed parameters are unused, so not range-checked, when estimating.
        assert!(Garch::new(&[f("alpha", 0.5), f("beta", 0.6)]).is_ok());
        // min-obs = 1 is fine for fixed parameters.
        assert!(Garch::new(&[flag("estimate", false), i("min-obs", 1)]).is_ok());
    }

    const MAX_WINDOW_TEST: i64 = crate::garch::MAX_WINDOW;

    #[test]
    fn warm_up_then_first_fit_reports_the_last_buffered_return() {
        let r = returns(400);
        let params = [i("min-obs", 300), i("window", 300)];
        let mut g = Garch::new(&params).unwrap();
        for (t, &x) in r[..299].iter().enumerate() {
            let s = g.update(x).unwrap();
            assert!(!s.ready && !s.refitted && s.values()[..5].iter().all(|v| v.is_nan()), "step {t}");
            assert!(matches!(g.forecast(1), Err(ModelError::NotReady(_))));
        }
        let s = g.update(r[299]).unwrap();
        assert!(s.ready && s.refitted);
        // The same as fit() on those 300 returns.
        let mut h = Garch::new(&params).unwrap();
        let report = h.fit(&r[..300]).unwrap();
        assert!(report.converged);
        assert_eq!(g.snapshot(), h.snapshot());
        assert_eq!(s.forecast, h.forecast(1).unwrap()[0]);
        assert_eq!(ParamValue::Float(s.mean), g.params()[6].1);
        // params() reports the estimates.
        let ParamValue::Float(alpha) = g.params()[8].1 else { panic!() };
        assert_eq!(ParamValue::Float(alpha), report.params[2].1);
        // Online from here: each step's variance is the previous forecast.
        let mut prev = s.forecast;
        for &x in &r[300..] {
            let s = g.update(x).unwrap();
            assert!(s.ready && !s.refitted);
            assert_eq!(s.variance, prev);
            prev = s.forecast;
        }
    }

    #[test]
    fn refit_schedule_refits_exactly_every_k_updates() {
        let r = returns(900);
        let (m, k) = (250usize, 40usize);
        let mut g =
            Garch::new(&[i("min-obs", m as i64), i("window", 400), i("refit-every", k as i64), text("dist", "t")])
                .unwrap();
        let steps: Vec<GarchStep> = r.iter().map(|&x| g.update(x).unwrap()).collect();
        let refits: Vec<usize> = (0..steps.len()).filter(|&t| steps[t].refitted).collect();
        let want: Vec<usize> = (m - 1..r.len()).step_by(k).collect();
        assert_eq!(refits, want);
        // A refit step is arch's fit of the trailing window (its own backcast
        // and starting values), whatever the warm start.
        for &t in &refits[1..] {
            let lo = (t + 1).saturating_sub(400);
            let mut h = Garch::new(&[i("min-obs", 2), i("window", 400), text("dist", "t")]).unwrap();
            h.fit(&r[lo..=t]).unwrap();
            let fc = h.forecast(1).unwrap()[0];
            assert!((steps[t].forecast - fc).abs() < 1e-5 * fc, "step {t}: {} vs {fc}", steps[t].forecast);
        }
        // Estimates change at refits and only there.
        let mut g2 = Garch::new(&[i("min-obs", m as i64), i("window", 400), i("refit-every", k as i64)]).unwrap();
        let mut last = None;
        for (t, &x) in r.iter().enumerate() {
            let s = g2.update(x).unwrap();
            if s.ready {
                let now = g2.params()[6..10].to_vec();
                if let Some(prev) = &last {
                    assert_eq!(s.refitted, *prev != now, "step {t}");
                }
                last = Some(now);
            }
        }
    }

    #[test]
    fn non_finite_input_is_refused_and_changes_nothing() {
        let r = returns(400);
        for params in [vec![i("min-obs", 300), i("refit-every", 10)], vec![flag("estimate", false), i("min-obs", 50)]] {
            let mut g = Garch::new(&params).unwrap();
            for (n, &x) in r.iter().enumerate() {
                if n % 97 == 0 {
                    let before = g.snapshot();
                    for bad in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY, 1e307] {
                        match g.update(bad) {
                            Err(e @ ModelError::InvalidInput(_)) => {
                                assert!(e.to_string().contains("ret"), "{e}")
                            }
                            other => panic!("{bad} gave {other:?}"),
                        }
                        assert_eq!(g.snapshot(), before);
                    }
                    if g.is_ready() {
                        // Finite when scaled, but its square overflows.
                        assert!(matches!(g.update(1e303), Err(ModelError::Numerical(_))));
                        assert_eq!(g.snapshot(), before);
                    }
                }
                g.update(x).unwrap();
            }
        }
    }

    #[test]
    fn snapshot_restore_continues_bit_for_bit() {
        let r = returns(700);
        for params in [
            vec![text("dist", "t"), i("min-obs", 200), i("window", 300), i("refit-every", 60)],
            vec![flag("estimate", false), i("min-obs", 100), text("dist", "t")],
            vec![i("min-obs", 250)],
        ] {
            for cut in [0, 150, 260, 333] {
                let mut a = Garch::new(&params).unwrap();
                for &x in &r[..cut] {
                    a.update(x).unwrap();
                }
                let bytes = a.snapshot();
                let mut b = Garch::restore(&bytes).unwrap();
                assert_eq!(b.snapshot(), bytes);
                for &x in &r[cut..] {
                    let sa = a.update(x).unwrap().values().map(f64::to_bits);
                    let sb = b.update(x).unwrap().values().map(f64::to_bits);
                    assert_eq!(sa, sb);
                }
                assert_eq!(a.snapshot(), b.snapshot());
                assert_eq!(a.forecast(5).unwrap(), b.forecast(5).unwrap());
            }
        }
    }

    #[test]
    fn buffer_is_dropped_when_no_refit_can_need_it() {
        let r = returns(300);
        let mut g = Garch::new(&[i("min-obs", 250)]).unwrap();
        for &x in &r {
            g.update(x).unwrap();
        }
        assert!(g.buffer.is_empty());
        let mut g = Garch::new(&[i("min-obs", 250), i("window", 260), i("refit-every", 5)]).unwrap();
        for &x in &r {
            g.update(x).unwrap();
        }
        assert_eq!(g.buffer.len(), 260);
    }

    #[test]
    fn corrupt_snapshots_are_refused() {
        let r = returns(300);
        let mut g = Garch::new(&[text("dist", "t"), i("min-obs", 250), i("refit-every", 10)]).unwrap();
        for &x in &r {
            g.update(x).unwrap();
        }
        let good = g.snapshot();
        let is_invalid = |bytes: &[u8]| matches!(Garch::restore(bytes), Err(ModelError::InvalidSnapshot(_)));
        assert!(is_invalid(&[]));
        assert!(is_invalid(&good[..good.len() - 1]));
        let mut trailing = good.clone();
        trailing.push(0);
        assert!(is_invalid(&trailing));
        assert!(is_invalid(&crate::snapshot::encode("kalman", SNAPSHOT_FORMAT, &g)));
        let mutate = |f: &dyn Fn(&mut Garch)| {
            let mut b = g.clone();
            f(&mut b);
            is_invalid(&b.snapshot())
        };
        assert!(mutate(&|b| b.config.min_obs = b.config.window + 1));
        assert!(mutate(&|b| b.buffer.push_back(f64::NAN)));
        assert!(mutate(&|b| b.running.as_mut().unwrap().params.omega = -1.0));
        assert!(mutate(&|b| b.running.as_mut().unwrap().t_const += 1e-3));
        assert!(mutate(&|b| b.running.as_mut().unwrap().next_variance = 0.0));
        assert!(mutate(&|b| {
            let w = b.config.window as usize;
            while b.buffer.len() <= w {
                b.buffer.push_back(0.1);
            }
        }));
        for k in 0..good.len() {
            let mut b = good.clone();
            b[k] ^= 0x5a;
            let _ = Garch::restore(&b);
        }
    }

    #[test]
    fn forecast_needs_a_fit_and_a_sane_horizon() {
        let mut g = Garch::new(&[]).unwrap();
        match g.forecast(3) {
            Err(e @ ModelError::NotReady(_)) => assert!(e.to_string().contains("min-obs"), "{e}"),
            other => panic!("{other:?}"),
        }
        g.fit(&returns(300)).unwrap();
        assert_eq!(g.forecast(7).unwrap().len(), 7);
        assert!(matches!(g.forecast(0), Err(ModelError::InvalidInput(_))));
        assert!(matches!(g.forecast(MAX_HORIZON + 1), Err(ModelError::InvalidInput(_))));
    }

    #[test]
    fn degenerate_warm_up_waits_instead_of_failing() {
        let mut g = Garch::new(&[i("min-obs", 20), i("window", 30)]).unwrap();
        for _ in 0..40 {
            let s = g.update(0.0).unwrap();
            assert!(!s.ready);
        }
        let r = returns(60);
        let mut became_ready = false;
        for &x in &r {
            became_ready |= g.update(x).unwrap().ready;
        }
        assert!(became_ready && g.is_ready());
    }
}
