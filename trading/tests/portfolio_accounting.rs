//! Accounting: average-cost PnL, flips through zero, and the identities
//! that must hold exactly after any sequence of fills.

use hft_trading::domain::{InstrumentId, Money, OrderId, Price, Quantity, Side, Timestamp};
use hft_trading::execution::{Exchange, Fill, Liquidity, Order, OrderKind, PaperBroker, PaperConfig};
use hft_trading::market::{MarketEvent, Trade};
use hft_trading::portfolio::{Mismatch, Portfolio, PortfolioError};
use rust_decimal::Decimal;
use rust_decimal_macros::dec;

fn btc() -> InstrumentId {
    InstrumentId::new("BINANCE", "BTCUSDT")
}

fn eth() -> InstrumentId {
    InstrumentId::new("BINANCE", "ETHUSDT")
}

fn fill(instrument: InstrumentId, side: Side, qty: Decimal, price: Decimal, fee: Decimal) -> Fill {
    Fill {
        order_id: OrderId(0),
        instrument,
        side,
        qty: Quantity(qty),
        price: Price(price),
        fee: Money(fee),
        liquidity: Liquidity::Taker,
        ts: Timestamp(0),
    }
}

#[test]
fn average_cost_realised_pnl_by_hand() {
    let mut p = Portfolio::new(Money(dec!(10000)));
    p.apply(&fill(btc(), Side::Buy, dec!(1), dec!(100), dec!(0.1))).unwrap();
    p.apply(&fill(btc(), Side::Buy, dec!(1), dec!(110), dec!(0.1))).unwrap();
    let pos = p.position(&btc()).unwrap();
    assert_eq!(pos.avg_price(), Some(Price(dec!(105))));
    assert_eq!(pos.cost_basis(), Money(dec!(210)));
    // Sell 1 @120 against an average of 105: +15.
    p.apply(&fill(btc(), Side::Sell, dec!(1), dec!(120), dec!(0.1))).unwrap();
    assert_eq!(p.realised(), Money(dec!(15)));
    assert_eq!(p.position_qty(&btc()), Quantity(dec!(1)));
    assert_eq!(p.position(&btc()).unwrap().avg_price(), Some(Price(dec!(105))));
    // Sell 3 @100: closes 1 long (-5), opens 2 short at 100.
    p.apply(&fill(btc(), Side::Sell, dec!(3), dec!(100), dec!(0.3))).unwrap();
    let pos = p.position(&btc()).unwrap();
    assert_eq!(pos.realised(), Money(dec!(10)));
    assert_eq!(pos.qty(), Quantity(dec!(-2)));
    assert_eq!(pos.avg_price(), Some(Price(dec!(100))));
    assert_eq!(pos.cost_basis(), Money(dec!(-200)));
    // Short 2 @100 marked at 90: +20 unrealised.
    p.mark(&btc(), Price(dec!(90)));
    assert_eq!(p.unrealised(), Ok(Money(dec!(20))));
    // Cover 1 @90: +10 realised; then buy 2 @95: close 1 short (+5), open 1 long at 95.
    p.apply(&fill(btc(), Side::Buy, dec!(1), dec!(90), dec!(0))).unwrap();
    p.apply(&fill(btc(), Side::Buy, dec!(2), dec!(95), dec!(0))).unwrap();
    let pos = p.position(&btc()).unwrap();
    assert_eq!(pos.realised(), Money(dec!(25)));
    assert_eq!((pos.qty(), pos.avg_price()), (Quantity(dec!(1)), Some(Price(dec!(95)))));
    assert_eq!(p.fees(), Money(dec!(0.6)));
    // cash = 10000 - 100 - 110 + 120 + 300 - 90 - 190 - 0.6
    assert_eq!(p.cash(), Money(dec!(9929.4)));
    assert_eq!(p.equity(), Ok(Money(dec!(10019.4))));
    assert_eq!(p.unrealised(), Ok(Money(dec!(-5))));
    p.reconcile().unwrap();
}

