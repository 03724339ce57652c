//! Kalman filter dynamic hedge ratio: `y_t = alpha_t + beta_t * x_t + e_t`.
//!
//! A pairs strategy needs the current hedge ratio of two legs, and the ratio
//! drifts. This model treats the regression coefficients as a hidden state
//! that follows a random walk and tracks it with a Kalman filter, one
//! observation at a time, so the estimate adapts without re-fitting a window:
//!
//! ```text
//! y_t = H_t s_t + e_t,     H_t = [1, x_t],   e_t ~ N(0, ve)
//! s_t = s_{t-1} + w_t,     s_t = (alpha_t, beta_t)',   w_t ~ N(0, W)
//! W   = delta / (1 - delta) * I
//! ```
//!
//! Conventions follow `pykalman`'s `KalmanFilter.filter` exactly (the
//! reference the fixtures in `tests/fixtures/reference/kalman/` come from):
//!
//! - At the first observation (t = 0) the predicted state *is* the prior
//!   `(initial-alpha, initial-beta)` with covariance `initial-var * I`: no
//!   transition is applied and `W` is not added. From t = 1 on, the predicted
//!   state is the previous filtered state and its covariance is the previous
//!   filtered covariance plus `W`. (pykalman's `filter_update`, by contrast,
//!   always adds `W`; we follow `filter`.)
//! - `W = delta / (1 - delta) * I`, the parameterisation of Chan's
//!   *Algorithmic Trading* and of the usual pykalman pairs-trading recipe:
//!   `delta` is a unitless rate of adaptation; `W` and `ve` are in squared
//!   units of the state (`alpha` is in units of `y`, `beta` in units of
//!   `y / x`) and of `y` respectively.
//! - The per-step log-likelihood is `log N(innovation; 0, innovation_var)`,
//!   constants included, the terms pykalman's `loglikelihood()` sums.
//!
//! The covariance update uses the Joseph form
//! `P = (I - K H) P_pred (I - K H)' + K ve K'`, which keeps the stored
//! covariance symmetric (only three numbers are stored) and positive
//! definite even when `alpha` and `beta` are nearly collinear (`x` far from
//! zero and slowly moving, the normal case for log prices). pykalman uses the
//! algebraically equal `P_pred - K H P_pred`; the two agree far inside the
//! 1e-8 tolerance the reference tests use.

use crate::error::require_finite;
use crate::params::{check_open, check_positive};
use crate::{ModelError, ParamSpec, ParamValue, Params};

/// Component name: the snapshot header and `describe()` use it.
pub const NAME: &str = "kalman";

/// Model version, reported by `describe()` so a host can tell builds apart.
pub const VERSION: &str = "0.1.0";

/// One-paragraph summary for `describe()` and `plugin inspect`.
pub const DESCRIPTION: &str = "Dynamic hedge ratio for a pair: a Kalman filter on the regression \
y = alpha + beta * x + e, e ~ N(0, ve), whose coefficients (alpha, beta) follow a random walk with \
covariance delta / (1 - delta) * I. Each observation (x, y) yields the state predicted before y was \
seen (what a strategy trades on), the innovation y - pred_y with its variance and z-score, the \
filtered state and covariance, and the observation's Gaussian log-likelihood. Conventions follow \
pykalman's KalmanFilter.filter (the prior is the predicted state of the first observation).";

/// Output column names, in the order of [`KalmanStep`]'s fields and of
/// [`KalmanStep::values`]; the WIT `estimate` record has the same fields.
pub const OUTPUTS: &[&str] = &[
    "pred_alpha",
    "pred_beta",
    "pred_y",
    "innovation",
    "innovation_var",
    "zscore",
    "alpha",
    "beta",
    "p_aa",
    "p_ab",
    "p_bb",
    "loglik",
];

/// Snapshot body format; bump when the serialised fields of [`Kalman`] change.
const SNAPSHOT_FORMAT: u16 = 1;

/// ln(2 pi), as numpy computes `np.log(2 * np.pi)` (checked in a test).
const LN_2PI: f64 = 1.837_877_066_409_345_3;

