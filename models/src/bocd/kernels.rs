//! The two loops over every hypothesis, on SIMD lanes.
//!
//! Together they are most of a step's cost: the predictive log density and
//! Normal-Gamma update of each run length (one `log1p`, two divisions), and
//! the weights `exp(v - max v)` with their sums (one `exp`). They are
//! written once against [`Lanes`] and run as AVX2 (four lanes) when the CPU
//! has it, SSE2 (two lanes) on other x86_64, wasm `simd128` (two lanes) in
//! the plugin, and lane by lane elsewhere, with identical results (see
//! `lanes`: every cross-lane reduction below has an order that does not
//! depend on the lane count).
//!
//! Both loops are software-pipelined: each iteration does the first half of
//! the work for the next vector and the second half for the current one.
//! The work per vector is one long chain of dependent operations, and
//! neither LLVM nor wasmtime's Cranelift overlaps consecutive iterations of
//! such a loop on its own; two independent chains side by side keep the CPU
//! busy where one makes it wait. The split changes no operation, so no bit.
//! The predictive pass is also unrolled twice (see `Pipeline`): Cranelift
//! copies the pipelined state between stack slots at a loop's back edge.
//!
//! Rare cases are detected, not masked lane by lane: a `log1p` argument
//! beyond the fast range, or a `beta'` that is not finite (see
//! `PassSummary::unusual`); the caller then redoes those entries one by
//! one.
//!
//! The run-length constants are cached as columns (struct of arrays,
//! `normal_gamma::RunColumns`). Hypotheses are ordered by decreasing run
//! length and pruning leaves few gaps, so a vector's run lengths are
//! usually consecutive and each of its constants is one vector load (lanes
//! reversed) rather than one scalar load and insert per lane.
//!
//! Most `log1p` arguments are below `sqrt(2) - 1`, where `libm`'s `log1p`
//! needs no argument reduction; a vector whose arguments all are takes that
//! shorter path (`fastmath::log1p_reduce_small_ratio`), the others the
//! general one. There `s = y / (2 + y)`, `y = q / beta`, is computed as
//! `q / (2 beta + q)`, beside `y` rather than after it, and below
//! `fastmath::LOG1P_TINY_MAX` (most long runs on ordinary days) the
//! polynomial is cut short: two links fewer in the chain of dependent
//! operations that bounds this loop, at most one ulp from `libm` (see
//! `fastmath`). Every lane gets the same bits whichever path its vector
//! takes, so two and four lanes still agree.

use super::fastmath;
use super::lanes::{F2, Lanes, Mask};
use super::normal_gamma::{RunConst, RunView};

/// The run lengths of the hypotheses, kept as the clock reading at which
/// each run started: hypothesis `i` has run length `clock - born[i]`, so
/// advancing every run by one is `clock += 1`, not a pass over them. (On
/// wasm that pass was a loop of one `i64x2` add whose constant Cranelift
/// kept in a stack slot, stored back at every iteration: 9 % of a step.)
#[derive(Clone, Copy)]
pub(crate) struct Runs<'a> {
    /// Start of each run, increasing (run lengths decrease).
    pub(crate) born: &'a [u64],
    /// The current reading.
    pub(crate) clock: u64,
}

impl Runs<'_> {
    /// Run length of hypothesis `i`. Wrapping, so that any `born` a
    /// snapshot held maps back to the run length it was made from.
    #[inline(always)]
    pub(crate) fn at(&self, i: usize) -> u64 {
        self.clock.wrapping_sub(self.born[i])
    }
}

/// Where the run-length constants of hypothesis `i` (run length `r`) come
/// from.
pub(crate) trait RunConsts {
    /// The constants of hypothesis `i`, whose run length is `r`.
    fn at(&self, i: usize, r: u64) -> RunConst;
    /// The constants of the whole vector of hypotheses `i..i + N`.
    fn vector<L: Lanes>(&self, runs: Runs<'_>, i: usize) -> RunVec<L>;
}

/// The run-length constants of one vector of hypotheses.
pub(crate) struct RunVec<L> {
    /// `c_r`.
    c: L,
    /// `kappa_r / (2 (kappa_r + 1))`.
    q_scale: L,
    /// `1 / (kappa_r + 1)`.
    inv_kappa1: L,
    /// `alpha_{r+1}`.
    alpha_next: L,
    /// `1 / alpha_{r+1}`.
    inv_alpha_next: L,
}

/// Constants read from the cache by run length (every run is cached).
pub(crate) struct ByRun<'a>(pub(crate) RunView<'a>);

