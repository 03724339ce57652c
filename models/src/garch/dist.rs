//! The error distributions: standard normal and unit-variance Student-t,
//! with the log densities written exactly as `arch` writes them.
//!
//! The per-observation terms here are what the fixed-parameter reference
//! tests compare to 1e-9, so they follow `arch.univariate.distribution`
//! operation for operation (`Normal.loglikelihood`, `StudentsT.loglikelihood`),
//! including `ln(1 + q)` rather than `ln_1p(q)`.

use crate::ModelError;

/// ln(2 pi), as numpy computes `np.log(2 * np.pi)`.
pub const LN_2PI: f64 = 1.837_877_066_409_345_3;

/// arch's bounds on the Student-t degrees of freedom during estimation
/// (`StudentsT.bounds`): below 2 the variance does not exist, and 2.05 keeps
/// the `nu - 2` in the standardisation away from zero.
pub const NU_BOUNDS: (f64, f64) = (2.05, 500.0);

/// Which error distribution the standardised residuals follow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Dist {
    /// Standard normal: arch's `dist='normal'`.
    Normal,
    /// Student-t scaled to unit variance, with `nu > 2` degrees of freedom
    /// estimated alongside the variance parameters: arch's `dist='t'`.
    StudentT,
}

impl Dist {
    /// Parse the component's `dist` parameter, naming it in the error.
    pub fn parse(text: &str) -> Result<Dist, ModelError> {
        match text {
            "normal" => Ok(Dist::Normal),
            "t" => Ok(Dist::StudentT),
            other => Err(ModelError::InvalidParams(format!("dist must be \"normal\" or \"t\", got {other:?}"))),
        }
    }

    /// The name [`Dist::parse`] accepts, for `params()` and reports.
    pub fn name(self) -> &'static str {
        match self {
            Dist::Normal => "normal",
            Dist::StudentT => "t",
        }
    }

    /// Number of estimated parameters: mu, omega, alpha, beta (and nu).
    pub fn num_params(self) -> usize {
        match self {
            Dist::Normal => 4,
            Dist::StudentT => 5,
        }
    }
}

/// The observation-independent part of arch's Student-t log density,
/// `lgamma((nu+1)/2) - lgamma(nu/2) - ln(pi (nu-2)) / 2`.
///
/// Computed once per parameter value rather than per observation: it costs
/// two `lgamma` calls, more than the rest of a step.
pub fn student_t_constant(nu: f64) -> f64 {
    libm::lgamma((nu + 1.0) / 2.0) - libm::lgamma(nu / 2.0) - libm::log(std::f64::consts::PI * (nu - 2.0)) / 2.0
}

/// Derivative of [`student_t_constant`] with respect to `nu`, for the
/// analytic gradient of the fit.
pub fn student_t_constant_deriv(nu: f64) -> f64 {
    0.5 * digamma((nu + 1.0) / 2.0) - 0.5 * digamma(nu / 2.0) - 0.5 / (nu - 2.0)
}

/// The digamma function psi(x) = d ln Gamma(x) / dx for x > 0.
///
/// `libm` has `lgamma` but no digamma; the nu-gradient of the Student-t
/// likelihood needs it. Recurrence psi(x) = psi(x + 1) - 1/x up to x >= 10,
/// then the asymptotic series to the x^-12 term: absolute error below 1e-15
/// there, far below what the optimiser can see.
pub fn digamma(x: f64) -> f64 {
    if !(x > 0.0 && x.is_finite()) {
        return f64::NAN;
    }
    let mut x = x;
    let mut acc = 0.0;
    while x < 10.0 {
        acc -= 1.0 / x;
        x += 1.0;
    }
    let inv = 1.0 / x;
    let inv2 = inv * inv;
    // Bernoulli terms B_2k / (2k x^2k), k = 1..6.
    let series = inv2
        * (1.0 / 12.0
            - inv2
                * (1.0 / 120.0
                    - inv2 * (1.0 / 252.0 - inv2 * (1.0 / 240.0 - inv2 * (1.0 / 132.0 - inv2 * (691.0 / 32760.0))))));
    acc + libm::log(x) - 0.5 * inv - series
}

/// arch's normal log-likelihood term for residual `e` and variance `sigma2`:
/// `-0.5 * (ln(2 pi) + ln(sigma2) + e^2 / sigma2)`.
#[inline(always)]
pub fn normal_term(e: f64, sigma2: f64) -> f64 {
    -0.5 * (LN_2PI + libm::log(sigma2) + e * e / sigma2)
}

/// arch's unit-variance Student-t log-likelihood term, given the constant
/// `c = student_t_constant(nu)`:
/// `c - 0.5 ln(sigma2) - (nu+1)/2 ln(1 + e^2 / (sigma2 (nu - 2)))`.
#[inline(always)]
pub fn student_t_term(c: f64, nu: f64, e: f64, sigma2: f64) -> f64 {
    let mut ll = c;
    ll -= 0.5 * libm::log(sigma2);
    ll -= ((nu + 1.0) / 2.0) * libm::log(1.0 + e * e / (sigma2 * (nu - 2.0)));
    ll
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ln_2pi_is_what_numpy_uses() {
        assert_eq!(LN_2PI.to_bits(), libm::log(2.0 * std::f64::consts::PI).to_bits());
    }

    #[test]
    fn digamma_matches_known_values() {
        let euler = std::f64::consts::EULER_GAMMA;
        for (x, want) in [
            (1.0, -euler),
            (0.5, -euler - 2.0 * std::f64::consts::LN_2),
            (2.0, 1.0 - euler),
            (3.3035, 1.036_058_987_092_97),
            (250.0, 5.519_459_584_531_046),
        ] {
            let got = digamma(x);
            assert!((got - want).abs() < 1e-12, "psi({x}) = {got}, want {want}");
        }
        // And it is the derivative of lgamma.
        for x in [1.025, 2.5, 3.3, 7.0, 40.0] {
            let h = 1e-6;
            let fd = (libm::lgamma(x + h) - libm::lgamma(x - h)) / (2.0 * h);
            assert!((digamma(x) - fd).abs() < 1e-8, "x = {x}");
        }
        assert!(digamma(0.0).is_nan() && digamma(-1.0).is_nan());
    }

    #[test]
    fn t_term_integrates_to_a_unit_variance_density() {
        // Trapezoid over a wide grid: mass 1 and variance sigma2.
        let (nu, sigma2) = (6.5, 2.0);
        let c = student_t_constant(nu);
        let (mut mass, mut var) = (0.0, 0.0);
        let h = 1e-3;
        let mut e = -200.0;
        while e <= 200.0 {
            let d = student_t_term(c, nu, e, sigma2).exp();
            mass += d * h;
            var += e * e * d * h;
            e += h;
        }
        assert!((mass - 1.0).abs() < 1e-6, "{mass}");
        assert!((var - sigma2).abs() < 1e-3, "{var}");
    }

    #[test]
    fn parse_names_the_parameter() {
        assert_eq!(Dist::parse("t"), Ok(Dist::StudentT));
        assert_eq!(Dist::parse("normal").map(Dist::name), Ok("normal"));
        assert!(Dist::parse("gaussian").unwrap_err().to_string().contains("dist"));
    }
}
