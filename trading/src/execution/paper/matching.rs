//! Where and how an order meets one market event: the price model of the
//! paper broker, kept free of book-keeping so it can be read on its own.

use crate::domain::{Price, Side};
use crate::execution::{Liquidity, Order, OrderKind};
use crate::market::MarketEvent;
use rust_decimal::Decimal;

/// The price and liquidity of a fill, before fees.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Match {
    pub price: Price,
    pub liquidity: Liquidity,
}

/// Whether `order` fills against `event`, assuming the order is live and the
/// event is for its instrument.
///
/// `rested` says whether the order has already seen an event while live
/// without filling. A limit order that is through the market on its first
/// event crosses the spread (taker, at the market's price); one that has
/// rested is in the book and is filled at its limit by whoever trades
/// through it (maker).
pub(super) fn match_order(order: &Order, event: &MarketEvent, rested: bool, slippage_bps: Decimal) -> Option<Match> {
    let first = first_price(event);
    match order.kind {
        OrderKind::Market => {
            Some(Match { price: slipped(first, order.side, slippage_bps), liquidity: Liquidity::Taker })
        }
        OrderKind::Limit(limit) => {
            if !rested && better(first, limit, order.side) {
                return Some(Match { price: first, liquidity: Liquidity::Taker });
            }
            reaches(event, limit, order.side).then_some(Match { price: limit, liquidity: Liquidity::Maker })
        }
    }
}

/// The first price the event reveals: the trade's, or the bar's open (its
/// close is known only at the bar's end, too late for an order that was
/// live during the bar).
fn first_price(event: &MarketEvent) -> Price {
    match event {
        MarketEvent::Trade(t) => t.price,
        MarketEvent::Bar(b) => b.open,
    }
}

/// Whether `price` is strictly better than `limit` for the order's side.
fn better(price: Price, limit: Price, side: Side) -> bool {
    match side {
        Side::Buy => price < limit,
        Side::Sell => price > limit,
    }
}

/// Whether the event traded at `limit` or better for the order's side at
/// some point: the trade price, or the bar's low (buy) or high (sell).
fn reaches(event: &MarketEvent, limit: Price, side: Side) -> bool {
    match (event, side) {
        (MarketEvent::Trade(t), Side::Buy) => t.price <= limit,
        (MarketEvent::Trade(t), Side::Sell) => t.price >= limit,
        (MarketEvent::Bar(b), Side::Buy) => b.low <= limit,
        (MarketEvent::Bar(b), Side::Sell) => b.high >= limit,
    }
}

/// `price` moved `bps` basis points against the taker.
fn slipped(price: Price, side: Side, bps: Decimal) -> Price {
    let ten_k = Decimal::from(10_000);
    Price(price.0 * (ten_k + side.sign() * bps) / ten_k)
}
