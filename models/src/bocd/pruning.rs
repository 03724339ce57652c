//! Which run-length hypotheses a step drops, and how much mass that costs.
//!
//! Policy, applied to the normalised posterior of the hypotheses that
//! continue a run (`r >= 1`) right after the recursion:
//!
//! 1. threshold: drop a hypothesis whose probability is below
//!    `prune-threshold` (0 disables);
//! 2. cap: if the survivors plus the new `r = 0` hypothesis exceed
//!    `max-hypotheses` (0 disables), drop the least probable survivors
//!    (ties: the longer run goes first) until they fit.
//!
//! Two hypotheses are never dropped: the new `r = 0` one (the only way a
//! new segment can enter; its mass is the hazard) and the most probable
//! continuing one (so the segment-length distribution is never empty and
//! its mode survives). Since every kept hypothesis spawns exactly one
//! successor, the cap removes at most one hypothesis per step.
//!
//! Per-step bound on the dropped mass `d_t` (exact value reported as
//! `pruned_mass`): with `n_t` continuing hypotheses before pruning,
//! `d_t < n_t * prune-threshold + p_cap`, where `p_cap` is the probability
//! of the one hypothesis the cap removed (0 if none). That hypothesis is the
//! least probable of at least `max-hypotheses - 1` survivors sharing mass
//! `1 - H`, so `p_cap <= (1 - H) / (max-hypotheses - 1)` in the worst case;
//! in practice it is near the threshold (see the plugin README for
//! measured values).

/// The configured pruning rule (the default disables it).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub(crate) struct Pruning {
    /// Drop hypotheses with probability below this (0 disables).
    pub(crate) threshold: f64,
    /// Keep at most this many hypotheses including `r = 0` (0 disables).
    pub(crate) max_hypotheses: u32,
}

impl Pruning {
    /// Whether anything can ever be dropped; when not, the step skips the
    /// planning pass entirely (the reference-exact mode).
    pub(crate) fn enabled(&self) -> bool {
        self.threshold > 0.0 || self.max_hypotheses > 0
    }
}

/// Whether a hypothesis of weight `e` (probability `scale * e`) falls under
/// the threshold. One function so that planning and compaction agree.
#[inline]
pub(crate) fn below_threshold(threshold: f64, scale: f64, e: f64) -> bool {
    threshold > 0.0 && scale * e < threshold
}

/// What planning decided, for the compaction pass.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Plan {
    /// Normalised probability mass of everything dropped this step.
    pub(crate) dropped_mass: f64,
    /// Sum of the weights `e` of the continuing hypotheses that stay.
    pub(crate) kept_weight: f64,
}

/// Decide what this step drops.
///
/// `v[i]` is the log weight of continuing hypothesis `i` (`-inf` when its
/// predictive density was zero: it is gone whatever the pruning),
/// `e[i] = exp(v[i] - max v)` its weight, `best` the index of the largest
/// weight, and `scale = (1 - H) / sum(e)` turns a weight into the normalised
/// probability of that hypothesis' successor.
///
/// Threshold drops are left for the compaction pass to skip (it applies the
/// same [`below_threshold`] test); cap victims are marked here by setting
/// `v = -inf` and `e = 0`, so the compaction needs no other state.
pub(crate) fn plan(p: &Pruning, v: &mut [f64], e: &mut [f64], best: usize, scale: f64) -> Plan {
    let mut dropped = 0.0;
    let mut kept_weight = 0.0;
    let mut kept = 0usize;
    let mut victim = usize::MAX;
    let mut victim_e = f64::INFINITY;
    for (i, (&vi, &ei)) in v.iter().zip(e.iter()).enumerate() {
        if vi == f64::NEG_INFINITY {
            continue;
        }
        if i != best && below_threshold(p.threshold, scale, ei) {
            dropped += scale * ei;
            continue;
        }
        kept += 1;
        kept_weight += ei;
        if i != best && ei < victim_e {
            victim_e = ei;
            victim = i;
        }
    }
    let cap = p.max_hypotheses as usize;
    if cap > 0 {
        // `kept` continuing hypotheses plus the new r = 0 one must fit.
        let mut excess = (kept + 1).saturating_sub(cap);
        while excess > 0 {
            if victim == usize::MAX {
                // Unreachable while max_hypotheses >= 2 (the best one stays
                // and is never a victim); stop rather than loop.
                break;
            }
            dropped += scale * e[victim];
            kept_weight -= e[victim];
            v[victim] = f64::NEG_INFINITY;
            e[victim] = 0.0;
            excess -= 1;
            if excess > 0 {
                // Only after a restore into a tighter cap could more than one
                // go; rescan for the next least probable survivor.
                victim = usize::MAX;
                victim_e = f64::INFINITY;
                for (i, (&vi, &ei)) in v.iter().zip(e.iter()).enumerate() {
                    if vi != f64::NEG_INFINITY
                        && i != best
                        && !below_threshold(p.threshold, scale, ei)
                        && ei < victim_e
                    {
                        victim_e = ei;
                        victim = i;
                    }
                }
            }
        }
    }
    Plan { dropped_mass: dropped, kept_weight }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn threshold_then_cap_and_the_best_survives() {
        // Weights 0.5, 1 (best), 1e-9, 0.25 with scale 0.5: probabilities
        // 0.25, 0.5, 5e-10, 0.125.
        let mut v = vec![-0.7, 0.0, -20.7, -1.4];
        let mut e = vec![0.5, 1.0, 1e-9, 0.25];
        let p = Pruning { threshold: 1e-8, max_hypotheses: 3 };
        let plan = plan(&p, &mut v, &mut e, 1, 0.5);
        // Threshold drops index 2, the cap (2 + 1 > 3... 3 continuing + r=0
        // = 4 > 3) drops the least probable survivor, index 3.
        assert_eq!(v[3], f64::NEG_INFINITY);
        assert!((plan.dropped_mass - (5e-10 + 0.125)).abs() < 1e-18);
        assert_eq!(plan.kept_weight, 1.5);
        assert!(v[0].is_finite() && v[1].is_finite());
    }

    #[test]
    fn a_tiny_best_hypothesis_is_never_dropped() {
        let mut v = vec![0.0];
        let mut e = vec![1.0];
        let p = Pruning { threshold: 0.9, max_hypotheses: 2 };
        let plan = plan(&p, &mut v, &mut e, 0, 0.5);
        assert_eq!(plan.dropped_mass, 0.0);
        assert_eq!(plan.kept_weight, 1.0);
    }
}
