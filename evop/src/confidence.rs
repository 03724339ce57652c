//! The confidence level shared by the promotion gate and the EVOP effects
//! (`EVOP_CONFIDENCE_LEVEL`), checked once when it is built.

use serde::{Deserialize, Serialize};

/// A confidence level in [0.5, 1), e.g. 0.99; its complement 1 - level is
/// the error rate the tests are calibrated to (for the gate: the
/// false-promotion rate over all the challengers tried).
///
/// Why not a bare `f64`: a level of 99 (percent) or 0.01 (an alpha) is an
/// easy configuration slip that would silently promote almost anything; the
/// type refuses it where the configuration is read. Levels below 0.5 are
/// refused too: the gate requires the probabilistic Sharpe ratio to exceed
/// the level, and a PSR below 0.5 means the challenger's Sharpe ratio is
/// more likely below the champion's than above it.
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd, Serialize, Deserialize)]
#[serde(try_from = "f64", into = "f64")]
pub struct ConfidenceLevel(f64);

impl ConfidenceLevel {
    /// A level in [0.5, 1).
    pub fn new(level: f64) -> Result<Self, ConfidenceError> {
        if (0.5..1.0).contains(&level) { Ok(Self(level)) } else { Err(ConfidenceError(level)) }
    }

    /// The level, e.g. 0.99.
    pub fn level(self) -> f64 {
        self.0
    }

    /// The error rate 1 - level, e.g. 0.01, before any multiple-comparison
    /// correction.
    pub fn alpha(self) -> f64 {
        1.0 - self.0
    }
}

impl TryFrom<f64> for ConfidenceLevel {
    type Error = ConfidenceError;

    fn try_from(level: f64) -> Result<Self, Self::Error> {
        Self::new(level)
    }
}

impl From<ConfidenceLevel> for f64 {
    fn from(level: ConfidenceLevel) -> f64 {
        level.0
    }
}

/// A confidence level outside [0.5, 1).
#[derive(Debug, Clone, Copy, PartialEq, thiserror::Error)]
#[error("confidence level {0} is not in [0.5, 1) (write 0.99, not 99 or 0.01)")]
pub struct ConfidenceError(pub f64);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_levels_in_range_and_refuses_slips() {
        assert_eq!(ConfidenceLevel::new(0.99).unwrap().level(), 0.99);
        assert!((ConfidenceLevel::new(0.99).unwrap().alpha() - 0.01).abs() < 1e-15);
        for bad in [99.0, 0.01, 1.0, 0.0, -0.5, 0.49, f64::NAN, f64::INFINITY] {
            assert!(ConfidenceLevel::new(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn deserializing_checks_the_range() {
        let ok: ConfidenceLevel = serde_json::from_str("0.95").unwrap();
        assert_eq!(ok.level(), 0.95);
        assert!(serde_json::from_str::<ConfidenceLevel>("95").is_err());
        assert_eq!(serde_json::to_string(&ok).unwrap(), "0.95");
    }
}
