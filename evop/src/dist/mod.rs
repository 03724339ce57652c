//! The normal and Student-t distributions the tests need, written here.
//!
//! Why not a statistics crate: the gate's numbers are shown to people who
//! decide whether to trust a promotion, so each one should be traceable to a
//! few hundred lines of code in this repository with their own reference
//! tests (mpmath at 40 digits, `scripts/reference.py`), and the crate should
//! stay dependency-light. Accuracy: [`normal_cdf`] ~1e-14 relative in both
//! tails; [`StudentT`] CDF ~1e-13 relative; quantiles to ~1e-13 relative
//! (the tests require 1e-10 or better, far inside the 1e-6 a t table gives).

mod normal;
mod special;
mod student_t;

pub use normal::{normal_cdf, normal_pdf, normal_quantile, normal_sf};
pub use student_t::StudentT;

/// A distribution function was called outside its domain.
#[derive(Debug, Clone, Copy, PartialEq, thiserror::Error)]
pub enum DistError {
    /// A quantile was asked for a probability outside the open interval (0, 1).
    #[error("probability {0} is not in the open interval (0, 1)")]
    Probability(f64),
    /// Degrees of freedom must be finite and positive.
    #[error("degrees of freedom {0} must be finite and positive")]
    DegreesOfFreedom(f64),
}

fn check_probability(p: f64) -> Result<(), DistError> {
    if p > 0.0 && p < 1.0 { Ok(()) } else { Err(DistError::Probability(p)) }
}
