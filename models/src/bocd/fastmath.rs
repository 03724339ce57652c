//! `exp` and `log1p` for the inner loop: inlined, branch-free, on lanes.
//!
//! These are the FreeBSD/musl algorithms that the `libm` crate also uses
//! (same constants, same reduction; `exp`, whose polynomial is evaluated
//! by Estrin's scheme rather than Horner's, within 1 ulp of `libm`, `log1p`
//! within 2 as it skips one division, and within 1 below `LOG1P_SMALL_MAX`,
//! where the predictive pass's `log1p(q / b)` divides `q` rather than the
//! quotient and, below `LOG1P_TINY_MAX`, cuts the polynomial short),
//! restricted to the argument ranges the recursion produces (`exp`
//! of a non-positive number, `log1p` of a non-negative one) and written
//! without branches on [`Lanes`] (SSE2 or AVX2 on x86_64, `simd128` on
//! wasm32). Through `libm` calls these two functions were half the step
//! time. Pure `f64`
//! arithmetic and bit manipulation, lane by lane: the same bits with or
//! without SIMD, on wasm32 as natively.

// The constants are fdlibm's, written digit for digit as in its source (their
// bit patterns are in the comments), so clippy's precision lints do not apply.
#![allow(clippy::excessive_precision, clippy::approx_constant)]

use super::lanes::{Bits, Lanes, Mask};

const LN2_HI: f64 = 6.931_471_803_691_238_164_90e-1; // 0x3fe62e42_fee00000
const LN2_LO: f64 = 1.908_214_929_270_587_700_02e-10; // 0x3dea39ef_35793c76
const INV_LN2: f64 = 1.442_695_040_888_963_387_00; // 0x3ff71547_652b82fe

const P1: f64 = 1.666_666_666_666_660_190_37e-1;
const P2: f64 = -2.777_777_777_701_559_338_42e-3;
const P3: f64 = 6.613_756_321_437_934_361_17e-5;
const P4: f64 = -1.653_390_220_546_525_153_90e-6;
const P5: f64 = 4.138_136_797_057_238_460_39e-8;

/// `1.5 * 2^52`: adding and subtracting it rounds to the nearest integer,
/// and the integer sits in the low bits of the sum.
const ROUND: f64 = 6_755_399_441_055_744.0;

/// Smallest argument [`exp_nonpos`] computes; below it (and for NaN) the
/// result is 0.
pub(crate) const EXP_MIN_ARG: f64 = -708.0;

/// `exp(x)` for `x <= 0`, lane-wise, branch-free. Below [`EXP_MIN_ARG`]
/// (and for NaN) it returns 0 instead of a subnormal: weights that small
/// (under 3e-308 relative to the largest) are zero for every purpose here.
#[inline(always)]
pub(crate) fn exp_nonpos<L: Lanes>(x: L) -> L {
    exp_finish(exp_reduce(x))
}

/// [`exp_nonpos`] up to its last operation; that is [`exp_finish`]. Two
/// halves so that a loop can overlap the second half of one vector with
/// the first half of the next (same operations, same bits, as one call).
/// Two values per vector cross from one half to the other: in the wasm
/// build Cranelift keeps a loop's pipelined values in stack slots, and
/// every one of them costs a store and a load or two (four values, as
/// before, took about 1 % longer per step).
#[derive(Clone, Copy)]
pub(crate) struct ExpReduced<L: Lanes> {
    /// `exp(r)`, with `x = k ln2 + r`.
    mantissa: L,
    /// `2^k`, or 0 where `x < EXP_MIN_ARG` (the result is then 0).
    scale: L,
}

/// The first half of [`exp_nonpos`].
#[inline(always)]
pub(crate) fn exp_reduce<L: Lanes>(x: L) -> ExpReduced<L> {
    exp_reduce_clamped::<L, true>(x)
}