/// The parameters the component accepts, with defaults and valid ranges.
///
/// One table serves `describe()`, [`Kalman::new`]'s checking and
/// [`Kalman::params`], so the three cannot disagree.
pub fn param_specs() -> Vec<ParamSpec> {
    vec![
        ParamSpec {
            name: "delta",
            description: "adaptation rate: state noise covariance W = delta/(1-delta) * I; in (0, 1)",
            default: ParamValue::Float(1e-4),
        },
        ParamSpec {
            name: "ve",
            description: "observation noise variance, in squared units of y; > 0",
            default: ParamValue::Float(1e-3),
        },
        ParamSpec {
            name: "initial-alpha",
            description: "prior mean of alpha (units of y), the predicted alpha of the first observation",
            default: ParamValue::Float(0.0),
        },
        ParamSpec {
            name: "initial-beta",
            description: "prior mean of beta (units of y per unit of x), the predicted beta of the first observation",
            default: ParamValue::Float(0.0),
        },
        ParamSpec {
            name: "initial-var",
            description: "prior variance of alpha and of beta (prior covariance initial-var * I); > 0",
            default: ParamValue::Float(1.0),
        },
    ]
}

/// Everything one observation produces; fields in [`OUTPUTS`] order.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct KalmanStep {
    /// Alpha predicted before seeing `y` (the prior at the first step):
    /// the intercept a strategy can trade on without look-ahead.
    pub pred_alpha: f64,
    /// Beta (hedge ratio) predicted before seeing `y`.
    pub pred_beta: f64,
    /// `pred_alpha + pred_beta * x`: the fair value of `y` given `x`.
    pub pred_y: f64,
    /// `y - pred_y`: the spread signal.
    pub innovation: f64,
    /// Variance of the innovation, `H P_pred H' + ve` with `H = [1, x]`.
    pub innovation_var: f64,
    /// `innovation / sqrt(innovation_var)`: the spread in standard deviations.
    pub zscore: f64,
    /// Alpha after seeing `y` (filtered).
    pub alpha: f64,
    /// Beta after seeing `y` (filtered).
    pub beta: f64,
    /// Filtered variance of alpha.
    pub p_aa: f64,
    /// Filtered covariance of alpha and beta.
    pub p_ab: f64,
    /// Filtered variance of beta.
    pub p_bb: f64,
    /// `log N(innovation; 0, innovation_var)`, constants included: the
    /// observation's log-likelihood given the past (sums to pykalman's
    /// `loglikelihood()`).
    pub loglik: f64,
}

impl KalmanStep {
    /// The fields as an array in [`OUTPUTS`] order, so batch code and the
    /// component can fill columns without naming every field.
    #[inline]
    pub fn values(&self) -> [f64; 12] {
        [
            self.pred_alpha,
            self.pred_beta,
            self.pred_y,
            self.innovation,
            self.innovation_var,
            self.zscore,
            self.alpha,
            self.beta,
            self.p_aa,
            self.p_ab,
            self.p_bb,
            self.loglik,
        ]
    }
}

/// The filter: parameters plus the filtered state after the last observation.
///
/// Everything needed to continue is in here and serialised by
/// [`Kalman::snapshot`], so a restored model continues bit for bit.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Kalman {
    delta: f64,
    ve: f64,
    initial_alpha: f64,
    initial_beta: f64,
    initial_var: f64,
    /// `delta / (1 - delta)`, kept so the hot path does not divide.
    w: f64,
    /// Observations accepted so far; 0 means the state below is the prior
    /// and the next update must not add `w` (pykalman's t = 0 convention).
    steps: u64,
    alpha: f64,
    beta: f64,
    p_aa: f64,
    p_ab: f64,
    p_bb: f64,
}

/// The range checks shared by [`Kalman::new`] and [`Kalman::restore`].
fn check_params(
    delta: f64,
    ve: f64,
    initial_alpha: f64,
    initial_beta: f64,
    initial_var: f64,
) -> Result<(), ModelError> {
    check_open("delta", delta, 0.0, 1.0)?;
    check_positive("ve", ve)?;
    for (name, v) in [("initial-alpha", initial_alpha), ("initial-beta", initial_beta)] {
        if !v.is_finite() {
            return Err(ModelError::InvalidParams(format!("{name} must be a finite number, got {v}")));
        }
    }
    check_positive("initial-var", initial_var)?;
    Ok(())
}

/// Whether a symmetric 2x2 covariance is usable: finite and positive definite.
#[inline(always)]
fn is_pd(p_aa: f64, p_ab: f64, p_bb: f64) -> bool {
    // Written so that NaN fails every comparison.
    p_aa > 0.0 && p_bb > 0.0 && p_aa < f64::INFINITY && p_bb < f64::INFINITY && p_aa * p_bb > p_ab * p_ab
}

