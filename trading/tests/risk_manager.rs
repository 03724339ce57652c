//! The pre-trade risk manager: state transitions, reduce-only, every
//! rejection reason, fail-closed evaluation and the event-time rate window.

use hft_trading::domain::{InstrumentId, Money, OrderId, Price, Quantity, Side, Symbol, Timestamp};
use hft_trading::execution::{Order, OrderKind};
use hft_trading::risk::{
    CheckContext, LimitOverride, RejectReason, RiskLimits, RiskManager, RiskState, Transition, Trigger,
};
use rust_decimal::Decimal;
use rust_decimal_macros::dec;

const SEC: i64 = 1_000_000_000;
const DAY: i64 = 86_400 * SEC;

fn btc() -> InstrumentId {
    InstrumentId::new("BINANCE", "BTCUSDT")
}

fn limits() -> RiskLimits {
    RiskLimits {
        max_orders_per_second: 1_000,
        max_drawdown: dec!(0.2),
        reduce_at: dec!(0.5),
        daily_loss_limit: Money(dec!(500)),
        ..RiskLimits::default()
    }
}

fn manager(l: RiskLimits) -> RiskManager {
    let mut m = RiskManager::new(l).unwrap();
    m.on_equity(Timestamp(0), Money(dec!(10000)));
    m
}

fn order(id: u64, side: Side, qty: Decimal, created: i64) -> Order {
    Order {
        id: OrderId(id),
        instrument: btc(),
        side,
        qty: Quantity(qty),
        kind: OrderKind::Market,
        created: Timestamp(created),
    }
}

fn ctx(position: Decimal) -> CheckContext {
    CheckContext { position: Quantity(position), mark: Some(Price(dec!(100))), equity: Money(dec!(10000)) }
}

fn reason(m: &mut RiskManager, o: &Order, c: &CheckContext) -> Option<RejectReason> {
    m.check(o, c).err().map(|r| r.reason)
}

#[test]
fn drawdown_moves_active_to_reducing_to_halted() {
    let mut m = manager(limits());
    assert_eq!(m.on_equity(Timestamp(1), Money(dec!(12000))), RiskState::Active);
    // Peak 12000; reduce at 10 % drawdown (10800), halt at 20 % (9600).
    assert_eq!(m.on_equity(Timestamp(2), Money(dec!(10801))), RiskState::Active);
    assert_eq!(m.on_equity(Timestamp(3), Money(dec!(10800))), RiskState::Reducing);
    assert_eq!(m.drawdown(), Some(dec!(0.1)));
    assert_eq!(m.on_equity(Timestamp(4), Money(dec!(9600))), RiskState::Halted);
    // Recovery does not lift a halt; nor does a new day.
    assert_eq!(m.on_equity(Timestamp(5), Money(dec!(12000))), RiskState::Halted);
    assert_eq!(m.on_equity(Timestamp(DAY + 5), Money(dec!(12000))), RiskState::Halted);
    assert_eq!(
        m.transitions(),
        &[
            Transition {
                ts: Timestamp(3),
                from: RiskState::Active,
                to: RiskState::Reducing,
                reason: Trigger::DrawdownReduce
            },
            Transition {
                ts: Timestamp(4),
                from: RiskState::Reducing,
                to: RiskState::Halted,
                reason: Trigger::DrawdownHalt
            },
        ]
    );
}

#[test]
fn a_deep_drawdown_halts_directly_from_active() {
    let mut m = manager(limits());
    assert_eq!(m.on_equity(Timestamp(1), Money(dec!(7000))), RiskState::Halted);
    assert_eq!(m.transitions()[0].from, RiskState::Active);
    assert_eq!(m.transitions()[0].reason, Trigger::DrawdownHalt);
}