/// [`exp_reduce`] (`CLAMP`), or, without `CLAMP`, the same for arguments
/// the caller knows to be in `[EXP_MIN_ARG, 0]`: the same bits without the
/// clamp (a compare and two selects per vector). With pruning on (the
/// default) the weights loop goes without it at almost every step: the log
/// weights that survive pruning are nowhere near 708 below the largest.
#[inline(always)]
pub(crate) fn exp_reduce_clamped<L: Lanes, const CLAMP: bool>(x: L) -> ExpReduced<L> {
    let zero = L::splat(0.0);
    let ok = x.ge(L::splat(EXP_MIN_ARG));
    let x = if CLAMP { ok.select(x, zero) } else { x };
    // x = k ln2 + r, |r| <= ln2 / 2, r = hi - lo.
    let t = x * L::splat(INV_LN2) + L::splat(ROUND);
    let kf = t - L::splat(ROUND);
    let hi = x - kf * L::splat(LN2_HI); // exact: LN2_HI has trailing zero bits
    let lo = kf * L::splat(LN2_LO);
    let r = hi - lo;
    let rr = r * r;
    // Estrin's scheme: `P(z) = (P1 + z P2) + z^2 ((P3 + z P4) + z^2 P5)`,
    // five dependent operations after `z^2` instead of Horner's eight.
    let rr2 = rr * rr;
    let low = L::splat(P1) + rr * L::splat(P2);
    let high = L::splat(P3) + rr * L::splat(P4);
    let p = low + rr2 * (high + rr2 * L::splat(P5));
    let c = r - rr * p;
    // 2^k, -1022 <= k <= 0, from k in the low bits of t.
    let k = t.to_bits().sub(L::Bits::splat(ROUND.to_bits()));
    let scale = L::from_bits(k.add(L::Bits::splat(1023)).shl::<52>());
    // Where x was clamped to 0 the rest gives exactly 1, times 0.
    let q = r * c / (L::splat(2.0) - c);
    ExpReduced { mantissa: L::splat(1.0) + (q - lo + hi), scale: if CLAMP { ok.select(scale, zero) } else { scale } }
}

/// The second half of [`exp_nonpos`].
#[inline(always)]
pub(crate) fn exp_finish<L: Lanes>(a: ExpReduced<L>) -> L {
    a.mantissa * a.scale
}

/// Largest argument [`log1p_nonneg`] handles (below 2^53, where `1 + x`
/// still carries a correction term); larger ones need `libm::log1p`.
pub(crate) const LOG1P_FAST_MAX: f64 = 9.0e15;

const LG1: f64 = 6.666_666_666_666_735_130e-1;
const LG2: f64 = 3.999_999_999_940_941_908e-1;
const LG3: f64 = 2.857_142_874_366_239_149e-1;
const LG4: f64 = 2.222_219_843_214_978_396e-1;
const LG5: f64 = 1.818_357_216_161_805_012e-1;
const LG6: f64 = 1.531_383_769_920_937_332e-1;
const LG7: f64 = 1.479_819_860_511_658_591e-1;

/// The smallest `u` whose reduction exponent `k` is 2 (`2^1.5` rounded down
/// to a high word): `k >= 2` as a float compare.
const K2: f64 = f64::from_bits(0x4006_a09e_0000_0000);

/// `ln(1 + x)` for `0 <= x <= LOG1P_FAST_MAX`, lane-wise, branch-free:
/// the reduction `1 + x = 2^k (1 + f)` with a correction for the rounding
/// of `1 + x`, except below `LOG1P_SMALL_MAX`, where it is `libm`'s
/// unreduced path, and below `LOG1P_TINY_MAX`, where the polynomial is
/// shortened (see [`log1p_finish`]).
#[cfg(test)]
#[inline(always)]
pub(crate) fn log1p_nonneg<L: Lanes>(x: L) -> L {
    log1p_finish(log1p_reduce(x))
}

