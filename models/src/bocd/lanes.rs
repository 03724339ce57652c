//! Small f64 vectors for the two loops that run over every hypothesis.
//!
//! LLVM does not auto-vectorise those loops (the `log1p`/`exp` bodies are
//! too long for its cost model), so they are written once, generically,
//! against [`Lanes`], and instantiated for:
//!
//! - `F2`: two lanes. SSE2 on x86_64 (baseline: every x86_64 CPU has it);
//!   `f64x2` on wasm32 built with `simd128` (the plugins are, see
//!   `.cargo/config.toml`); elsewhere (wasm32 without `simd128`, aarch64,
//!   ...) the portable `P2`, a pair of `f64`s operated on lane by lane.
//! - `F4` (x86_64 only): four lanes of AVX2, used when the CPU has it
//!   (detected at run time; the loops are compiled for AVX2 inside a
//!   `#[target_feature]` function).
//!
//! Every operation is the IEEE operation of the scalar code applied to each
//! lane (no fused multiply-add, no reassociation), and the loops reduce
//! across lanes in an order that does not depend on the lane count, so all
//! instantiations produce the same bits: the wasm component computes
//! exactly what native code does, with or without AVX2.

use core::ops::{Add, Div, Mul, Sub};

/// A vector of `N` f64 lanes.
pub(crate) trait Lanes:
    Copy + Add<Output = Self> + Sub<Output = Self> + Mul<Output = Self> + Div<Output = Self>
{
    /// Lane masks from comparisons.
    type Mask: Mask<Self>;
    /// The lanes' bit patterns as u64 lanes.
    type Bits: Bits<Self>;
    /// Number of lanes.
    const N: usize;
    /// Every lane `x`.
    fn splat(x: f64) -> Self;
    /// Lane `i` is `f(i)`.
    fn from_fn(f: impl FnMut(usize) -> f64) -> Self;
    /// The first `N` values of `s` (which must have at least `N`).
    fn load(s: &[f64]) -> Self;
    /// Store the lanes into the first `N` slots of `d`.
    fn store(self, d: &mut [f64]);
    /// Lane `i`.
    fn lane(self, i: usize) -> f64;
    /// The lanes in reverse order.
    fn reverse(self) -> Self;
    /// `self >= o`, false for NaN.
    fn ge(self, o: Self) -> Self::Mask;
    /// `self <= o`, false for NaN.
    fn le(self, o: Self) -> Self::Mask;
    /// `self < o`, false for NaN.
    fn lt(self, o: Self) -> Self::Mask;
    /// `c` where `c < self`, else `self` (a running minimum; one
    /// instruction on every SIMD target, where a compare and a select would
    /// be two or four).
    fn keep_smaller(self, c: Self) -> Self;
    /// The bit patterns.
    fn to_bits(self) -> Self::Bits;
    /// From bit patterns.
    fn from_bits(b: Self::Bits) -> Self;
}

/// Lane masks.
pub(crate) trait Mask<L>: Copy {
    /// Lane-wise `a if set else b`.
    fn select(self, a: L, b: L) -> L;
    /// Every lane set.
    fn all(self) -> bool;
}

/// u64 lanes (bit patterns of an f64 vector).
pub(crate) trait Bits<L>: Copy {
    /// Every lane `x`.
    fn splat(x: u64) -> Self;
    /// Logical shift right by `K`.
    fn shr<const K: i32>(self) -> Self;
    /// Shift left by `K`.
    fn shl<const K: i32>(self) -> Self;
    /// Wrapping add.
    fn add(self, o: Self) -> Self;
    /// Wrapping subtract.
    fn sub(self, o: Self) -> Self;
    /// Bitwise and.
    fn and(self, o: Self) -> Self;
    /// Bitwise or.
    fn or(self, o: Self) -> Self;
}

#[cfg(target_arch = "x86_64")]
pub(crate) use imp::{F2, F4};
#[cfg(not(any(target_arch = "x86_64", all(target_arch = "wasm32", target_feature = "simd128"))))]
pub(crate) use portable::P2 as F2;
#[cfg(all(test, any(target_arch = "x86_64", all(target_arch = "wasm32", target_feature = "simd128"))))]
pub(crate) use portable::P2;
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
pub(crate) use wasm::F2;

