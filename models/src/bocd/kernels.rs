//! The two loops over every hypothesis, on SIMD lanes.
//!
//! Together they are most of a step's cost: the predictive log density and
//! Normal-Gamma update of each run length (one `log1p`, two divisions), and
//! the weights `exp(v - max v)` with their sums (one `exp`). They are
//! written once against [`Lanes`] and run as AVX2 (four lanes) when the CPU
//! has it, SSE2 (two lanes) on other x86_64, and lane by lane elsewhere,
//! with identical results (see `lanes`: every cross-lane reduction below
//! has an order that does not depend on the lane count).

use super::fastmath;
use super::lanes::{F2, Lanes, Mask};
use super::normal_gamma::RunConst;

/// Where the run-length constants of hypothesis `i` (run length `r`) come
/// from.
pub(crate) trait RunConsts {
    /// The constants of hypothesis `i`, whose run length is `r`.
    fn at(&self, i: usize, r: u64) -> &RunConst;
}

/// Constants read from the cache by run length (every run is cached).
pub(crate) struct ByRun<'a>(pub(crate) &'a [RunConst]);

impl RunConsts for ByRun<'_> {
    #[inline(always)]
    fn at(&self, _i: usize, r: u64) -> &RunConst {
        &self.0[r as usize]
    }
}

/// Constants gathered per hypothesis (when some run is beyond the cache).
pub(crate) struct Gathered<'a>(pub(crate) &'a [RunConst]);

impl RunConsts for Gathered<'_> {
    #[inline(always)]
    fn at(&self, i: usize, _r: u64) -> &RunConst {
        &self.0[i]
    }
}

/// Whether to run the four-lane AVX2 instantiation (x86_64 CPUs that have
/// it; the answer is cached by the standard library).
#[cfg(target_arch = "x86_64")]
#[inline(always)]
fn use_avx2() -> bool {
    std::arch::is_x86_feature_detected!("avx2")
}

/// The current hypotheses' state, read by [`predictive_pass`].
pub(crate) struct State<'a> {
    /// Run lengths.
    pub(crate) run: &'a [u64],
    /// `ln R[r, t]`.
    pub(crate) log_prob: &'a [f64],
    /// `mu_r`.
    pub(crate) mu: &'a [f64],
    /// `beta_r`.
    pub(crate) beta: &'a [f64],
    /// `ln beta_r`.
    pub(crate) ln_beta: &'a [f64],
}

/// Where [`predictive_pass`] writes, one entry per hypothesis.
pub(crate) struct Outputs<'a> {
    /// Log weight `v = ln R[r, t] + ln p(x | r)`.
    pub(crate) v: &'a mut [f64],
    /// `mu'`.
    pub(crate) mu: &'a mut [f64],
    /// `beta'`.
    pub(crate) beta: &'a mut [f64],
    /// `ln beta'`.
    pub(crate) ln_beta: &'a mut [f64],
    /// `beta' / alpha'`, the variance estimate `segment_var` averages.
    pub(crate) var: &'a mut [f64],
}

/// What [`predictive_pass`] found besides its outputs.
pub(crate) struct PassSummary {
    /// Largest log weight.
    pub(crate) max_v: f64,
    /// Its index; among ties the largest index (the shortest run), as
    /// numpy's argmax over increasing segment length picks the first.
    pub(crate) argmax: usize,
    /// No log weight is `-inf` (no run length became impossible).
    pub(crate) all_finite: bool,
    /// Some `log1p` argument was beyond the fast range: those entries hold a
    /// wrong `v` and `ln beta` and must be redone.
    pub(crate) far_out: bool,
}

/// One vector of hypotheses: `(v, mu', beta', ln beta', fast)` where
/// `fast` says the `log1p` argument was in range.
#[inline(always)]
#[allow(clippy::too_many_arguments)]
fn predict<L: Lanes>(x: L, log_prob: L, mu: L, b: L, lnb: L, c: L, kappa: L, ik1: L, an: L) -> (L, L, L, L, L::Mask) {
    let half = L::splat(0.5);
    let inf = L::splat(f64::INFINITY);
    let d = x - mu;
    let q = half * kappa * d * d * ik1;
    let y = q / b;
    let fast = y.le(L::splat(fastmath::LOG1P_FAST_MAX));
    let l = fastmath::log1p_nonneg(fast.select(y, L::splat(0.0)));
    let new_b = b + q;
    let new_mu = (kappa * mu + x) * ik1;
    let v = log_prob + (c - half * lnb - an * l);
    // Zero density in floating point (squares that overflow): this run
    // length is gone.
    let finite = new_b.lt(inf).and(new_mu.abs().lt(inf));
    (finite.select(v, L::splat(f64::NEG_INFINITY)), new_mu, new_b, lnb + l, fast)
}

