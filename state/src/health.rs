use std::fmt;

/// Whether a store can serve requests right now, as its last probe saw it.
///
/// Callers that emit orders check this (or go through
/// [`FailClosed`](crate::FailClosed)) and stop while it is `Unavailable`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Health {
    /// The backend answered the probe in time.
    Available,
    /// It did not; `reason` says why, for the logs.
    Unavailable {
        /// What the probe saw.
        reason: String,
    },
}

impl Health {
    /// Whether the store is usable.
    pub fn is_available(&self) -> bool {
        matches!(self, Health::Available)
    }
}

impl fmt::Display for Health {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Health::Available => f.write_str("available"),
            Health::Unavailable { reason } => write!(f, "unavailable: {reason}"),
        }
    }
}
