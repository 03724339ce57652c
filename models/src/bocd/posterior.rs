//! The run-length posterior and one step of the Adams & MacKay recursion.
//!
//! Hypotheses are stored as a struct of arrays ordered by decreasing run
//! length, the `r = 0` hypothesis last: every step advances all of them by
//! one and appends a fresh `r = 0`, so the order is kept without moving
//! anything, and the vectors only ever shrink or grow by one at the end
//! (no allocation once their capacity has settled).
//!
//! Probabilities are kept as logarithms: the reference multiplies and
//! renormalises in linear space, where long unpruned runs underflow to 0;
//! in log space the same numbers stay representable, and adding the
//! predictive log density costs nothing extra (the weights need one `exp`
//! per hypothesis either way).

use super::normal_gamma::PredictiveConsts;
use super::pruning::{Pruning, below_threshold, plan};
use crate::ModelError;

/// Constants of one step, derived once from the parameters.
#[derive(Debug, Clone, Default)]
pub(crate) struct StepConsts {
    /// `ln H`, `H = 1 / hazard-lambda`.
    pub(crate) ln_hazard: f64,
    /// `1 - H`.
    pub(crate) survival: f64,
    /// `ln(1 - H)`.
    pub(crate) ln_survival: f64,
    /// Prior mean.
    pub(crate) mu0: f64,
    /// Prior pseudo-count of the mean.
    pub(crate) kappa0: f64,
    /// Prior Gamma shape.
    pub(crate) alpha0: f64,
    /// Prior Gamma rate.
    pub(crate) beta0: f64,
    /// `ln beta0`.
    pub(crate) ln_beta0: f64,
    /// What a step may drop.
    pub(crate) pruning: Pruning,
}

/// Per-step work arrays, reused so a step does not allocate.
#[derive(Debug, Clone, Default)]
pub(crate) struct Scratch {
    /// Unnormalised log weight of each continuing hypothesis.
    v: Vec<f64>,
    /// `exp(v - max v)`.
    e: Vec<f64>,
    /// Updated `mu` (swapped into the posterior once the step cannot fail).
    mu: Vec<f64>,
    /// Updated `beta`.
    beta: Vec<f64>,
    /// Updated `ln beta`.
    ln_beta: Vec<f64>,
}

/// What a step reports besides the posterior itself.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct StepOut {
    /// Mass dropped by pruning at this step.
    pub(crate) pruned_mass: f64,
    /// Most probable segment length.
    pub(crate) map_run: u64,
    /// `sum_l P(L = l) mu_l`.
    pub(crate) segment_mean: f64,
    /// `sum_l P(L = l) beta_l / alpha_l`.
    pub(crate) segment_var: f64,
}

/// The run-length posterior with the Normal-Gamma parameters of each
/// hypothesis: `R[:, t]` of the reference, sparse after pruning.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub(crate) struct Posterior {
    /// Run length of each hypothesis, strictly decreasing, last one 0.
    pub(crate) run: Vec<u64>,
    /// `ln R[r, t]` (normalised over the kept hypotheses).
    pub(crate) log_prob: Vec<f64>,
    /// Posterior mean of the level given run length `r`.
    pub(crate) mu: Vec<f64>,
    /// Posterior Gamma rate given run length `r`.
    pub(crate) beta: Vec<f64>,
    /// `ln beta`, carried along (see `normal_gamma`).
    pub(crate) ln_beta: Vec<f64>,
    /// Segment-length probability `P(L = r) = R[r] / (1 - R[0])` for
    /// `r >= 1`; 0 for the `r = 0` entry. Kept (and snapshotted) so that
    /// `change_prob(w)` gives the same bits as the step did.
    pub(crate) seg: Vec<f64>,
}

impl Posterior {
    /// The state before any observation: `R[0, 0] = 1` under the prior.
    pub(crate) fn prior(k: &StepConsts) -> Self {
        Posterior {
            run: vec![0],
            log_prob: vec![0.0],
            mu: vec![k.mu0],
            beta: vec![k.beta0],
            ln_beta: vec![k.ln_beta0],
            seg: vec![0.0],
        }
    }