#[test]
fn closing_exactly_leaves_no_cost_basis() {
    let mut p = Portfolio::new(Money(dec!(1000)));
    p.apply(&fill(btc(), Side::Buy, dec!(3), dec!(10), dec!(0))).unwrap();
    p.apply(&fill(btc(), Side::Buy, dec!(3), dec!(11), dec!(0))).unwrap();
    p.apply(&fill(btc(), Side::Sell, dec!(1), dec!(12), dec!(0))).unwrap();
    p.apply(&fill(btc(), Side::Sell, dec!(5), dec!(9), dec!(0))).unwrap();
    let pos = p.position(&btc()).unwrap();
    assert!(pos.qty().is_zero());
    assert_eq!(pos.cost_basis(), Money::ZERO);
    assert_eq!(pos.avg_price(), None);
    // Bought 63, sold 57.
    assert_eq!(pos.realised(), Money(dec!(-6)));
    // A flat book needs no mark.
    assert_eq!(p.equity(), Ok(Money(dec!(994))));
    p.reconcile().unwrap();
}

/// A small deterministic generator (xorshift64*), so the sequence is fixed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

#[test]
fn identities_hold_exactly_on_a_seeded_random_sequence_with_flips() {
    let initial = Money(dec!(100000));
    let mut p = Portfolio::new(initial);
    let mut rng = Rng(0x5EED_1234_ABCD_0001);
    let mut flows = Money::ZERO;
    let mut flips = 0;
    let mut partial_closes = 0;
    let mut checked = 0;
    let instruments = [btc(), eth()];
    for i in 0..2_000 {
        let instrument = instruments[rng.below(2) as usize].clone();
        // Lean towards trading against the position so it keeps crossing zero.
        let held = p.position_qty(&instrument);
        let against = if held.0.is_sign_positive() { Side::Sell } else { Side::Buy };
        let side = match (held.is_zero(), rng.below(3)) {
            (_, 0) => Side::Buy,
            (true, _) => Side::Sell,
            (false, _) => against,
        };
        // Quantity 0.001 .. 3.000, price 50.00 .. 150.00, fee 0..10 bps of the notional.
        let qty = Decimal::new(rng.below(3000) as i64 + 1, 3);
        let price = Decimal::new(rng.below(10_000) as i64 + 5_000, 2);
        let fee = qty * price * Decimal::from(rng.below(11)) / dec!(10000);
        let f = Fill { order_id: OrderId(i), ..fill(instrument.clone(), side, qty, price, fee) };
        let before = p.position_qty(&instrument);
        p.apply(&f).unwrap();
        let after = p.position_qty(&instrument);
        if !before.is_zero() && !after.is_zero() && before.0.is_sign_positive() != after.0.is_sign_positive() {
            flips += 1;
        }
        if after.abs() < before.abs() && !after.is_zero() {
            partial_closes += 1;
        }
        flows += f.cash_flow();
        p.mark(&instrument, Price(price + Decimal::new(rng.below(201) as i64 - 100, 2)));
        if i % 7 == 0 {
            let other = &instruments[rng.below(2) as usize];
            p.mark(other, Price(Decimal::new(rng.below(10_000) as i64 + 5_000, 2)));
        }
        if p.equity().is_err() {
            continue;
        }
        checked += 1;
        assert_eq!(p.cash(), initial + flows, "cash identity at fill {i}");
        let equity = p.equity().unwrap();
        assert_eq!(equity, initial + p.realised() + p.unrealised().unwrap() - p.fees(), "equity identity at fill {i}");
        let value: Money = p
            .positions()
            .map(|(id, pos)| Money::notional(pos.qty(), p.last_price(id).unwrap_or(Price(Decimal::ZERO))))
            .sum();
        assert_eq!(equity, p.cash() + value);
        p.reconcile().unwrap_or_else(|e| panic!("fill {i}: {e}"));
    }
    assert!(checked > 1_500, "most steps must be checked, got {checked}");
    assert!(flips > 100, "the sequence must exercise flips, got {flips}");
    assert!(partial_closes > 100, "the sequence must exercise partial closes, got {partial_closes}");
}

#[test]
fn an_open_position_without_a_mark_cannot_be_valued() {
    let mut p = Portfolio::new(Money(dec!(1000)));
    p.apply(&fill(btc(), Side::Buy, dec!(1), dec!(100), dec!(0))).unwrap();
    assert_eq!(p.equity(), Err(PortfolioError::NoMark(btc())));
    assert_eq!(p.unrealised(), Err(PortfolioError::NoMark(btc())));
    let err = p.reconcile().unwrap_err();
    assert_eq!(err.mismatches, vec![Mismatch::NoMark(btc())]);
    assert!(err.to_string().contains("BINANCE:BTCUSDT"));
}