impl Kalman {
    /// Build a filter at its prior from `name = value` parameters.
    ///
    /// Unknown, repeated or mistyped names are refused by [`Params::resolve`];
    /// out-of-range values here, with a message naming the parameter.
    pub fn new(params: &[(String, ParamValue)]) -> Result<Self, ModelError> {
        let p = Params::resolve(&param_specs(), params)?;
        let delta = p.float("delta");
        let ve = p.float("ve");
        let initial_alpha = p.float("initial-alpha");
        let initial_beta = p.float("initial-beta");
        let initial_var = p.float("initial-var");
        check_params(delta, ve, initial_alpha, initial_beta, initial_var)?;
        let w = delta / (1.0 - delta);
        if !(w > 0.0 && w < f64::INFINITY) {
            return Err(ModelError::InvalidParams(format!(
                "delta = {delta} gives a state noise variance delta/(1-delta) = {w} that is not a positive finite number"
            )));
        }
        Ok(Kalman {
            delta,
            ve,
            initial_alpha,
            initial_beta,
            initial_var,
            w,
            steps: 0,
            alpha: initial_alpha,
            beta: initial_beta,
            p_aa: initial_var,
            p_ab: 0.0,
            p_bb: initial_var,
        })
    }

    /// Every parameter in effect, defaults filled in, in spec order: what
    /// the component's `params()` reports and what rebuilds this filter.
    pub fn params(&self) -> Vec<(String, ParamValue)> {
        vec![
            ("delta".to_string(), ParamValue::Float(self.delta)),
            ("ve".to_string(), ParamValue::Float(self.ve)),
            ("initial-alpha".to_string(), ParamValue::Float(self.initial_alpha)),
            ("initial-beta".to_string(), ParamValue::Float(self.initial_beta)),
            ("initial-var".to_string(), ParamValue::Float(self.initial_var)),
        ]
    }

    /// Feed one observation `(x, y)`: predict, then correct with `y`.
    ///
    /// The hot path: no allocation, a handful of flops, one `ln`. A
    /// non-finite `x` or `y` is an `InvalidInput` error; a step whose result
    /// would not be finite or whose covariance would not be positive
    /// definite (for example `x` so large that `x * x` overflows) is a
    /// `Numerical` error. Either way the state is left unchanged, so the
    /// caller can skip the observation and carry on.
    #[inline]
    pub fn update(&mut self, x: f64, y: f64) -> Result<KalmanStep, ModelError> {
        require_finite("x", x)?;
        require_finite("y", y)?;

        // Predict. pykalman: at t = 0 the prior is the prediction as is.
        let (pred_alpha, pred_beta) = (self.alpha, self.beta);
        let add = if self.steps == 0 { 0.0 } else { self.w };
        let paa = self.p_aa + add;
        let pab = self.p_ab;
        let pbb = self.p_bb + add;

        // u = P_pred H', H = [1, x]; q = H P_pred H' + ve (pykalman's order).
        let u0 = paa + pab * x;
        let u1 = pab + pbb * x;
        let q = u0 + x * u1 + self.ve;
        let pred_y = pred_alpha + pred_beta * x;
        let innovation = y - pred_y;

        // Gain K = P_pred H' / q, then the Joseph-form covariance update
        // P = A P_pred A' + ve K K' with A = I - K H.
        let k0 = u0 / q;
        let k1 = u1 / q;
        let alpha = pred_alpha + k0 * innovation;
        let beta = pred_beta + k1 * innovation;
        let (a00, a01, a10, a11) = (1.0 - k0, -k0 * x, -k1, 1.0 - k1 * x);
        let m00 = a00 * paa + a01 * pab;
        let m01 = a00 * pab + a01 * pbb;
        let m10 = a10 * paa + a11 * pab;
        let m11 = a10 * pab + a11 * pbb;
        let ve = self.ve;
        let p_aa = m00 * a00 + m01 * a01 + ve * k0 * k0;
        let p_ab = m00 * a10 + m01 * a11 + ve * k0 * k1;
        let p_bb = m10 * a10 + m11 * a11 + ve * k1 * k1;

        let zscore = innovation / q.sqrt();
        let loglik = -0.5 * (zscore * zscore + LN_2PI + libm::log(q));

        if !(q > 0.0
            && q < f64::INFINITY
            && is_pd(p_aa, p_ab, p_bb)
            && alpha.is_finite()
            && beta.is_finite()
            && loglik.is_finite())
        {
            return Err(numerical(x, y, q));
        }
        self.alpha = alpha;
        self.beta = beta;
        self.p_aa = p_aa;
        self.p_ab = p_ab;
        self.p_bb = p_bb;
        // Saturating: wrapping to 0 would re-apply the t = 0 rule.
        self.steps = self.steps.saturating_add(1);
        Ok(KalmanStep {
            pred_alpha,
            pred_beta,
            pred_y,
            innovation,
            innovation_var: q,
            zscore,
            alpha,
            beta,
            p_aa,
            p_ab,
            p_bb,
            loglik,
        })
    }

