//! Log-likelihood of the sample and its analytic gradient, in one forward
//! pass through the variance recursion.
//!
//! The gradient follows sigma2_t and its derivatives together:
//!
//! ```text
//! d sigma2_t / d omega = 1           + beta * d sigma2_{t-1} / d omega
//! d sigma2_t / d alpha = e_{t-1}^2   + beta * d sigma2_{t-1} / d alpha
//! d sigma2_t / d beta  = sigma2_{t-1} + beta * d sigma2_{t-1} / d beta
//! d sigma2_t / d mu    = -2 alpha e_{t-1} + beta * d sigma2_{t-1} / d mu
//! ```
//!
//! started at t = 0 with `e_{-1}^2 = sigma2_{-1} = backcast` held fixed: arch
//! computes the backcast once, from the residuals at the *starting* mean, and
//! does not recompute it as the optimiser moves `mu`, so `mu` enters only
//! through the residuals (d sigma2_0 / d mu = 0).
//!
//! Gradient vectors are in arch's parameter order: mu, omega, alpha, beta
//! (, nu).

use super::Dist;
use super::dist::{LN_2PI, normal_term, student_t_constant, student_t_constant_deriv, student_t_term};
use super::logsum::LogSum;
use super::recursion::{GarchParams, next_variance};

/// The sample log-likelihood (constants included) at `p`, the sum of the
/// per-observation terms arch's distributions compute.
pub fn loglikelihood(y: &[f64], p: &GarchParams, dist: Dist, backcast: f64) -> f64 {
    let c = student_t_constant(p.nu);
    let (mut e2_prev, mut s2_prev) = (backcast, backcast);
    let mut ll = 0.0;
    for &yt in y {
        let s2 = next_variance(p, e2_prev, s2_prev);
        let e = yt - p.mu;
        ll += match dist {
            Dist::Normal => normal_term(e, s2),
            Dist::StudentT => student_t_term(c, p.nu, e, s2),
        };
        e2_prev = e * e;
        s2_prev = s2;
    }
    ll
}

/// The per-observation variances and log-likelihood terms at `p` (what
/// arch's `_loglikelihood(..., individual=True)` returns, negated back),
/// written into `sigma2` and `terms`; returns their sum.
///
/// # Panics
/// If `sigma2` or `terms` is shorter than `y`.
pub fn loglikelihood_terms(
    y: &[f64],
    p: &GarchParams,
    dist: Dist,
    backcast: f64,
    sigma2: &mut [f64],
    terms: &mut [f64],
) -> f64 {
    assert!(sigma2.len() >= y.len() && terms.len() >= y.len(), "output slices shorter than the input");
    let c = student_t_constant(p.nu);
    let (mut e2_prev, mut s2_prev) = (backcast, backcast);
    let mut ll = 0.0;
    for (t, &yt) in y.iter().enumerate() {
        let s2 = next_variance(p, e2_prev, s2_prev);
        let e = yt - p.mu;
        let term = match dist {
            Dist::Normal => normal_term(e, s2),
            Dist::StudentT => student_t_term(c, p.nu, e, s2),
        };
        sigma2[t] = s2;
        terms[t] = term;
        ll += term;
        e2_prev = e * e;
        s2_prev = s2;
    }
    ll
}

/// The sample log-likelihood and, in `grad`, its gradient with respect to
/// (mu, omega, alpha, beta, nu) (nu only for the Student-t), holding the
/// backcast fixed as arch's fit does.
///
/// This is the optimiser's pass: its logarithms are summed blockwise, so the
/// value agrees with [`loglikelihood`] to ~1e-12 relative, not bit for bit.
///
/// # Panics
/// If `grad` is shorter than `dist.num_params()`.
pub fn loglikelihood_gradient(y: &[f64], p: &GarchParams, dist: Dist, backcast: f64, grad: &mut [f64]) -> f64 {
    let k = dist.num_params();
    assert!(grad.len() >= k, "gradient needs {k} slots");
    let mut g = [0.0; 5];
    let ll = gradient_pass(y, p, dist, backcast, &mut g, None);
    grad[..k].copy_from_slice(&g[..k]);
    ll
}