impl RunConsts for ByRun<'_> {
    #[inline(always)]
    fn at(&self, _i: usize, r: u64) -> RunConst {
        self.0.get(r as usize)
    }

    /// Run lengths decrease along the hypotheses, mostly by one (pruning
    /// leaves a few gaps): when a vector's run lengths are consecutive, its
    /// constants are one load per column, lanes reversed; otherwise one
    /// load per lane.
    #[inline(always)]
    fn vector<L: Lanes>(&self, runs: Runs<'_>, i: usize) -> RunVec<L> {
        let born = &runs.born[i..i + L::N];
        let last = runs.at(i + L::N - 1) as usize;
        let t = &self.0;
        if born[L::N - 1] == born[0].wrapping_add(L::N as u64 - 1) {
            RunVec {
                c: L::load(&t.c[last..]).reverse(),
                q_scale: L::load(&t.q_scale[last..]).reverse(),
                inv_kappa1: L::load(&t.inv_kappa1[last..]).reverse(),
                alpha_next: L::load(&t.alpha_next[last..]).reverse(),
                inv_alpha_next: L::load(&t.inv_alpha_next[last..]).reverse(),
            }
        } else {
            RunVec {
                c: L::from_fn(|k| t.c[runs.at(i + k) as usize]),
                q_scale: L::from_fn(|k| t.q_scale[runs.at(i + k) as usize]),
                inv_kappa1: L::from_fn(|k| t.inv_kappa1[runs.at(i + k) as usize]),
                alpha_next: L::from_fn(|k| t.alpha_next[runs.at(i + k) as usize]),
                inv_alpha_next: L::from_fn(|k| t.inv_alpha_next[runs.at(i + k) as usize]),
            }
        }
    }
}

/// Constants gathered per hypothesis (when some run is beyond the cache).
pub(crate) struct Gathered<'a>(pub(crate) RunView<'a>);

impl RunConsts for Gathered<'_> {
    #[inline(always)]
    fn at(&self, i: usize, _r: u64) -> RunConst {
        self.0.get(i)
    }

    #[inline(always)]
    fn vector<L: Lanes>(&self, _runs: Runs<'_>, i: usize) -> RunVec<L> {
        let t = &self.0;
        RunVec {
            c: L::load(&t.c[i..]),
            q_scale: L::load(&t.q_scale[i..]),
            inv_kappa1: L::load(&t.inv_kappa1[i..]),
            alpha_next: L::load(&t.alpha_next[i..]),
            inv_alpha_next: L::load(&t.inv_alpha_next[i..]),
        }
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
    pub(crate) runs: Runs<'a>,
    /// `ln R[r, t] - log_offset`, except the last entry: `ln R[r, t]`.
    pub(crate) log_prob: &'a [f64],
    /// The normalisation deferred from the previous step (see
    /// `posterior`), added to every `log_prob` but the last.
    pub(crate) log_offset: f64,
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
    /// Smallest log weight: with `max_v`, the range of the arguments of
    /// `exp` in [`weights`].
    pub(crate) min_v: f64,
    /// Some entries must be redone one by one (by `Posterior::advance`): a
    /// `log1p` argument beyond the fast range (`v` and `ln beta'` are
    /// wrong), or a non-finite `beta'` (the run length is gone: its `v`
    /// must become `-inf`). Rare, so the vector loop only detects it, with
    /// one running sum of `0 * beta'` (NaN once any is infinite or NaN),
    /// instead of masking lane by lane.
    ///
    /// `mu'` and `v` need no check of their own. The state is finite
    /// (`Posterior::validate`), and so is `x`; an infinite `x - mu_r` makes
    /// the `log1p` argument infinite, so not fast. Otherwise `mu'` lies
    /// between `mu_r` and `x`. With a fast argument, `l = log1p(q / beta_r)`
    /// is below 37, so `v` is a sum of finite terms of moderate size. Only
    /// `beta' = beta_r + q` can still overflow, when `beta_r` is above
    /// about 1e292.
    pub(crate) unusual: bool,
}

/// One vector of hypotheses: their state and their run-length constants.
struct Hyps<L> {
    /// `ln R[r, t]` less the offset.
    log_prob: L,
    /// `mu_r`.
    mu: L,
    /// `beta_r`.
    beta: L,
    /// `ln beta_r`.
    ln_beta: L,
    /// Run-length constants.
    k: RunVec<L>,
}

/// The first half of the prediction for one vector of hypotheses: the
/// updated parameters, and the log density up to the division inside its
/// `log1p` (see [`predict_finish`]).
struct Started<L: Lanes> {
    /// `mu'`.
    mu: L,
    /// `beta'`.
    beta: L,
    /// `beta' / alpha'`, the variance estimate `segment_var` averages.
    var: L,
    /// `ln R[r, t]` less the offset.
    log_prob: L,
    /// `ln beta_r`.
    ln_beta: L,
    /// `alpha_{r+1}`.
    alpha_next: L,
    /// `c_r - ln(beta_r) / 2`.
    c_half_ln_beta: L,
    /// `log1p(q / beta)`, reduced.
    l: fastmath::Log1pReduced<L>,
    /// Every `log1p` argument was in the fast range.
    all_fast: bool,
    /// Every `log1p` argument is below `LOG1P_SMALL_MAX`: no reduction.
    small: bool,
    /// Every `log1p` argument is below `LOG1P_TINY_MAX`: the short
    /// polynomial.
    tiny: bool,
}