#[test]
fn an_invalid_fill_changes_nothing() {
    let mut p = Portfolio::new(Money(dec!(1000)));
    let before = p.clone();
    assert!(matches!(
        p.apply(&fill(btc(), Side::Buy, dec!(0), dec!(100), dec!(0))),
        Err(PortfolioError::InvalidFill { .. })
    ));
    assert!(matches!(
        p.apply(&fill(btc(), Side::Buy, dec!(1), dec!(0), dec!(0))),
        Err(PortfolioError::InvalidFill { .. })
    ));
    assert_eq!(p, before);
}

#[test]
fn paper_broker_fills_reconcile_end_to_end() {
    let mut broker = PaperBroker::new(PaperConfig {
        taker_fee_bps: dec!(10),
        maker_fee_bps: dec!(2),
        slippage_bps: dec!(3),
        latency_ns: 1_000,
    })
    .unwrap();
    let mut p = Portfolio::new(Money(dec!(50000)));
    let mut rng = Rng(42);
    let mut fills = Vec::new();
    let mut id = 0;
    for step in 0..500i64 {
        let ts = step * 1_000_000;
        let price = Price(Decimal::new(rng.below(2_000) as i64 + 29_000, 2));
        let event =
            MarketEvent::Trade(Trade { instrument: btc(), ts: Timestamp(ts), price, size: Quantity(dec!(0.5)) });
        fills.clear();
        broker.on_market(&event, &mut fills);
        for f in &fills {
            p.apply(f).unwrap();
        }
        p.on_market(&event);
        if rng.below(3) == 0 {
            id += 1;
            let side = if rng.below(2) == 0 { Side::Buy } else { Side::Sell };
            let kind = if rng.below(2) == 0 { OrderKind::Market } else { OrderKind::Limit(price) };
            let qty = Quantity(Decimal::new(rng.below(100) as i64 + 1, 2));
            let order = Order { id: OrderId(id), instrument: btc(), side, qty, kind, created: Timestamp(ts) };
            assert_eq!(broker.submit(order), Ok(true));
        }
        p.reconcile().unwrap();
    }
    assert!(p.fees() > Money::ZERO);
}

/// The parts a snapshot keeps, put back together.
fn restored(p: &Portfolio) -> Result<Portfolio, hft_trading::portfolio::ReconcileError> {
    let positions: Vec<(InstrumentId, hft_trading::portfolio::Position)> =
        p.positions().map(|(id, pos)| (id.clone(), pos.clone())).collect();
    let marks: Vec<(InstrumentId, Price)> =
        p.positions().filter_map(|(id, _)| p.last_price(id).map(|m| (id.clone(), m))).collect();
    Portfolio::restore(p.initial_cash(), p.cash(), positions, marks)
}

#[test]
fn a_restored_portfolio_continues_exactly_where_the_original_was() {
    let mut p = Portfolio::new(Money(dec!(100000)));
    p.apply(&fill(btc(), Side::Buy, dec!(0.5), dec!(60000), dec!(12))).unwrap();
    p.apply(&fill(eth(), Side::Sell, dec!(10), dec!(3000), dec!(6))).unwrap();
    p.apply(&fill(btc(), Side::Sell, dec!(0.2), dec!(60500), dec!(4.84))).unwrap();
    p.mark(&btc(), Price(dec!(60400)));
    p.mark(&eth(), Price(dec!(2990)));
    let mut r = restored(&p).expect("a consistent snapshot restores");
    assert_eq!(r, p);
    for f in [
        fill(eth(), Side::Buy, dec!(15), dec!(2980), dec!(8.94)),
        fill(btc(), Side::Sell, dec!(0.3), dec!(60100), dec!(7.212)),
    ] {
        p.apply(&f).unwrap();
        r.apply(&f).unwrap();
    }
    assert_eq!(r, p);
    r.reconcile().unwrap();
    assert_eq!(r.equity().unwrap(), p.equity().unwrap());
}

#[test]
fn an_inconsistent_snapshot_is_refused() {
    use hft_trading::portfolio::Position;
    // Flat, yet carrying a cost basis.
    let bad = Position::from_parts(Quantity::ZERO, Money(dec!(5)), Money(dec!(1)), Money(dec!(0.1)));
    let e = Portfolio::restore(Money(dec!(1000)), Money(dec!(1000.9)), [(btc(), bad)], []).unwrap_err();
    assert!(e.to_string().contains("cost"), "{e}");
    // An open position without a mark cannot be valued.
    let open = Position::from_parts(Quantity(dec!(1)), Money(dec!(100)), Money::ZERO, Money::ZERO);
    assert!(Portfolio::restore(Money(dec!(1000)), Money(dec!(900)), [(btc(), open)], []).is_err());
}
