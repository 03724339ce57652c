//! Schema version 1 of the trading core's types, written out field by
//! field. The order of fields and variants here *is* the binary layout;
//! changing it means a new schema version (see `bus/README.md`).

use hft_trading::domain::{Decimal, InstrumentId, Money, OrderId, Price, Quantity, Side, Symbol, Timestamp, Venue};
use hft_trading::execution::{Fill, Liquidity, Order, OrderKind};
use hft_trading::market::{Bar, MarketEvent, Trade};
use serde::{Deserialize, Serialize};
use std::sync::Arc;

#[derive(Serialize, Deserialize)]
pub(crate) struct InstrumentV1 {
    venue: Arc<str>,
    symbol: Arc<str>,
}

impl From<&InstrumentId> for InstrumentV1 {
    fn from(i: &InstrumentId) -> Self {
        InstrumentV1 { venue: i.venue.0.clone(), symbol: i.symbol.0.clone() }
    }
}

impl From<InstrumentV1> for InstrumentId {
    fn from(i: InstrumentV1) -> Self {
        InstrumentId { venue: Venue(i.venue), symbol: Symbol(i.symbol) }
    }
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum SideV1 {
    Buy,
    Sell,
}

impl From<Side> for SideV1 {
    fn from(s: Side) -> Self {
        match s {
            Side::Buy => SideV1::Buy,
            Side::Sell => SideV1::Sell,
        }
    }
}

impl From<SideV1> for Side {
    fn from(s: SideV1) -> Self {
        match s {
            SideV1::Buy => Side::Buy,
            SideV1::Sell => Side::Sell,
        }
    }
}

#[derive(Serialize, Deserialize)]
pub(crate) struct TradeV1 {
    instrument: InstrumentV1,
    /// Nanoseconds since the Unix epoch.
    ts: i64,
    #[serde(with = "super::decimal")]
    price: Decimal,
    #[serde(with = "super::decimal")]
    size: Decimal,
}

#[derive(Serialize, Deserialize)]
pub(crate) struct BarV1 {
    instrument: InstrumentV1,
    /// Close time, nanoseconds since the Unix epoch.
    ts: i64,
    /// Open time, nanoseconds since the Unix epoch.
    open_ts: i64,
    #[serde(with = "super::decimal")]
    open: Decimal,
    #[serde(with = "super::decimal")]
    high: Decimal,
    #[serde(with = "super::decimal")]
    low: Decimal,
    #[serde(with = "super::decimal")]
    close: Decimal,
    #[serde(with = "super::decimal")]
    volume: Decimal,
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum MarketEventV1 {
    Trade(TradeV1),
    Bar(BarV1),
}

impl From<&MarketEvent> for MarketEventV1 {
    fn from(e: &MarketEvent) -> Self {
        match e {
            MarketEvent::Trade(t) => MarketEventV1::Trade(TradeV1 {
                instrument: (&t.instrument).into(),
                ts: t.ts.0,
                price: t.price.0,
                size: t.size.0,
            }),
            MarketEvent::Bar(b) => MarketEventV1::Bar(BarV1 {
                instrument: (&b.instrument).into(),
                ts: b.ts.0,
                open_ts: b.open_ts.0,
                open: b.open.0,
                high: b.high.0,
                low: b.low.0,
                close: b.close.0,
                volume: b.volume.0,
            }),
        }
    }
}

impl From<MarketEventV1> for MarketEvent {
    fn from(e: MarketEventV1) -> Self {
        match e {
            MarketEventV1::Trade(t) => MarketEvent::Trade(Trade {
                instrument: t.instrument.into(),
                ts: Timestamp(t.ts),
                price: Price(t.price),
                size: Quantity(t.size),
            }),
            MarketEventV1::Bar(b) => MarketEvent::Bar(Bar {
                instrument: b.instrument.into(),
                ts: Timestamp(b.ts),
                open_ts: Timestamp(b.open_ts),
                open: Price(b.open),
                high: Price(b.high),
                low: Price(b.low),
                close: Price(b.close),
                volume: Quantity(b.volume),
            }),
        }
    }
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum OrderKindV1 {
    Market,
    Limit(#[serde(with = "super::decimal")] Decimal),
}

#[derive(Serialize, Deserialize)]
pub(crate) struct OrderV1 {
    id: u64,
    instrument: InstrumentV1,
    side: SideV1,
    #[serde(with = "super::decimal")]
    qty: Decimal,
    kind: OrderKindV1,
    /// Nanoseconds since the Unix epoch.
    created: i64,
}

impl From<&Order> for OrderV1 {
    fn from(o: &Order) -> Self {
        OrderV1 {
            id: o.id.0,
            instrument: (&o.instrument).into(),
            side: o.side.into(),
            qty: o.qty.0,
            kind: match o.kind {
                OrderKind::Market => OrderKindV1::Market,
                OrderKind::Limit(p) => OrderKindV1::Limit(p.0),
            },
            created: o.created.0,
        }
    }
}

impl From<OrderV1> for Order {
    fn from(o: OrderV1) -> Self {
        Order {
            id: OrderId(o.id),
            instrument: o.instrument.into(),
            side: o.side.into(),
            qty: Quantity(o.qty),
            kind: match o.kind {
                OrderKindV1::Market => OrderKind::Market,
                OrderKindV1::Limit(p) => OrderKind::Limit(Price(p)),
            },
            created: Timestamp(o.created),
        }
    }
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum LiquidityV1 {
    Taker,
    Maker,
}

#[derive(Serialize, Deserialize)]
pub(crate) struct FillV1 {
    order_id: u64,
    instrument: InstrumentV1,
    side: SideV1,
    #[serde(with = "super::decimal")]
    qty: Decimal,
    #[serde(with = "super::decimal")]
    price: Decimal,
    #[serde(with = "super::decimal")]
    fee: Decimal,
    liquidity: LiquidityV1,
    /// Nanoseconds since the Unix epoch.
    ts: i64,
}

impl From<&Fill> for FillV1 {
    fn from(f: &Fill) -> Self {
        FillV1 {
            order_id: f.order_id.0,
            instrument: (&f.instrument).into(),
            side: f.side.into(),
            qty: f.qty.0,
            price: f.price.0,
            fee: f.fee.0,
            liquidity: match f.liquidity {
                Liquidity::Taker => LiquidityV1::Taker,
                Liquidity::Maker => LiquidityV1::Maker,
            },
            ts: f.ts.0,
        }
    }
}

impl From<FillV1> for Fill {
    fn from(f: FillV1) -> Self {
        Fill {
            order_id: OrderId(f.order_id),
            instrument: f.instrument.into(),
            side: f.side.into(),
            qty: Quantity(f.qty),
            price: Price(f.price),
            fee: Money(f.fee),
            liquidity: match f.liquidity {
                LiquidityV1::Taker => Liquidity::Taker,
                LiquidityV1::Maker => Liquidity::Maker,
            },
            ts: Timestamp(f.ts),
        }
    }
}
