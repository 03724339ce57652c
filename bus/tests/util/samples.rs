//! One sample of every message kind, with awkward values (scales, NaN,
//! negative numbers) so round trips prove exactness.

use hft_bus::wire::{
    AnyMessage, ControlEvent, DeadLetter, FillMessage, MarketData, MessageId, NamedValue, OrderMessage, Sha256Digest,
    Signals, StrategyId, VenueCommand, VenueMessage,
};
use hft_trading::domain::{Decimal, InstrumentId, Money, OrderId, Price, Quantity, Side, Timestamp};
use hft_trading::execution::{Fill, Liquidity, Order, OrderKind};
use hft_trading::market::{Bar, MarketEvent, Trade};
use std::str::FromStr;

pub fn dec(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

pub fn trade(symbol: &str, ts_ms: i64, price: &str) -> MarketData {
    MarketData(MarketEvent::Trade(Trade {
        instrument: InstrumentId::new("binance", symbol),
        ts: Timestamp::from_millis(ts_ms),
        price: Price(dec(price)),
        size: Quantity(dec("0.00100")),
    }))
}

pub fn bar() -> MarketData {
    MarketData(MarketEvent::Bar(Bar {
        instrument: InstrumentId::new("binance", "ETHUSDT"),
        ts: Timestamp(1_700_000_059_999_000_000),
        open_ts: Timestamp(1_700_000_000_000_000_000),
        open: Price(dec("2001.10")),
        high: Price(dec("2010.000000000000000000000001")),
        low: Price(dec("1999.9")),
        close: Price(dec("2005.55")),
        volume: Quantity(dec("79228162514264337593543950335")),
    }))
}

pub fn signals() -> Signals {
    Signals {
        ts: Timestamp::from_millis(1_700_000_000_000),
        key: "BTCUSDT/ETHUSDT".into(),
        values: vec![
            NamedValue { name: "kalman.beta".into(), value: 0.123_456_789_012_345_67 },
            NamedValue { name: "garch.sigma".into(), value: f64::NAN },
            NamedValue { name: "pairs.z".into(), value: f64::NEG_INFINITY },
            NamedValue { name: "tiny".into(), value: 5e-324 },
        ],
    }
}

pub fn order(id: u64) -> OrderMessage {
    OrderMessage {
        strategy: StrategyId::new("pairs-1"),
        order: Order {
            id: OrderId(id),
            instrument: InstrumentId::new("binance", "BTCUSDT"),
            side: Side::Sell,
            qty: Quantity(dec("0.0150")),
            kind: OrderKind::Limit(Price(dec("-0.000000000000000000000000001"))),
            created: Timestamp(-5),
        },
    }
}

/// A venue step of each command.
pub fn venue_steps() -> Vec<VenueMessage> {
    let strategy = StrategyId::new("pairs-1");
    let command = [
        VenueCommand::Market(vec![trade("BTCUSDT", 1_700_000_000_000, "37123.45").0, bar().0]),
        VenueCommand::Market(Vec::new()),
        VenueCommand::Submit(order(7).order),
        VenueCommand::Cancel(OrderId(7)),
    ];
    command
        .into_iter()
        .zip(1..)
        .map(|(command, seq)| VenueMessage { strategy: strategy.clone(), seq, command })
        .collect()
}

pub fn fill() -> FillMessage {
    FillMessage {
        strategy: StrategyId::new("pairs-1"),
        fill: Fill {
            order_id: OrderId(u64::MAX),
            instrument: InstrumentId::new("binance", "ETHUSDT"),
            side: Side::Buy,
            qty: Quantity(dec("1.500")),
            price: Price(dec("2005.5500")),
            fee: Money(dec("-0.0000001")),
            liquidity: Liquidity::Maker,
            ts: Timestamp(i64::MAX),
        },
    }
}

pub fn controls() -> Vec<ControlEvent> {
    let sha = Sha256Digest::from_hex("38a00e200dd4ab0abae267e1c39814e3967c633908de889a7c7210290dcd0723").unwrap();
    vec![
        ControlEvent::KillSwitch { on: true, reason: "max drawdown".into() },
        ControlEvent::KillSwitch { on: false, reason: String::new() },
        ControlEvent::ComponentActivated { name: "kalman".into(), sha256: sha },
        ControlEvent::ComponentPromoted { name: "garch".into(), sha256: Sha256Digest([7; 32]) },
        ControlEvent::ComponentRolledBack { name: "bocd".into(), sha256: Sha256Digest([0; 32]) },
    ]
}

pub fn dead_letter() -> DeadLetter {
    DeadLetter {
        topic: "hft.orders".into(),
        partition: 2,
        offset: 12345,
        reason: "unknown format".into(),
        payload: vec![0, 1, 2, 255, b'{'],
    }
}

/// Every kind at least once, as `AnyMessage`.
pub fn all() -> Vec<AnyMessage> {
    let mut out = vec![
        AnyMessage::MarketData(trade("BTCUSDT", 1_700_000_000_000, "37123.45")),
        AnyMessage::MarketData(bar()),
        AnyMessage::Signals(signals()),
        AnyMessage::Order(order(42)),
        AnyMessage::Fill(fill()),
        AnyMessage::DeadLetter(dead_letter()),
    ];
    out.extend(controls().into_iter().map(AnyMessage::Control));
    out.extend(venue_steps().into_iter().map(AnyMessage::Venue));
    out
}

pub fn id(n: u64) -> MessageId {
    MessageId::from_parts(0xfeed, n)
}

/// Equality that treats NaN as equal to NaN and compares decimals with
/// their scale (`1.50` is not `1.5` here), via their debug text.
pub fn same(a: &AnyMessage, b: &AnyMessage) -> bool {
    format!("{a:?}") == format!("{b:?}")
}
