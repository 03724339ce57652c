use super::{Fill, Order};
use crate::domain::OrderId;
use crate::market::MarketEvent;
use thiserror::Error;

/// Why a venue would not take an order.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum ExchangeError {
    /// The venue does not know the instrument, or has no price for it yet.
    #[error("no market for {0}")]
    NoMarket(String),
    /// The order is malformed (zero quantity, non-positive limit price).
    #[error("invalid order {id}: {reason}")]
    Invalid {
        /// The order.
        id: OrderId,
        /// What is wrong with it.
        reason: String,
    },
    /// The venue is unreachable or refused for its own reasons.
    #[error("venue unavailable: {0}")]
    Unavailable(String),
}

/// A venue. The pipeline talks only to this trait, so the paper broker and
/// a live adapter are interchangeable without touching it.
///
/// The protocol is event-driven and synchronous, which is what a replay
/// needs to stay deterministic: the pipeline submits orders, then shows the
/// venue every market event, and collects the fills that event caused.
pub trait Exchange {
    /// Accept an order. Submitting an id that was already submitted is not
    /// an error and has no effect (idempotent), and returns `Ok(false)`.
    fn submit(&mut self, order: Order) -> Result<bool, ExchangeError>;

    /// Cancel a resting order; `false` if it is not open.
    fn cancel(&mut self, id: OrderId) -> bool;

    /// Show the venue a market event; any fills it causes are appended to
    /// `fills` in the order they happened.
    fn on_market(&mut self, event: &MarketEvent, fills: &mut Vec<Fill>);

    /// Orders accepted and not yet completely filled or cancelled.
    fn open_orders(&self) -> Vec<Order>;

    /// The venue's state as bytes, for a checkpoint of the process that
    /// drives it, so that after a crash it continues exactly. `None` for a
    /// venue whose state lives elsewhere (a live exchange is asked again).
    fn checkpoint(&self) -> Option<Vec<u8>> {
        None
    }

    /// Continue from bytes that [`Exchange::checkpoint`] gave.
    fn resume(&mut self, state: &[u8]) -> Result<(), ExchangeError> {
        let _ = state;
        Err(ExchangeError::Unavailable("this venue keeps no checkpoint".to_string()))
    }
}
