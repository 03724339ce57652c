//! The BOCD model against the hildensia reference
//! (`bayesian-changepoint-detection`), from the fixtures that
//! `tools/reference/bocd.py` writes to `tests/fixtures/reference/bocd/`.
//!
//! - Unpruned (`prune-threshold = 0`, `max-hypotheses = 0`, as the fixtures'
//!   params say): every step's `change_prob`, `segment_mean`, `segment_var`
//!   and the dense run-length posteriors at the recorded steps within 1e-9
//!   (absolute, plus 1e-9 relative for the two level/variance outputs), and
//!   `map_length` exactly.
//! - Default pruning: each output within `range(f) * eps_t / (1 - H)` of
//!   the reference, where `eps_t = 1 - Z~_t / Z_t` is the unpruned posterior
//!   probability of the segmentations pruning excluded (computed from the
//!   reference's evidence and the pruned posterior's own); `map_length`
//!   equal wherever the reference's margin exceeds twice that; run-length
//!   posteriors within total variation `eps_t`. This is a theorem, because
//!   the pruned model is the exact posterior conditioned on avoiding the
//!   pruned states, which the enumeration test checks on a short series.
//!   (The cumulative `pruned_mass` is not a bound: later data reweight
//!   pruned segmentations; the test prints by how much.)
//! - Informal timing at the default pruning (ignored by default).

use hft_models::ParamValue;
use hft_models::bocd::{Bocd, BocdStep};
use hft_models::fixtures::{Fixture, assert_close, cases, load};

fn run(params: &[(String, ParamValue)], xs: &[f64], fx: &Fixture) -> (Vec<BocdStep>, Vec<(usize, Vec<f64>)>) {
    let mut model = Bocd::new(params).unwrap_or_else(|e| panic!("{}: {e}", fx.case));
    let wanted = posterior_steps(fx);
    let mut posteriors = Vec::new();
    let steps = xs
        .iter()
        .enumerate()
        .map(|(t, &x)| {
            let s = model.update(x).unwrap_or_else(|e| panic!("{} step {t}: {e}", fx.case));
            if wanted.contains(&t) {
                posteriors.push((t, model.run_length_posterior()));
            }
            s
        })
        .collect();
    (steps, posteriors)
}

fn posterior_steps(fx: &Fixture) -> Vec<usize> {
    fx.scalars["posterior_steps"]
        .as_array()
        .expect("posterior_steps is a list")
        .iter()
        .map(|v| v.as_u64().expect("step index") as usize)
        .collect()
}

fn column(steps: &[BocdStep], f: impl Fn(&BocdStep) -> f64) -> Vec<f64> {
    steps.iter().map(f).collect()
}

fn with_default_pruning(params: &[(String, ParamValue)]) -> Vec<(String, ParamValue)> {
    params.iter().filter(|(n, _)| n != "prune-threshold" && n != "max-hypotheses").cloned().collect()
}

fn param(params: &[(String, ParamValue)], name: &str) -> f64 {
    match params.iter().find(|(n, _)| n == name).map(|(_, v)| v) {
        Some(ParamValue::Float(v)) => *v,
        Some(ParamValue::Int(v)) => *v as f64,
        other => panic!("fixture parameter {name}: {other:?}"),
    }
}

#[test]
fn fixtures_exist() {
    let names = cases("bocd");
    for want in ["sp500", "synthetic", "synthetic-refprior"] {
        assert!(names.iter().any(|n| n == want), "missing bocd fixture {want}: {names:?}");
    }
}