#[cfg(target_arch = "x86_64")]
mod imp {
    use super::{Bits, Lanes, Mask};
    use core::arch::x86_64::*;
    use core::ops::{Add, Div, Mul, Sub};

    /// Call SIMD intrinsics.
    ///
    /// SAFETY: SSE2 is part of the x86_64 baseline, so the SSE2 intrinsics'
    /// target feature is always present. The AVX2 ones are only reached
    /// from code compiled inside `#[target_feature(enable = "avx2")]`
    /// functions, which are only called after `is_x86_feature_detected!`
    /// said yes. Apart from loads and stores (bounds-checked slices, see
    /// there) these intrinsics have no other precondition.
    macro_rules! simd {
        ($e:expr) => {
            unsafe { $e }
        };
    }

    /// Two f64 lanes (SSE2).
    #[derive(Clone, Copy)]
    pub(crate) struct F2(__m128d);
    /// Two u64 lanes.
    #[derive(Clone, Copy)]
    pub(crate) struct U2(__m128i);
    /// Two lane masks.
    #[derive(Clone, Copy)]
    pub(crate) struct M2(__m128d);

    impl Lanes for F2 {
        type Mask = M2;
        type Bits = U2;
        const N: usize = 2;
        #[inline(always)]
        fn splat(x: f64) -> F2 {
            simd!(F2(_mm_set1_pd(x)))
        }
        #[inline(always)]
        fn from_fn(mut f: impl FnMut(usize) -> f64) -> F2 {
            let (a, b) = (f(0), f(1));
            simd!(F2(_mm_set_pd(b, a)))
        }
        #[inline(always)]
        fn load(s: &[f64]) -> F2 {
            let s = &s[..2];
            // SAFETY: `s` holds two f64; loadu has no alignment requirement.
            F2(unsafe { _mm_loadu_pd(s.as_ptr()) })
        }
        #[inline(always)]
        fn store(self, d: &mut [f64]) {
            let d = &mut d[..2];
            // SAFETY: `d` holds two f64; storeu has no alignment requirement.
            unsafe { _mm_storeu_pd(d.as_mut_ptr(), self.0) }
        }
        #[inline(always)]
        fn lane(self, i: usize) -> f64 {
            let mut out = [0.0; 2];
            self.store(&mut out);
            out[i]
        }
        #[inline(always)]
        fn reverse(self) -> F2 {
            simd!(F2(_mm_shuffle_pd::<1>(self.0, self.0)))
        }
        #[inline(always)]
        fn ge(self, o: F2) -> M2 {
            simd!(M2(_mm_cmpge_pd(self.0, o.0)))
        }
        #[inline(always)]
        fn le(self, o: F2) -> M2 {
            simd!(M2(_mm_cmple_pd(self.0, o.0)))
        }
        #[inline(always)]
        fn lt(self, o: F2) -> M2 {
            simd!(M2(_mm_cmplt_pd(self.0, o.0)))
        }
        #[inline(always)]
        fn keep_smaller(self, c: F2) -> F2 {
            // `minpd a, b` is `a < b ? a : b`.
            simd!(F2(_mm_min_pd(c.0, self.0)))
        }
        #[inline(always)]
        fn to_bits(self) -> U2 {
            simd!(U2(_mm_castpd_si128(self.0)))
        }
        #[inline(always)]
        fn from_bits(b: U2) -> F2 {
            simd!(F2(_mm_castsi128_pd(b.0)))
        }
    }

    impl Mask<F2> for M2 {
        #[inline(always)]
        fn select(self, a: F2, b: F2) -> F2 {
            simd!(F2(_mm_or_pd(_mm_and_pd(self.0, a.0), _mm_andnot_pd(self.0, b.0))))
        }
        #[inline(always)]
        fn all(self) -> bool {
            simd!(_mm_movemask_pd(self.0) == 3)
        }
    }

