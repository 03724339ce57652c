//! Realistic state to store: an account built from a real portfolio after
//! real fills, an order, a risk record, a snapshot.

use hft_state::{AccountSnapshot, ComponentName, ComponentSnapshot, KillSwitch, RiskRecord, StrategyId};
use hft_trading::domain::{Decimal, InstrumentId, Money, OrderId, Price, Quantity, Side, Timestamp};
use hft_trading::execution::{Fill, Liquidity, Order, OrderKind};
use hft_trading::portfolio::Portfolio;
use hft_trading::risk::{RiskState, Transition, Trigger};

pub fn dec(s: &str) -> Decimal {
    s.parse().unwrap()
}

pub fn btc() -> InstrumentId {
    InstrumentId::new("BINANCE", "BTCUSDT")
}

pub fn eth() -> InstrumentId {
    InstrumentId::new("BINANCE", "ETHUSDT")
}

pub fn strategy(name: &str) -> StrategyId {
    StrategyId::new(name).unwrap()
}

/// An order with id `id`.
pub fn order(id: u64) -> Order {
    Order {
        id: OrderId(id),
        instrument: btc(),
        side: Side::Buy,
        qty: Quantity(dec("0.015")),
        kind: if id.is_multiple_of(2) { OrderKind::Market } else { OrderKind::Limit(Price(dec("64999.90"))) },
        created: Timestamp(1_700_000_000_000_000_000 + id as i64),
    }
}

fn fill(order_id: u64, instrument: InstrumentId, side: Side, qty: &str, price: &str, fee: &str) -> Fill {
    Fill {
        order_id: OrderId(order_id),
        instrument,
        side,
        qty: Quantity(dec(qty)),
        price: Price(dec(price)),
        fee: Money(dec(fee)),
        liquidity: Liquidity::Taker,
        ts: Timestamp(1_700_000_000_000_000_000),
    }
}

/// The books of `strategy` after `fills` fills: long BTC, short ETH,
/// marked, with realised PnL once `fills >= 3`.
pub fn account(strategy_name: &str, fills: u64) -> AccountSnapshot {
    let mut p = Portfolio::new(Money(dec("100000")));
    let all = [
        fill(1, btc(), Side::Buy, "0.5", "65000.10", "3.2500050"),
        fill(2, eth(), Side::Sell, "7.25", "3400.33", "2.4652392"),
        fill(3, btc(), Side::Sell, "0.2", "65500", "1.31"),
    ];
    for f in all.iter().take(fills as usize) {
        p.apply(f).unwrap();
    }
    p.mark(&btc(), Price(dec("65123.45")));
    p.mark(&eth(), Price(dec("3390.01")));
    AccountSnapshot::of_portfolio(
        strategy(strategy_name),
        fills,
        Timestamp(1_700_000_000_000_000_000 + fills as i64),
        &p,
    )
}

pub fn risk() -> RiskRecord {
    RiskRecord {
        state: RiskState::Reducing,
        peak_equity: Some(Money(dec("100250.75"))),
        daily_pnl: Some(Money(dec("-1234.5"))),
        transitions: vec![Transition {
            ts: Timestamp(1_700_000_000_000_000_000),
            from: RiskState::Active,
            to: RiskState::Reducing,
            reason: Trigger::DailyLoss,
        }],
        as_of: Timestamp(1_700_000_000_000_000_001),
    }
}

pub fn snapshot(component: &str, sequence: u64) -> ComponentSnapshot {
    ComponentSnapshot {
        component: ComponentName::new(component).unwrap(),
        sequence,
        taken_at: Timestamp(42),
        bytes: (0..=255u8).chain([0, 0, 255]).collect(),
    }
}

pub fn kill() -> KillSwitch {
    KillSwitch::engaged("operator: exchange incident", Timestamp(7))
}
