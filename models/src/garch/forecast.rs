//! Analytic multi-step variance forecasts, as arch's
//! `GARCH._analytic_forecast`.
//!
//! From the end of a sample, the one-step forecast is the recursion's next
//! value, `f_1 = omega + alpha e_T^2 + beta sigma2_T`. Beyond that the
//! expected squared residual equals the expected variance, so
//! `f_h = omega + alpha f_{h-1} + beta f_{h-1}`, which tends to the
//! unconditional variance `omega / (1 - alpha - beta)`.

use super::recursion::{GarchParams, next_variance};

/// Variance forecasts for 1..=`horizon` steps ahead from the one-step
/// forecast `f1` (what [`super::conditional_variance`] returns at the end
/// of a sample). The terms are summed in arch's order.
pub fn forecast_variance(p: &GarchParams, f1: f64, horizon: usize) -> Vec<f64> {
    let mut out = Vec::with_capacity(horizon);
    let mut f = f1;
    for h in 0..horizon {
        if h > 0 {
            f = next_variance(p, f, f);
        }
        out.push(f);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forecasts_decay_to_the_unconditional_variance() {
        let p = GarchParams { mu: 0.0, omega: 0.02, alpha: 0.1, beta: 0.85, nu: 8.0 };
        let f = forecast_variance(&p, 3.0, 400);
        assert_eq!(f[0], 3.0);
        assert_eq!(f[1], 0.02 + 0.1 * 3.0 + 0.85 * 3.0);
        let unconditional = 0.02 / (1.0 - 0.95);
        assert!((f[399] - unconditional).abs() < 1e-8);
        assert!(f.windows(2).all(|w| w[1] < w[0]));
        assert!(forecast_variance(&p, 3.0, 0).is_empty());
    }
}