/// The predictive log density and Normal-Gamma update of one vector of
/// hypotheses, first half: everything but the `log1p` polynomial and what
/// follows it.
#[inline(always)]
fn predict_start<L: Lanes>(x: L, h: Hyps<L>) -> Started<L> {
    let half = L::splat(0.5);
    let k = h.k;
    let d = x - h.mu;
    let q = k.q_scale * d * d;
    let y = q / h.beta;
    // Small arguments (most of them, and the same bits as `libm`) skip the
    // reduction; a vector with any larger one takes the general path.
    let small = y.lt(L::splat(fastmath::LOG1P_SMALL_MAX));
    let all_small = small.all();
    let (l, all_fast, tiny) = if all_small {
        let l = fastmath::log1p_reduce_small_ratio(y, q, h.beta);
        let tiny = l.tiny.all();
        (l, true, tiny)
    } else {
        let fast = y.le(L::splat(fastmath::LOG1P_FAST_MAX));
        (fastmath::log1p_reduce_ratio(fast.select(y, L::splat(0.0)), q, h.beta), fast.all(), false)
    };
    let new_b = h.beta + q;
    let new_mu = h.mu + d * k.inv_kappa1;
    Started {
        mu: new_mu,
        beta: new_b,
        var: new_b * k.inv_alpha_next,
        log_prob: h.log_prob,
        ln_beta: h.ln_beta,
        alpha_next: k.alpha_next,
        c_half_ln_beta: k.c - half * h.ln_beta,
        l,
        all_fast,
        small: all_small,
        tiny,
    }
}