#[test]
fn unpruned_matches_the_reference() {
    for case in cases("bocd") {
        let fx = load("bocd", &case);
        assert!(fx.source.starts_with("bayesian-changepoint-detection"), "{case}: source {}", fx.source);
        assert_eq!(param(&fx.params, "prune-threshold"), 0.0);
        assert_eq!(param(&fx.params, "max-hypotheses"), 0.0);
        let xs = fx.input("x");
        let (steps, posteriors) = run(&fx.params, xs, &fx);
        let what = |c: &str| format!("bocd/{case} {c}");
        assert_close(&what("change_prob"), &column(&steps, |s| s.change_prob), fx.expected("change_prob"), 1e-9, 0.0);
        assert_close(
            &what("segment_mean"),
            &column(&steps, |s| s.segment_mean),
            fx.expected("segment_mean"),
            1e-9,
            1e-9,
        );
        assert_close(&what("segment_var"), &column(&steps, |s| s.segment_var), fx.expected("segment_var"), 1e-9, 1e-9);
        let map = column(&steps, |s| s.map_length as f64);
        assert_eq!(map, fx.expected("map_length"), "{case}: map_length");
        for (t, got) in &posteriors {
            assert_close(&what(&format!("r_{t}")), got, fx.expected(&format!("r_{t}")), 1e-9, 0.0);
        }
        assert_eq!(posteriors.len(), posterior_steps(&fx).len());
        assert!(steps.iter().all(|s| s.pruned_mass == 0.0));
        assert!(steps.iter().enumerate().all(|(t, s)| s.hypotheses as usize == t + 2));
        let worst = |got: Vec<f64>, want: &[f64]| got.iter().zip(want).map(|(g, w)| (g - w).abs()).fold(0.0, f64::max);
        eprintln!(
            "bocd/{case} unpruned max |diff|: change_prob {:.1e}, segment_mean {:.1e}, segment_var {:.1e}, posterior {:.1e}",
            worst(column(&steps, |s| s.change_prob), fx.expected("change_prob")),
            worst(column(&steps, |s| s.segment_mean), fx.expected("segment_mean")),
            worst(column(&steps, |s| s.segment_var), fx.expected("segment_var")),
            posteriors.iter().map(|(t, got)| worst(got.clone(), fx.expected(&format!("r_{t}")))).fold(0.0, f64::max),
        );
    }
}

/// The reference's `StudentT` observation model, unpruned: Normal-Gamma
/// parameters for every run length, written independently of the model
/// (textbook Student-t density with `lgamma`), to evaluate the pruned
/// model's evidence.
struct NormalGamma {
    mu: Vec<f64>,
    kappa: Vec<f64>,
    alpha: Vec<f64>,
    beta: Vec<f64>,
    prior: (f64, f64, f64, f64),
}

impl NormalGamma {
    fn new(mu0: f64, kappa0: f64, alpha0: f64, beta0: f64) -> Self {
        NormalGamma {
            mu: vec![mu0],
            kappa: vec![kappa0],
            alpha: vec![alpha0],
            beta: vec![beta0],
            prior: (mu0, kappa0, alpha0, beta0),
        }
    }

    /// ln of the Student-t predictive density of `x` under run length `r`.
    fn ln_pdf(&self, r: usize, x: f64) -> f64 {
        let (mu, kappa, alpha, beta) = (self.mu[r], self.kappa[r], self.alpha[r], self.beta[r]);
        let df = 2.0 * alpha;
        let scale = (beta * (kappa + 1.0) / (alpha * kappa)).sqrt();
        let z = (x - mu) / scale;
        libm::lgamma((df + 1.0) / 2.0)
            - libm::lgamma(df / 2.0)
            - 0.5 * (df * std::f64::consts::PI).ln()
            - scale.ln()
            - (df + 1.0) / 2.0 * (z * z / df).ln_1p()
    }

    /// `update_theta`: every run length absorbs `x`, the prior becomes run
    /// length 0.
    fn update(&mut self, x: f64) {
        let n = self.mu.len();
        for r in (0..n).rev() {
            let (mu, kappa) = (self.mu[r], self.kappa[r]);
            let beta = self.beta[r] + kappa * (x - mu).powi(2) / (2.0 * (kappa + 1.0));
            let (mu, kappa, alpha) = ((kappa * mu + x) / (kappa + 1.0), kappa + 1.0, self.alpha[r] + 0.5);
            if r + 1 == n {
                self.mu.push(mu);
                self.kappa.push(kappa);
                self.alpha.push(alpha);
                self.beta.push(beta);
            } else {
                (self.mu[r + 1], self.kappa[r + 1], self.alpha[r + 1], self.beta[r + 1]) = (mu, kappa, alpha, beta);
            }
        }
        let (mu0, kappa0, alpha0, beta0) = self.prior;
        (self.mu[0], self.kappa[0], self.alpha[0], self.beta[0]) = (mu0, kappa0, alpha0, beta0);
    }
}

/// `ln sum_i exp(a_i)`.
fn log_sum_exp(a: impl Iterator<Item = f64> + Clone) -> f64 {
    let m = a.clone().fold(f64::NEG_INFINITY, f64::max);
    m + a.map(|v| (v - m).exp()).sum::<f64>().ln()
}

