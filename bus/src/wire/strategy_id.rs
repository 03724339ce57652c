use serde::{Deserialize, Serialize};
use std::fmt;
use std::sync::Arc;

/// Which strategy an order or fill belongs to: per-strategy positions and
/// PnL are keyed by it, and orders and fills are partitioned by it so one
/// strategy's stream stays in order.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct StrategyId(pub Arc<str>);

impl StrategyId {
    /// A strategy id from its name.
    pub fn new(name: &str) -> StrategyId {
        StrategyId(Arc::from(name))
    }

    /// The name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for StrategyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}