#[test]
fn daily_loss_reduces_and_a_new_utc_day_lifts_it() {
    let mut m = manager(RiskLimits { max_drawdown: dec!(0.9), ..limits() });
    assert_eq!(m.on_equity(Timestamp(SEC), Money(dec!(9501))), RiskState::Active);
    assert_eq!(m.on_equity(Timestamp(2 * SEC), Money(dec!(9500))), RiskState::Reducing);
    assert_eq!(m.daily_pnl(), Some(Money(dec!(-500))));
    assert_eq!(m.on_equity(Timestamp(DAY - 1), Money(dec!(9400))), RiskState::Reducing);
    // Next UTC day: the day opens at the last reading (9400), no loss yet.
    assert_eq!(m.on_equity(Timestamp(DAY), Money(dec!(9400))), RiskState::Active);
    assert_eq!(m.daily_pnl(), Some(Money::ZERO));
    let log = m.transitions();
    assert_eq!((log[0].to, log[0].reason), (RiskState::Reducing, Trigger::DailyLoss));
    assert_eq!((log[1].ts, log[1].to, log[1].reason), (Timestamp(DAY), RiskState::Active, Trigger::NewDay));
    // A loss right after midnight counts against the new day.
    assert_eq!(m.on_equity(Timestamp(DAY + 1), Money(dec!(8900))), RiskState::Reducing);
}

#[test]
fn a_new_day_does_not_lift_a_reduction_caused_by_drawdown() {
    let mut m = manager(RiskLimits { daily_loss_limit: Money(dec!(100)), ..limits() });
    // 15 % drawdown: beyond reduce_at (10 %) and the daily loss.
    assert_eq!(m.on_equity(Timestamp(1), Money(dec!(8500))), RiskState::Reducing);
    assert_eq!(m.on_equity(Timestamp(DAY), Money(dec!(8500))), RiskState::Reducing);
    // Daily loss first, then drawdown on top: still not lifted.
    let mut m = manager(RiskLimits { daily_loss_limit: Money(dec!(100)), ..limits() });
    assert_eq!(m.on_equity(Timestamp(1), Money(dec!(9900))), RiskState::Reducing);
    assert_eq!(m.on_equity(Timestamp(2), Money(dec!(8900))), RiskState::Reducing);
    assert_eq!(m.on_equity(Timestamp(DAY), Money(dec!(9990))), RiskState::Reducing);
    m.resume(Timestamp(DAY + 1));
    assert_eq!(m.state(), RiskState::Active);
    assert_eq!(m.transitions().last().unwrap().reason, Trigger::Resume);
}

#[test]
fn kill_switch_halts_until_an_operator_resumes() {
    let mut m = manager(limits());
    m.kill(Timestamp(7));
    assert_eq!(m.state(), RiskState::Halted);
    assert_eq!(
        m.transitions(),
        &[Transition { ts: Timestamp(7), from: RiskState::Active, to: RiskState::Halted, reason: Trigger::Kill }]
    );
    assert_eq!(m.on_equity(Timestamp(DAY * 3), Money(dec!(20000))), RiskState::Halted);
    assert_eq!(reason(&mut m, &order(1, Side::Sell, dec!(1), 8), &ctx(dec!(1))), Some(RejectReason::Halted));
    m.resume(Timestamp(DAY * 3 + 1));
    assert_eq!(m.state(), RiskState::Active);
    assert!(m.check(&order(2, Side::Buy, dec!(1), DAY * 3 + 2), &ctx(dec!(0))).is_ok());
}

#[test]
fn resume_keeps_the_peak_and_reset_rebaselines_it() {
    let mut m = manager(limits());
    m.on_equity(Timestamp(1), Money(dec!(7000)));
    assert_eq!(m.state(), RiskState::Halted);
    m.resume(Timestamp(2));
    assert_eq!(m.state(), RiskState::Active);
    // Still 30 % below the 10000 peak: halts again.
    assert_eq!(m.on_equity(Timestamp(3), Money(dec!(7000))), RiskState::Halted);
    m.reset(Timestamp(4));
    assert_eq!(m.peak_equity(), Some(Money(dec!(7000))));
    assert_eq!(m.on_equity(Timestamp(5), Money(dec!(7000))), RiskState::Active);
}