/// [`loglikelihood_gradient`] into a fixed array, optionally also summing
/// the outer products of the per-observation scores (the BHHH / OPG
/// approximation of the information matrix) into `opg`, which the
/// optimiser uses as its first Hessian approximation.
///
/// The logarithms are summed blockwise ([`LogSum`]), falling back to one
/// log per term if a block goes out of range.
pub(crate) fn gradient_pass(
    y: &[f64],
    p: &GarchParams,
    dist: Dist,
    backcast: f64,
    grad: &mut [f64; 5],
    opg: Option<&mut [[f64; 5]; 5]>,
) -> f64 {
    let mut none = [[0.0; 5]; 5];
    match (dist, opg) {
        (Dist::Normal, Some(o)) => {
            let ll = pass::<false, true, true>(y, p, backcast, grad, o);
            if ll.is_nan() { pass::<false, true, false>(y, p, backcast, grad, o) } else { ll }
        }
        (Dist::StudentT, Some(o)) => {
            let ll = pass::<true, true, true>(y, p, backcast, grad, o);
            if ll.is_nan() { pass::<true, true, false>(y, p, backcast, grad, o) } else { ll }
        }
        (Dist::Normal, None) => {
            let ll = pass::<false, false, true>(y, p, backcast, grad, &mut none);
            if ll.is_nan() { pass::<false, false, false>(y, p, backcast, grad, &mut none) } else { ll }
        }
        (Dist::StudentT, None) => {
            let ll = pass::<true, false, true>(y, p, backcast, grad, &mut none);
            if ll.is_nan() { pass::<true, false, false>(y, p, backcast, grad, &mut none) } else { ll }
        }
    }
}

