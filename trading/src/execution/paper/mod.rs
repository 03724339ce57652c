//! The paper broker: a simulated venue behind the [`Exchange`] trait, so a
//! backtest and a paper-trading run execute through the same code path as
//! a live adapter.
//!
//! The model, in event time (no wall clock, so a replay is deterministic):
//!
//! * An order becomes live at `created + latency_ns`. It is matched against
//!   the first market event for its instrument whose `ts` is at or after
//!   that time **and strictly after `created`**: the tick that caused an
//!   order never fills it, even at zero latency. Because the broker cannot
//!   tell the causing tick from another print in the same nanosecond,
//!   every event stamped exactly `created` is skipped (conservative).
//! * A market order fills on that event at the first price it reveals (the
//!   trade price, or the bar's open) moved `slippage_bps` against the taker,
//!   and pays the taker fee.
//! * A limit order that is already through the market on that event (the
//!   trade price or the bar's open strictly better than the limit) crosses
//!   the spread: taker fill at that price, taker fee, no slippage. Otherwise
//!   it fills at its limit, maker fee, on the first event that trades at the
//!   limit or better (trade price, or the bar's low for a buy / high for a
//!   sell), and rests until then.
//! * Fees are `notional * bps / 10_000` at the fill price, exact.
//!
//! Limitation: fills are always complete. There is no volume or queue
//! model, so a large order fills in full against a one-lot print and a
//! resting limit fills as soon as the price touches it.
//!
//! Checkpoints: [`PaperBroker::state_snapshot`] captures the open book and
//! the seen ids as a [`PaperBrokerState`], and [`PaperBroker::from_snapshot`]
//! continues from it, so a paper run in distributed mode survives a crash
//! of the pipeline process with the same fills.

mod config;
mod matching;
mod snapshot;

pub use config::{PaperConfig, PaperConfigError};
pub use snapshot::{PaperBrokerState, PaperRestoreError, WorkingOrderState};

use crate::domain::{Money, OrderId, Quantity, Timestamp};
use crate::execution::{Exchange, ExchangeError, Fill, Liquidity, Order, OrderKind};
use crate::market::MarketEvent;
use matching::match_order;
use std::collections::HashSet;

/// An order in the simulated book.
#[derive(Debug, Clone)]
struct Working {
    order: Order,
    live_at: Timestamp,
    /// Seen at least one event while live without filling.
    rested: bool,
}

impl Working {
    /// Whether `event` may fill this order (see the module docs).
    fn eligible(&self, event: &MarketEvent) -> bool {
        event.instrument() == &self.order.instrument && event.ts() >= self.live_at && event.ts() > self.order.created
    }
}

/// A simulated venue with a fee schedule, slippage and latency.
#[derive(Debug, Clone)]
pub struct PaperBroker {
    config: PaperConfig,
    /// Open orders in submission order, which is the order they fill in
    /// when one event fills several.
    book: Vec<Working>,
    /// Every id ever accepted, filled or cancelled: what makes submit
    /// idempotent.
    seen: HashSet<OrderId>,
}

impl PaperBroker {
    /// A broker with an empty book, after checking the config.
    pub fn new(config: PaperConfig) -> Result<PaperBroker, PaperConfigError> {
        config.validate()?;
        Ok(PaperBroker { config, book: Vec::new(), seen: HashSet::new() })
    }

    /// The simulation model in use.
    pub fn config(&self) -> &PaperConfig {
        &self.config
    }

    /// Why `order` cannot be accepted, if it cannot.
    fn invalid(order: &Order) -> Option<String> {
        if order.qty <= Quantity::ZERO {
            return Some(format!("quantity must be positive, got {}", order.qty));
        }
        match order.kind {
            OrderKind::Limit(p) if !p.is_positive() => Some(format!("limit price must be positive, got {p}")),
            _ => None,
        }
    }

    /// The fill for `order` at `price`, with the fee for `liquidity`.
    fn fill(&self, order: &Order, m: matching::Match, ts: Timestamp) -> Fill {
        let bps = match m.liquidity {
            Liquidity::Taker => self.config.taker_fee_bps,
            Liquidity::Maker => self.config.maker_fee_bps,
        };
        Fill {
            order_id: order.id,
            instrument: order.instrument.clone(),
            side: order.side,
            qty: order.qty,
            price: m.price,
            fee: Money::notional(order.qty, m.price).bps(bps),
            liquidity: m.liquidity,
            ts,
        }
    }
}

impl Exchange for PaperBroker {
    fn submit(&mut self, order: Order) -> Result<bool, ExchangeError> {
        if self.seen.contains(&order.id) {
            return Ok(false);
        }
        if let Some(reason) = PaperBroker::invalid(&order) {
            return Err(ExchangeError::Invalid { id: order.id, reason });
        }
        self.seen.insert(order.id);
        let live_at = order.created.plus_nanos(self.config.latency_ns);
        self.book.push(Working { order, live_at, rested: false });
        Ok(true)
    }

    fn cancel(&mut self, id: OrderId) -> bool {
        let before = self.book.len();
        self.book.retain(|w| w.order.id != id);
        self.book.len() != before
    }

    fn on_market(&mut self, event: &MarketEvent, fills: &mut Vec<Fill>) {
        let mut book = std::mem::take(&mut self.book);
        book.retain_mut(|w| {
            if !w.eligible(event) {
                return true;
            }
            match match_order(&w.order, event, w.rested, self.config.slippage_bps) {
                Some(m) => {
                    fills.push(self.fill(&w.order, m, event.ts()));
                    false
                }
                None => {
                    w.rested = true;
                    true
                }
            }
        });
        self.book = book;
    }

    fn open_orders(&self) -> Vec<Order> {
        self.book.iter().map(|w| w.order.clone()).collect()
    }

    fn checkpoint(&self) -> Option<Vec<u8>> {
        Some(serde_json::to_vec(&self.state_snapshot()).expect("the broker state serialises"))
    }

    fn resume(&mut self, state: &[u8]) -> Result<(), ExchangeError> {
        let bad = |e: String| ExchangeError::Unavailable(format!("paper broker checkpoint: {e}"));
        let s: PaperBrokerState = serde_json::from_slice(state).map_err(|e| bad(e.to_string()))?;
        *self = PaperBroker::from_snapshot(self.config.clone(), s).map_err(|e| bad(e.to_string()))?;
        Ok(())
    }
}