#[test]
fn equity_that_cannot_be_evaluated_halts() {
    let mut m = RiskManager::new(limits()).unwrap();
    assert_eq!(m.on_equity(Timestamp(1), Money(dec!(0))), RiskState::Halted);
    assert_eq!(m.transitions()[0].reason, Trigger::EquityUnusable);
}

#[test]
fn reducing_lets_only_reducing_orders_through() {
    let mut m = manager(limits());
    m.on_equity(Timestamp(1), Money(dec!(8500)));
    assert_eq!(m.state(), RiskState::Reducing);
    // Long 2.
    assert!(m.check(&order(1, Side::Sell, dec!(1), 2), &ctx(dec!(2))).is_ok());
    assert!(m.check(&order(2, Side::Sell, dec!(2), 2), &ctx(dec!(2))).is_ok());
    assert_eq!(reason(&mut m, &order(3, Side::Sell, dec!(3), 2), &ctx(dec!(2))), Some(RejectReason::ReduceOnly));
    assert_eq!(reason(&mut m, &order(4, Side::Buy, dec!(0.1), 2), &ctx(dec!(2))), Some(RejectReason::ReduceOnly));
    // Short 1.
    assert!(m.check(&order(5, Side::Buy, dec!(0.5), 2), &ctx(dec!(-1))).is_ok());
    assert_eq!(reason(&mut m, &order(6, Side::Buy, dec!(1.5), 2), &ctx(dec!(-1))), Some(RejectReason::ReduceOnly));
    // Flat: nothing reduces.
    assert_eq!(reason(&mut m, &order(7, Side::Buy, dec!(1), 2), &ctx(dec!(0))), Some(RejectReason::ReduceOnly));
    assert_eq!(m.rejections()[&RejectReason::ReduceOnly], 4);
}

#[test]
fn every_rejection_reason_is_counted() {
    let l = RiskLimits {
        max_orders_per_second: 2,
        default_limits: hft_trading::risk::SymbolLimits {
            max_position: Quantity(dec!(5)),
            max_notional: Money(dec!(300)),
        },
        ..limits()
    };
    let mut m = manager(l);
    let zero_qty = order(1, Side::Buy, dec!(0), 0);
    assert_eq!(reason(&mut m, &zero_qty, &ctx(dec!(0))), Some(RejectReason::InvalidOrder));
    let bad_limit = Order { kind: OrderKind::Limit(Price(dec!(0))), ..order(2, Side::Buy, dec!(1), 0) };
    assert_eq!(reason(&mut m, &bad_limit, &ctx(dec!(0))), Some(RejectReason::InvalidOrder));
    let no_mark = CheckContext { mark: None, ..ctx(dec!(0)) };
    assert_eq!(reason(&mut m, &order(3, Side::Buy, dec!(1), 0), &no_mark), Some(RejectReason::CannotEvaluate));
    let zero_mark = CheckContext { mark: Some(Price(dec!(0))), ..ctx(dec!(0)) };
    assert_eq!(reason(&mut m, &order(4, Side::Buy, dec!(1), 0), &zero_mark), Some(RejectReason::CannotEvaluate));
    let broke = CheckContext { equity: Money(dec!(-1)), ..ctx(dec!(0)) };
    assert_eq!(reason(&mut m, &order(5, Side::Buy, dec!(1), 0), &broke), Some(RejectReason::CannotEvaluate));
    // Post-trade position 6 > 5.
    assert_eq!(reason(&mut m, &order(6, Side::Buy, dec!(2), 0), &ctx(dec!(4))), Some(RejectReason::PositionLimit));
    // Post-trade -4 at 100 = 400 > 300 notional (position within 5).
    assert_eq!(reason(&mut m, &order(7, Side::Sell, dec!(4), 0), &ctx(dec!(0))), Some(RejectReason::NotionalLimit));
    // At the caps exactly: accepted.
    assert!(m.check(&order(8, Side::Sell, dec!(3), 0), &ctx(dec!(0))).is_ok());
    // A reduction passes even above a cap.
    assert!(m.check(&order(9, Side::Sell, dec!(1), 0), &ctx(dec!(10))).is_ok());
    assert_eq!(reason(&mut m, &order(10, Side::Sell, dec!(1), 0), &ctx(dec!(0))), Some(RejectReason::RateLimit));
    m.kill(Timestamp(1));
    assert_eq!(reason(&mut m, &order(11, Side::Sell, dec!(1), 0), &ctx(dec!(1))), Some(RejectReason::Halted));
    m.resume(Timestamp(2));
    m.on_equity(Timestamp(3), Money(dec!(8500)));
    assert_eq!(reason(&mut m, &order(12, Side::Buy, dec!(1), 5 * SEC), &ctx(dec!(0))), Some(RejectReason::ReduceOnly));

    let counts = m.rejections();
    let expected = [
        (RejectReason::InvalidOrder, 2),
        (RejectReason::CannotEvaluate, 3),
        (RejectReason::Halted, 1),
        (RejectReason::ReduceOnly, 1),
        (RejectReason::PositionLimit, 1),
        (RejectReason::NotionalLimit, 1),
        (RejectReason::RateLimit, 1),
    ];
    assert_eq!(counts.into_iter().collect::<Vec<_>>(), expected.to_vec());
}

