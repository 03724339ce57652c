//! The paper broker's fill model: fees, slippage, latency, limit logic,
//! idempotent ids, cancels.

use hft_trading::domain::{InstrumentId, Money, OrderId, Price, Quantity, Side, Timestamp};
use hft_trading::execution::{
    Exchange, ExchangeError, Fill, Liquidity, Order, OrderKind, PaperBroker, PaperConfig, PaperConfigError,
};
use hft_trading::market::{Bar, MarketEvent, Trade};
use rust_decimal::Decimal;
use rust_decimal_macros::dec;

fn btc() -> InstrumentId {
    InstrumentId::new("BINANCE", "BTCUSDT")
}

fn trade(ts: i64, price: Decimal) -> MarketEvent {
    MarketEvent::Trade(Trade { instrument: btc(), ts: Timestamp(ts), price: Price(price), size: Quantity(dec!(1)) })
}

fn bar(ts: i64, open: Decimal, high: Decimal, low: Decimal, close: Decimal) -> MarketEvent {
    MarketEvent::Bar(Bar {
        instrument: btc(),
        ts: Timestamp(ts),
        open_ts: Timestamp(ts - 60),
        open: Price(open),
        high: Price(high),
        low: Price(low),
        close: Price(close),
        volume: Quantity(dec!(10)),
    })
}

fn order(id: u64, side: Side, qty: Decimal, kind: OrderKind, created: i64) -> Order {
    Order { id: OrderId(id), instrument: btc(), side, qty: Quantity(qty), kind, created: Timestamp(created) }
}

fn limit(p: Decimal) -> OrderKind {
    OrderKind::Limit(Price(p))
}

fn broker(taker: Decimal, maker: Decimal, slippage: Decimal, latency_ns: i64) -> PaperBroker {
    PaperBroker::new(PaperConfig { taker_fee_bps: taker, maker_fee_bps: maker, slippage_bps: slippage, latency_ns })
        .unwrap()
}

fn feed(b: &mut PaperBroker, e: &MarketEvent) -> Vec<Fill> {
    let mut fills = Vec::new();
    b.on_market(e, &mut fills);
    fills
}

#[test]
fn market_taker_fee_is_exact_to_the_schedule() {
    let mut b = broker(dec!(7.5), dec!(2), dec!(0), 0);
    b.submit(order(1, Side::Buy, dec!(0.003), OrderKind::Market, 10)).unwrap();
    let fills = feed(&mut b, &trade(11, dec!(64123.45)));
    assert_eq!(fills.len(), 1);
    let f = &fills[0];
    assert_eq!(f.price, Price(dec!(64123.45)));
    assert_eq!(f.liquidity, Liquidity::Taker);
    // 0.003 * 64123.45 = 192.37035; * 7.5 / 10_000 = 0.1442777625
    assert_eq!(f.fee, Money(dec!(0.1442777625)));
    assert_eq!(f.cash_flow(), Money(dec!(-192.5146277625)));
    assert_eq!(f.ts, Timestamp(11));
    assert!(b.open_orders().is_empty());
}

#[test]
fn maker_fee_applies_to_resting_limit_fills_and_may_be_a_rebate() {
    let mut b = broker(dec!(10), dec!(-1), dec!(3), 0);
    b.submit(order(1, Side::Sell, dec!(2), limit(dec!(101)), 0)).unwrap();
    assert!(feed(&mut b, &trade(1, dec!(100))).is_empty());
    let fills = feed(&mut b, &trade(2, dec!(101.5)));
    assert_eq!(fills[0].price, Price(dec!(101)));
    assert_eq!(fills[0].liquidity, Liquidity::Maker);
    assert_eq!(fills[0].fee, Money(dec!(-0.0202)));
}

