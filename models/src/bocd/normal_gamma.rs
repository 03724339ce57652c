//! The Normal-Gamma prior and its Student-t predictive: the reference's
//! `StudentT` observation model, arranged so that the per-step inner loop
//! costs one `log1p` and one `exp` per run-length hypothesis.
//!
//! Under run length `r` the posterior over the segment's (mean, precision)
//! is Normal-Gamma with `kappa_r = kappa0 + r`, `alpha_r = alpha0 + r/2` and
//! data-dependent `mu_r`, `beta_r`. The predictive of the next observation
//! is Student-t with `df = 2 alpha_r`, `loc = mu_r` and
//! `scale = sqrt(beta_r (kappa_r + 1) / (alpha_r kappa_r))`, whose log density
//! rearranges to
//!
//! ```text
//! ln p(x | r) = c_r - ln(beta_r)/2 - (alpha_r + 1/2) ln(1 + q_r / beta_r)
//!   q_r = kappa_r (x - mu_r)^2 / (2 (kappa_r + 1))
//!   c_r = lnG(alpha_r + 1/2) - lnG(alpha_r) - ln(2 pi)/2 - ln((kappa_r + 1)/kappa_r)/2
//! ```
//!
//! `c_r` depends on the run length only, so it is cached per run length,
//! and so are `kappa_r / (2 (kappa_r + 1))` (the factor of `(x - mu_r)^2`
//! in `q_r`) and `1 / (kappa_r + 1)` (for `mu_{r+1} = mu_r + (x - mu_r) /
//! (kappa_r + 1)`);
//! `beta_r + q_r` is the updated `beta_{r+1}`, and
//! `ln beta_{r+1} = ln beta_r + ln(1 + q_r / beta_r)` reuses the same
//! `log1p`, so `ln beta` is carried along per hypothesis instead of being
//! recomputed. Working with `log1p(q/beta)` rather than the difference of
//! two large logarithms keeps the log density accurate to a few ulps even
//! for run lengths in the thousands.

/// Run lengths below this have their constants cached: 40 bytes each (one
/// column per field),
/// 640 KiB at most, filled lazily as the longest surviving run grows.
/// Longer runs compute them on the fly (one `log`, one `log1p` and two
/// divisions more per hypothesis, with the series branch of `lgamma`), which keeps memory bounded on endless
/// streams.
pub(crate) const CACHED_RUNS: u64 = 1 << 14;

/// `ln Gamma(a + 1/2) - ln Gamma(a)` for `a > 0`.
///
/// For `a >= 20` this uses the asymptotic (Stirling) series
/// `ln(a)/2 + sum_n (2^(1-n) - 2) B_n / (n (n-1) a^(n-1))`, n even, through
/// `a^-9`: its truncation error is below 2e-17 there, and unlike the
/// difference of two `lgamma` values (each about `a ln a`) it does not lose
/// digits to cancellation as `a` grows. Below 20 it is the `lgamma`
/// difference, accurate to a few ulps of numbers of order 10.
pub(crate) fn ln_gamma_half_ratio(a: f64) -> f64 {
    if a >= 20.0 {
        let z = 1.0 / a;
        let z2 = z * z;
        0.5 * libm::log(a)
            - z * (1.0 / 8.0
                - z2 * (1.0 / 192.0 - z2 * (1.0 / 640.0 - z2 * (17.0 / 14336.0 - z2 * (5115.0 / 3041280.0)))))
    } else {
        libm::lgamma(a + 0.5) - libm::lgamma(a)
    }
}

/// `ln(2 pi) / 2`.
const HALF_LN_2PI: f64 = 0.918_938_533_204_672_8;

/// The run-length-only part `c_r` of the predictive log density, for the
/// prior `(alpha0, kappa0)`.
pub(crate) fn log_norm_const(alpha0: f64, kappa0: f64, r: u64) -> f64 {
    let rf = r as f64;
    let alpha = alpha0 + 0.5 * rf;
    let kappa = kappa0 + rf;
    ln_gamma_half_ratio(alpha) - HALF_LN_2PI - 0.5 * libm::log1p(1.0 / kappa)
}

