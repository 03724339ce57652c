//! Which run-length hypotheses a step drops, and how much mass that costs.
//!
//! Policy, applied to the normalised posterior of the hypotheses that
//! continue a run (`r >= 1`) right after the recursion:
//!
//! 1. threshold: drop a hypothesis whose probability is below
//!    `prune-threshold` (0 disables);
//! 2. cap: if the survivors plus the new `r = 0` hypothesis exceed
//!    `max-hypotheses` (0 disables), drop the least probable survivor
//!    (ties: the longer run goes first).
//!
//! Two hypotheses are never dropped: the new `r = 0` one (the only way a
//! new segment can enter; its mass is the hazard) and the most probable
//! continuing one (so the segment-length distribution is never empty and
//! its mode survives). Since every kept hypothesis spawns exactly one
//! successor, the cap removes at most one hypothesis per step, and only at
//! a step where nothing else went.
//!
//! Per-step bound on the dropped mass `d_t` (exact value reported as
//! `pruned_mass`; probabilities are those of the normalised `R[:, t+1]`,
//! whose `r = 0` entry holds `H`): with `n_t` continuing hypotheses before
//! pruning, either the threshold dropped something and
//! `d_t < (n_t - 1) * prune-threshold` (the most probable stays), or
//! `d_t = p_cap`, the probability of the one hypothesis the cap removed:
//! the least probable of `max-hypotheses` sharing mass `1 - H`, so
//! `p_cap <= (1 - H) / max-hypotheses` (0 if the cap did not bind).

use super::kernels::Weights;

/// The configured pruning rule (the default disables it).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub(crate) struct Pruning {
    /// Drop hypotheses with probability below this (0 disables).
    pub(crate) threshold: f64,
    /// Keep at most this many hypotheses including `r = 0` (0 disables).
    pub(crate) max_hypotheses: u32,
}

/// Whether a hypothesis of weight `e` (probability `scale * e`) falls under
/// the threshold. One function so that victim choice and compaction agree.
#[inline]
pub(crate) fn below_threshold(threshold: f64, scale: f64, e: f64) -> bool {
    threshold > 0.0 && scale * e < threshold
}

/// No victim: [`cap_victim`]'s answer when the cap does not bind.
pub(crate) const NO_VICTIM: usize = usize::MAX;

/// The hypothesis the cap removes this step, or [`NO_VICTIM`].
///
/// `n` continuing hypotheses (the previous step's survivors, so `n <=
/// max-hypotheses`) plus the new `r = 0` exceed the cap by at most one, and
/// only when nothing else is dropped this step: any zero-density or
/// below-threshold hypothesis already makes the room. So the victim is
/// needed only when no weight is under the threshold, and it is then simply
/// the least probable hypothesis other than `best` (the most probable),
/// the longest run among ties (`e`, `scale` and `wt` as in `weights`, which
/// finds the smallest weight but not where it is: that is looked up here,
/// at the steps where the cap binds).
pub(crate) fn cap_victim(
    p: &Pruning,
    n: usize,
    all_possible: bool,
    scale: f64,
    wt: &Weights,
    best: usize,
    e: &[f64],
) -> usize {
    let cap = p.max_hypotheses as usize;
    if cap == 0 || n < cap || !all_possible || below_threshold(p.threshold, scale, wt.min) {
        return NO_VICTIM;
    }
    debug_assert!(n == cap, "{n} hypotheses under a cap of {cap}");
    e.iter()
        .enumerate()
        .filter(|&(i, _)| i != best)
        .fold((NO_VICTIM, f64::INFINITY), |(bi, be), (i, &ei)| if ei < be { (i, ei) } else { (bi, be) })
        .0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wt(e: &[f64]) -> Weights {
        Weights { sum: e.iter().sum(), sum_mu: 0.0, sum_var: 0.0, min: e.iter().copied().fold(f64::INFINITY, f64::min) }
    }

    #[test]
    fn the_cap_takes_the_least_probable_only_when_nothing_else_goes() {
        let p = Pruning { threshold: 1e-8, max_hypotheses: 4 };
        let e = [0.5, 1.0, 0.25, 0.3];
        // 4 continuing + r=0 > 4: the least probable goes.
        assert_eq!(cap_victim(&p, 4, true, 0.5, &wt(&e), 1, &e), 2);
        // Under the cap: nothing.
        assert_eq!(cap_victim(&p, 3, true, 0.5, &wt(&e[..3]), 1, &e[..3]), NO_VICTIM);
        // A zero-density hypothesis or one under the threshold makes room.
        assert_eq!(cap_victim(&p, 4, false, 0.5, &wt(&e), 1, &e), NO_VICTIM);
        let e2 = [0.5, 1.0, 1e-9, 0.3];
        assert_eq!(cap_victim(&p, 4, true, 0.5, &wt(&e2), 1, &e2), NO_VICTIM);
        // Threshold off: the smallest goes even if tiny.
        let p0 = Pruning { threshold: 0.0, max_hypotheses: 4 };
        assert_eq!(cap_victim(&p0, 4, true, 0.5, &wt(&e2), 1, &e2), 2);
        // No cap: nothing.
        let pn = Pruning { threshold: 0.0, max_hypotheses: 0 };
        assert_eq!(cap_victim(&pn, 4, true, 0.5, &wt(&e), 1, &e), NO_VICTIM);
    }

    #[test]
    fn the_most_probable_is_never_the_victim() {
        let p = Pruning { threshold: 0.0, max_hypotheses: 3 };
        let e = [1.0, 1.0, 1.0];
        // Ties everywhere: the longest run other than the best.
        assert_eq!(cap_victim(&p, 3, true, 0.3, &wt(&e), 0, &e), 1);
        assert_eq!(cap_victim(&p, 3, true, 0.3, &wt(&e), 2, &e), 0);
    }
}