    /// The full state as bytes (header naming the model and format, then
    /// the fields), for hot swap and crash recovery.
    pub fn snapshot(&self) -> Vec<u8> {
        crate::snapshot::encode(NAME, SNAPSHOT_FORMAT, self)
    }

    /// Rebuild a filter from [`Kalman::snapshot`] bytes; it continues bit
    /// for bit where the original left off.
    ///
    /// Besides the header and body checks of [`crate::snapshot::decode`],
    /// the decoded state is validated (parameters in range, `w` consistent
    /// with `delta`, state finite, covariance positive definite), so a
    /// corrupt or hand-made snapshot is an `InvalidSnapshot` error rather
    /// than a filter that produces garbage.
    pub fn restore(bytes: &[u8]) -> Result<Self, ModelError> {
        let k: Kalman = crate::snapshot::decode(NAME, SNAPSHOT_FORMAT, bytes)?;
        let bad = |m: String| ModelError::InvalidSnapshot(format!("kalman snapshot: {m}"));
        check_params(k.delta, k.ve, k.initial_alpha, k.initial_beta, k.initial_var).map_err(|e| bad(e.to_string()))?;
        if k.w.to_bits() != (k.delta / (1.0 - k.delta)).to_bits() {
            return Err(bad(format!("state noise {} does not match delta {}", k.w, k.delta)));
        }
        if !(k.alpha.is_finite() && k.beta.is_finite() && is_pd(k.p_aa, k.p_ab, k.p_bb)) {
            return Err(bad("state is not finite or its covariance is not positive definite".into()));
        }
        Ok(k)
    }
}