/// [`log1p_nonneg`] up to its division, `s = f / (2 + f)`; the rest is
/// [`log1p_finish`]. Two halves so that a loop can overlap the second half
/// of one vector with the first half of the next (same operations, same
/// bits, as one call).
pub(crate) struct Log1pReduced<L: Lanes> {
    /// `f`, with `1 + x = 2^k (1 + f)`.
    f: L,
    /// `f^2 / 2`.
    hfsq: L,
    /// `f / (2 + f)`.
    s: L,
    /// `k ln2_lo + c`, `c` the rounding correction.
    lo: L,
    /// `k ln2_hi`.
    hi: L,
    /// `x < LOG1P_TINY_MAX`: the short polynomial.
    pub(crate) tiny: L::Mask,
}

/// The first half of [`log1p_nonneg`].
#[cfg(test)]
#[inline(always)]
pub(crate) fn log1p_reduce<L: Lanes>(x: L) -> Log1pReduced<L> {
    log1p_reduce_ratio(x, x, L::splat(1.0))
}

/// [`log1p_reduce`] of `x = num / den` (the caller's rounded quotient),
/// given `num` and `den` too: where `x < LOG1P_SMALL_MAX`,
/// `s = num / (2 den + num)` instead of `libm`'s `x / (2 + x)` (see
/// [`log1p_reduce_small_ratio`]).
#[inline(always)]
pub(crate) fn log1p_reduce_ratio<L: Lanes>(x: L, num: L, den: L) -> Log1pReduced<L> {
    let one = L::splat(1.0);
    let u = one + x;
    let ui = u.to_bits();
    let hu = ui.shr::<32>().add(L::Bits::splat(0x3ff0_0000 - 0x3fe6_a09e));
    let k = hu.shr::<20>().sub(L::Bits::splat(0x3ff)); // 0..=53 for these arguments
    // c = (1 + x) - u, the rounding error of u; libm adds c / u. Here:
    // for k >= 2 it is dropped (|c/u| <= 2^-53 against ln u >= 1.04: under
    // half an ulp), for k <= 1 it is added undivided (the difference,
    // |c| (1 - 1/u) <= 2^-53 x, is under 1.5 ulp of ln(1 + x)): one
    // division fewer per lane.
    let c = u.ge(L::splat(K2)).select(L::splat(0.0), x - (u - one));
    let hu = hu.and(L::Bits::splat(0x000f_ffff)).add(L::Bits::splat(0x3fe6_a09e));
    let f = L::from_bits(hu.shl::<32>().or(ui.and(L::Bits::splat(0xffff_ffff)))) - one;
    // k as f64 without an integer conversion: (2^52 + k) - 2^52.
    let dk = L::from_bits(k.or(L::Bits::splat(0x4330_0000_0000_0000))) - L::splat(4_503_599_627_370_496.0);
    // Below `LOG1P_SMALL_MAX`, `libm`'s path: no reduction (`f = x`, no
    // correction), so that a lane gets the bits of `log1p_reduce_small`
    // whichever path its vector takes (vectors of two and four lanes group
    // the arguments differently).
    let small = x.lt(L::splat(LOG1P_SMALL_MAX));
    let zero = L::splat(0.0);
    let (f, c, dk) = (small.select(x, f), small.select(zero, c), small.select(zero, dk));
    let hfsq = L::splat(0.5) * f * f;
    let s = small.select(num / (den + den + num), f / (L::splat(2.0) + f));
    let tiny = x.lt(L::splat(LOG1P_TINY_MAX));
    Log1pReduced { f, hfsq, s, lo: dk * L::splat(LN2_LO) + c, hi: dk * L::splat(LN2_HI), tiny }
}

/// Arguments below this (`sqrt(2) - 1` rounded down to a high word, the
/// bound `libm`'s `log1p` uses) need no reduction: `libm` takes `k = 0`,
/// `c = 0` and `f = x` there, and so does [`log1p_reduce_small`].
pub(crate) const LOG1P_SMALL_MAX: f64 = f64::from_bits(0x3fda_827a_0000_0000);