    impl Bits<F2> for U2 {
        #[inline(always)]
        fn splat(x: u64) -> U2 {
            simd!(U2(_mm_set1_epi64x(x as i64)))
        }
        #[inline(always)]
        fn shr<const K: i32>(self) -> U2 {
            simd!(U2(_mm_srli_epi64::<K>(self.0)))
        }
        #[inline(always)]
        fn shl<const K: i32>(self) -> U2 {
            simd!(U2(_mm_slli_epi64::<K>(self.0)))
        }
        #[inline(always)]
        fn add(self, o: U2) -> U2 {
            simd!(U2(_mm_add_epi64(self.0, o.0)))
        }
        #[inline(always)]
        fn sub(self, o: U2) -> U2 {
            simd!(U2(_mm_sub_epi64(self.0, o.0)))
        }
        #[inline(always)]
        fn and(self, o: U2) -> U2 {
            simd!(U2(_mm_and_si128(self.0, o.0)))
        }
        #[inline(always)]
        fn or(self, o: U2) -> U2 {
            simd!(U2(_mm_or_si128(self.0, o.0)))
        }
    }

    impl Add for F2 {
        type Output = F2;
        #[inline(always)]
        fn add(self, o: F2) -> F2 {
            simd!(F2(_mm_add_pd(self.0, o.0)))
        }
    }
    impl Sub for F2 {
        type Output = F2;
        #[inline(always)]
        fn sub(self, o: F2) -> F2 {
            simd!(F2(_mm_sub_pd(self.0, o.0)))
        }
    }
    impl Mul for F2 {
        type Output = F2;
        #[inline(always)]
        fn mul(self, o: F2) -> F2 {
            simd!(F2(_mm_mul_pd(self.0, o.0)))
        }
    }
    impl Div for F2 {
        type Output = F2;
        #[inline(always)]
        fn div(self, o: F2) -> F2 {
            simd!(F2(_mm_div_pd(self.0, o.0)))
        }
    }

    /// Four f64 lanes (AVX2; only inside `#[target_feature]` code).
    #[derive(Clone, Copy)]
    pub(crate) struct F4(__m256d);
    /// Four u64 lanes.
    #[derive(Clone, Copy)]
    pub(crate) struct U4(__m256i);
    /// Four lane masks.
    #[derive(Clone, Copy)]
    pub(crate) struct M4(__m256d);

    impl Lanes for F4 {
        type Mask = M4;
        type Bits = U4;
        const N: usize = 4;
        #[inline(always)]
        fn splat(x: f64) -> F4 {
            simd!(F4(_mm256_set1_pd(x)))
        }
        #[inline(always)]
        fn from_fn(mut f: impl FnMut(usize) -> f64) -> F4 {
            let (a, b, c, d) = (f(0), f(1), f(2), f(3));
            simd!(F4(_mm256_set_pd(d, c, b, a)))
        }
        #[inline(always)]
        fn load(s: &[f64]) -> F4 {
            let s = &s[..4];
            // SAFETY: `s` holds four f64; loadu has no alignment requirement.
            F4(unsafe { _mm256_loadu_pd(s.as_ptr()) })
        }
        #[inline(always)]
        fn store(self, d: &mut [f64]) {
            let d = &mut d[..4];
            // SAFETY: `d` holds four f64; storeu has no alignment requirement.
            unsafe { _mm256_storeu_pd(d.as_mut_ptr(), self.0) }
        }
        #[inline(always)]
        fn lane(self, i: usize) -> f64 {
            let mut out = [0.0; 4];
            self.store(&mut out);
            out[i]
        }
        #[inline(always)]
        fn reverse(self) -> F4 {
            simd!(F4(_mm256_permute4x64_pd::<0x1b>(self.0)))
        }
        #[inline(always)]
        fn ge(self, o: F4) -> M4 {
            simd!(M4(_mm256_cmp_pd::<_CMP_GE_OQ>(self.0, o.0)))
        }
        #[inline(always)]
        fn le(self, o: F4) -> M4 {
            simd!(M4(_mm256_cmp_pd::<_CMP_LE_OQ>(self.0, o.0)))
        }
        #[inline(always)]
        fn lt(self, o: F4) -> M4 {
            simd!(M4(_mm256_cmp_pd::<_CMP_LT_OQ>(self.0, o.0)))
        }
        #[inline(always)]
        fn keep_smaller(self, c: F4) -> F4 {
            simd!(F4(_mm256_min_pd(c.0, self.0)))
        }
        #[inline(always)]
        fn to_bits(self) -> U4 {
            simd!(U4(_mm256_castpd_si256(self.0)))
        }
        #[inline(always)]
        fn from_bits(b: U4) -> F4 {
            simd!(F4(_mm256_castsi256_pd(b.0)))
        }
    }