/// The second half: `(v, ln beta')`, the log weight
/// `v = ln R[r, t] + (c_r - ln(beta_r) / 2 - alpha_{r+1} l)`, with
/// `ln R[r, t] = log_prob + off`, and `ln beta' = ln beta_r + l`, where
/// `l = log1p(q / beta_r)`.
#[inline(always)]
fn predict_finish<L: Lanes>(s: Started<L>, off: L) -> (L, L) {
    // The same bits either way (see `fastmath::log1p_finish`).
    let l = if s.tiny {
        fastmath::log1p_finish_tiny(s.l)
    } else if s.small {
        fastmath::log1p_finish_small(s.l)
    } else {
        fastmath::log1p_finish(s.l)
    };
    let v = (s.log_prob + off) + (s.c_half_ln_beta - s.alpha_next * l);
    (v, s.ln_beta + l)
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

/// Hypotheses `i..i + N`, all of them present (`i + N <= n`).
#[inline(always)]
fn hyps_full<L: Lanes, K: RunConsts>(rc: &K, s: &State<'_>, i: usize) -> Hyps<L> {
    Hyps {
        log_prob: L::load(&s.log_prob[i..]),
        mu: L::load(&s.mu[i..]),
        beta: L::load(&s.beta[i..]),
        ln_beta: L::load(&s.ln_beta[i..]),
        k: rc.vector(s.runs, i),
    }
}

/// Hypotheses `i..n` (fewer than `N`); the spare lanes repeat the last one.
#[inline(always)]
fn hyps_tail<L: Lanes, K: RunConsts>(rc: &K, s: &State<'_>, i: usize) -> Hyps<L> {
    let at = |k: usize| {
        let j = (i + k).min(s.runs.born.len() - 1);
        rc.at(j, s.runs.at(j))
    };
    Hyps {
        log_prob: column(s.log_prob, i),
        mu: column(s.mu, i),
        beta: column(s.beta, i),
        ln_beta: column(s.ln_beta, i),
        k: RunVec {
            c: L::from_fn(|k| at(k).c),
            q_scale: L::from_fn(|k| at(k).q_scale),
            inv_kappa1: L::from_fn(|k| at(k).inv_kappa1),
            alpha_next: L::from_fn(|k| at(k).alpha_next),
            inv_alpha_next: L::from_fn(|k| at(k).inv_alpha_next),
        },
    }
}

/// `L` values of column `c` from index `i`; lanes past the end repeat the
/// last entry. (The helpers here are functions, not closures: a closure
/// would not inherit the AVX2 target feature, and the intrinsics inside it
/// would become calls.)
#[inline(always)]
fn column<L: Lanes>(c: &[f64], i: usize) -> L {
    let last = c.len() - 1;
    L::from_fn(|k| c[(i + k).min(last)])
}

/// `L` values of column `c` from index `i`; lanes past the end are `fill`.
#[inline(always)]
fn padded<L: Lanes>(c: &[f64], i: usize, fill: f64) -> L {
    if i + L::N <= c.len() { L::load(&c[i..]) } else { L::from_fn(|k| if i + k < c.len() { c[i + k] } else { fill }) }
}

/// The offsets of hypotheses `i..i + N`: `off`, except 0 for the last
/// hypothesis (`n - 1`, the `r = 0` one) and the spare lanes repeating it.
/// Adding `+0.0` leaves a finite `log_prob` as it is.
#[inline(always)]
fn offsets<L: Lanes>(off: f64, i: usize, n: usize) -> L {
    L::from_fn(|k| if i + k >= n - 1 { 0.0 } else { off })
}

/// The indices `0..N` as f64 lanes.
#[inline(always)]
fn first_indices<L: Lanes>() -> L {
    L::from_fn(|k| k as f64)
}

/// The indices `i..i + N` as f64 lanes, capped at `n - 1`.
#[inline(always)]
fn indices<L: Lanes>(i: usize, n: usize) -> L {
    L::from_fn(|k| (i + k).min(n - 1) as f64)
}

/// The smallest lane.
#[inline(always)]
fn smallest<L: Lanes>(x: L) -> f64 {
    (0..L::N).map(|k| x.lane(k)).fold(f64::INFINITY, f64::min)
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

/// What [`predictive_pass_lanes`] accumulates over the vectors, lane by lane.
struct PassAcc<L: Lanes> {
    /// Every `log1p` argument so far was in the fast range.
    all_fast: bool,
    /// `0 * beta'` summed: NaN once any `beta'` is not finite (see
    /// [`PassSummary::unusual`]).
    check: L,
    /// Largest `v` so far.
    max_v: L,
    /// Its index (as f64; the later one among ties).
    argmax: L,
    /// Smallest `v` so far.
    min_v: L,
}

impl<L: Lanes> PassAcc<L> {
    /// Take in the updated parameters of one vector (see [`predict_start`]).
    #[inline(always)]
    fn add_started(&mut self, s: &Started<L>) {
        self.all_fast &= s.all_fast;
        self.check = self.check + s.beta * L::splat(0.0);
    }

    /// Take in one vector of log weights `v` at indices `idx`.
    #[inline(always)]
    fn add(&mut self, v: L, idx: L) {
        self.min_v = self.min_v.keep_smaller(v);
        // `>=`: a later index wins ties within a lane.
        let at_least = v.ge(self.max_v);
        self.max_v = at_least.select(v, self.max_v);
        self.argmax = at_least.select(idx, self.argmax);
    }
}

/// [`predictive_pass`] on `L` lanes: whole vectors, then the last, partial
/// one, which repeats the last hypothesis in its spare lanes and stores
/// only the real ones.
///
/// The whole vectors are software-pipelined: an iteration does the first
/// half of the work on vector `j + 1` ([`predict_start`]: a division, bit
/// manipulation, another division) and the second on vector `j`
/// ([`predict_finish`]: a polynomial and a sum).
#[inline(always)]
fn predictive_pass_lanes<L: Lanes, K: RunConsts>(x: f64, rc: &K, a: State<'_>, o: Outputs<'_>) -> PassSummary {
    let n = o.v.len();
    let mut p = Pipeline {
        xs: L::splat(x),
        offs: L::splat(a.log_offset),
        rc,
        s: State {
            runs: Runs { born: &a.runs.born[..n], clock: a.runs.clock },
            log_prob: &a.log_prob[..n],
            log_offset: a.log_offset,
            mu: &a.mu[..n],
            beta: &a.beta[..n],
            ln_beta: &a.ln_beta[..n],
        },
        o: Outputs {
            v: &mut o.v[..n],
            mu: &mut o.mu[..n],
            beta: &mut o.beta[..n],
            ln_beta: &mut o.ln_beta[..n],
            var: &mut o.var[..n],
        },
        acc: PassAcc {
            all_fast: true,
            check: L::splat(0.0),
            max_v: L::splat(f64::NEG_INFINITY),
            argmax: L::splat(0.0),
            min_v: L::splat(f64::INFINITY),
        },
        // The indices of the current vector, exact in f64 (n < 2^53).
        idx: first_indices::<L>(),
    };
    // Hypotheses in whole vectors.
    let full = n / L::N * L::N;
    let mut i = 0;
    if full > 0 {
        let mut cur = p.start(0);
        // Unrolled twice: the pipelined state crosses the loop's back edge
        // once per two vectors. In the wasm build Cranelift keeps that state
        // in stack slots and copies every value of it from one slot to
        // another at the back edge; halving the copies took 12 % off the
        // component's time per step.
        while i + 2 * L::N < full {
            let next = p.advance(cur, i);
            cur = p.advance(next, i + L::N);
            i += 2 * L::N;
        }
        if i + L::N < full {
            cur = p.advance(cur, i);
            i += L::N;
        }
        // The last hypothesis (no offset) is in this vector or the tail.
        p.finish(cur, offsets(a.log_offset, i, n), i);
        i += L::N;
    }
    let Pipeline { xs, s, o, mut acc, .. } = p;
    if i < n {
        let started = predict_start(xs, hyps_tail::<L, K>(rc, &s, i));
        store_prefix(started.mu, &mut o.mu[i..]);
        store_prefix(started.beta, &mut o.beta[i..]);
        store_prefix(started.var, &mut o.var[i..]);
        acc.add_started(&started);
        let (v, ln_beta) = predict_finish(started, offsets(a.log_offset, i, n));
        store_prefix(v, &mut o.v[i..]);
        store_prefix(ln_beta, &mut o.ln_beta[i..]);
        // Spare lanes repeat hypothesis n - 1 with its index.
        acc.add(v, indices::<L>(i, n));
    }
    // Across lanes: the largest value, ties to the largest index.
    let (mut m, mut arg) = (f64::NEG_INFINITY, 0usize);
    for k in 0..L::N {
        let (vk, ik) = (acc.max_v.lane(k), acc.argmax.lane(k) as usize);
        if vk > m || (vk == m && ik > arg) {
            (m, arg) = (vk, ik);
        }
    }
    let finite = (0..L::N).all(|k| acc.check.lane(k) == 0.0);
    PassSummary { max_v: m, argmax: arg, min_v: smallest(acc.min_v), unusual: !(acc.all_fast && finite) }
}

/// The whole vectors of [`predictive_pass_lanes`], software-pipelined.
struct Pipeline<'a, 'k, L: Lanes, K> {
    /// The observation in every lane.
    xs: L,
    /// The deferred normalisation in every lane.
    offs: L,
    /// Run-length constants.
    rc: &'k K,
    /// The hypotheses (sliced to `n`).
    s: State<'a>,
    /// Where results go (sliced to `n`).
    o: Outputs<'a>,
    /// What the pass found so far.
    acc: PassAcc<L>,
    /// The indices of the next vector to finish.
    idx: L,
}

impl<L: Lanes, K: RunConsts> Pipeline<'_, '_, L, K> {
    /// The first half for the whole vector at `i`; its updated parameters
    /// are stored.
    #[inline(always)]
    fn start(&mut self, i: usize) -> Started<L> {
        let started = predict_start(self.xs, hyps_full::<L, K>(self.rc, &self.s, i));
        started.mu.store(&mut self.o.mu[i..]);
        started.beta.store(&mut self.o.beta[i..]);
        started.var.store(&mut self.o.var[i..]);
        self.acc.add_started(&started);
        started
    }

    /// The second half for the whole vector at `i` with offsets `off`:
    /// store `v` and `ln beta'`.
    #[inline(always)]
    fn finish(&mut self, s: Started<L>, off: L, i: usize) {
        let (v, ln_beta) = predict_finish(s, off);
        v.store(&mut self.o.v[i..]);
        ln_beta.store(&mut self.o.ln_beta[i..]);
        self.acc.add(v, self.idx);
        self.idx = self.idx + L::splat(L::N as f64);
    }

    /// One pipelined iteration: start the vector at `i + N`, finish `cur`
    /// (the one at `i`, not the last); the started one is returned.
    #[inline(always)]
    fn advance(&mut self, cur: Started<L>, i: usize) -> Started<L> {
        let next = self.start(i + L::N);
        self.finish(cur, self.offs, i);
        next
    }
}

/// What [`weights`] found.
pub(crate) struct Weights {
    /// `sum(e)`.
    pub(crate) sum: f64,
    /// `sum(e mu')`.
    pub(crate) sum_mu: f64,
    /// `sum(e beta'/alpha')`.
    pub(crate) sum_var: f64,
    /// `min(e)` (where it is, the cap's victim, is looked up only when the
    /// cap binds: `pruning::cap_victim`).
    pub(crate) min: f64,
}

/// `e = exp(v - m)`, the sums of `e`, `e mu'` and `e beta'/alpha'`, and the
/// smallest `e` (whether the threshold drops anything).
///
/// `lower` is a lower bound of `v` (`-inf` if none is known). When
/// `lower - m >= EXP_MIN_ARG`, no argument of `exp` can be below its range,
/// and the loop leaves out the clamp (`fastmath::exp_reduce_clamped`:
/// the same bits, about 2 % of a step).
///
/// Each sum is accumulated as four partial sums, one per index modulo 4,
/// each in increasing index order, then combined as `(s0 + s1) + (s2 +
/// s3)`: a fixed order whatever the lane count.
pub(crate) fn weights(v: &[f64], m: f64, lower: f64, e: &mut [f64], mu: &[f64], var: &[f64]) -> Weights {
    let in_range = lower - m >= fastmath::EXP_MIN_ARG;
    #[cfg(target_arch = "x86_64")]
    if use_avx2() {
        // SAFETY: the CPU has AVX2 (checked just above).
        return unsafe {
            if in_range { weights_avx2::<false>(v, m, e, mu, var) } else { weights_avx2::<true>(v, m, e, mu, var) }
        };
    }
    if in_range { weights_lanes::<F2, false>(v, m, e, mu, var) } else { weights_lanes::<F2, true>(v, m, e, mu, var) }
}

/// [`weights`] compiled for AVX2, on four lanes.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn weights_avx2<const CLAMP: bool>(v: &[f64], m: f64, e: &mut [f64], mu: &[f64], var: &[f64]) -> Weights {
    weights_lanes::<super::lanes::F4, CLAMP>(v, m, e, mu, var)
}

/// What [`weights_lanes`] accumulates: per lane and partial sum.
#[derive(Clone, Copy)]
struct WeightAcc<L> {
    /// `sum(e)`: `[h]` holds indices `4g + h N + lane`; with `N = 4` only
    /// `[0]` is used.
    e: [L; 2],
    /// `sum(e mu')`, likewise.
    mu: [L; 2],
    /// `sum(e beta'/alpha')`, likewise.
    var: [L; 2],
    /// Smallest candidate `e` so far.
    min: L,
}

impl<L: Lanes> WeightAcc<L> {
    /// Take in the weights `ex` of one vector (partial sum `h`), their
    /// products `em` and `ev`, and `candidate` (the weights, or +inf in
    /// lanes past the end).
    #[inline(always)]
    fn add(&mut self, h: usize, ex: L, em: L, ev: L, candidate: L) {
        self.e[h] = self.e[h] + ex;
        self.mu[h] = self.mu[h] + em;
        self.var[h] = self.var[h] + ev;
        self.min = self.min.keep_smaller(candidate);
    }
}

/// The first half of `exp(v - m)` for the whole group of four hypotheses
/// at `g`: one vector of four lanes, or two of two (then `[0]` and `[1]`);
/// with the clamp to `exp`'s range (`CLAMP`) or without it.
#[inline(always)]
fn reduce_group<L: Lanes, const CLAMP: bool>(v: &[f64], ms: L, g: usize) -> [fastmath::ExpReduced<L>; 2] {
    let first = fastmath::exp_reduce_clamped::<L, CLAMP>(L::load(&v[g..]) - ms);
    let second = if L::N == 2 { fastmath::exp_reduce_clamped::<L, CLAMP>(L::load(&v[g + 2..]) - ms) } else { first };
    [first, second]
}

/// The second half of `exp(v - m)` for the group of four at `g`: store `e`
/// and add the group to the sums.
#[inline(always)]
fn finish_group<L: Lanes>(
    red: [fastmath::ExpReduced<L>; 2],
    e: &mut [f64],
    mu: &[f64],
    var: &[f64],
    g: usize,
    acc: &mut WeightAcc<L>,
) {
    for (h, &red) in red.iter().enumerate().take(4 / L::N) {
        let i = g + h * L::N;
        let ex = fastmath::exp_finish(red);
        let (em, ev) = (ex * L::load(&mu[i..]), ex * L::load(&var[i..]));
        ex.store(&mut e[i..]);
        acc.add(h, ex, em, ev, ex);
    }
}

/// Sixteen hypotheses of [`weights_lanes`] (four groups, pipelined as
/// there), in straight-line code of their own: a call per sixteen from a
/// loop that carries no vector value.
///
/// Why, in the wasm build only: wasmtime checks the epoch deadline at every
/// loop header, and the check's slow path is a call that clobbers every
/// vector register, so Cranelift keeps what a loop carries (the seven
/// running sums, the pipelined `exp` halves) and `exp`'s constants in stack
/// slots: all reloaded at every iteration, the running values stored back.
/// Inside this function, without a loop, nothing crosses a call. The stack
/// still holds what does not fit in the sixteen vector registers: `exp`'s
/// constants, and each `e`, `mu'` and `var` vector, because Cranelift
/// computes the sums only where the final store of `acc` needs them, at
/// the end (storing `acc` after every group, to force them earlier, was
/// slower). The same operations in the same order, so the same bits; 2-5 %
/// off the component's time per step (BENCHMARKS.md, eighth and tenth
/// passes).
#[cfg(target_arch = "wasm32")]
#[inline(never)]
fn weights_run<L: Lanes, const CLAMP: bool>(
    v: &[f64; 16],
    ms: L,
    e: &mut [f64; 16],
    mu: &[f64; 16],
    var: &[f64; 16],
    acc: &mut WeightAcc<L>,
) {
    let mut a = *acc;
    let r0 = reduce_group::<L, CLAMP>(v, ms, 0);
    let r1 = reduce_group::<L, CLAMP>(v, ms, 4);
    finish_group(r0, e, mu, var, 0, &mut a);
    let r2 = reduce_group::<L, CLAMP>(v, ms, 8);
    finish_group(r1, e, mu, var, 4, &mut a);
    let r3 = reduce_group::<L, CLAMP>(v, ms, 12);
    finish_group(r2, e, mu, var, 8, &mut a);
    finish_group(r3, e, mu, var, 12, &mut a);
    *acc = a;
}

/// [`weights`] on `L` lanes (2 or 4, so that a vector never straddles two
/// residues modulo 4 in a way the partial sums could not follow): whole
/// groups of four hypotheses, then the last, partial group (always
/// clamped: its spare lanes hold `-inf`).
#[inline(always)]
fn weights_lanes<L: Lanes, const CLAMP: bool>(v: &[f64], m: f64, e: &mut [f64], mu: &[f64], var: &[f64]) -> Weights {
    let n = v.len();
    let (e, mu, var) = (&mut e[..n], &mu[..n], &var[..n]);
    let ms = L::splat(m);
    let zero = L::splat(0.0);
    let mut acc = WeightAcc { e: [zero; 2], mu: [zero; 2], var: [zero; 2], min: L::splat(f64::INFINITY) };
    let full = n / 4 * 4;
    let mut g = 0;
    // In the wasm build, runs of sixteen first, one call each (see
    // `weights_run`).
    #[cfg(target_arch = "wasm32")]
    while let (Some(v), Some(e), Some(mu), Some(var)) = (
        v[g..full].first_chunk::<16>(),
        e[g..full].first_chunk_mut::<16>(),
        mu[g..full].first_chunk::<16>(),
        var[g..full].first_chunk::<16>(),
    ) {
        weights_run::<L, CLAMP>(v, ms, e, mu, var, &mut acc);
        g += 16;
    }
    // Whole groups of four, pipelined: the first half of `exp` for group
    // `g + 4` beside the second half for group `g`.
    if g < full {
        let mut cur = reduce_group::<L, CLAMP>(v, ms, g);
        while g + 4 < full {
            let next = reduce_group::<L, CLAMP>(v, ms, g + 4);
            finish_group(cur, e, mu, var, g, &mut acc);
            cur = next;
            g += 4;
        }
        finish_group(cur, e, mu, var, g, &mut acc);
        g += 4;
    }
    for h in 0..4 / L::N {
        let i = g + h * L::N;
        if i >= n {
            break;
        }
        // Spare lanes past the end: v = -inf gives e = 0 and zero
        // terms, and +inf keeps them from being the minimum.
        let ex = fastmath::exp_nonpos(padded::<L>(v, i, f64::NEG_INFINITY) - ms);
        let (em, ev) = (ex * padded::<L>(mu, i, 0.0), ex * padded::<L>(var, i, 0.0));
        let candidate = if i + L::N <= n {
            ex.store(&mut e[i..]);
            ex
        } else {
            store_prefix(ex, &mut e[i..]);
            first_indices::<L>().lt(L::splat((n - i) as f64)).select(ex, L::splat(f64::INFINITY))
        };
        acc.add(h, ex, em, ev, candidate);
    }
    Weights { sum: total(acc.e), sum_mu: total(acc.mu), sum_var: total(acc.var), min: smallest(acc.min) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bocd::normal_gamma::RunColumns;

    struct Case {
        table: RunColumns,
        /// Run lengths, stored as in `Runs` against [`CLOCK`].
        born: Vec<u64>,
        lp: Vec<f64>,
        off: f64,
        mu: Vec<f64>,
        beta: Vec<f64>,
        lnb: Vec<f64>,
    }

    /// The clock of every case: far from 0, so that reading a run length
    /// is a real subtraction.
    const CLOCK: u64 = 1_000_003;

    impl Case {
        fn runs(&self) -> Runs<'_> {
            Runs { born: &self.born, clock: CLOCK }
        }

        fn set_runs(&mut self, run: impl Iterator<Item = u64>) {
            self.born = run.map(|r| CLOCK - r).collect();
        }
    }

    fn columns(k: impl Iterator<Item = RunConst>) -> RunColumns {
        let mut t = RunColumns::default();
        for k in k {
            t.push(k);
        }
        t
    }

    fn case(n: usize) -> Case {
        let table = columns((0..n as u64).map(|r| RunConst::compute(1.3, 0.7, r)));
        let beta: Vec<f64> = (0..n).map(|i| 0.5 + i as f64 * 0.3).collect();
        let mut c = Case {
            table,
            born: Vec::new(),
            lp: (0..n).map(|i| -0.1 * i as f64 - 1.0).collect(),
            off: if n.is_multiple_of(3) { 0.0 } else { -0.37 - 0.01 * n as f64 },
            mu: (0..n).map(|i| (i as f64 * 0.37).sin()).collect(),
            lnb: beta.iter().map(|&b| libm::log(b)).collect(),
            beta,
        };
        c.set_runs((0..n as u64).rev());
        c
    }

    /// Like [`case`], with gaps in the run lengths (as pruning leaves them),
    /// so that no vector's run lengths are consecutive.
    fn case_with_gaps(n: usize) -> Case {
        let mut c = case(n);
        c.table = columns((0..3 * n as u64).map(|r| RunConst::compute(0.6, 2.0, r)));
        c.set_runs((0..n as u64).rev().map(|k| 3 * k + k % 2));
        c
    }

    /// Like [`case`], with levels near `x`: `log1p` arguments below
    /// `LOG1P_TINY_MAX` in every hypothesis (`spread` 0.01) or in some
    /// (`spread` 0.6), so that vectors take the short polynomial or mix it
    /// with the others.
    #[cfg_attr(
        not(any(target_arch = "x86_64", all(target_arch = "wasm32", target_feature = "simd128"))),
        allow(dead_code)
    )]
    fn case_near(n: usize, x: f64, spread: f64) -> Case {
        let mut c = case(n);
        c.mu = (0..n).map(|i| x + spread * [0.0, 0.03, 1.0][i % 3]).collect();
        c
    }

    /// Inputs for the lane comparisons: every length modulo 4 up to several
    /// whole pipelined iterations, run lengths with and without gaps, and
    /// observations at the levels (short `log1p` polynomial), near them,
    /// far out (`log1p` beyond the fast range), and so far out that every
    /// square overflows.
    #[cfg_attr(
        not(any(target_arch = "x86_64", all(target_arch = "wasm32", target_feature = "simd128"))),
        allow(dead_code)
    )]
    fn lane_cases() -> Vec<(Case, f64, String)> {
        let mut out = Vec::new();
        for n in 1..=40 {
            for x in [-0.4, 3.0, 1e9, 1e200] {
                out.push((case(n), x, format!("n = {n}, x = {x}")));
            }
            out.push((case_with_gaps(n), 0.8, format!("n = {n} with gaps")));
            for spread in [0.01, 0.6] {
                out.push((case_near(n, 0.8, spread), 0.8, format!("n = {n}, levels near x by {spread}")));
            }
        }
        out
    }

    /// Run both passes on `L` lanes; everything they produce, as bits.
    #[cfg_attr(
        not(any(target_arch = "x86_64", all(target_arch = "wasm32", target_feature = "simd128"))),
        allow(dead_code)
    )]
    fn run_lanes<L: Lanes>(c: &Case, x: f64) -> Vec<u64> {
        let n = c.born.len();
        let mut outs = vec![vec![0.0; n]; 6];
        let [v, mo, bo, lo, var, e] = &mut outs[..] else { unreachable!() };
        let s = predictive_pass_lanes::<L, _>(
            x,
            &ByRun(c.table.view()),
            State { runs: c.runs(), log_prob: &c.lp, log_offset: c.off, mu: &c.mu, beta: &c.beta, ln_beta: &c.lnb },
            Outputs { v, mu: mo, beta: bo, ln_beta: lo, var },
        );
        let w = weights_lanes::<L, true>(v, s.max_v, e, mo, var);
        let weight_bits = |w: &Weights, e: &[f64]| {
            let mut b: Vec<u64> = e.iter().map(|x| x.to_bits()).collect();
            b.extend([w.sum, w.sum_mu, w.sum_var, w.min].map(f64::to_bits));
            b
        };
        let clamped = weight_bits(&w, e);
        // In range (most cases here), the loop without the clamp agrees.
        if !s.unusual && s.min_v - s.max_v >= fastmath::EXP_MIN_ARG {
            let mut e2 = vec![0.0; n];
            let w2 = weights_lanes::<L, false>(v, s.max_v, &mut e2, mo, var);
            assert_eq!(weight_bits(&w2, &e2), clamped, "the weights without the clamp, n = {n}, x = {x}");
        }
        let mut bits: Vec<u64> = outs.iter().flatten().map(|x| x.to_bits()).collect();
        bits.extend([s.max_v.to_bits(), s.min_v.to_bits(), s.argmax as u64, s.unusual as u64]);
        bits.extend(clamped);
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
            let rc = ByRun(c.table.view());
            let s = predictive_pass(
                x,
                &rc,
                State { runs: c.runs(), log_prob: &c.lp, log_offset: c.off, mu: &c.mu, beta: &c.beta, ln_beta: &c.lnb },
                Outputs { v, mu: mo, beta: bo, ln_beta: lo, var },
            );
            assert!(!s.unusual);
            for i in 0..n {
                let r = c.runs().at(i);
                let k = rc.at(i, r);
                let kappa = 0.7 + r as f64; // kappa0 + r, as in `case`
                let d = x - c.mu[i];
                let q = kappa * d * d / (2.0 * (kappa + 1.0));
                let l = libm::log1p(q / c.beta[i]);
                let lp = if i + 1 == n { c.lp[i] } else { c.lp[i] + c.off };
                let want = lp + k.c - 0.5 * c.lnb[i] - k.alpha_next * l;
                assert!((v[i] - want).abs() <= 1e-14 * want.abs(), "n={n} i={i}: {} vs {want}", v[i]);
                assert!((mo[i] - (kappa * c.mu[i] + x) / (kappa + 1.0)).abs() < 1e-15);
                assert!((bo[i] - (c.beta[i] + q)).abs() < 1e-14 * bo[i]);
                assert!((lo[i] - (c.lnb[i] + l)).abs() < 1e-14 * lo[i].abs().max(1.0));
                assert!((var[i] - bo[i] / k.alpha_next).abs() < 1e-14 * var[i]);
            }
            let (im, vm) =
                v.iter().enumerate().fold((0, f64::NEG_INFINITY), |a, (i, &x)| if x >= a.1 { (i, x) } else { a });
            assert_eq!((s.argmax, s.max_v), (im, vm));

            assert_eq!(s.min_v, v.iter().copied().fold(f64::INFINITY, f64::min));
            let w = weights(v, s.max_v, s.min_v, e, mo, var);
            let sum: f64 = v.iter().map(|&vi| libm::exp(vi - s.max_v)).sum();
            assert!((w.sum - sum).abs() < 1e-14 * sum);
            let sum_mu: f64 = (0..n).map(|i| e[i] * mo[i]).sum();
            let sum_var: f64 = (0..n).map(|i| e[i] * var[i]).sum();
            assert!((w.sum_mu - sum_mu).abs() < 1e-14 * sum_mu.abs().max(1.0));
            assert!((w.sum_var - sum_var).abs() < 1e-14 * sum_var);
            assert_eq!(w.min, e.iter().copied().fold(f64::INFINITY, f64::min));
        }
    }

    /// The portable lanes (the yardstick), SSE2 and AVX2 give the same
    /// bits, whatever the length.
    #[test]
    #[cfg(target_arch = "x86_64")]
    fn portable_sse2_and_avx2_agree_to_the_bit() {
        for (c, x, what) in lane_cases() {
            let portable = run_lanes::<super::super::lanes::P2>(&c, x);
            assert_eq!(run_lanes::<F2>(&c, x), portable, "SSE2, {what}");
            if use_avx2() {
                // SAFETY: the CPU has AVX2 (checked just above).
                let four = unsafe { four_lanes(&c, x) };
                assert_eq!(four, portable, "AVX2, {what}");
            }
        }
    }

    /// The wasm plugin's `f64x2` lanes give the portable lanes' bits. Runs
    /// on a wasm build of the tests: `host/tests/wasm_lanes.rs` builds them
    /// for wasm32-wasip2 and runs them in wasmtime.
    #[test]
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    fn portable_and_wasm_simd128_agree_to_the_bit() {
        for (c, x, what) in lane_cases() {
            let portable = run_lanes::<super::super::lanes::P2>(&c, x);
            assert_eq!(run_lanes::<F2>(&c, x), portable, "simd128, {what}");
        }
    }

    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2")]
    fn four_lanes(c: &Case, x: f64) -> Vec<u64> {
        run_lanes::<super::super::lanes::F4>(c, x)
    }
}