/// The forward pass, specialised at compile time on the distribution, on
/// whether the score outer products are wanted and on blockwise logs
/// (`FAST`; then a NaN return means "out of range, redo without"), so the
/// hot loop carries no branches for any of them.
#[inline(always)]
fn pass<const T: bool, const OPG: bool, const FAST: bool>(
    y: &[f64],
    p: &GarchParams,
    backcast: f64,
    grad: &mut [f64; 5],
    opg: &mut [[f64; 5]; 5],
) -> f64 {
    let (mu, alpha, beta, nu) = (p.mu, p.alpha, p.beta, p.nu);
    let n = y.len() as f64;
    let c = if T { student_t_constant(nu) } else { 0.0 };
    let dc = if T { student_t_constant_deriv(nu) } else { 0.0 };
    let half_nu1 = (nu + 1.0) / 2.0;
    let nu1 = nu + 1.0;
    let nu2 = nu - 2.0;
    let inv_nu2 = 1.0 / nu2;

    // Lagged quantities and the derivatives of sigma2 (mu, omega, alpha, beta).
    let (mut e2_prev, mut s2_prev, mut de2_prev) = (backcast, backcast, 0.0);
    let (mut d_mu, mut d_om, mut d_al, mut d_be) = (0.0, 0.0, 0.0, 0.0);
    // Sums: ln sigma2, ln(1 + q) (t) or e^2 / sigma2 (normal), q / (1 + q) (t).
    let (mut log_s2, mut log_1q) = (LogSum::new(), LogSum::new());
    let (mut sum_ln_s2, mut sum_l1q, mut sum_z2, mut sum_w) = (0.0, 0.0, 0.0, 0.0);
    let (mut g_mu, mut g_om, mut g_al, mut g_be) = (0.0, 0.0, 0.0, 0.0);
    if OPG {
        *opg = [[0.0; 5]; 5];
    }

    for &yt in y {
        let s2 = next_variance(p, e2_prev, s2_prev);
        d_mu = alpha * de2_prev + beta * d_mu;
        d_om = 1.0 + beta * d_om;
        d_al = e2_prev + beta * d_al;
        d_be = s2_prev + beta * d_be;

        let e = yt - mu;
        let e2 = e * e;
        let inv_s2 = 1.0 / s2;
        if FAST {
            log_s2.push(s2);
        } else {
            sum_ln_s2 += libm::log(s2);
        }
        // ls = d ll_t / d sigma2_t, le = d ll_t / d e_t.
        let (ls, le);
        let mut l1q = 0.0;
        let mut w = 0.0;
        if T {
            let den = nu2 * s2 + e2;
            let inv_den = 1.0 / den;
            // 1 + q = den / (nu2 s2); q / (1 + q) = e2 / den.
            let one_q = den * inv_s2 * inv_nu2;
            if OPG || !FAST {
                // The nu-score of each observation needs its own log.
                l1q = libm::log(one_q);
            }
            if FAST {
                log_1q.push(one_q);
            } else {
                sum_l1q += l1q;
            }
            w = e2 * inv_den;
            sum_w += w;
            ls = 0.5 * (nu1 * w - 1.0) * inv_s2;
            le = -nu1 * e * inv_den;
        } else {
            let z2 = e2 * inv_s2;
            sum_z2 += z2;
            ls = 0.5 * (z2 - 1.0) * inv_s2;
            le = -e * inv_s2;
        }
        // d e_t / d mu = -1.
        let s_mu = ls * d_mu - le;
        let s_om = ls * d_om;
        let s_al = ls * d_al;
        let s_be = ls * d_be;
        g_mu += s_mu;
        g_om += s_om;
        g_al += s_al;
        g_be += s_be;
        if OPG {
            let s_nu = if T { dc - 0.5 * l1q + half_nu1 * w * inv_nu2 } else { 0.0 };
            let s = [s_mu, s_om, s_al, s_be, s_nu];
            for i in 0..5 {
                for j in 0..=i {
                    opg[i][j] += s[i] * s[j];
                }
            }
        }

        e2_prev = e2;
        de2_prev = -2.0 * e;
        s2_prev = s2;
    }
    if FAST {
        match (log_s2.total(), if T { log_1q.total() } else { Some(0.0) }) {
            (Some(a), Some(b)) => {
                sum_ln_s2 = a;
                sum_l1q = b;
            }
            _ => return f64::NAN,
        }
    }
    if OPG {
        for i in 0..5 {
            for j in 0..i {
                opg[j][i] = opg[i][j];
            }
        }
    }
    let (ll, g_nu) = if T {
        (n * c - 0.5 * sum_ln_s2 - half_nu1 * sum_l1q, n * dc - 0.5 * sum_l1q + half_nu1 * sum_w * inv_nu2)
    } else {
        (-0.5 * (n * LN_2PI + sum_ln_s2 + sum_z2), 0.0)
    };
    *grad = [g_mu, g_om, g_al, g_be, g_nu];
    ll
}