/// Log weight `v = ln R[r, t] + ln p(x | r)` of every hypothesis and its
/// updated Normal-Gamma parameters.
pub(crate) fn predictive_pass<K: RunConsts>(x: f64, rc: &K, a: State<'_>, o: Outputs<'_>) -> PassSummary {
    #[cfg(target_arch = "x86_64")]
    if use_avx2() {
        // SAFETY: the CPU has AVX2 (checked just above).
        return unsafe { predictive_pass_avx2(x, rc, a, o) };
    }
    predictive_pass_lanes::<F2, K>(x, rc, a, o)
}

/// [`predictive_pass`] compiled for AVX2, on four lanes.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn predictive_pass_avx2<K: RunConsts>(x: f64, rc: &K, a: State<'_>, o: Outputs<'_>) -> PassSummary {
    predictive_pass_lanes::<super::lanes::F4, K>(x, rc, a, o)
}

/// `L` values of column `c` from index `i`; lanes past the end repeat the
/// last entry. (The helpers here are functions, not closures: a closure
/// would not inherit the AVX2 target feature, and the intrinsics inside it
/// would become calls.)
#[inline(always)]
fn column<L: Lanes>(c: &[f64], i: usize) -> L {
    if i + L::N <= c.len() {
        L::load(&c[i..])
    } else {
        let last = c.len() - 1;
        L::from_fn(|k| c[(i + k).min(last)])
    }
}

/// `L` values of column `c` from index `i`; lanes past the end are `fill`.
#[inline(always)]
fn padded<L: Lanes>(c: &[f64], i: usize, fill: f64) -> L {
    if i + L::N <= c.len() { L::load(&c[i..]) } else { L::from_fn(|k| if i + k < c.len() { c[i + k] } else { fill }) }
}

/// One run-length constant of hypotheses `i..i + N`; lanes past the end
/// repeat the last hypothesis.
#[inline(always)]
fn consts<L: Lanes, K: RunConsts>(rc: &K, run: &[u64], i: usize, f: fn(&RunConst) -> f64) -> L {
    let last = run.len() - 1;
    L::from_fn(|k| {
        let j = (i + k).min(last);
        f(rc.at(j, run[j]))
    })
}

/// The indices `i..i + N` as f64 lanes, capped at `n - 1`.
#[inline(always)]
fn indices<L: Lanes>(i: usize, n: usize) -> L {
    L::from_fn(|k| (i + k).min(n - 1) as f64)
}

/// Store the first `d.len()` (< N) lanes.
#[inline(always)]
fn store_prefix<L: Lanes>(x: L, d: &mut [f64]) {
    for (k, slot) in d.iter_mut().enumerate().take(L::N) {
        *slot = x.lane(k);
    }
}

/// `(s0 + s1) + (s2 + s3)` of the four partial sums held in `acc`.
#[inline(always)]
fn total<L: Lanes>(acc: [L; 2]) -> f64 {
    let mut lanes = [0.0; 4];
    for (k, slot) in lanes.iter_mut().enumerate() {
        *slot = acc[k / L::N].lane(k % L::N);
    }
    (lanes[0] + lanes[1]) + (lanes[2] + lanes[3])
}