#[test]
fn slippage_is_against_the_taker() {
    let mut b = broker(dec!(10), dec!(0), dec!(5), 0);
    b.submit(order(1, Side::Buy, dec!(1), OrderKind::Market, 0)).unwrap();
    b.submit(order(2, Side::Sell, dec!(1), OrderKind::Market, 0)).unwrap();
    let fills = feed(&mut b, &trade(1, dec!(100)));
    assert_eq!(fills.len(), 2);
    assert_eq!((fills[0].order_id, fills[0].price), (OrderId(1), Price(dec!(100.05))));
    assert_eq!((fills[1].order_id, fills[1].price), (OrderId(2), Price(dec!(99.95))));
    // The fee is on the notional at the slipped price.
    assert_eq!(fills[0].fee, Money(dec!(0.100050)));
    assert_eq!(fills[1].fee, Money(dec!(0.099950)));
}

#[test]
fn the_creating_tick_never_fills_even_at_zero_latency() {
    let mut b = broker(dec!(10), dec!(0), dec!(0), 0);
    b.submit(order(1, Side::Buy, dec!(1), OrderKind::Market, 100)).unwrap();
    assert!(feed(&mut b, &trade(100, dec!(50))).is_empty());
    assert_eq!(b.open_orders().len(), 1);
    let fills = feed(&mut b, &trade(101, dec!(51)));
    assert_eq!(fills[0].price, Price(dec!(51)));
}

#[test]
fn an_order_fills_on_the_first_event_after_the_latency() {
    let mut b = broker(dec!(10), dec!(0), dec!(0), 1_000);
    b.submit(order(1, Side::Buy, dec!(1), OrderKind::Market, 100)).unwrap();
    assert!(feed(&mut b, &trade(100, dec!(50))).is_empty());
    assert!(feed(&mut b, &trade(600, dec!(51))).is_empty());
    assert!(feed(&mut b, &trade(1_099, dec!(52))).is_empty());
    let fills = feed(&mut b, &trade(1_100, dec!(53)));
    assert_eq!((fills[0].price, fills[0].ts), (Price(dec!(53)), Timestamp(1_100)));
    assert!(feed(&mut b, &trade(1_200, dec!(54))).is_empty());
}

#[test]
fn events_for_other_instruments_do_not_fill() {
    let mut b = broker(dec!(10), dec!(0), dec!(0), 0);
    b.submit(order(1, Side::Buy, dec!(1), OrderKind::Market, 0)).unwrap();
    let eth = MarketEvent::Trade(Trade {
        instrument: InstrumentId::new("BINANCE", "ETHUSDT"),
        ts: Timestamp(5),
        price: Price(dec!(3000)),
        size: Quantity(dec!(1)),
    });
    assert!(feed(&mut b, &eth).is_empty());
    assert_eq!(feed(&mut b, &trade(6, dec!(100)))[0].price, Price(dec!(100)));
}

#[test]
fn market_order_on_a_bar_fills_at_the_open_not_the_close() {
    let mut b = broker(dec!(10), dec!(0), dec!(10), 0);
    b.submit(order(1, Side::Sell, dec!(1), OrderKind::Market, 0)).unwrap();
    let fills = feed(&mut b, &bar(60, dec!(200), dec!(210), dec!(190), dec!(205)));
    assert_eq!(fills[0].price, Price(dec!(199.8)));
    assert_eq!(fills[0].liquidity, Liquidity::Taker);
}

#[test]
fn limit_buy_on_trades_rests_then_fills_at_the_limit_as_maker() {
    let mut b = broker(dec!(10), dec!(2), dec!(50), 0);
    b.submit(order(1, Side::Buy, dec!(1), limit(dec!(100)), 0)).unwrap();
    assert!(feed(&mut b, &trade(1, dec!(101))).is_empty());
    assert!(feed(&mut b, &trade(2, dec!(100.01))).is_empty());
    // A print through the limit fills the resting order at its limit.
    let fills = feed(&mut b, &trade(3, dec!(99)));
    assert_eq!(fills[0].price, Price(dec!(100)));
    assert_eq!(fills[0].liquidity, Liquidity::Maker);
    assert_eq!(fills[0].fee, Money(dec!(0.02)));
}

