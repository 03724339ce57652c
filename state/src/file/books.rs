use crate::name::StrategyId;
use crate::record::AccountSnapshot;
use hft_trading::execution::Order;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// Everything a fill touches, in one file (`books.json`) so that a fill's
/// account update and its executed order id are written by one atomic
/// rename.
///
/// The whole file is rewritten on every change: O(executed ids) per fill,
/// which is fine at embedded-mode scale (thousands of orders a week); a
/// deployment with millions of orders belongs on Redis.
#[derive(Debug, Default, Serialize, Deserialize)]
pub(crate) struct Books {
    /// Account snapshot per strategy.
    #[serde(default)]
    pub(crate) accounts: BTreeMap<StrategyId, AccountSnapshot>,
    /// Open orders by id.
    #[serde(default)]
    pub(crate) open_orders: BTreeMap<u64, Order>,
    /// Ids of every order already executed.
    #[serde(default)]
    pub(crate) executed: BTreeSet<u64>,
}