/// [`predictive_pass`] on `L` lanes; the last, partial vector repeats the
/// last hypothesis in its spare lanes and stores only the real ones.
#[inline(always)]
fn predictive_pass_lanes<L: Lanes, K: RunConsts>(x: f64, rc: &K, a: State<'_>, o: Outputs<'_>) -> PassSummary {
    let n = o.v.len();
    let (run, log_prob, mu, beta, ln_beta) = (&a.run[..n], &a.log_prob[..n], &a.mu[..n], &a.beta[..n], &a.ln_beta[..n]);
    let (v_out, mu_out, beta_out) = (&mut o.v[..n], &mut o.mu[..n], &mut o.beta[..n]);
    let (ln_beta_out, var_out) = (&mut o.ln_beta[..n], &mut o.var[..n]);
    let xs = L::splat(x);
    let neg_inf = L::splat(f64::NEG_INFINITY);
    let yes = L::splat(0.0).le(L::splat(0.0));
    let (mut all_fast, mut finite) = (yes, yes);
    let mut max_v = neg_inf;
    let mut argmax = L::splat(0.0);
    let mut i = 0;
    while i < n {
        let (v, new_mu, new_b, new_lnb, fast) = predict(
            xs,
            column::<L>(log_prob, i),
            column::<L>(mu, i),
            column::<L>(beta, i),
            column::<L>(ln_beta, i),
            consts::<L, K>(rc, run, i, |c| c.c),
            consts::<L, K>(rc, run, i, |c| c.kappa),
            consts::<L, K>(rc, run, i, |c| c.inv_kappa1),
            consts::<L, K>(rc, run, i, |c| c.alpha_next),
        );
        let var = new_b * consts::<L, K>(rc, run, i, |c| c.inv_alpha_next);
        if i + L::N <= n {
            v.store(&mut v_out[i..]);
            new_mu.store(&mut mu_out[i..]);
            new_b.store(&mut beta_out[i..]);
            new_lnb.store(&mut ln_beta_out[i..]);
            var.store(&mut var_out[i..]);
        } else {
            store_prefix(v, &mut v_out[i..]);
            store_prefix(new_mu, &mut mu_out[i..]);
            store_prefix(new_b, &mut beta_out[i..]);
            store_prefix(new_lnb, &mut ln_beta_out[i..]);
            store_prefix(var, &mut var_out[i..]);
        }
        all_fast = all_fast.and(fast);
        finite = finite.and(neg_inf.lt(v));
        // `>=`: a later index wins ties within a lane.
        let at_least = v.ge(max_v);
        max_v = at_least.select(v, max_v);
        argmax = at_least.select(indices::<L>(i, n), argmax);
        i += L::N;
    }
    // Across lanes: the largest value, ties to the largest index.
    let (mut m, mut arg) = (f64::NEG_INFINITY, 0usize);
    for k in 0..L::N {
        let (vk, ik) = (max_v.lane(k), argmax.lane(k) as usize);
        if vk > m || (vk == m && ik > arg) {
            (m, arg) = (vk, ik);
        }
    }
    PassSummary { max_v: m, argmax: arg, all_finite: finite.all(), far_out: !all_fast.all() }
}

/// What [`weights`] found.
pub(crate) struct Weights {
    /// `sum(e)`.
    pub(crate) sum: f64,
    /// `sum(e mu')`.
    pub(crate) sum_mu: f64,
    /// `sum(e beta'/alpha')`.
    pub(crate) sum_var: f64,
    /// `min(e)`.
    pub(crate) min: f64,
    /// An index of `min(e)`: the lowest (the longest run) among ties.
    pub(crate) argmin: usize,
}

/// `e = exp(v - m)`, the sums of `e`, `e mu'` and `e beta'/alpha'`, and the
/// smallest `e` (the cap's victim, when there is one).
///
/// Each sum is accumulated as four partial sums, one per index modulo 4,
/// each in increasing index order, then combined as `(s0 + s1) + (s2 +
/// s3)`: a fixed order whatever the lane count.
pub(crate) fn weights(v: &[f64], m: f64, e: &mut [f64], mu: &[f64], var: &[f64]) -> Weights {
    #[cfg(target_arch = "x86_64")]
    if use_avx2() {
        // SAFETY: the CPU has AVX2 (checked just above).
        return unsafe { weights_avx2(v, m, e, mu, var) };
    }
    weights_lanes::<F2>(v, m, e, mu, var)
}

/// [`weights`] compiled for AVX2, on four lanes.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn weights_avx2(v: &[f64], m: f64, e: &mut [f64], mu: &[f64], var: &[f64]) -> Weights {
    weights_lanes::<super::lanes::F4>(v, m, e, mu, var)
}

