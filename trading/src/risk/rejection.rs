use crate::domain::OrderId;
use serde::{Deserialize, Serialize};
use std::fmt;
use thiserror::Error;

/// Why an order was refused. The snake_case names are stable: they are
/// metric labels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RejectReason {
    /// Non-positive quantity or limit price.
    InvalidOrder,
    /// An input is missing or unusable (no mark price, non-positive
    /// equity): the manager fails closed.
    CannotEvaluate,
    /// Trading is halted.
    Halted,
    /// Trading is reducing and the order would not reduce the position.
    ReduceOnly,
    /// The post-trade position would exceed the symbol's position cap.
    PositionLimit,
    /// The post-trade position at the mark would exceed the notional cap.
    NotionalLimit,
    /// Too many orders in the last second of event time.
    RateLimit,
}

impl RejectReason {
    /// Every reason, in a fixed order (for exporting zero counts too).
    pub const ALL: [RejectReason; 7] = [
        RejectReason::InvalidOrder,
        RejectReason::CannotEvaluate,
        RejectReason::Halted,
        RejectReason::ReduceOnly,
        RejectReason::PositionLimit,
        RejectReason::NotionalLimit,
        RejectReason::RateLimit,
    ];

    /// Stable metric label.
    pub fn as_str(self) -> &'static str {
        match self {
            RejectReason::InvalidOrder => "invalid_order",
            RejectReason::CannotEvaluate => "cannot_evaluate",
            RejectReason::Halted => "halted",
            RejectReason::ReduceOnly => "reduce_only",
            RejectReason::PositionLimit => "position_limit",
            RejectReason::NotionalLimit => "notional_limit",
            RejectReason::RateLimit => "rate_limit",
        }
    }
}

impl fmt::Display for RejectReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A refused order: which, why, and the numbers behind it.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
#[error("order {order_id} rejected ({reason}): {detail}")]
pub struct Rejection {
    /// The order.
    pub order_id: OrderId,
    /// The reason, for counting.
    pub reason: RejectReason,
    /// Human-readable detail with the values compared.
    pub detail: String,
}
