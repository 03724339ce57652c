//! Round-trip trades derived from fills: partial closes, flips, pairs,
//! open trades and the hit rate.

use hft_trading::domain::{InstrumentId, Money, OrderId, Price, Quantity, Side, Timestamp};
use hft_trading::execution::{Fill, Liquidity};
use hft_trading::report::{RunEnd, RunMeta, RunRecorder, TickSignals, round_trips};
use rust_decimal::Decimal;
use rust_decimal_macros::dec;

const SEC: i64 = 1_000_000_000;

fn fill(n: u64, sym: &str, side: Side, qty: Decimal, price: Decimal, fee: Decimal) -> Fill {
    Fill {
        order_id: OrderId(n),
        instrument: InstrumentId::new("BINANCE", sym),
        side,
        qty: Quantity(qty),
        price: Price(price),
        fee: Money(fee),
        liquidity: Liquidity::Taker,
        ts: Timestamp(n as i64 * SEC),
    }
}

#[test]
fn partial_close_stays_in_the_trade_and_a_flip_splits_it() {
    let fills = vec![
        fill(1, "ETHUSDT", Side::Buy, dec!(2), dec!(100), dec!(0.2)),
        fill(2, "ETHUSDT", Side::Sell, dec!(1), dec!(110), dec!(0.1)), // partial close
        fill(3, "ETHUSDT", Side::Sell, dec!(3), dec!(120), dec!(0.3)), // long 1 -> short 2
        fill(4, "ETHUSDT", Side::Buy, dec!(2), dec!(115), dec!(0.2)),
    ];
    let trades = round_trips(&fills);
    assert_eq!(trades.len(), 2);
    let (a, b) = (&trades[0], &trades[1]);
    // -200.2 + 109.9 + (120 - 0.1): the flip's fee is split 1:2.
    assert_eq!(a.pnl, Money(dec!(29.6)));
    assert_eq!((a.start, a.end), (Timestamp(SEC), Some(Timestamp(3 * SEC))));
    assert_eq!(a.fills, 3);
    assert_eq!(a.fees, Money(dec!(0.4)));
    assert_eq!(a.entry, vec![(InstrumentId::new("BINANCE", "ETHUSDT"), Side::Buy)]);
    // (240 - 0.2) - 230.2
    assert_eq!(b.pnl, Money(dec!(9.6)));
    assert_eq!((b.start, b.end), (Timestamp(3 * SEC), Some(Timestamp(4 * SEC))));
    assert_eq!(b.entry[0].1, Side::Sell);
    assert_eq!(b.notional, Money(dec!(470)));
    // Splitting conserves cash exactly.
    let total: Money = fills.iter().map(Fill::cash_flow).sum();
    assert_eq!(a.pnl + b.pnl, total);
}

#[test]
fn a_pair_trade_ends_only_when_both_legs_are_flat() {
    let fills = vec![
        fill(1, "ETHUSDT", Side::Buy, dec!(2), dec!(100), dec!(0)),
        fill(2, "BTCUSDT", Side::Sell, dec!(0.1), dec!(2000), dec!(0)),
        fill(3, "ETHUSDT", Side::Sell, dec!(2), dec!(101), dec!(0)), // y flat, x still short
        fill(4, "BTCUSDT", Side::Buy, dec!(0.1), dec!(1990), dec!(0)),
        // A leg flipping while the other is open does not split the trade.
        fill(5, "ETHUSDT", Side::Sell, dec!(1), dec!(100), dec!(0)),
        fill(6, "BTCUSDT", Side::Buy, dec!(0.05), dec!(2000), dec!(0)),
        fill(7, "ETHUSDT", Side::Buy, dec!(2), dec!(99), dec!(0)), // y short 1 -> long 1, x open
    ];
    let trades = round_trips(&fills);
    assert_eq!(trades.len(), 2);
    assert_eq!(trades[0].end, Some(Timestamp(4 * SEC)));
    assert_eq!(trades[0].pnl, Money(dec!(3))); // +2 on y, +1 on x
    assert_eq!(trades[0].entry.len(), 2);
    assert!(!trades[1].is_closed());
    assert_eq!(trades[1].fills, 3);
}

fn meta() -> RunMeta {
    RunMeta {
        run_id: "trades".into(),
        started_at: "2024-01-01T00:00:00Z".into(),
        config_summary: vec![],
        initial_capital: Money(dec!(1000)),
        instruments: vec![InstrumentId::new("BINANCE", "ETHUSDT")],
    }
}

fn end() -> RunEnd {
    RunEnd {
        final_equity: Money(dec!(1000)),
        cash: Money(dec!(1000)),
        realised_pnl: Money::ZERO,
        unrealised_pnl: Money::ZERO,
        fees_paid: Money::ZERO,
        events: 0,
        ticks: 0,
        wall_seconds: 0.0,
        latency_p50_ns: None,
        latency_p99_ns: None,
        extra: vec![],
    }
}

#[test]
fn hit_rate_counts_closed_trades_only() {
    let mut rec = RunRecorder::new(meta());
    let fills = [
        fill(1, "ETHUSDT", Side::Buy, dec!(1), dec!(100), dec!(0.1)),
        fill(2, "ETHUSDT", Side::Sell, dec!(1), dec!(103), dec!(0.1)), // +2.8
        fill(3, "ETHUSDT", Side::Sell, dec!(1), dec!(103), dec!(0.1)),
        fill(4, "ETHUSDT", Side::Buy, dec!(1), dec!(104), dec!(0.1)), // -1.2
        fill(5, "ETHUSDT", Side::Buy, dec!(1), dec!(100), dec!(0)),
        fill(6, "ETHUSDT", Side::Sell, dec!(1), dec!(100.5), dec!(0)), // +0.5
        fill(7, "ETHUSDT", Side::Buy, dec!(1), dec!(90), dec!(0)),     // open at the end
    ];
    for (i, f) in fills.iter().enumerate() {
        rec.on_fill(f);
        rec.on_tick(f.ts, Money(dec!(1000)), &TickSignals::default());
        if i == fills.len() - 1 {
            rec.on_tick(f.ts.plus_nanos(SEC), Money(dec!(1000)), &TickSignals::default());
        }
    }
    let report = rec.finish(end());
    let t = &report.summary().trades;
    assert_eq!((t.total, t.closed, t.open, t.winning), (4, 3, 1, 2));
    assert_eq!(t.hit_rate, Some(2.0 / 3.0));
    assert_eq!(t.closed_pnl, Money(dec!(2.1)));
    assert_eq!(t.average_pnl, Some(Money(dec!(0.7))));
    assert_eq!(t.best_pnl, Some(Money(dec!(2.8))));
    assert_eq!(t.worst_pnl, Some(Money(dec!(-1.2))));
    assert_eq!(report.summary().fills, 7);
    // Exposed 1->2, 3->4, 5->6 and 7->8 seconds out of 1->8.
    assert_eq!(report.summary().exposure_fraction, Some(4.0 / 7.0));
    assert_eq!(report.trades()[3].end, None);
}