#[test]
fn limit_at_exactly_the_price_fills_as_maker() {
    let mut b = broker(dec!(10), dec!(2), dec!(0), 0);
    b.submit(order(1, Side::Buy, dec!(1), limit(dec!(100)), 0)).unwrap();
    let fills = feed(&mut b, &trade(1, dec!(100)));
    assert_eq!((fills[0].price, fills[0].liquidity), (Price(dec!(100)), Liquidity::Maker));
}

#[test]
fn marketable_limit_takes_at_the_better_price_without_slippage() {
    let mut b = broker(dec!(10), dec!(2), dec!(50), 0);
    b.submit(order(1, Side::Buy, dec!(1), limit(dec!(100)), 0)).unwrap();
    b.submit(order(2, Side::Sell, dec!(1), limit(dec!(95)), 0)).unwrap();
    let fills = feed(&mut b, &trade(1, dec!(98)));
    assert_eq!(fills.len(), 2);
    for f in &fills {
        assert_eq!(f.price, Price(dec!(98)));
        assert_eq!(f.liquidity, Liquidity::Taker);
        assert_eq!(f.fee, Money(dec!(0.098)));
    }
}

#[test]
fn limit_sell_on_trades() {
    let mut b = broker(dec!(10), dec!(2), dec!(0), 0);
    b.submit(order(1, Side::Sell, dec!(1), limit(dec!(105)), 0)).unwrap();
    assert!(feed(&mut b, &trade(1, dec!(104.99))).is_empty());
    let fills = feed(&mut b, &trade(2, dec!(106)));
    assert_eq!((fills[0].price, fills[0].liquidity), (Price(dec!(105)), Liquidity::Maker));
}

#[test]
fn limit_buy_on_bars_uses_low_and_open() {
    let mut b = broker(dec!(10), dec!(2), dec!(0), 0);
    // Open above the limit, low through it: maker at the limit.
    b.submit(order(1, Side::Buy, dec!(1), limit(dec!(100)), 0)).unwrap();
    let fills = feed(&mut b, &bar(60, dec!(101), dec!(102), dec!(99.5), dec!(101)));
    assert_eq!((fills[0].price, fills[0].liquidity), (Price(dec!(100)), Liquidity::Maker));
    // Open already below the limit on the first bar: taker at the open.
    b.submit(order(2, Side::Buy, dec!(1), limit(dec!(100)), 60)).unwrap();
    let fills = feed(&mut b, &bar(120, dec!(99), dec!(101), dec!(98), dec!(100)));
    assert_eq!((fills[0].price, fills[0].liquidity), (Price(dec!(99)), Liquidity::Taker));
    // Low above the limit: no fill; then a later gap below it: maker at the limit.
    b.submit(order(3, Side::Buy, dec!(1), limit(dec!(90)), 120)).unwrap();
    assert!(feed(&mut b, &bar(180, dec!(95), dec!(96), dec!(90.01), dec!(95))).is_empty());
    let fills = feed(&mut b, &bar(240, dec!(85), dec!(86), dec!(84), dec!(85)));
    assert_eq!((fills[0].price, fills[0].liquidity), (Price(dec!(90)), Liquidity::Maker));
}

#[test]
fn limit_sell_on_bars_uses_high_and_open() {
    let mut b = broker(dec!(10), dec!(2), dec!(0), 0);
    b.submit(order(1, Side::Sell, dec!(1), limit(dec!(110)), 0)).unwrap();
    assert!(feed(&mut b, &bar(60, dec!(100), dec!(109.99), dec!(99), dec!(105))).is_empty());
    let fills = feed(&mut b, &bar(120, dec!(105), dec!(110), dec!(104), dec!(106)));
    assert_eq!((fills[0].price, fills[0].liquidity), (Price(dec!(110)), Liquidity::Maker));
    b.submit(order(2, Side::Sell, dec!(1), limit(dec!(100)), 120)).unwrap();
    let fills = feed(&mut b, &bar(180, dec!(107), dec!(108), dec!(99), dec!(101)));
    assert_eq!((fills[0].price, fills[0].liquidity), (Price(dec!(107)), Liquidity::Taker));
}