/// The `Numerical` error of [`Kalman::update`], out of line: the hot path
/// should not carry the formatting code.
#[cold]
#[inline(never)]
fn numerical(x: f64, y: f64, q: f64) -> ModelError {
    ModelError::Numerical(format!(
        "kalman update with x = {x}, y = {y} gives innovation variance {q} and a state that is not finite \
         or a covariance that is not positive definite; the observation was not applied"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(name: &str, v: f64) -> (String, ParamValue) {
        (name.to_string(), ParamValue::Float(v))
    }

    fn err_of(params: &[(String, ParamValue)]) -> String {
        match Kalman::new(params) {
            Ok(_) => panic!("{params:?} was accepted"),
            Err(e @ ModelError::InvalidParams(_)) => e.to_string(),
            Err(e) => panic!("{params:?}: wrong error kind {e:?}"),
        }
    }

    /// A deterministic, pair-like input stream without a random crate.
    fn stream(n: usize) -> Vec<(f64, f64)> {
        let mut s = 0x9e37_79b9_7f4a_7c15u64;
        let mut next = || {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            (s >> 11) as f64 / (1u64 << 53) as f64 - 0.5
        };
        let mut x = 7.0;
        (0..n)
            .map(|_| {
                x += 0.02 * next();
                (x, 0.3 + 1.1 * x + 0.05 * next())
            })
            .collect()
    }

    #[test]
    fn ln_2pi_is_what_numpy_uses() {
        assert_eq!(LN_2PI.to_bits(), libm::log(2.0 * std::f64::consts::PI).to_bits());
        assert_eq!(LN_2PI, (2.0 * std::f64::consts::PI).ln());
    }

    #[test]
    fn specs_outputs_and_defaults_agree() {
        let names: Vec<&str> = param_specs().iter().map(|s| s.name).collect();
        assert_eq!(names, ["delta", "ve", "initial-alpha", "initial-beta", "initial-var"]);
        let k = Kalman::new(&[]).unwrap();
        let params = k.params();
        assert_eq!(params.len(), 5);
        for ((name, value), spec) in params.iter().zip(param_specs()) {
            assert_eq!(name, spec.name);
            assert_eq!(*value, spec.default);
        }
        assert_eq!(OUTPUTS.len(), 12);
        // Ints widen, and params() reports what was given.
        let k = Kalman::new(&[p("delta", 0.25), ("initial-beta".into(), ParamValue::Int(2))]).unwrap();
        assert_eq!(k.params()[0].1, ParamValue::Float(0.25));
        assert_eq!(k.params()[3].1, ParamValue::Float(2.0));
        // And rebuilding from params() gives the same filter.
        let again = Kalman::new(&k.params()).unwrap();
        assert_eq!(again.snapshot(), k.snapshot());
    }

    #[test]
    fn invalid_params_are_refused_naming_them() {
        for (name, v) in [
            ("delta", 0.0),
            ("delta", 1.0),
            ("delta", -0.1),
            ("delta", 1.5),
            ("delta", f64::NAN),
            ("ve", 0.0),
            ("ve", -1e-3),
            ("ve", f64::INFINITY),
            ("ve", f64::NAN),
            ("initial-alpha", f64::INFINITY),
            ("initial-beta", f64::NAN),
            ("initial-var", 0.0),
            ("initial-var", -1.0),
            ("initial-var", f64::NAN),
        ] {
            let msg = err_of(&[p(name, v)]);
            assert!(msg.contains(name), "{name} = {v}: {msg}");
        }
        assert!(err_of(&[p("Delta", 0.1)]).contains("unknown parameter \"Delta\""));
        assert!(err_of(&[("ve".into(), ParamValue::Text("big".into()))]).contains("\"ve\""));
        assert!(err_of(&[p("ve", 1.0), p("ve", 2.0)]).contains("twice"));
        // delta just below 1 is in range and still gives a finite W.
        let below_one = f64::from_bits(1.0f64.to_bits() - 1);
        assert!(Kalman::new(&[p("delta", below_one)]).is_ok());
    }

    #[test]
    fn first_step_uses_the_prior_as_pykalman() {
        let mut k =
            Kalman::new(&[p("initial-alpha", 0.5), p("initial-beta", 2.0), p("initial-var", 3.0), p("ve", 0.1)])
                .unwrap();
        let s = k.update(2.0, 5.0).unwrap();
        assert_eq!((s.pred_alpha, s.pred_beta), (0.5, 2.0));
        assert_eq!(s.pred_y, 4.5);
        assert_eq!(s.innovation, 0.5);
        // H P0 H' + ve with P0 = 3 I, H = [1, 2]: no W at t = 0.
        assert_eq!(s.innovation_var, 3.0 * (1.0 + 4.0) + 0.1);
        // Second step: predicted = filtered, covariance + W.
        let w = 1e-4 / (1.0 - 1e-4);
        let s2 = k.update(2.0, 5.0).unwrap();
        assert_eq!((s2.pred_alpha, s2.pred_beta), (s.alpha, s.beta));
        let pa = s.p_aa + w;
        let pb = s.p_bb + w;
        let q = (pa + s.p_ab * 2.0) + 2.0 * (s.p_ab + pb * 2.0) + 0.1;
        assert!((s2.innovation_var - q).abs() <= 1e-15 * q);
        let z = s2.innovation / q.sqrt();
        assert!((s2.zscore - z).abs() < 1e-12);
        let ll = -0.5 * (z * z + (2.0 * std::f64::consts::PI * q).ln());
        assert!((s2.loglik - ll).abs() < 1e-12);
        assert_eq!(s2.values()[4], s2.innovation_var);
        assert_eq!(s2.values()[11], s2.loglik);
    }

    #[test]
    fn non_finite_input_is_refused_and_changes_nothing() {
        let mut k = Kalman::new(&[]).unwrap();
        for &(x, y) in &stream(10) {
            k.update(x, y).unwrap();
        }
        let before = k.snapshot();
        for (x, y, field) in
            [(f64::NAN, 1.0, "x"), (1.0, f64::NAN, "y"), (f64::INFINITY, 1.0, "x"), (1.0, f64::NEG_INFINITY, "y")]
        {
            match k.update(x, y) {
                Err(e @ ModelError::InvalidInput(_)) => {
                    assert!(e.to_string().contains(field), "{e}")
                }
                other => panic!("({x}, {y}) gave {other:?}"),
            }
            assert_eq!(k.snapshot(), before);
        }
        // Finite but overflowing: a numerical error, state unchanged too.
        match k.update(1e200, 1.0) {
            Err(ModelError::Numerical(_)) => {}
            other => panic!("x = 1e200 gave {other:?}"),
        }
        assert_eq!(k.snapshot(), before);
        // And the filter carries on as if those calls never happened.
        let mut fresh = Kalman::restore(&before).unwrap();
        assert_eq!(k.update(7.0, 8.0).unwrap(), fresh.update(7.0, 8.0).unwrap());
    }

    #[test]
    fn snapshot_restore_continues_bit_for_bit() {
        let data = stream(600);
        let mut a = Kalman::new(&[p("delta", 1e-3), p("initial-beta", 1.0)]).unwrap();
        // Also at step 0: the restored filter must not add W to the prior.
        let b0 = Kalman::restore(&a.snapshot()).unwrap();
        assert_eq!(b0.snapshot(), a.snapshot());
        let mut b0 = b0;
        let mut a0 = a.clone();
        assert_eq!(
            a0.update(7.0, 8.0).unwrap().values().map(f64::to_bits),
            b0.update(7.0, 8.0).unwrap().values().map(f64::to_bits)
        );

        for &(x, y) in &data[..300] {
            a.update(x, y).unwrap();
        }
        let bytes = a.snapshot();
        let mut b = Kalman::restore(&bytes).unwrap();
        assert_eq!(b.snapshot(), bytes);
        for &(x, y) in &data[300..] {
            let sa = a.update(x, y).unwrap().values().map(f64::to_bits);
            let sb = b.update(x, y).unwrap().values().map(f64::to_bits);
            assert_eq!(sa, sb);
        }
        assert_eq!(a.snapshot(), b.snapshot());
    }

    #[test]
    fn corrupt_snapshots_are_refused() {
        let mut k = Kalman::new(&[]).unwrap();
        for &(x, y) in &stream(20) {
            k.update(x, y).unwrap();
        }
        let good = k.snapshot();
        let is_invalid = |bytes: &[u8]| matches!(Kalman::restore(bytes), Err(ModelError::InvalidSnapshot(_)));
        assert!(is_invalid(&[]));
        assert!(is_invalid(b"junk"));
        assert!(is_invalid(&good[..good.len() - 1]));
        assert!(is_invalid(&good[..good.len() / 2]));
        let mut trailing = good.clone();
        trailing.push(0);
        assert!(is_invalid(&trailing));
        let mut magic = good.clone();
        magic[0] ^= 0xff;
        assert!(is_invalid(&magic));
        let mut format = good.clone();
        format[4] = 9;
        assert!(is_invalid(&format));
        assert!(is_invalid(&crate::snapshot::encode("garch", SNAPSHOT_FORMAT, &k)));
        // Well-formed bytes, impossible state.
        let mut bad = k.clone();
        bad.ve = -1.0;
        let e = Kalman::restore(&bad.snapshot()).unwrap_err();
        assert!(e.to_string().contains("ve"), "{e}");
        let mut bad = k.clone();
        bad.w *= 2.0;
        assert!(is_invalid(&bad.snapshot()));
        let mut bad = k.clone();
        bad.p_ab = 10.0 * (bad.p_aa * bad.p_bb).sqrt();
        assert!(is_invalid(&bad.snapshot()));
        let mut bad = k.clone();
        bad.beta = f64::NAN;
        assert!(is_invalid(&bad.snapshot()));
        // Flipping any single byte of the body never yields a panic.
        for i in 0..good.len() {
            let mut b = good.clone();
            b[i] ^= 0x5a;
            let _ = Kalman::restore(&b);
        }
    }

    #[test]
    fn covariance_stays_symmetric_positive_definite_when_degenerate() {
        // x constant: alpha and beta are never separately identified and
        // their covariance becomes very ill-conditioned. The second case
        // (condition number ~1e15) is one where the plain update
        // `P - K H P`, evaluated in the symmetric form, loses positive
        // definiteness at the first step; the Joseph form does not.
        let cases = [(8.0, 1e-12, 1e-6, 1e3, 200_000), (100.0, 1e-15, 1e-8, 1e6, 100_000)];
        for (x, delta, ve, var, n) in cases {
            let mut k = Kalman::new(&[p("delta", delta), p("ve", ve), p("initial-var", var)]).unwrap();
            for i in 0..n {
                let s = k.update(x, x + 1.0 + 1e-3 * ((i % 7) as f64 - 3.0)).unwrap();
                assert!(is_pd(s.p_aa, s.p_ab, s.p_bb), "x = {x}, step {i}: {s:?}");
                assert!(s.innovation_var > 0.0);
            }
        }
    }
}