    /// Number of hypotheses kept.
    pub(crate) fn len(&self) -> usize {
        self.run.len()
    }

    /// Absorb observation `x`: predictive under every run length, growth
    /// and changepoint mass, normalisation, pruning, parameter updates.
    ///
    /// On error nothing observable has changed (only the scratch arrays and
    /// the constant cache, which hold no state).
    pub(crate) fn step(
        &mut self,
        x: f64,
        k: &StepConsts,
        consts: &mut PredictiveConsts,
        s: &mut Scratch,
    ) -> Result<StepOut, ModelError> {
        let n = self.run.len();
        consts.extend_through(self.run[0]);
        s.v.clear();
        s.e.clear();
        s.mu.clear();
        s.beta.clear();
        s.ln_beta.clear();

        // Pass 1: predictive log density under each run length and the
        // Normal-Gamma update (into scratch, so a failure changes nothing).
        let mut m = f64::NEG_INFINITY;
        for ((((&r, &lr), &mu), &b), &lnb) in
            self.run.iter().zip(&self.log_prob).zip(&self.mu).zip(&self.beta).zip(&self.ln_beta)
        {
            let rf = r as f64;
            let kappa = k.kappa0 + rf;
            let alpha_next = k.alpha0 + 0.5 * (rf + 1.0); // alpha_r + 1/2
            let inv = 1.0 / (kappa + 1.0);
            let d = x - mu;
            let q = 0.5 * kappa * d * d * inv;
            let l = libm::log1p(q / b);
            let lp = consts.get(r) - 0.5 * lnb - alpha_next * l;
            let new_mu = (kappa * mu + x) * inv;
            let new_b = b + q;
            let mut v = lr + lp;
            if !(v.is_finite() && new_b.is_finite() && new_mu.is_finite()) {
                // Zero density in floating point (an observation so far out
                // that the squares overflow): this run length is impossible.
                v = f64::NEG_INFINITY;
            }
            m = m.max(v);
            s.v.push(v);
            s.mu.push(new_mu);
            s.beta.push(new_b);
            s.ln_beta.push(lnb + l);
        }
        if m == f64::NEG_INFINITY {
            return Err(ModelError::Numerical(format!(
                "observation {x} has zero predictive density under every run length (it overflows the posterior)"
            )));
        }
        std::mem::swap(&mut self.mu, &mut s.mu);
        std::mem::swap(&mut self.beta, &mut s.beta);
        std::mem::swap(&mut self.ln_beta, &mut s.ln_beta);

        // Pass 2: weights relative to the largest, their sum, and the MAP
        // (ties go to the shorter run, as numpy's argmax over increasing l).
        let mut w = 0.0;
        let mut best = 0usize;
        let mut best_e = -1.0;
        for (i, &v) in s.v.iter().enumerate() {
            let e = libm::exp(v - m);
            s.e.push(e);
            w += e;
            if e >= best_e {
                best_e = e;
                best = i;
            }
        }
        // Normalised probability of the successor of hypothesis i:
        // R[r+1, t+1] = (1 - H) e_i / w; and R[0, t+1] = H.
        let scale = k.survival / w;

        let plan = if k.pruning.enabled() {
            plan(&k.pruning, &mut s.v, &mut s.e, best, scale)
        } else {
            super::pruning::Plan { dropped_mass: 0.0, kept_weight: w }
        };
        let renorm = if plan.dropped_mass > 0.0 { -libm::log1p(-plan.dropped_mass) } else { 0.0 };
        let log_norm = -m - libm::log(w) + k.ln_survival + renorm;
        let inv_kept = 1.0 / plan.kept_weight;

        // Pass 3: compact the survivors in place (advancing their run
        // length) and accumulate the outputs.
        let threshold = k.pruning.threshold;
        let mut j = 0usize;
        let mut map_j = 0usize;
        let mut mean = 0.0;
        let mut var = 0.0;
        for i in 0..n {
            let (vi, ei) = (s.v[i], s.e[i]);
            if vi == f64::NEG_INFINITY || (i != best && below_threshold(threshold, scale, ei)) {
                continue;
            }
            if i == best {
                map_j = j;
            }
            let r = self.run[i] + 1;
            let seg = ei * inv_kept;
            let (mu, b) = (self.mu[i], self.beta[i]);
            mean += seg * mu;
            var += seg * b / (k.alpha0 + 0.5 * r as f64);
            self.run[j] = r;
            self.log_prob[j] = vi + log_norm;
            self.mu[j] = mu;
            self.beta[j] = b;
            self.ln_beta[j] = self.ln_beta[i];
            self.seg[j] = seg;
            j += 1;
        }
        self.run.truncate(j);
        self.log_prob.truncate(j);
        self.mu.truncate(j);
        self.beta.truncate(j);
        self.ln_beta.truncate(j);
        self.seg.truncate(j);
        let map_run = self.run[map_j];

        // The changepoint hypothesis: a new run under the prior, mass H.
        self.run.push(0);
        self.log_prob.push(k.ln_hazard + renorm);
        self.mu.push(k.mu0);
        self.beta.push(k.beta0);
        self.ln_beta.push(k.ln_beta0);
        self.seg.push(0.0);

        Ok(StepOut { pruned_mass: plan.dropped_mass, map_run, segment_mean: mean, segment_var: var })
    }