/// The pruned model against the unpruned reference, with a bound that is a
/// theorem rather than a hope.
///
/// Pruning removes whole (time, run length) states, and the pruned
/// recursion is the exact posterior conditioned on the event `S_t` that the
/// segmentation avoids all of them. So its run-length posterior is within
/// total variation `eps_t = P(not S_t | x_0..x_t)` of the reference, and
/// `eps_t = 1 - Z~_t / Z_t`, where `Z_t` is the reference's evidence (the
/// fixture's `log_pred`, summed) and `Z~_t = prod_s W~_s (1 - d_s)`, with
/// `d_s` the reported `pruned_mass` and `W~_s` the predictive normaliser
/// of the pruned posterior, evaluated here independently. The segment-length
/// view conditions on `r >= 1` (probability `1 - H`), hence the `1/(1-H)`.
/// Each output is then within `range(f) eps_t / (1 - H)` of the reference:
/// `range = 1` for `change_prob`, the span `D` of the prior mean and the
/// data so far for `segment_mean` (every `mu_l` lies in it), and
/// `max(beta0/alpha0, D^2)` for `segment_var` (every `beta_l/alpha_l` does).
/// `map_length` must agree wherever the reference's margin exceeds
/// `2 eps_t / (1 - H)`. The test also reports how `eps_t` compares with the
/// cumulative reported mass: later data can reweight pruned segmentations,
/// so the latter is not a bound.
#[test]
fn default_pruning_is_within_the_exact_conditioning_bound() {
    for case in cases("bocd") {
        let fx = load("bocd", &case);
        let xs = fx.input("x");
        let params = with_default_pruning(&fx.params);
        let (mu0, kappa0, alpha0, beta0) =
            (param(&params, "mu0"), param(&params, "kappa0"), param(&params, "alpha0"), param(&params, "beta0"));
        let hazard = 1.0 / param(&params, "hazard-lambda");
        let (want_cp, want_mean, want_var, want_map, margin, log_pred) = (
            fx.expected("change_prob"),
            fx.expected("segment_mean"),
            fx.expected("segment_var"),
            fx.expected("map_length"),
            fx.expected("map_margin"),
            fx.expected("log_pred"),
        );
        let wanted = posterior_steps(&fx);
        let mut model = Bocd::new(&params).unwrap();
        let mut ng = NormalGamma::new(mu0, kappa0, alpha0, beta0);
        let (mut lo, mut hi) = (mu0, mu0);
        let (mut log_ratio, mut cum) = (0.0f64, 0.0f64);
        let (mut worst_eps, mut worst_eps_over_cum, mut map_checked) = (0.0f64, 0.0f64, 0);
        let mut worst_err = [0.0f64; 3];
        for (t, &x) in xs.iter().enumerate() {
            // W~_t: the pruned posterior's predictive normaliser.
            let prior_r = model.run_length_posterior();
            let ln_w = log_sum_exp(
                prior_r.iter().enumerate().filter(|(_, p)| **p > 0.0).map(|(r, p)| p.ln() + ng.ln_pdf(r, x)),
            );
            let s = model.update(x).unwrap();
            ng.update(x);
            cum += s.pruned_mass;
            log_ratio += ln_w + (-s.pruned_mass).ln_1p() - log_pred[t];
            // eps = 1 - Z~/Z (0 if rounding makes the ratio exceed 1).
            let eps = if log_ratio < 0.0 { -log_ratio.exp_m1() } else { 0.0 };
            worst_eps = worst_eps.max(eps);
            if cum > 0.0 {
                worst_eps_over_cum = worst_eps_over_cum.max(eps / cum);
            }
            let eps_l = eps / (1.0 - hazard);
            lo = lo.min(x);
            hi = hi.max(x);
            let d = hi - lo;
            let bounds = [eps_l, d * eps_l, (beta0 / alpha0).max(d * d) * eps_l];
            let got = [s.change_prob, s.segment_mean, s.segment_var];
            let want = [want_cp[t], want_mean[t], want_var[t]];
            for k in 0..3 {
                let err = (got[k] - want[k]).abs();
                worst_err[k] = worst_err[k].max(err);
                assert!(
                    err <= bounds[k] + 1e-9 * (1.0 + want[k].abs()),
                    "bocd/{case} step {t}: {} = {} vs reference {}: error {err:e} exceeds {:e} (eps {eps:e})",
                    ["change_prob", "segment_mean", "segment_var"][k],
                    got[k],
                    want[k],
                    bounds[k]
                );
            }
            if margin[t] > 2.0 * eps_l + 1e-9 {
                assert_eq!(
                    s.map_length as f64, want_map[t],
                    "bocd/{case} step {t}: map_length (margin {:e})",
                    margin[t]
                );
                map_checked += 1;
            }
            if wanted.contains(&t) {
                let got = model.run_length_posterior();
                let want = fx.expected(&format!("r_{t}"));
                let tv = 0.5 * got.iter().zip(want).map(|(g, w)| (g - w).abs()).sum::<f64>();
                assert!(tv <= eps + 1e-9, "bocd/{case} r_{t}: total variation {tv:e} > eps {eps:e}");
            }
        }
        eprintln!(
            "bocd/{case} default pruning: {} steps, cumulative pruned mass {cum:.2e}, eps max {worst_eps:.2e} \
             (max eps / cumulative mass {worst_eps_over_cum:.1}); max |error|: change_prob {:.1e}, segment_mean {:.1e}, \
             segment_var {:.1e}; map_length checked on {map_checked} steps",
            xs.len(),
            worst_err[0],
            worst_err[1],
            worst_err[2],
        );
    }
}