    impl Mask<F4> for M4 {
        #[inline(always)]
        fn select(self, a: F4, b: F4) -> F4 {
            simd!(F4(_mm256_blendv_pd(b.0, a.0, self.0)))
        }
        #[inline(always)]
        fn all(self) -> bool {
            simd!(_mm256_movemask_pd(self.0) == 15)
        }
    }

    impl Bits<F4> for U4 {
        #[inline(always)]
        fn splat(x: u64) -> U4 {
            simd!(U4(_mm256_set1_epi64x(x as i64)))
        }
        #[inline(always)]
        fn shr<const K: i32>(self) -> U4 {
            simd!(U4(_mm256_srli_epi64::<K>(self.0)))
        }
        #[inline(always)]
        fn shl<const K: i32>(self) -> U4 {
            simd!(U4(_mm256_slli_epi64::<K>(self.0)))
        }
        #[inline(always)]
        fn add(self, o: U4) -> U4 {
            simd!(U4(_mm256_add_epi64(self.0, o.0)))
        }
        #[inline(always)]
        fn sub(self, o: U4) -> U4 {
            simd!(U4(_mm256_sub_epi64(self.0, o.0)))
        }
        #[inline(always)]
        fn and(self, o: U4) -> U4 {
            simd!(U4(_mm256_and_si256(self.0, o.0)))
        }
        #[inline(always)]
        fn or(self, o: U4) -> U4 {
            simd!(U4(_mm256_or_si256(self.0, o.0)))
        }
    }

    impl Add for F4 {
        type Output = F4;
        #[inline(always)]
        fn add(self, o: F4) -> F4 {
            simd!(F4(_mm256_add_pd(self.0, o.0)))
        }
    }
    impl Sub for F4 {
        type Output = F4;
        #[inline(always)]
        fn sub(self, o: F4) -> F4 {
            simd!(F4(_mm256_sub_pd(self.0, o.0)))
        }
    }
    impl Mul for F4 {
        type Output = F4;
        #[inline(always)]
        fn mul(self, o: F4) -> F4 {
            simd!(F4(_mm256_mul_pd(self.0, o.0)))
        }
    }
    impl Div for F4 {
        type Output = F4;
        #[inline(always)]
        fn div(self, o: F4) -> F4 {
            simd!(F4(_mm256_div_pd(self.0, o.0)))
        }
    }
}

/// Two lanes of wasm32 `simd128` (`f64x2`), the SSE2 `F2` transcribed
/// operation for operation. Selected at compile time: the wasm plugins are
/// built with `-C target-feature=+simd128` (see `.cargo/config.toml`), and a
/// wasm engine without SIMD refuses such a module when loading it rather
/// than computing something else. Wasm's `f64x2` arithmetic is IEEE
/// (round to nearest, subnormals kept), like SSE2's, so the lanes give the
/// same bits as the other instantiations.
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
mod wasm {
    use super::{Bits, Lanes, Mask};
    use core::arch::wasm32::*;
    use core::ops::{Add, Div, Mul, Sub};

    /// Two f64 lanes.
    #[derive(Clone, Copy)]
    pub(crate) struct F2(v128);
    /// Two u64 lanes.
    #[derive(Clone, Copy)]
    pub(crate) struct U2(v128);
    /// Two lane masks (all ones or all zeros per lane).
    #[derive(Clone, Copy)]
    pub(crate) struct M2(v128);