/// The first half of [`log1p_nonneg`] for `0 <= x < LOG1P_SMALL_MAX`:
/// `libm`'s own path for these arguments (no reduction, so no rounding
/// correction), which gives `libm::log1p`'s result and skips the bit
/// manipulation. Most hypotheses' arguments are this small (about
/// `z^2 / r` for a `z`-sigma observation under run length `r`).
#[cfg(test)]
#[inline(always)]
pub(crate) fn log1p_reduce_small<L: Lanes>(x: L) -> Log1pReduced<L> {
    log1p_reduce_small_ratio(x, x, L::splat(1.0))
}

/// [`log1p_reduce_small`] of `x = num / den` (the caller's rounded
/// quotient), given `num` and `den` too: `s = x / (2 + x)` is computed as
/// `num / (2 den + num)`, which needs no `x`, so its division runs beside
/// the caller's `num / den` rather than after it (one division off the
/// longest chain of the predictive pass).
///
/// Accuracy: both forms are within about one ulp of the exact
/// `s = q / (2 den + q)` (`q = num` exactly), and `s` enters the result
/// only through `s (hfsq + R)`, about `x^3 / 3` against a result of about
/// `x`; an ulp of `s` moves the result by under `x^2 / 3 < 0.06` ulp for
/// `x < LOG1P_SMALL_MAX`. So the result is within one ulp of `libm` (the
/// test `quotient_log1p_is_within_an_ulp_of_libm`).
#[inline(always)]
pub(crate) fn log1p_reduce_small_ratio<L: Lanes>(x: L, num: L, den: L) -> Log1pReduced<L> {
    let zero = L::splat(0.0);
    let tiny = x.lt(L::splat(LOG1P_TINY_MAX));
    Log1pReduced { f: x, hfsq: L::splat(0.5) * x * x, s: num / (den + den + num), lo: zero, hi: zero, tiny }
}

/// Arguments below this (`2^-6`) get a shorter polynomial: `libm`'s
/// `R(z) = LG1 z + LG2 z^2 + ... + LG7 z^7` (`z = s^2`, `s = x / (2 + x)`)
/// cut after `LG3 z^3`.
///
/// Why that is accurate: the result is `x - x^2/2 + s (x^2/2 + R)`, about
/// `x`; the terms dropped are below `LG4 z^4 (1 + 2^-20)` with
/// `z < (x/2)^2 <= 2^-14`, and they enter multiplied by `s < x/2`, so
/// they change the sum before its last rounding by less than
/// `0.23 (x/2)^9`, under `2^-6` ulp of a result of at least `x (1 - x/2)`
/// (the other roundings differ by far less). The
/// result therefore differs from `libm::log1p` by at most one ulp, and
/// only where the exact value lies within `2^-8` ulp of a rounding
/// boundary (the test `tiny_log1p_is_within_an_ulp_of_libm` counts them).
/// For the model that is far inside every documented tolerance. Most
/// hypotheses' arguments are this small (long runs, ordinary days), and
/// the short polynomial takes four dependent operations off the longest
/// chain of the predictive pass.
pub(crate) const LOG1P_TINY_MAX: f64 = 1.0 / 64.0;

/// The second half of [`log1p_nonneg`]: the polynomial and the sum.
///
/// In lanes with `x < LOG1P_TINY_MAX` the polynomial's terms beyond
/// `LG3 z^3` are multiplied by zero (so `LG2 + 0` and `LG3 + 0` are exact):
/// the bits of [`log1p_finish_tiny`], whichever of the two a vector takes,
/// so that two and four lanes agree.
#[inline(always)]
pub(crate) fn log1p_finish<L: Lanes>(a: Log1pReduced<L>) -> L {
    let r = log1p_poly(a.s, a.tiny);
    let Log1pReduced { f, hfsq, s, lo, hi, .. } = a;
    s * (hfsq + r) + lo - hfsq + f + hi
}

/// [`log1p_finish`] for a vector whose arguments are all below
/// `LOG1P_SMALL_MAX`: `lo` and `hi` are 0 there, and adding them changes
/// nothing, so the two additions are left out of the chain.
#[inline(always)]
pub(crate) fn log1p_finish_small<L: Lanes>(a: Log1pReduced<L>) -> L {
    let r = log1p_poly(a.s, a.tiny);
    let Log1pReduced { f, hfsq, s, .. } = a;
    s * (hfsq + r) - hfsq + f
}