/// The claim the bound above rests on, checked by brute force: on a short
/// series every segmentation can be enumerated (`2^T` paths of run
/// lengths), and the pruned model's run-length posterior must equal the
/// exact posterior conditioned on avoiding every (time, run length) state
/// the model pruned, to rounding.
#[test]
fn pruned_posterior_is_the_exact_conditional_posterior() {
    let xs = [0.1, -0.3, 0.2, 2.5, 2.9, 3.1, 2.7, 0.0, -0.2, 0.3, 3.0, 2.8, 2.6];
    let t_max = xs.len();
    let (mu0, kappa0, alpha0, beta0, lambda) = (0.0, 1.0, 1.0, 1.0, 6.0);
    let h = 1.0 / lambda;
    let params: Vec<(String, ParamValue)> = vec![
        ("hazard-lambda".into(), ParamValue::Float(lambda)),
        ("prune-threshold".into(), ParamValue::Float(0.03)),
        ("max-hypotheses".into(), ParamValue::Int(4)),
    ];
    let mut model = Bocd::new(&params).unwrap();
    let mut full = Bocd::new(&[
        params[0].clone(),
        ("prune-threshold".into(), ParamValue::Float(0.0)),
        ("max-hypotheses".into(), ParamValue::Int(0)),
    ])
    .unwrap();
    // kept[t][r]: whether state (t, r) survived in the pruned model.
    let mut kept = vec![vec![true]];
    let mut total_pruned = 0.0;
    for &x in &xs {
        total_pruned += model.update(x).unwrap().pruned_mass;
        full.update(x).unwrap();
        kept.push(model.run_length_posterior().iter().map(|&p| p > 0.0).collect());
    }
    assert!(total_pruned > 0.01, "the pruning must bite for this test to mean anything");
    // ln p(x_t | the last r observations), from scratch.
    let ln_pred = |t: usize, r: usize| {
        let mut ng = NormalGamma::new(mu0, kappa0, alpha0, beta0);
        for &x in &xs[t - r..t] {
            ng.update(x);
        }
        // After r updates, run length r holds the posterior of the last r.
        ng.ln_pdf(r, xs[t])
    };
    let mut conditional = vec![0.0; t_max + 1];
    let mut unconditional = vec![0.0; t_max + 1];
    for path in 0u32..(1 << t_max) {
        // Bit t set: a changepoint after x_t (r_{t+1} = 0).
        let (mut r, mut ln_w, mut avoids) = (0usize, 0.0, true);
        for t in 0..t_max {
            ln_w += ln_pred(t, r);
            r = if path >> t & 1 == 1 {
                ln_w += h.ln();
                0
            } else {
                ln_w += (1.0 - h).ln();
                r + 1
            };
            avoids &= kept[t + 1][r];
        }
        unconditional[r] += ln_w.exp();
        if avoids {
            conditional[r] += ln_w.exp();
        }
    }
    let normalise = |v: &mut Vec<f64>| {
        let s: f64 = v.iter().sum();
        v.iter_mut().for_each(|p| *p /= s);
    };
    normalise(&mut conditional);
    normalise(&mut unconditional);
    let got = model.run_length_posterior();
    for (r, (g, w)) in got.iter().zip(&conditional).enumerate() {
        assert!((g - w).abs() < 1e-12, "run length {r}: pruned model {g}, exact conditional {w}");
    }
    // And the unpruned model is the unconditional posterior (a second,
    // independent check of the recursion).
    for (r, (g, w)) in full.run_length_posterior().iter().zip(&unconditional).enumerate() {
        assert!((g - w).abs() < 1e-12, "run length {r}: unpruned model {g}, exact {w}");
    }
}