    impl Lanes for F2 {
        type Mask = M2;
        type Bits = U2;
        const N: usize = 2;
        #[inline(always)]
        fn splat(x: f64) -> F2 {
            F2(f64x2_splat(x))
        }
        #[inline(always)]
        fn from_fn(mut f: impl FnMut(usize) -> f64) -> F2 {
            let (a, b) = (f(0), f(1));
            F2(f64x2(a, b))
        }
        #[inline(always)]
        fn load(s: &[f64]) -> F2 {
            let s = &s[..2];
            // SAFETY: `s` holds two f64 (16 bytes); wasm loads have no
            // alignment requirement.
            F2(unsafe { v128_load(s.as_ptr().cast::<v128>()) })
        }
        #[inline(always)]
        fn store(self, d: &mut [f64]) {
            let d = &mut d[..2];
            // SAFETY: `d` holds two f64 (16 bytes); wasm stores have no
            // alignment requirement.
            unsafe { v128_store(d.as_mut_ptr().cast::<v128>(), self.0) }
        }
        #[inline(always)]
        fn lane(self, i: usize) -> f64 {
            if i == 0 { f64x2_extract_lane::<0>(self.0) } else { f64x2_extract_lane::<1>(self.0) }
        }
        #[inline(always)]
        fn reverse(self) -> F2 {
            F2(u64x2_shuffle::<1, 0>(self.0, self.0))
        }
        #[inline(always)]
        fn ge(self, o: F2) -> M2 {
            M2(f64x2_ge(self.0, o.0))
        }
        #[inline(always)]
        fn le(self, o: F2) -> M2 {
            M2(f64x2_le(self.0, o.0))
        }
        #[inline(always)]
        fn lt(self, o: F2) -> M2 {
            M2(f64x2_lt(self.0, o.0))
        }
        #[inline(always)]
        fn keep_smaller(self, c: F2) -> F2 {
            // `pmin(a, b)` is `b < a ? b : a`.
            F2(f64x2_pmin(self.0, c.0))
        }
        #[inline(always)]
        fn to_bits(self) -> U2 {
            U2(self.0)
        }
        #[inline(always)]
        fn from_bits(b: U2) -> F2 {
            F2(b.0)
        }
    }

    impl Mask<F2> for M2 {
        #[inline(always)]
        fn select(self, a: F2, b: F2) -> F2 {
            F2(v128_bitselect(a.0, b.0, self.0))
        }
        #[inline(always)]
        fn all(self) -> bool {
            i64x2_bitmask(self.0) == 3
        }
    }

    impl Bits<F2> for U2 {
        #[inline(always)]
        fn splat(x: u64) -> U2 {
            U2(u64x2_splat(x))
        }
        #[inline(always)]
        fn shr<const K: i32>(self) -> U2 {
            U2(u64x2_shr(self.0, K as u32))
        }
        #[inline(always)]
        fn shl<const K: i32>(self) -> U2 {
            U2(i64x2_shl(self.0, K as u32))
        }
        #[inline(always)]
        fn add(self, o: U2) -> U2 {
            U2(i64x2_add(self.0, o.0))
        }
        #[inline(always)]
        fn sub(self, o: U2) -> U2 {
            U2(i64x2_sub(self.0, o.0))
        }
        #[inline(always)]
        fn and(self, o: U2) -> U2 {
            U2(v128_and(self.0, o.0))
        }
        #[inline(always)]
        fn or(self, o: U2) -> U2 {
            U2(v128_or(self.0, o.0))
        }
    }

    impl Add for F2 {
        type Output = F2;
        #[inline(always)]
        fn add(self, o: F2) -> F2 {
            F2(f64x2_add(self.0, o.0))
        }
    }
    impl Sub for F2 {
        type Output = F2;
        #[inline(always)]
        fn sub(self, o: F2) -> F2 {
            F2(f64x2_sub(self.0, o.0))
        }
    }
    impl Mul for F2 {
        type Output = F2;
        #[inline(always)]
        fn mul(self, o: F2) -> F2 {
            F2(f64x2_mul(self.0, o.0))
        }
    }
    impl Div for F2 {
        type Output = F2;
        #[inline(always)]
        fn div(self, o: F2) -> F2 {
            F2(f64x2_div(self.0, o.0))
        }
    }
}

/// The portable two lanes: what targets without SIMD lanes here run
/// (aarch64, wasm32 built without `simd128`), and (in tests) the yardstick
/// the SIMD versions must match bit for bit.
#[cfg(any(not(any(target_arch = "x86_64", all(target_arch = "wasm32", target_feature = "simd128"))), test))]
mod portable {
    use super::{Bits, Lanes, Mask};
    use core::ops::{Add, Div, Mul, Sub};

    /// Two f64 lanes, operated on one by one.
    #[derive(Clone, Copy)]
    pub(crate) struct P2([f64; 2]);
    /// Two u64 lanes.
    #[derive(Clone, Copy)]
    pub(crate) struct U2([u64; 2]);
    /// Two lane masks.
    #[derive(Clone, Copy)]
    pub(crate) struct M2([bool; 2]);

