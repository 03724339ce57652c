use serde::{Deserialize, Serialize};
use std::fmt;

/// Nanoseconds since the Unix epoch, UTC. Exchange clocks print
/// milliseconds or microseconds; readers scale them up so that every event
/// in the system compares on one axis.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Timestamp(pub i64);

impl Timestamp {
    /// From milliseconds since the epoch.
    pub const fn from_millis(ms: i64) -> Timestamp {
        Timestamp(ms * 1_000_000)
    }

    /// From microseconds since the epoch.
    pub const fn from_micros(us: i64) -> Timestamp {
        Timestamp(us * 1_000)
    }

    /// Nanoseconds since the epoch.
    pub const fn nanos(self) -> i64 {
        self.0
    }

    /// The UTC calendar day number (days since 1970-01-01), which the daily
    /// loss limit resets on.
    pub const fn day(self) -> i64 {
        self.0.div_euclid(86_400 * 1_000_000_000)
    }

    /// `self + ns`.
    pub const fn plus_nanos(self, ns: i64) -> Timestamp {
        Timestamp(self.0 + ns)
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}
