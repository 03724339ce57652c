use serde::{Deserialize, Serialize};
use std::fmt;

/// An order's identity, unique per run (and per deployment in distributed
/// mode). Execution deduplicates on it, so a replayed order never fills twice.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct OrderId(pub u64);

impl fmt::Display for OrderId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "O{}", self.0)
    }
}