#[test]
fn a_duplicate_id_is_ignored() {
    let mut b = broker(dec!(10), dec!(0), dec!(0), 0);
    assert_eq!(b.submit(order(7, Side::Buy, dec!(1), limit(dec!(50)), 0)), Ok(true));
    assert_eq!(b.submit(order(7, Side::Sell, dec!(3), OrderKind::Market, 0)), Ok(false));
    let open = b.open_orders();
    assert_eq!(open.len(), 1);
    assert_eq!((open[0].side, open[0].qty), (Side::Buy, Quantity(dec!(1))));
    assert_eq!(feed(&mut b, &trade(1, dec!(49))).len(), 1);
    // Still known after it filled: a replayed order never fills twice.
    assert_eq!(b.submit(order(7, Side::Buy, dec!(1), OrderKind::Market, 1)), Ok(false));
    assert!(feed(&mut b, &trade(2, dec!(49))).is_empty());
}

#[test]
fn invalid_orders_are_rejected() {
    let mut b = broker(dec!(10), dec!(0), dec!(0), 0);
    for o in [
        order(1, Side::Buy, dec!(0), OrderKind::Market, 0),
        order(2, Side::Buy, dec!(-1), OrderKind::Market, 0),
        order(3, Side::Buy, dec!(1), limit(dec!(0)), 0),
        order(4, Side::Sell, dec!(1), limit(dec!(-5)), 0),
    ] {
        let id = o.id;
        assert!(matches!(b.submit(o), Err(ExchangeError::Invalid { id: i, .. }) if i == id));
    }
    assert!(b.open_orders().is_empty());
}

#[test]
fn cancel_removes_an_open_order_only() {
    let mut b = broker(dec!(10), dec!(0), dec!(0), 0);
    b.submit(order(1, Side::Buy, dec!(1), limit(dec!(50)), 0)).unwrap();
    b.submit(order(2, Side::Buy, dec!(1), limit(dec!(50)), 0)).unwrap();
    assert!(b.cancel(OrderId(1)));
    assert!(!b.cancel(OrderId(1)));
    assert!(!b.cancel(OrderId(99)));
    let fills = feed(&mut b, &trade(1, dec!(40)));
    assert_eq!(fills.iter().map(|f| f.order_id).collect::<Vec<_>>(), vec![OrderId(2)]);
    assert!(!b.cancel(OrderId(2)));
    assert_eq!(b.submit(order(1, Side::Buy, dec!(1), limit(dec!(50)), 2)), Ok(false));
}

#[test]
fn config_is_checked() {
    let c: PaperConfig =
        serde_json::from_str(r#"{"taker_fee_bps": "4", "maker_fee_bps": "1", "latency_ns": 5000}"#).unwrap();
    assert_eq!(c.taker_fee_bps, dec!(4));
    assert_eq!(c.slippage_bps, PaperConfig::default().slippage_bps);
    assert!(serde_json::from_str::<PaperConfig>(r#"{"taker_fees_bps": "4"}"#).is_err());
    let bad = PaperConfig { latency_ns: -1, ..PaperConfig::default() };
    assert_eq!(PaperBroker::new(bad).unwrap_err(), PaperConfigError::NegativeLatency(-1));
    let bad = PaperConfig { slippage_bps: dec!(-1), ..PaperConfig::default() };
    assert!(matches!(PaperBroker::new(bad), Err(PaperConfigError::NegativeSlippage(_))));
}
