//! The run-length posterior and one step of the Adams & MacKay recursion.
//!
//! Hypotheses are stored as a struct of arrays ordered by decreasing run
//! length, the `r = 0` hypothesis last: every step advances all of them by
//! one and appends a fresh `r = 0`, so the order is kept without moving
//! anything, and the vectors only ever shrink or grow by one at the end
//! (no allocation once their capacity has settled). Run lengths are kept
//! as start times against a clock (`kernels::Runs`), so advancing them all
//! is one increment.
//!
//! Probabilities are kept as logarithms: the reference multiplies and
//! renormalises in linear space, where long unpruned runs underflow to 0;
//! in log space the same numbers stay representable, and adding the
//! predictive log density costs nothing extra (the weights need one `exp`
//! per hypothesis either way).
//!
//! Normalising is deferred: a step keeps its unnormalised log weights as
//! the new `log_prob` and the normalising constant as one scalar
//! (`log_offset`), which the next step's predictive pass adds on the way
//! (`(v + log_offset) + ln p`, the same operations in the same order as
//! normalising first, so the same bits); likewise the segment-length
//! probabilities are the weights times one scalar (`seg_scale`). A step
//! where nothing is dropped then costs no pass over the hypotheses beyond
//! the two kernels and the run-length increment, and one that drops some no
//! second pass over the survivors. Snapshots carry the normalised values,
//! as before, so the format did not change.

use super::fastmath;
use super::kernels::{ByRun, Gathered, Outputs, RunConsts, Runs, State, predictive_pass, weights};
use super::normal_gamma::{PredictiveConsts, RunColumns};
use super::pruning::{NO_VICTIM, Pruning, below_threshold, cap_victim};
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
    /// Prior Gamma rate.
    pub(crate) beta0: f64,
    /// `ln beta0`.
    pub(crate) ln_beta0: f64,
    /// What a step may drop.
    pub(crate) pruning: Pruning,
}

/// Per-step work arrays, reused so a step does not allocate; all indexed
/// like the posterior's hypotheses.
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
    /// `beta' / alpha'` of each hypothesis.
    var: Vec<f64>,
    /// Run-length constants per hypothesis, when some run is too long for
    /// the cache (otherwise they are read from the cache by run length).
    gathered: RunColumns,
}

impl Scratch {
    /// Size the arrays for `n` hypotheses (contents are overwritten).
    fn resize(&mut self, n: usize) {
        for a in [&mut self.v, &mut self.e, &mut self.mu, &mut self.beta, &mut self.ln_beta, &mut self.var] {
            a.resize(n, 0.0);
        }
    }
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
///
/// Serialised as [`PosteriorState`], with `log_prob` and `seg` normalised
/// and run lengths in place of start times.
#[derive(Debug, Clone, serde::Deserialize)]
#[serde(from = "PosteriorState")]
pub(crate) struct Posterior {
    /// When each hypothesis's run started: its run length is `clock -
    /// born`. Run lengths strictly decrease along the hypotheses (so start
    /// times increase), and the last one is 0.
    pub(crate) born: Vec<u64>,
    /// Advanced by one per step (see `born`).
    pub(crate) clock: u64,
    /// `ln R[r, t] - log_offset`, except for the last entry (`r = 0`), which
    /// is `ln R[0, t]` itself (normalised over the kept hypotheses).
    pub(crate) log_prob: Vec<f64>,
    /// What the predictive pass adds to every `log_prob` but the last one;
    /// see [`Posterior::log_prob_at`].
    pub(crate) log_offset: f64,
    /// Posterior mean of the level given run length `r`.
    pub(crate) mu: Vec<f64>,
    /// Posterior Gamma rate given run length `r`.
    pub(crate) beta: Vec<f64>,
    /// `ln beta`, carried along (see `normal_gamma`).
    pub(crate) ln_beta: Vec<f64>,
    /// Segment-length probability `P(L = r) = R[r] / (1 - R[0])` for
    /// `r >= 1`, divided by `seg_scale`; 0 for the `r = 0` entry. Kept (and
    /// snapshotted) so that `change_prob(w)` gives the same bits as the
    /// step did.
    pub(crate) seg: Vec<f64>,
    /// `P(L = r) = seg * seg_scale`.
    pub(crate) seg_scale: f64,
}

/// The serialised form of [`Posterior`]: its arrays with `log_prob` and
/// `seg` normalised (offset 0, scale 1) and run lengths rather than start
/// times, the fields and their order as before the offset, scale and clock
/// existed (snapshot format 1).
#[derive(serde::Serialize, serde::Deserialize)]
struct PosteriorState {
    /// Run length of each hypothesis.
    run: Vec<u64>,
    /// `ln R[r, t]`.
    log_prob: Vec<f64>,
    /// See [`Posterior`].
    mu: Vec<f64>,
    /// See [`Posterior`].
    beta: Vec<f64>,
    /// See [`Posterior`].
    ln_beta: Vec<f64>,
    /// `P(L = r)`.
    seg: Vec<f64>,
}

impl From<PosteriorState> for Posterior {
    /// Normalised values with offset 0 and scale 1: adding `+0.0` and
    /// multiplying by 1 change no bit, so a restored model continues
    /// exactly as the snapshotted one would have. The clock restarts at the
    /// longest run; wrapping arithmetic gives back every run length as it
    /// was, even those of a corrupt snapshot, which `validate` then refuses.
    fn from(s: PosteriorState) -> Posterior {
        let clock = s.run.first().copied().unwrap_or(0);
        Posterior {
            born: s.run.iter().map(|&r| clock.wrapping_sub(r)).collect(),
            clock,
            log_prob: s.log_prob,
            log_offset: 0.0,
            mu: s.mu,
            beta: s.beta,
            ln_beta: s.ln_beta,
            seg: s.seg,
            seg_scale: 1.0,
        }
    }
}

impl serde::Serialize for Posterior {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        PosteriorState {
            run: (0..self.len()).map(|i| self.runs().at(i)).collect(),
            log_prob: (0..self.len()).map(|i| self.log_prob_at(i)).collect(),
            mu: self.mu.clone(),
            beta: self.beta.clone(),
            ln_beta: self.ln_beta.clone(),
            seg: self.seg.iter().map(|&p| p * self.seg_scale).collect(),
        }
        .serialize(serializer)
    }
}