/// `libm`'s polynomial `R(z)`, `z = s^2`, cut after `LG3 z^3` in the
/// `tiny` lanes.
#[inline(always)]
fn log1p_poly<L: Lanes>(s: L, tiny: L::Mask) -> L {
    let z = s * s;
    let w = z * z;
    let cut = tiny.select(L::splat(0.0), w);
    let t1 = w * (L::splat(LG2) + cut * (L::splat(LG4) + w * L::splat(LG6)));
    let t2 = z * (L::splat(LG1) + w * (L::splat(LG3) + cut * (L::splat(LG5) + w * L::splat(LG7))));
    t2 + t1
}

/// [`log1p_finish`] for a vector whose arguments are all below
/// `LOG1P_TINY_MAX` (so also below `LOG1P_SMALL_MAX`: `lo` and `hi` are 0,
/// and adding them changes nothing): the short polynomial alone.
#[inline(always)]
pub(crate) fn log1p_finish_tiny<L: Lanes>(a: Log1pReduced<L>) -> L {
    let Log1pReduced { f, hfsq, s, .. } = a;
    let z = s * s;
    let w = z * z;
    let t1 = w * L::splat(LG2);
    let t2 = z * (L::splat(LG1) + w * L::splat(LG3));
    let r = t2 + t1;
    s * (hfsq + r) - hfsq + f
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ulps(a: f64, b: f64) -> u64 {
        (a.to_bits() as i64 - b.to_bits() as i64).unsigned_abs()
    }

    use crate::bocd::lanes::F2;

    fn exp1(x: f64) -> f64 {
        let r = exp_nonpos(F2::from_fn(|i| [x, -1.0][i]));
        let (a, b) = (r.lane(0), r.lane(1));
        assert!(ulps(b, libm::exp(-1.0)) <= 1);
        a
    }

    fn log1p1(x: f64) -> f64 {
        let r = log1p_nonneg(F2::from_fn(|i| [0.5, x][i]));
        let (a, b) = (r.lane(0), r.lane(1));
        assert!(ulps(a, libm::log1p(0.5)) <= 2);
        b
    }

    #[test]
    fn exp_agrees_with_libm() {
        let mut worst = 0;
        let mut x = -708.0;
        while x <= 0.0 {
            worst = worst.max(ulps(exp1(x), libm::exp(x)));
            x += 0.000_731_3;
        }
        for x in [0.0, -0.0, -1e-300, -1e-20, -0.346_573_590_279_972_6, -0.346_573_590_279_972_7, -708.0] {
            worst = worst.max(ulps(exp1(x), libm::exp(x)));
        }
        assert!(worst <= 1, "exp differs from libm by {worst} ulp");
        // In range, the variant without the clamp gives the same bits.
        let mut x = EXP_MIN_ARG;
        while x <= 0.0 {
            for x in [x, -x.abs() * 1e-9, EXP_MIN_ARG] {
                let v = F2::from_fn(|i| [x, -0.0][i]);
                let (a, b) = (exp_finish(exp_reduce(v)), exp_finish(exp_reduce_clamped::<_, false>(v)));
                assert_eq!(
                    (a.lane(0).to_bits(), a.lane(1).to_bits()),
                    (b.lane(0).to_bits(), b.lane(1).to_bits()),
                    "{x}"
                );
            }
            x += 0.003_131_7;
        }
        for x in [-708.1, -800.0, f64::NEG_INFINITY, f64::NAN] {
            assert_eq!(exp1(x), 0.0);
        }
    }

    #[test]
    fn small_log1p_is_libm() {
        let mut x = 1e-300;
        while x < LOG1P_SMALL_MAX {
            for y in [x, LOG1P_SMALL_MAX - x] {
                if y < LOG1P_TINY_MAX {
                    continue;
                }
                let r = log1p_finish(log1p_reduce_small(F2::from_fn(|i| [y, 0.0][i])));
                assert_eq!(r.lane(0).to_bits(), libm::log1p(y).to_bits(), "log1p({y})");
                assert_eq!(r.lane(1), 0.0);
            }
            x *= 1.000_37;
        }
    }

    /// Below `LOG1P_TINY_MAX`: within one ulp of `libm`, rarely off at all;
    /// the same bits from the short path, from the general path's lanes and
    /// from the general reduction (vectors of mixed arguments).
    #[test]
    fn tiny_log1p_is_within_an_ulp_of_libm() {
        let (mut n, mut off) = (0u32, 0u32);
        let mut x = 1e-300;
        while x < LOG1P_TINY_MAX {
            for y in [x, LOG1P_TINY_MAX * (1.0 - f64::EPSILON) - x] {
                let v = F2::from_fn(|i| [y, 0.3][i]);
                let short = log1p_finish_tiny(log1p_reduce_small(F2::splat(y))).lane(0);
                let lanes = log1p_finish(log1p_reduce_small(v)).lane(0);
                let general = log1p_finish(log1p_reduce(v));
                assert_eq!(short.to_bits(), lanes.to_bits(), "log1p({y})");
                assert_eq!(short.to_bits(), general.lane(0).to_bits(), "log1p({y})");
                assert_eq!(general.lane(1).to_bits(), libm::log1p(0.3).to_bits());
                let d = ulps(short, libm::log1p(y));
                assert!(d <= 1, "log1p({y}) is {d} ulp from libm");
                n += 1;
                off += d as u32;
            }
            x *= 1.001;
        }
        assert!(off * 1000 < n, "{off} of {n} arguments an ulp off libm");
    }

    /// `log1p(q / b)` from `q` and `b` (as the predictive pass calls it)
    /// against `libm::log1p` of the rounded quotient: within one ulp, and
    /// the same bits from the small path, the general path and a vector
    /// whose other lane is not small.
    #[test]
    fn quotient_log1p_is_within_an_ulp_of_libm() {
        let (mut n, mut off) = (0u32, 0u32);
        let mut q = 1e-300;
        while q < 1e3 {
            for b in [0.37, 1.0, 3.3, 41.0, 977.5, 1.3e4] {
                let y = q / b;
                if y >= LOG1P_SMALL_MAX {
                    continue;
                }
                let (yv, qv, bv) = (F2::from_fn(|i| [y, 2.0][i]), F2::from_fn(|i| [q, 2.0][i]), F2::splat(b));
                let small = log1p_reduce_small_ratio(F2::splat(y), F2::splat(q), bv);
                let small = if y < LOG1P_TINY_MAX { log1p_finish_tiny(small) } else { log1p_finish_small(small) };
                let general = log1p_finish(log1p_reduce_ratio(yv, qv, bv));
                assert_eq!(small.lane(0).to_bits(), general.lane(0).to_bits(), "log1p({q} / {b})");
                let d = ulps(small.lane(0), libm::log1p(y));
                assert!(d <= 1, "log1p({q} / {b}) is {d} ulp from libm");
                n += 1;
                off += d as u32;
            }
            q *= 1.003;
        }
        assert!(off * 1000 < n, "{off} of {n} quotients an ulp off libm");
    }

    #[test]
    fn log1p_agrees_with_libm() {
        let mut worst = 0;
        let mut x = 1e-300;
        while x < LOG1P_FAST_MAX {
            worst = worst.max(ulps(log1p1(x), libm::log1p(x)));
            x *= 1.000_37;
        }
        for x in [0.0, 1e-300, 1e-17, 0.414_213_562_373_095_1, 0.414_213_562_373_095_2, 1.0, 3.0, LOG1P_FAST_MAX] {
            worst = worst.max(ulps(log1p1(x), libm::log1p(x)));
        }
        assert!(worst <= 2, "log1p differs from libm by {worst} ulp");
    }
}
