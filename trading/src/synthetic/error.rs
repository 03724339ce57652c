/// Why a [`super::PairSpec`] cannot be generated. Checked once, before any
/// bar is made, so a bad configuration fails at once with the field named.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SyntheticError {
    /// A parameter is outside its meaningful range.
    #[error("{field}: {why}")]
    Invalid {
        /// The parameter, as spelled in the spec.
        field: &'static str,
        /// What is wrong with it.
        why: String,
    },
}

impl SyntheticError {
    /// The error for `field`.
    pub(crate) fn invalid(field: &'static str, why: impl Into<String>) -> SyntheticError {
        SyntheticError::Invalid { field, why: why.into() }
    }
}