    /// `P(L <= window)`: the sum of the segment-length probabilities of the
    /// shortest runs. The one summation used for both the step output and
    /// the `change_prob(window)` query, so they agree to the bit.
    pub(crate) fn change_prob(&self, window: u64) -> f64 {
        let mut sum = 0.0;
        for (&r, &p) in self.run.iter().zip(&self.seg).rev() {
            if r == 0 {
                continue;
            }
            if r > window {
                break;
            }
            sum += p;
        }
        sum
    }

    /// Dense `R[:, steps]`: index = run length `0..=steps`, pruned entries 0.
    pub(crate) fn dense(&self, steps: u64) -> Vec<f64> {
        let mut out = vec![0.0; steps as usize + 1];
        for (&r, &lp) in self.run.iter().zip(&self.log_prob) {
            if let Some(slot) = out.get_mut(r as usize) {
                *slot = libm::exp(lp);
            }
        }
        out
    }

    /// Check the invariants a snapshot must satisfy after `steps` updates,
    /// so a corrupt snapshot is refused rather than computed with.
    pub(crate) fn validate(&self, steps: u64, max_hypotheses: u32) -> Result<(), String> {
        let n = self.run.len();
        if n == 0 {
            return Err("no run-length hypotheses".into());
        }
        if [self.log_prob.len(), self.mu.len(), self.beta.len(), self.ln_beta.len(), self.seg.len()]
            .iter()
            .any(|&l| l != n)
        {
            return Err("hypothesis arrays of different lengths".into());
        }
        if self.run[n - 1] != 0 || self.run.windows(2).any(|w| w[0] <= w[1]) {
            return Err("run lengths are not strictly decreasing down to 0".into());
        }
        if self.run[0] > steps || n as u64 > steps + 1 {
            return Err(format!("run length {} after {steps} observations", self.run[0]));
        }
        if steps > 0 && max_hypotheses > 0 && n > max_hypotheses as usize {
            return Err(format!("{n} hypotheses exceed max-hypotheses {max_hypotheses}"));
        }
        let finite = |v: &[f64]| v.iter().all(|x| x.is_finite());
        if !(finite(&self.log_prob) && finite(&self.mu) && finite(&self.ln_beta))
            || self.log_prob.iter().any(|&l| l > 1e-9)
            || self.beta.iter().any(|&b| !(b > 0.0 && b.is_finite()))
            || self.seg.iter().any(|&p| !(0.0..=1.0 + 1e-12).contains(&p))
        {
            return Err("hypothesis values out of range".into());
        }
        Ok(())
    }
}
