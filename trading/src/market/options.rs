use super::{BadRowPolicy, DEFAULT_MAX_BAD_ROW_DETAILS};

/// How a reader treats bad rows; shared by every format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReaderOptions {
    /// Skip bad rows or stop at the first one.
    pub policy: BadRowPolicy,
    /// How many bad rows [`super::ReadStats`] keeps in full.
    pub max_bad_row_details: usize,
}

impl Default for ReaderOptions {
    fn default() -> ReaderOptions {
        ReaderOptions { policy: BadRowPolicy::default(), max_bad_row_details: DEFAULT_MAX_BAD_ROW_DETAILS }
    }
}

impl ReaderOptions {
    /// The default options with `policy`.
    pub fn with_policy(policy: BadRowPolicy) -> ReaderOptions {
        ReaderOptions { policy, ..ReaderOptions::default() }
    }
}