/// What the inner loop needs about run length `r`, precomputed: a pure
/// function of `r` and the prior, so a cached entry and a recomputed one
/// are the same bits (snapshots skip the cache).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct RunConst {
    /// `c_r`, the `lgamma` part of the predictive log density.
    pub(crate) c: f64,
    /// `kappa_r / (2 (kappa_r + 1))`, the factor of `(x - mu_r)^2` in `q_r`.
    pub(crate) q_scale: f64,
    /// `1 / (kappa_r + 1)`, for the `mu` update.
    pub(crate) inv_kappa1: f64,
    /// `alpha_r + 1/2 = alpha_{r+1}`, the exponent of the predictive.
    pub(crate) alpha_next: f64,
    /// `1 / alpha_{r+1}`, for `segment_var`.
    pub(crate) inv_alpha_next: f64,
}

impl RunConst {
    /// Compute the constants of run length `r`.
    pub(crate) fn compute(alpha0: f64, kappa0: f64, r: u64) -> RunConst {
        let rf = r as f64;
        let kappa = kappa0 + rf;
        let alpha_next = alpha0 + 0.5 * (rf + 1.0);
        RunConst {
            c: log_norm_const(alpha0, kappa0, r),
            q_scale: kappa / (2.0 * (kappa + 1.0)),
            inv_kappa1: 1.0 / (kappa + 1.0),
            alpha_next,
            inv_alpha_next: 1.0 / alpha_next,
        }
    }
}

/// [`RunConst`]s as a struct of arrays, one column per field, so that the
/// constants of consecutive entries load as one vector.
#[derive(Debug, Clone, Default)]
pub(crate) struct RunColumns {
    /// `c`.
    c: Vec<f64>,
    /// `q_scale`.
    q_scale: Vec<f64>,
    /// `inv_kappa1`.
    inv_kappa1: Vec<f64>,
    /// `alpha_next`.
    alpha_next: Vec<f64>,
    /// `inv_alpha_next`.
    inv_alpha_next: Vec<f64>,
}

impl RunColumns {
    /// Number of entries.
    #[inline(always)]
    pub(crate) fn len(&self) -> usize {
        self.c.len()
    }

    /// Remove every entry (keeping the capacity).
    pub(crate) fn clear(&mut self) {
        for col in self.columns_mut() {
            col.clear();
        }
    }

    /// Append one entry.
    pub(crate) fn push(&mut self, k: RunConst) {
        let values = [k.c, k.q_scale, k.inv_kappa1, k.alpha_next, k.inv_alpha_next];
        for (col, v) in self.columns_mut().into_iter().zip(values) {
            col.push(v);
        }
    }

    /// The columns, in the order of [`RunConst`]'s fields.
    fn columns_mut(&mut self) -> [&mut Vec<f64>; 5] {
        [&mut self.c, &mut self.q_scale, &mut self.inv_kappa1, &mut self.alpha_next, &mut self.inv_alpha_next]
    }

    /// The columns as slices of one length.
    #[inline(always)]
    pub(crate) fn view(&self) -> RunView<'_> {
        let n = self.len();
        RunView {
            c: &self.c[..n],
            q_scale: &self.q_scale[..n],
            inv_kappa1: &self.inv_kappa1[..n],
            alpha_next: &self.alpha_next[..n],
            inv_alpha_next: &self.inv_alpha_next[..n],
        }
    }
}

/// Borrowed [`RunColumns`]: five slices of the same length.
#[derive(Clone, Copy)]
pub(crate) struct RunView<'a> {
    /// `c`.
    pub(crate) c: &'a [f64],
    /// `q_scale`.
    pub(crate) q_scale: &'a [f64],
    /// `inv_kappa1`.
    pub(crate) inv_kappa1: &'a [f64],
    /// `alpha_next`.
    pub(crate) alpha_next: &'a [f64],
    /// `inv_alpha_next`.
    pub(crate) inv_alpha_next: &'a [f64],
}

impl RunView<'_> {
    /// Number of entries.
    #[inline(always)]
    pub(crate) fn len(&self) -> usize {
        self.c.len()
    }

    /// Entry `j`.
    #[inline(always)]
    pub(crate) fn get(&self, j: usize) -> RunConst {
        RunConst {
            c: self.c[j],
            q_scale: self.q_scale[j],
            inv_kappa1: self.inv_kappa1[j],
            alpha_next: self.alpha_next[j],
            inv_alpha_next: self.inv_alpha_next[j],
        }
    }
}