#[test]
fn reason_names_are_stable_snake_case() {
    let names: Vec<&str> = RejectReason::ALL.iter().map(|r| r.as_str()).collect();
    assert_eq!(
        names,
        ["invalid_order", "cannot_evaluate", "halted", "reduce_only", "position_limit", "notional_limit", "rate_limit"]
    );
    for r in RejectReason::ALL {
        assert_eq!(serde_json::to_string(&r).unwrap(), format!("\"{}\"", r.as_str()));
    }
    assert_eq!(serde_json::to_string(&RiskState::Reducing).unwrap(), "\"reducing\"");
    assert_eq!(serde_json::to_string(&Trigger::DrawdownHalt).unwrap(), "\"drawdown_halt\"");
}

#[test]
fn missing_mark_fails_closed_even_for_a_reducing_order() {
    let mut m = manager(limits());
    let no_mark = CheckContext { mark: None, ..ctx(dec!(2)) };
    let r = m.check(&order(1, Side::Sell, dec!(1), 0), &no_mark).unwrap_err();
    assert_eq!(r.reason, RejectReason::CannotEvaluate);
    assert_eq!(r.order_id, OrderId(1));
    assert!(r.to_string().contains("cannot_evaluate"));
}

#[test]
fn rate_window_slides_in_event_time() {
    let mut m = manager(RiskLimits { max_orders_per_second: 3, ..limits() });
    let c = ctx(dec!(0));
    let t0 = 10 * SEC;
    for (i, t) in [t0, t0 + SEC / 10, t0 + SEC / 5].into_iter().enumerate() {
        assert!(m.check(&order(i as u64, Side::Buy, dec!(0.1), t), &c).is_ok());
    }
    assert_eq!(reason(&mut m, &order(10, Side::Buy, dec!(0.1), t0 + SEC - 1), &c), Some(RejectReason::RateLimit));
    // Rejected orders do not use up the window; exactly one second later the
    // first order has left it.
    assert!(m.check(&order(11, Side::Buy, dec!(0.1), t0 + SEC), &c).is_ok());
    assert_eq!(reason(&mut m, &order(12, Side::Buy, dec!(0.1), t0 + SEC), &c), Some(RejectReason::RateLimit));
    assert!(m.check(&order(13, Side::Buy, dec!(0.1), t0 + SEC + SEC / 10), &c).is_ok());
    // Replaying the same event times gives the same decisions.
    let mut replay = manager(RiskLimits { max_orders_per_second: 3, ..limits() });
    let decisions = |m: &mut RiskManager| {
        (0..20).map(|i| m.check(&order(i, Side::Buy, dec!(0.1), t0 + i as i64 * SEC / 7), &c).is_ok()).collect()
    };
    let a: Vec<bool> = decisions(&mut replay);
    let b: Vec<bool> = decisions(&mut manager(RiskLimits { max_orders_per_second: 3, ..limits() }));
    assert_eq!(a, b);
    assert!(a.contains(&false) && a.contains(&true));
}

