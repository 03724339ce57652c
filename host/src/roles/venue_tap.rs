//! An [`Exchange`] that records what the pipeline asks of its venue.

use hft_bus::wire::VenueCommand;
use hft_trading::domain::OrderId;
use hft_trading::execution::{Exchange, ExchangeError, Fill, Order};
use hft_trading::market::MarketEvent;
use std::sync::mpsc::Sender;

/// Wraps the strategy role's local paper venue and sends every step the
/// pipeline takes with it (market events while orders are open, accepted
/// orders, cancels) down a channel, in the pipeline's order.
///
/// Why a local venue at all: the pipeline needs its fills on the tick they
/// happen, and waiting for the execution role on every tick would cost a
/// round trip through Kafka. The paper venue is deterministic, so a copy
/// fed the same steps fills exactly as the execution role's does; the
/// execution role stays the one that reports fills to the rest of the
/// system.
pub struct VenueTap {
    inner: Box<dyn Exchange>,
    steps: Sender<VenueCommand>,
}

impl VenueTap {
    /// Record what passes to `inner` into `steps`.
    pub fn new(inner: Box<dyn Exchange>, steps: Sender<VenueCommand>) -> VenueTap {
        VenueTap { inner, steps }
    }

    fn send(&self, step: VenueCommand) {
        // A closed receiver means the role is shutting down; the steps of a
        // tick whose offsets were not committed are redone after a restart.
        let _ = self.steps.send(step);
    }
}

impl Exchange for VenueTap {
    fn submit(&mut self, order: Order) -> Result<bool, ExchangeError> {
        let accepted = self.inner.submit(order.clone())?;
        if accepted {
            self.send(VenueCommand::Submit(order));
        }
        Ok(accepted)
    }

    fn cancel(&mut self, id: OrderId) -> bool {
        let cancelled = self.inner.cancel(id);
        if cancelled {
            self.send(VenueCommand::Cancel(id));
        }
        cancelled
    }

    fn on_market(&mut self, event: &MarketEvent, fills: &mut Vec<Fill>) {
        // A venue with an empty book does nothing with market data, so the
        // copy on the other side needs only the events it could fill on.
        if !self.inner.open_orders().is_empty() {
            self.send(VenueCommand::Market(vec![event.clone()]));
        }
        self.inner.on_market(event, fills);
    }

    fn open_orders(&self) -> Vec<Order> {
        self.inner.open_orders()
    }

    fn checkpoint(&self) -> Option<Vec<u8>> {
        self.inner.checkpoint()
    }

    fn resume(&mut self, state: &[u8]) -> Result<(), ExchangeError> {
        self.inner.resume(state)
    }
}