    #[inline(always)]
    fn map2<T: Copy, R>(a: [T; 2], f: impl Fn(T) -> R) -> [R; 2] {
        [f(a[0]), f(a[1])]
    }
    #[inline(always)]
    fn zip2<T: Copy, R>(a: [T; 2], b: [T; 2], f: impl Fn(T, T) -> R) -> [R; 2] {
        [f(a[0], b[0]), f(a[1], b[1])]
    }

    impl Lanes for P2 {
        type Mask = M2;
        type Bits = U2;
        const N: usize = 2;
        #[inline(always)]
        fn splat(x: f64) -> P2 {
            P2([x, x])
        }
        #[inline(always)]
        fn from_fn(mut f: impl FnMut(usize) -> f64) -> P2 {
            let a = f(0);
            P2([a, f(1)])
        }
        #[inline(always)]
        fn load(s: &[f64]) -> P2 {
            P2([s[0], s[1]])
        }
        #[inline(always)]
        fn store(self, d: &mut [f64]) {
            d[..2].copy_from_slice(&self.0);
        }
        #[inline(always)]
        fn lane(self, i: usize) -> f64 {
            self.0[i]
        }
        #[inline(always)]
        fn reverse(self) -> P2 {
            P2([self.0[1], self.0[0]])
        }
        #[inline(always)]
        fn ge(self, o: P2) -> M2 {
            M2(zip2(self.0, o.0, |a, b| a >= b))
        }
        #[inline(always)]
        fn le(self, o: P2) -> M2 {
            M2(zip2(self.0, o.0, |a, b| a <= b))
        }
        #[inline(always)]
        fn lt(self, o: P2) -> M2 {
            M2(zip2(self.0, o.0, |a, b| a < b))
        }
        #[inline(always)]
        fn keep_smaller(self, c: P2) -> P2 {
            c.lt(self).select(c, self)
        }
        #[inline(always)]
        fn to_bits(self) -> U2 {
            U2(map2(self.0, f64::to_bits))
        }
        #[inline(always)]
        fn from_bits(b: U2) -> P2 {
            P2(map2(b.0, f64::from_bits))
        }
    }

    impl Mask<P2> for M2 {
        #[inline(always)]
        fn select(self, a: P2, b: P2) -> P2 {
            P2([if self.0[0] { a.0[0] } else { b.0[0] }, if self.0[1] { a.0[1] } else { b.0[1] }])
        }
        #[inline(always)]
        fn all(self) -> bool {
            self.0[0] && self.0[1]
        }
    }

    impl Bits<P2> for U2 {
        #[inline(always)]
        fn splat(x: u64) -> U2 {
            U2([x, x])
        }
        #[inline(always)]
        fn shr<const K: i32>(self) -> U2 {
            U2(map2(self.0, |a| a >> K))
        }
        #[inline(always)]
        fn shl<const K: i32>(self) -> U2 {
            U2(map2(self.0, |a| a << K))
        }
        #[inline(always)]
        fn add(self, o: U2) -> U2 {
            U2(zip2(self.0, o.0, u64::wrapping_add))
        }
        #[inline(always)]
        fn sub(self, o: U2) -> U2 {
            U2(zip2(self.0, o.0, u64::wrapping_sub))
        }
        #[inline(always)]
        fn and(self, o: U2) -> U2 {
            U2(zip2(self.0, o.0, |a, b| a & b))
        }
        #[inline(always)]
        fn or(self, o: U2) -> U2 {
            U2(zip2(self.0, o.0, |a, b| a | b))
        }
    }

    impl Add for P2 {
        type Output = P2;
        #[inline(always)]
        fn add(self, o: P2) -> P2 {
            P2(zip2(self.0, o.0, |a, b| a + b))
        }
    }
    impl Sub for P2 {
        type Output = P2;
        #[inline(always)]
        fn sub(self, o: P2) -> P2 {
            P2(zip2(self.0, o.0, |a, b| a - b))
        }
    }
    impl Mul for P2 {
        type Output = P2;
        #[inline(always)]
        fn mul(self, o: P2) -> P2 {
            P2(zip2(self.0, o.0, |a, b| a * b))
        }
    }
    impl Div for P2 {
        type Output = P2;
        #[inline(always)]
        fn div(self, o: P2) -> P2 {
            P2(zip2(self.0, o.0, |a, b| a / b))
        }
    }
}