/// [`weights`] on `L` lanes (2 or 4, so that a vector never straddles two
/// residues modulo 4 in a way the partial sums could not follow).
#[inline(always)]
fn weights_lanes<L: Lanes>(v: &[f64], m: f64, e: &mut [f64], mu: &[f64], var: &[f64]) -> Weights {
    let n = v.len();
    let (e, mu, var) = (&mut e[..n], &mu[..n], &var[..n]);
    let ms = L::splat(m);
    let zero = L::splat(0.0);
    // acc[h]: indices 4g + h N + lane; with N = 4 only acc[0] is used.
    let (mut s_e, mut s_mu, mut s_var) = ([zero; 2], [zero; 2], [zero; 2]);
    let mut min = L::splat(f64::INFINITY);
    let mut argmin = zero;
    let mut g = 0;
    while g < n {
        for h in 0..4 / L::N {
            let i = g + h * L::N;
            if i >= n {
                break;
            }
            // Spare lanes past the end: v = -inf gives e = 0 and zero
            // terms, and +inf keeps them from being the minimum.
            let ex = fastmath::exp_nonpos(padded::<L>(v, i, f64::NEG_INFINITY) - ms);
            let (em, ev) = (ex * padded::<L>(mu, i, 0.0), ex * padded::<L>(var, i, 0.0));
            let idx = indices::<L>(i, usize::MAX);
            let candidate = if i + L::N <= n {
                ex.store(&mut e[i..]);
                ex
            } else {
                store_prefix(ex, &mut e[i..]);
                idx.lt(L::splat(n as f64)).select(ex, L::splat(f64::INFINITY))
            };
            s_e[h] = s_e[h] + ex;
            s_mu[h] = s_mu[h] + em;
            s_var[h] = s_var[h] + ev;
            let smaller = candidate.lt(min);
            min = smaller.select(candidate, min);
            argmin = smaller.select(idx, argmin);
        }
        g += 4;
    }
    // Across lanes: the smallest value, ties to the lowest index.
    let (mut mn, mut arg) = (f64::INFINITY, usize::MAX);
    for k in 0..L::N {
        let (vk, ik) = (min.lane(k), argmin.lane(k) as usize);
        if vk < mn || (vk == mn && ik < arg) {
            (mn, arg) = (vk, ik);
        }
    }
    Weights {
        sum: total(s_e),
        sum_mu: total(s_mu),
        sum_var: total(s_var),
        min: mn,
        argmin: if arg == usize::MAX { 0 } else { arg },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Case {
        table: Vec<RunConst>,
        run: Vec<u64>,
        lp: Vec<f64>,
        mu: Vec<f64>,
        beta: Vec<f64>,
        lnb: Vec<f64>,
    }

    fn case(n: usize) -> Case {
        let table: Vec<RunConst> = (0..n as u64).map(|r| RunConst::compute(1.3, 0.7, r)).collect();
        let beta: Vec<f64> = (0..n).map(|i| 0.5 + i as f64 * 0.3).collect();
        Case {
            table,
            run: (0..n as u64).rev().collect(),
            lp: (0..n).map(|i| -0.1 * i as f64 - 1.0).collect(),
            mu: (0..n).map(|i| (i as f64 * 0.37).sin()).collect(),
            lnb: beta.iter().map(|&b| libm::log(b)).collect(),
            beta,
        }
    }

    /// Run both passes on `L` lanes; everything they produce, as bits.
    #[cfg_attr(not(target_arch = "x86_64"), allow(dead_code))]
    fn run_lanes<L: Lanes>(c: &Case, x: f64) -> Vec<u64> {
        let n = c.run.len();
        let mut outs = vec![vec![0.0; n]; 6];
        let [v, mo, bo, lo, var, e] = &mut outs[..] else { unreachable!() };
        let s = predictive_pass_lanes::<L, _>(
            x,
            &ByRun(&c.table),
            State { run: &c.run, log_prob: &c.lp, mu: &c.mu, beta: &c.beta, ln_beta: &c.lnb },
            Outputs { v, mu: mo, beta: bo, ln_beta: lo, var },
        );
        let w = weights_lanes::<L>(v, s.max_v, e, mo, var);
        let mut bits: Vec<u64> = outs.iter().flatten().map(|x| x.to_bits()).collect();
        bits.extend([s.max_v.to_bits(), s.argmax as u64, s.all_finite as u64, s.far_out as u64]);
        bits.extend([w.sum, w.sum_mu, w.sum_var, w.min].map(f64::to_bits));
        bits.push(w.argmin as u64);
        bits
    }

    /// The passes against a plain scalar transcription of the same formulas
    /// with `libm`: equal to a few ulps, for every length modulo 4.
    #[test]
    fn passes_match_scalar_formulas() {
        for n in [1usize, 2, 3, 4, 5, 6, 7, 64, 65] {
            let c = case(n);
            let x = 1.7;
            let mut outs = vec![vec![0.0; n]; 6];
            let [v, mo, bo, lo, var, e] = &mut outs[..] else { unreachable!() };
            let rc = ByRun(&c.table);
            let s = predictive_pass(
                x,
                &rc,
                State { run: &c.run, log_prob: &c.lp, mu: &c.mu, beta: &c.beta, ln_beta: &c.lnb },
                Outputs { v, mu: mo, beta: bo, ln_beta: lo, var },
            );
            assert!(s.all_finite && !s.far_out);
            for i in 0..n {
                let k = rc.at(i, c.run[i]);
                let d = x - c.mu[i];
                let q = k.kappa * d * d / (2.0 * (k.kappa + 1.0));
                let l = libm::log1p(q / c.beta[i]);
                let want = c.lp[i] + k.c - 0.5 * c.lnb[i] - k.alpha_next * l;
                assert!((v[i] - want).abs() <= 1e-14 * want.abs(), "n={n} i={i}: {} vs {want}", v[i]);
                assert!((mo[i] - (k.kappa * c.mu[i] + x) / (k.kappa + 1.0)).abs() < 1e-15);
                assert!((bo[i] - (c.beta[i] + q)).abs() < 1e-14 * bo[i]);
                assert!((lo[i] - (c.lnb[i] + l)).abs() < 1e-14 * lo[i].abs().max(1.0));
                assert!((var[i] - bo[i] / k.alpha_next).abs() < 1e-14 * var[i]);
            }
            let (im, vm) =
                v.iter().enumerate().fold((0, f64::NEG_INFINITY), |a, (i, &x)| if x >= a.1 { (i, x) } else { a });
            assert_eq!((s.argmax, s.max_v), (im, vm));

            let w = weights(v, s.max_v, e, mo, var);
            let sum: f64 = v.iter().map(|&vi| libm::exp(vi - s.max_v)).sum();
            assert!((w.sum - sum).abs() < 1e-14 * sum);
            let sum_mu: f64 = (0..n).map(|i| e[i] * mo[i]).sum();
            let sum_var: f64 = (0..n).map(|i| e[i] * var[i]).sum();
            assert!((w.sum_mu - sum_mu).abs() < 1e-14 * sum_mu.abs().max(1.0));
            assert!((w.sum_var - sum_var).abs() < 1e-14 * sum_var);
            let (ia, mn) = e.iter().enumerate().fold((0, f64::INFINITY), |a, (i, &x)| if x < a.1 { (i, x) } else { a });
            assert_eq!((w.argmin, w.min), (ia, mn));
        }
    }

    /// The portable lanes (what wasm32 runs), SSE2 and AVX2 give the same
    /// bits, whatever the length.
    #[test]
    #[cfg(target_arch = "x86_64")]
    fn portable_sse2_and_avx2_agree_to_the_bit() {
        for n in 1..=19 {
            let c = case(n);
            let portable = run_lanes::<super::super::lanes::P2>(&c, -0.4);
            assert_eq!(run_lanes::<F2>(&c, -0.4), portable, "SSE2, n = {n}");
            if use_avx2() {
                // SAFETY: the CPU has AVX2 (checked just above).
                let four = unsafe { four_lanes(&c, -0.4) };
                assert_eq!(four, portable, "AVX2, n = {n}");
            }
        }
    }

    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2")]
    fn four_lanes(c: &Case, x: f64) -> Vec<u64> {
        run_lanes::<super::super::lanes::F4>(c, x)
    }
}