/// Cache of [`RunConst`] for `r < CACHED_RUNS`, grown on demand.
///
/// Not part of a snapshot: it is a pure function of the prior and is
/// rebuilt lazily after restore with identical values.
#[derive(Debug, Clone, Default)]
pub(crate) struct PredictiveConsts {
    /// `alpha0` of the prior the cache was built for.
    alpha0: f64,
    /// `kappa0` of the prior the cache was built for.
    kappa0: f64,
    /// Index = run length.
    cache: RunColumns,
}

impl PredictiveConsts {
    /// An empty cache for the prior `(alpha0, kappa0)`.
    pub(crate) fn new(alpha0: f64, kappa0: f64) -> Self {
        PredictiveConsts { alpha0, kappa0, cache: RunColumns::default() }
    }

    /// Make `get` a table lookup for every run length up to `r_max` (capped
    /// at `CACHED_RUNS`). Called once per step with the longest live run, so
    /// it pushes at most one entry per step in steady state.
    pub(crate) fn extend_through(&mut self, r_max: u64) {
        let want = r_max.saturating_add(1).min(CACHED_RUNS) as usize;
        while self.cache.len() < want {
            let r = self.cache.len() as u64;
            self.cache.push(RunConst::compute(self.alpha0, self.kappa0, r));
        }
    }

    /// The cached constants, index = run length.
    #[inline(always)]
    pub(crate) fn table(&self) -> RunView<'_> {
        self.cache.view()
    }

    /// The constants of run length `r`: cached when `r` is below the cap
    /// and has been reached, computed otherwise (same value either way).
    #[inline(always)]
    pub(crate) fn get(&self, r: u64) -> RunConst {
        if r < self.cache.len() as u64 {
            self.table().get(r as usize)
        } else {
            RunConst::compute(self.alpha0, self.kappa0, r)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn series_matches_lgamma_where_they_overlap() {
        // Near the switch point both are accurate to ~1e-15; far below it the
        // lgamma difference is used, far above the series.
        for &a in &[20.0, 20.5, 25.0, 40.0, 100.0] {
            let direct = libm::lgamma(a + 0.5) - libm::lgamma(a);
            assert!((ln_gamma_half_ratio(a) - direct).abs() < 1e-13, "a={a}");
        }
        // Values from mpmath.
        assert!((ln_gamma_half_ratio(20.0) - 1.491_616_787_331_304_1).abs() < 1e-15);
        assert!((ln_gamma_half_ratio(1e4) - 4.605_157_685_988_097).abs() < 1e-15);
    }

    #[test]
    fn cached_and_computed_constants_are_identical() {
        let mut c = PredictiveConsts::new(0.1, 1.0);
        c.extend_through(100);
        for r in [0u64, 1, 39, 40, 100, 101, CACHED_RUNS + 7] {
            let (got, want) = (c.get(r), RunConst::compute(0.1, 1.0, r));
            assert_eq!(got.c.to_bits(), want.c.to_bits());
            assert_eq!(got.inv_kappa1.to_bits(), want.inv_kappa1.to_bits());
            assert_eq!(got.inv_alpha_next.to_bits(), want.inv_alpha_next.to_bits());
            assert_eq!(want.c.to_bits(), log_norm_const(0.1, 1.0, r).to_bits());
        }
    }

    #[test]
    fn log_density_matches_the_textbook_student_t() {
        // ln t-pdf with df = 2a, loc mu, scale sqrt(b (k+1) / (a k)), written
        // the textbook way, against the rearranged form used by the model.
        let (a0, k0, mu, b, x) = (1.3, 2.0, 0.4, 0.7, -1.9);
        let r = 3u64;
        let (a, k) = (a0 + 0.5 * r as f64, k0 + r as f64);
        let df = 2.0 * a;
        let scale = (b * (k + 1.0) / (a * k)).sqrt();
        let z = (x - mu) / scale;
        let textbook = libm::lgamma((df + 1.0) / 2.0)
            - libm::lgamma(df / 2.0)
            - 0.5 * libm::log(df * core::f64::consts::PI)
            - libm::log(scale)
            - (df + 1.0) / 2.0 * libm::log1p(z * z / df);
        let q = k * (x - mu) * (x - mu) / (2.0 * (k + 1.0));
        let ours = log_norm_const(a0, k0, r) - 0.5 * libm::log(b) - (a + 0.5) * libm::log1p(q / b);
        assert!((ours - textbook).abs() < 1e-14, "{ours} vs {textbook}");
    }
}