impl Posterior {
    /// The state before any observation: `R[0, 0] = 1` under the prior.
    pub(crate) fn prior(k: &StepConsts) -> Self {
        Posterior {
            born: vec![0],
            clock: 0,
            log_prob: vec![0.0],
            log_offset: 0.0,
            mu: vec![k.mu0],
            beta: vec![k.beta0],
            ln_beta: vec![k.ln_beta0],
            seg: vec![0.0],
            seg_scale: 1.0,
        }
    }

    /// Number of hypotheses kept.
    pub(crate) fn len(&self) -> usize {
        self.born.len()
    }

    /// The run lengths.
    pub(crate) fn runs(&self) -> Runs<'_> {
        Runs { born: &self.born, clock: self.clock }
    }

    /// `ln R[r, t]` of hypothesis `i`, as the predictive pass computes it:
    /// `log_prob + log_offset`, or `log_prob` for the last (the `r = 0`
    /// hypothesis, appended after the offset was set).
    pub(crate) fn log_prob_at(&self, i: usize) -> f64 {
        if i + 1 == self.len() { self.log_prob[i] } else { self.log_prob[i] + self.log_offset }
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
        let n = self.len();
        let longest = self.runs().at(0);
        consts.extend_through(longest);
        s.resize(n);
        if (longest as usize) < consts.table().len() {
            // Every run length is cached (they decrease from the first).
            self.advance(x, k, &ByRun(consts.table()), s)
        } else {
            s.gathered.clear();
            let runs = self.runs();
            for i in 0..n {
                s.gathered.push(consts.get(runs.at(i)));
            }
            let gathered = std::mem::take(&mut s.gathered);
            let out = self.advance(x, k, &Gathered(gathered.view()), s);
            s.gathered = gathered;
            out
        }
    }

    /// The step proper, with the run-length constants of hypothesis `i`
    /// (run length `r`) available as `rc.at(i, r)`.
    fn advance<K: RunConsts>(
        &mut self,
        x: f64,
        k: &StepConsts,
        rc: &K,
        s: &mut Scratch,
    ) -> Result<StepOut, ModelError> {
        let n = self.len();
        // Pass 1: predictive log density under each run length and the
        // Normal-Gamma update, into scratch (a failure changes nothing).
        let pass = predictive_pass(
            x,
            rc,
            State {
                runs: self.runs(),
                log_prob: &self.log_prob[..n],
                log_offset: self.log_offset,
                mu: &self.mu[..n],
                beta: &self.beta[..n],
                ln_beta: &self.ln_beta[..n],
            },
            Outputs {
                v: &mut s.v[..n],
                mu: &mut s.mu[..n],
                beta: &mut s.beta[..n],
                ln_beta: &mut s.ln_beta[..n],
                var: &mut s.var[..n],
            },
        );
        let (mut m, mut best, mut all_possible) = (pass.max_v, pass.argmax, true);
        if pass.unusual {
            // Observations ~1e8 scales out of some run's level (`log1p`
            // beyond the fast range: redone with libm), or so far out that
            // a square overflows (the run length is gone: `v = -inf`).
            for i in 0..n {
                let c = rc.at(i, self.runs().at(i));
                let d = x - self.mu[i];
                let q = c.q_scale * d * d;
                let y = q / self.beta[i];
                if !(s.mu[i].is_finite() && s.beta[i].is_finite()) {
                    s.v[i] = f64::NEG_INFINITY;
                } else if !(y <= fastmath::LOG1P_FAST_MAX) {
                    let l = libm::log1p(y);
                    s.v[i] = self.log_prob_at(i) + (c.c - 0.5 * self.ln_beta[i] - c.alpha_next * l);
                    s.ln_beta[i] = self.ln_beta[i] + l;
                }
                if !(s.v[i] > f64::NEG_INFINITY) {
                    s.v[i] = f64::NEG_INFINITY;
                }
            }
            m = f64::NEG_INFINITY;
            for (i, &v) in s.v[..n].iter().enumerate() {
                if v >= m {
                    (m, best) = (v, i);
                }
            }
            all_possible = s.v[..n].iter().all(|&v| v > f64::NEG_INFINITY);
        }
        if m == f64::NEG_INFINITY {
            return Err(ModelError::Numerical(format!(
                "observation {x} has zero predictive density under every run length (it overflows the posterior)"
            )));
        }
        std::mem::swap(&mut self.mu, &mut s.mu);
        std::mem::swap(&mut self.beta, &mut s.beta);
        std::mem::swap(&mut self.ln_beta, &mut s.ln_beta);

        // Pass 2: weights relative to the largest, their sums, the smallest
        // (the smallest log weight bounds `exp`'s arguments, unless entries
        // were redone).
        let lower = if pass.unusual { f64::NEG_INFINITY } else { pass.min_v };
        let wt = weights(&s.v[..n], m, lower, &mut s.e[..n], &self.mu[..n], &s.var[..n]);
        // Normalised probability of the successor of hypothesis i:
        // R[r+1, t+1] = (1 - H) e_i / w; and R[0, t+1] = H.
        let scale = k.survival / wt.sum;
        let victim = cap_victim(&k.pruning, n, all_possible, scale, &wt, best, &s.e[..n]);
        let threshold = k.pruning.threshold;
        let log_norm = -m - libm::log(wt.sum) + k.ln_survival;

        let (dropped, renorm, map_run, mean, var);
        if all_possible && victim == NO_VICTIM && !below_threshold(threshold, scale, wt.min) {
            // Nothing dropped (most steps): advance every run; the log
            // weights and the weights become the new `log_prob` and `seg`,
            // normalised by the scalars beside them; the parameters are
            // already in place.
            let inv = 1.0 / wt.sum;
            self.clock += 1;
            std::mem::swap(&mut self.log_prob, &mut s.v);
            std::mem::swap(&mut self.seg, &mut s.e);
            (self.log_offset, self.seg_scale) = (log_norm, inv);
            (dropped, renorm) = (0.0, 0.0);
            map_run = self.runs().at(best);
            (mean, var) = (wt.sum_mu * inv, wt.sum_var * inv);
        } else {
            let out = self.compact(k, &s.v[..n], &s.e[..n], &s.var[..n], scale, best, victim, log_norm);
            (dropped, renorm, map_run, mean, var) = out;
        }

        // The changepoint hypothesis: a new run under the prior, mass H.
        self.born.push(self.clock);
        self.log_prob.push(k.ln_hazard + renorm);
        self.mu.push(k.mu0);
        self.beta.push(k.beta0);
        self.ln_beta.push(k.ln_beta0);
        self.seg.push(0.0);

        Ok(StepOut { pruned_mass: dropped, map_run, segment_mean: mean, segment_var: var })
    }

    /// Pass 3 when something is dropped: compact the survivors in place
    /// (advancing their run length), account for the dropped mass,
    /// renormalise (through `log_offset` and `seg_scale`), and accumulate
    /// the outputs over the survivors.
    /// Returns `(dropped mass, renormalisation added to the log
    /// probabilities, MAP run, segment mean, segment variance)`.
    #[allow(clippy::too_many_arguments)]
    fn compact(
        &mut self,
        k: &StepConsts,
        v: &[f64],
        e: &[f64],
        var: &[f64],
        scale: f64,
        best: usize,
        victim: usize,
        log_norm: f64,
    ) -> (f64, f64, u64, f64, f64) {
        let n = v.len();
        let threshold = k.pruning.threshold;
        let mut j = 0usize;
        let mut map_j = 0usize;
        let mut dropped = 0.0;
        let (mut kept_e, mut sum_mu, mut sum_var) = (0.0, 0.0, 0.0);
        {
            let e = &e[..n];
            let born = &mut self.born[..n];
            let log_prob = &mut self.log_prob[..n];
            let (mu, beta) = (&mut self.mu[..n], &mut self.beta[..n]);
            let (ln_beta, seg_out) = (&mut self.ln_beta[..n], &mut self.seg[..n]);
            for i in 0..n {
                let (vi, ei) = (v[i], e[i]);
                if vi == f64::NEG_INFINITY {
                    continue; // zero density: gone, with zero mass
                }
                if i != best && (below_threshold(threshold, scale, ei) || i == victim) {
                    dropped += scale * ei;
                    continue;
                }
                if i == best {
                    map_j = j;
                }
                let (mu_i, b) = (mu[i], beta[i]);
                kept_e += ei;
                sum_mu += ei * mu_i;
                sum_var += ei * var[i];
                born[j] = born[i];
                log_prob[j] = vi + log_norm;
                seg_out[j] = ei;
                mu[j] = mu_i;
                beta[j] = b;
                ln_beta[j] = ln_beta[i];
                j += 1;
            }
        }
        self.born.truncate(j);
        self.clock += 1;
        self.log_prob.truncate(j);
        self.mu.truncate(j);
        self.beta.truncate(j);
        self.ln_beta.truncate(j);
        self.seg.truncate(j);

        let renorm = if dropped > 0.0 { -libm::log1p(-dropped) } else { 0.0 };
        let inv_kept = 1.0 / kept_e;
        (self.log_offset, self.seg_scale) = (renorm, inv_kept);
        (dropped, renorm, self.runs().at(map_j), sum_mu * inv_kept, sum_var * inv_kept)
    }

    /// `P(L <= window)`: the sum of the segment-length probabilities of the
    /// shortest runs. The one summation used for both the step output and
    /// the `change_prob(window)` query, so they agree to the bit.
    pub(crate) fn change_prob(&self, window: u64) -> f64 {
        let mut sum = 0.0;
        let runs = self.runs();
        for (i, &p) in self.seg.iter().enumerate().rev() {
            let r = runs.at(i);
            if r == 0 {
                continue;
            }
            if r > window {
                break;
            }
            sum += p * self.seg_scale;
        }
        sum
    }

    /// Dense `R[:, steps]`: index = run length `0..=steps`, pruned entries 0.
    pub(crate) fn dense(&self, steps: u64) -> Vec<f64> {
        let mut out = vec![0.0; steps as usize + 1];
        for i in 0..self.len() {
            if let Some(slot) = out.get_mut(self.runs().at(i) as usize) {
                *slot = libm::exp(self.log_prob_at(i));
            }
        }
        out
    }

    /// Check the invariants a snapshot must satisfy after `steps` updates,
    /// so a corrupt snapshot is refused rather than computed with.
    pub(crate) fn validate(&self, steps: u64, max_hypotheses: u32) -> Result<(), String> {
        let n = self.len();
        if n == 0 {
            return Err("no run-length hypotheses".into());
        }
        if [self.log_prob.len(), self.mu.len(), self.beta.len(), self.ln_beta.len(), self.seg.len()]
            .iter()
            .any(|&l| l != n)
        {
            return Err("hypothesis arrays of different lengths".into());
        }
        let run: Vec<u64> = (0..n).map(|i| self.runs().at(i)).collect();
        if run[n - 1] != 0 || run.windows(2).any(|w| w[0] <= w[1]) {
            return Err("run lengths are not strictly decreasing down to 0".into());
        }
        if run[0] > steps || n as u64 > steps + 1 {
            return Err(format!("run length {} after {steps} observations", run[0]));
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