/// The Gaussian log-likelihood for arch's starting-value grid, with
/// blockwise logs (per-term logs if a block goes out of range). Agrees with
/// [`loglikelihood`] to ~1e-12; only its ranking of the grid matters.
pub(crate) fn gaussian_loglikelihood_fast(y: &[f64], p: &GarchParams, backcast: f64) -> f64 {
    let (mut e2_prev, mut s2_prev) = (backcast, backcast);
    let mut logs = LogSum::new();
    let mut z2 = 0.0;
    for &yt in y {
        let s2 = next_variance(p, e2_prev, s2_prev);
        let e = yt - p.mu;
        let e2 = e * e;
        logs.push(s2);
        z2 += e2 / s2;
        e2_prev = e2;
        s2_prev = s2;
    }
    match logs.total() {
        Some(sum_ln) => -0.5 * (y.len() as f64 * LN_2PI + sum_ln + z2),
        None => loglikelihood(y, p, Dist::Normal, backcast),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::garch::recursion::{arch_backcast, conditional_variance};
    use crate::garch::simulated::Simulation;

    /// A deterministic fat-tailed, volatility-clustered series.
    pub(crate) fn series(n: usize) -> Vec<f64> {
        let sim = Simulation {
            seed: 0x2545_f491_4f6c_dd1d,
            mu: 0.05,
            omega: 0.05,
            alpha: 0.1,
            beta: 0.85,
            initial_variance: 1.0,
        };
        sim.series(n)
    }

    fn at(x: &[f64]) -> GarchParams {
        GarchParams { mu: x[0], omega: x[1], alpha: x[2], beta: x[3], nu: *x.get(4).unwrap_or(&8.0) }
    }

    #[test]
    fn gradient_matches_central_differences() {
        let y = series(800);
        let bc = arch_backcast(&y);
        for (dist, x) in
            [(Dist::Normal, vec![0.07, 0.05, 0.12, 0.8]), (Dist::StudentT, vec![0.03, 0.04, 0.09, 0.86, 5.5])]
        {
            let k = dist.num_params();
            let mut g = vec![0.0; k];
            let ll = loglikelihood_gradient(&y, &at(&x), dist, bc, &mut g);
            assert!((ll - loglikelihood(&y, &at(&x), dist, bc)).abs() < 1e-9 * ll.abs());
            for i in 0..k {
                let h = 1e-6 * x[i].abs().max(1e-2);
                let (mut xp, mut xm) = (x.clone(), x.clone());
                xp[i] += h;
                xm[i] -= h;
                let fd = (loglikelihood(&y, &at(&xp), dist, bc) - loglikelihood(&y, &at(&xm), dist, bc)) / (2.0 * h);
                assert!(
                    (g[i] - fd).abs() <= 1e-5 * (1.0 + fd.abs()),
                    "{dist:?} param {i}: analytic {} vs fd {fd}",
                    g[i]
                );
            }
        }
    }

    #[test]
    fn opg_is_the_sum_of_score_outer_products() {
        let y = series(300);
        let bc = arch_backcast(&y);
        let p = GarchParams { mu: 0.03, omega: 0.04, alpha: 0.09, beta: 0.86, nu: 5.5 };
        let (mut g, mut g2, mut opg) = ([0.0; 5], [0.0; 5], [[0.0; 5]; 5]);
        let ll = gradient_pass(&y, &p, Dist::StudentT, bc, &mut g, Some(&mut opg));
        let ll2 = gradient_pass(&y, &p, Dist::StudentT, bc, &mut g2, None);
        assert_eq!(ll, ll2);
        assert_eq!(g, g2);
        // Symmetric, positive diagonal, and its trace is the sum of squared scores,
        // which is at least (sum of scores)^2 / n per parameter.
        for i in 0..5 {
            assert!(opg[i][i] > 0.0);
            assert!(opg[i][i] >= g[i] * g[i] / y.len() as f64 * (1.0 - 1e-12));
            for j in 0..5 {
                assert_eq!(opg[i][j], opg[j][i]);
            }
        }
    }

    #[test]
    fn terms_sum_and_variances_agree_with_the_recursion() {
        let y = series(200);
        let bc = arch_backcast(&y);
        let p = GarchParams { mu: 0.03, omega: 0.04, alpha: 0.09, beta: 0.86, nu: 5.5 };
        let (mut s, mut t, mut s2) = (vec![0.0; 200], vec![0.0; 200], vec![0.0; 200]);
        for dist in [Dist::Normal, Dist::StudentT] {
            let total = loglikelihood_terms(&y, &p, dist, bc, &mut s, &mut t);
            assert_eq!(total, loglikelihood(&y, &p, dist, bc));
            conditional_variance(&y, &p, bc, &mut s2);
            assert_eq!(s, s2);
        }
    }
}