#[test]
fn per_symbol_overrides_replace_only_what_they_name() {
    let mut l = limits();
    l.symbols
        .insert(Symbol::new("BTCUSDT"), LimitOverride { max_position: Some(Quantity(dec!(0.5))), max_notional: None });
    let btc_caps = l.limits_for(&btc());
    assert_eq!(btc_caps.max_position, Quantity(dec!(0.5)));
    assert_eq!(btc_caps.max_notional, l.default_limits.max_notional);
    assert_eq!(l.limits_for(&InstrumentId::new("BINANCE", "ETHUSDT")), l.default_limits);
    let mut m = manager(l);
    assert_eq!(reason(&mut m, &order(1, Side::Buy, dec!(0.6), 0), &ctx(dec!(0))), Some(RejectReason::PositionLimit));
    assert!(m.check(&order(2, Side::Buy, dec!(0.5), 0), &ctx(dec!(0))).is_ok());
}

#[test]
fn flatten_orders_pass_a_halt_only_when_configured() {
    let positions = || vec![(btc(), Quantity(dec!(2))), (InstrumentId::new("B", "ETH"), Quantity(dec!(-3)))];
    for flatten_on_halt in [true, false] {
        let mut m = manager(RiskLimits { flatten_on_halt, ..limits() });
        m.kill(Timestamp(1));
        let mut next = 100;
        let orders = m.flatten_orders(positions().into_iter().chain([(btc(), Quantity::ZERO)]), Timestamp(2), || {
            next += 1;
            OrderId(next)
        });
        assert_eq!(orders.len(), 2);
        assert_eq!((orders[0].id, orders[0].side, orders[0].qty), (OrderId(101), Side::Sell, Quantity(dec!(2))));
        assert_eq!((orders[1].id, orders[1].side, orders[1].qty), (OrderId(102), Side::Buy, Quantity(dec!(3))));
        assert!(orders.iter().all(|o| o.kind == OrderKind::Market && o.created == Timestamp(2)));
        // No mark needed to flatten.
        let c = CheckContext { mark: None, ..ctx(dec!(2)) };
        let result = m.check(&orders[0], &c);
        if flatten_on_halt {
            assert!(result.is_ok());
        } else {
            assert_eq!(result.unwrap_err().reason, RejectReason::Halted);
        }
        // An operator order with the same effect is still refused.
        assert_eq!(reason(&mut m, &order(5, Side::Sell, dec!(2), 2), &ctx(dec!(2))), Some(RejectReason::Halted));
        // A flatten order that would now flip the position is refused.
        assert_eq!(reason(&mut m, &orders[0], &ctx(dec!(0))), Some(RejectReason::Halted));
    }
}

#[test]
fn limits_config_is_checked() {
    let l: RiskLimits = serde_json::from_str(
        r#"{"max_drawdown": "0.05", "symbols": {"BTCUSDT": {"max_notional": "50000"}}, "flatten_on_halt": true}"#,
    )
    .unwrap();
    assert_eq!(l.max_drawdown, dec!(0.05));
    assert_eq!(l.limits_for(&btc()).max_notional, Money(dec!(50000)));
    assert_eq!(l.reduce_at, RiskLimits::default().reduce_at);
    assert!(serde_json::from_str::<RiskLimits>(r#"{"max_draw_down": "0.05"}"#).is_err());
    assert!(serde_json::from_str::<RiskLimits>(r#"{"symbols": {"BTCUSDT": {"max_pos": "1"}}}"#).is_err());
    let bad = RiskLimits {
        max_drawdown: dec!(1.5),
        reduce_at: dec!(0),
        max_orders_per_second: 0,
        daily_loss_limit: Money(dec!(0)),
        ..RiskLimits::default()
    };
    assert_eq!(RiskManager::new(bad).unwrap_err().problems.len(), 4);
    RiskLimits::default().validate().unwrap();
}
