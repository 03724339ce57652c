//! The one error type of the model math, mirrored by the WIT `model-error`.

/// Why a model operation failed. The cases match the WIT `model-error`
/// variant one to one, so a plugin converts without losing information.
#[derive(Debug, Clone, PartialEq)]
pub enum ModelError {
    /// A parameter is unknown, of the wrong type, or out of range.
    InvalidParams(String),
    /// An observation is not usable (NaN, infinite, out of domain).
    InvalidInput(String),
    /// A snapshot is corrupt, truncated, or from another model.
    InvalidSnapshot(String),
    /// Not enough data yet to answer.
    NotReady(String),
    /// The math failed.
    Numerical(String),
}

impl std::fmt::Display for ModelError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ModelError::InvalidParams(m) => write!(f, "invalid parameters: {m}"),
            ModelError::InvalidInput(m) => write!(f, "invalid input: {m}"),
            ModelError::InvalidSnapshot(m) => write!(f, "invalid snapshot: {m}"),
            ModelError::NotReady(m) => write!(f, "not ready: {m}"),
            ModelError::Numerical(m) => write!(f, "numerical failure: {m}"),
        }
    }
}

impl std::error::Error for ModelError {}

/// Reject a non-finite observation with a message naming the field.
pub fn require_finite(name: &str, value: f64) -> Result<f64, ModelError> {
    if value.is_finite() {
        Ok(value)
    } else {
        Err(ModelError::InvalidInput(format!("{name} must be a finite number, got {value}")))
    }
}
