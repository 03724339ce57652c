//! Checkpoints for crash recovery of distributed mode: for the risk
//! manager, the paper broker and the portfolio, "run k steps, snapshot,
//! JSON round trip, restore into a fresh object, run the rest" must give
//! the same outputs as an uninterrupted run, at every k; corrupt snapshots
//! are refused with the intended error.
//!
//! Outputs are compared as their `Debug` text, which shows a decimal's
//! scale and sign (`1.50` is not `1.5`), together with the JSON encoding
//! of the full state after every step. Each scenario is also checked to
//! be sensitive to every part of its state: restoring a snapshot with one
//! part altered must change some later output, so the comparison cannot
//! pass by comparing nothing.

use hft_trading::domain::{InstrumentId, Money, OrderId, Price, Quantity, Side, Timestamp};
use hft_trading::execution::Fill;
use hft_trading::execution::{
    Exchange, Liquidity, Order, OrderKind, PaperBroker, PaperBrokerState, PaperConfig, PaperConfigError,
    PaperRestoreError, WorkingOrderState,
};
use hft_trading::market::{Bar, MarketEvent, Trade};
use hft_trading::portfolio::{MarkState, Mismatch, Portfolio, PortfolioRestoreError, PortfolioState, PositionState};
use hft_trading::risk::{
    CheckContext, RejectReason, RiskLimits, RiskManager, RiskManagerState, RiskModeState, RiskRestoreError, RiskState,
    SymbolLimits, Transition, Trigger,
};
use rust_decimal::Decimal;
use rust_decimal_macros::dec;
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::fmt::Debug;

const SEC: i64 = 1_000_000_000;
const DAY: i64 = 86_400 * SEC;

fn btc() -> InstrumentId {
    InstrumentId::new("BINANCE", "BTCUSDT")
}

fn eth() -> InstrumentId {
    InstrumentId::new("BINANCE", "ETHUSDT")
}

fn sol() -> InstrumentId {
    InstrumentId::new("BINANCE", "SOLUSDT")
}

fn json<S: Serialize>(s: &S) -> String {
    serde_json::to_string(s).expect("snapshots encode")
}

// ---------------------------------------------------------------------------
// The harness: one scenario, cut at every step.

/// Something with a checkpoint that a scenario drives step by step.
trait Driven: Sized {
    type Step: Debug;
    type State: Serialize + DeserializeOwned + Debug;
    /// Apply one step; the step's result and everything observable after
    /// it, as text.
    fn step(&mut self, step: &Self::Step) -> String;
    fn snapshot(&self) -> Self::State;
}

/// The uninterrupted run: the output of every step, and the JSON snapshot
/// before the first step and after each one.
fn uninterrupted<T: Driven>(mut object: T, steps: &[T::Step]) -> (Vec<String>, Vec<String>) {
    let mut snapshots = vec![json(&object.snapshot())];
    let mut outputs = Vec::new();
    for s in steps {
        outputs.push(object.step(s));
        snapshots.push(json(&object.snapshot()));
    }
    (outputs, snapshots)
}

/// Cut the run at every step k: a fresh object runs the first k steps and
/// is snapshotted; the snapshot goes through JSON into another fresh object
/// that runs the rest. Everything must match the uninterrupted run.
fn continues_exactly_at_every_cut<T: Driven>(
    fresh: impl Fn() -> T,
    restore: impl Fn(T::State) -> T,
    steps: &[T::Step],
) -> (Vec<String>, Vec<String>) {
    let (outputs, snapshots) = uninterrupted(fresh(), steps);
    for k in 0..=steps.len() {
        let mut before = fresh();
        for s in &steps[..k] {
            before.step(s);
        }
        let encoded = json(&before.snapshot());
        assert_eq!(encoded, snapshots[k], "the snapshot after {k} steps depends on the instance");
        let decoded: T::State = serde_json::from_str(&encoded).expect("snapshots decode");
        let mut after = restore(decoded);
        assert_eq!(json(&after.snapshot()), encoded, "restoring then snapshotting after {k} steps changed the state");
        for (i, s) in steps.iter().enumerate().skip(k) {
            assert_eq!(after.step(s), outputs[i], "cut after {k} steps: step {i} ({s:?}) differs");
            assert_eq!(json(&after.snapshot()), snapshots[i + 1], "cut after {k} steps: state after step {i} differs");
        }
    }
    (outputs, snapshots)
}

/// Whether restoring some snapshot of the run with `mutate` applied (when it
/// applies and the result is accepted) changes a later output.
fn mutation_is_noticed<T: Driven, E>(
    steps: &[T::Step],
    outputs: &[String],
    snapshots: &[String],
    restore: impl Fn(T::State) -> Result<T, E>,
    mutate: impl Fn(&mut T::State) -> bool,
) -> bool {
    (0..steps.len()).any(|k| {
        let mut state: T::State = serde_json::from_str(&snapshots[k]).unwrap();
        if !mutate(&mut state) {
            return false;
        }
        let Ok(mut object) = restore(state) else { return false };
        steps.iter().enumerate().skip(k).any(|(i, s)| object.step(s) != outputs[i])
    })
}

// ---------------------------------------------------------------------------
// Risk manager.

#[derive(Debug, Clone)]
enum RiskStep {
    Equity(i64, Decimal),
    Check(Order, CheckContext),
    Kill(i64),
    Resume(i64),
    Reset(i64),
    /// Positions to flatten, event time, first id.
    Flatten(Vec<(InstrumentId, Decimal)>, i64, u64),
}

impl Driven for RiskManager {
    type Step = RiskStep;
    type State = RiskManagerState;

    fn step(&mut self, step: &RiskStep) -> String {
        let result = match step {
            RiskStep::Equity(ts, eq) => format!("{:?}", self.on_equity(Timestamp(*ts), Money(*eq))),
            RiskStep::Check(o, c) => format!("{:?}", self.check(o, c)),
            RiskStep::Kill(ts) => format!("{:?}", self.kill(Timestamp(*ts))),
            RiskStep::Resume(ts) => format!("{:?}", self.resume(Timestamp(*ts))),
            RiskStep::Reset(ts) => format!("{:?}", self.reset(Timestamp(*ts))),
            RiskStep::Flatten(positions, ts, first) => {
                let mut next = *first;
                let orders = self.flatten_orders(
                    positions.iter().map(|(i, q)| (i.clone(), Quantity(*q))),
                    Timestamp(*ts),
                    || {
                        next += 1;
                        OrderId(next - 1)
                    },
                );
                format!("{orders:?}")
            }
        };
        format!(
            "{result} | {:?} | {:?} | {:?} | {:?} | {:?} | {:?}",
            self.state(),
            self.transitions(),
            self.rejections(),
            self.peak_equity(),
            self.drawdown(),
            self.daily_pnl()
        )
    }

    fn snapshot(&self) -> RiskManagerState {
        self.state_snapshot()
    }
}

fn risk_limits() -> RiskLimits {
    RiskLimits {
        default_limits: SymbolLimits { max_position: Quantity(dec!(5)), max_notional: Money(dec!(10000)) },
        max_orders_per_second: 3,
        max_drawdown: dec!(0.2),
        reduce_at: dec!(0.5),
        daily_loss_limit: Money(dec!(500)),
        flatten_on_halt: true,
        ..RiskLimits::default()
    }
}

fn order(id: u64, instrument: InstrumentId, side: Side, qty: Decimal, kind: OrderKind, created: i64) -> Order {
    Order { id: OrderId(id), instrument, side, qty: Quantity(qty), kind, created: Timestamp(created) }
}

fn check(id: u64, side: Side, qty: Decimal, created: i64, position: Decimal) -> RiskStep {
    RiskStep::Check(
        order(id, btc(), side, qty, OrderKind::Market, created),
        CheckContext { position: Quantity(position), mark: Some(Price(dec!(100))), equity: Money(dec!(10000)) },
    )
}

/// Late on day 0, across two UTC midnights, through the rate limit, a
/// daily-loss REDUCING lifted by a new day, a drawdown REDUCING that is
/// not, flatten orders, the kill switch, resume, reset and a drawdown halt.
fn risk_steps() -> Vec<RiskStep> {
    let t0 = DAY - 10 * SEC;
    let t2 = 2 * DAY;
    let t3 = 3 * DAY;
    vec![
        RiskStep::Equity(t0, dec!(10000.00)),
        check(1, Side::Buy, dec!(1), t0 + SEC, dec!(0)),
        check(2, Side::Buy, dec!(1), t0 + SEC + SEC / 5, dec!(1)),
        check(3, Side::Buy, dec!(1), t0 + SEC + SEC / 2, dec!(2)),
        // Three in the last second: refused.
        check(4, Side::Buy, dec!(1), t0 + SEC + 9 * SEC / 10, dec!(3)),
        // The first has left the window.
        check(5, Side::Buy, dec!(1), t0 + 2 * SEC + SEC / 10, dec!(3)),
        check(6, Side::Buy, dec!(3), t0 + 3 * SEC, dec!(4)),
        check(7, Side::Buy, dec!(0), t0 + 3 * SEC, dec!(4)),
        RiskStep::Check(
            order(8, btc(), Side::Buy, dec!(1), OrderKind::Market, t0 + 3 * SEC),
            CheckContext { position: Quantity(dec!(4)), mark: None, equity: Money(dec!(10000)) },
        ),
        // Daily loss 550 >= 500, drawdown 5.5 %: REDUCING by the daily loss.
        RiskStep::Equity(t0 + 4 * SEC, dec!(9450.00)),
        check(9, Side::Buy, dec!(1), t0 + 5 * SEC, dec!(4)),
        check(10, Side::Sell, dec!(1), t0 + 5 * SEC, dec!(4)),
        // New UTC day: lifted; the day opens at 9450.
        RiskStep::Equity(DAY + SEC, dec!(9450.00)),
        // Drawdown 11 %: REDUCING by drawdown (the daily loss of 550 too).
        RiskStep::Equity(DAY + 2 * SEC, dec!(8900.00)),
        // New day: a drawdown REDUCING stays.
        RiskStep::Equity(t2 + SEC, dec!(8950.00)),
        check(11, Side::Sell, dec!(1), t2 + 2 * SEC, dec!(3)),
        RiskStep::Flatten(vec![(btc(), dec!(2)), (eth(), dec!(-1)), (sol(), dec!(0))], t2 + 3 * SEC, 100),
        RiskStep::Kill(t2 + 4 * SEC),
        // The flatten order passes the halt (no mark needed), nothing else.
        RiskStep::Check(
            order(100, btc(), Side::Sell, dec!(2), OrderKind::Market, t2 + 3 * SEC),
            CheckContext { position: Quantity(dec!(2)), mark: None, equity: Money(dec!(10000)) },
        ),
        check(12, Side::Sell, dec!(1), t2 + 4 * SEC, dec!(2)),
        RiskStep::Equity(t2 + 5 * SEC, dec!(9000.00)),
        RiskStep::Resume(t2 + 6 * SEC),
        RiskStep::Equity(t2 + 7 * SEC, dec!(8950.00)),
        RiskStep::Reset(t2 + 8 * SEC),
        RiskStep::Equity(t2 + 9 * SEC, dec!(9000.00)),
        check(13, Side::Buy, dec!(0.5), t2 + 10 * SEC, dec!(0)),
        check(14, Side::Buy, dec!(0.5), t2 + 10 * SEC, dec!(0.5)),
        check(15, Side::Buy, dec!(0.5), t2 + 10 * SEC, dec!(1)),
        check(16, Side::Buy, dec!(0.5), t2 + 10 * SEC, dec!(1.5)),
        // Day opened at the reset (8950): loss 510, REDUCING by the daily loss.
        RiskStep::Equity(t2 + 11 * SEC, dec!(8440.00)),
        RiskStep::Equity(t3, dec!(8440.00)),
        // 22 % below the 9000 peak.
        RiskStep::Equity(t3 + SEC, dec!(7000.00)),
        check(17, Side::Sell, dec!(1), t3 + 2 * SEC, dec!(1)),
    ]
}

fn risk_restore(s: RiskManagerState) -> Result<RiskManager, RiskRestoreError> {
    RiskManager::from_snapshot(risk_limits(), s)
}

#[test]
fn risk_manager_continues_exactly_from_a_snapshot_at_every_step() {
    let steps = risk_steps();
    let fresh = || RiskManager::new(risk_limits()).unwrap();
    continues_exactly_at_every_cut(fresh, |s| risk_restore(s).expect("a live snapshot restores"), &steps);

    // The scenario does what it claims.
    let mut m = fresh();
    for s in &steps {
        m.step(s);
    }
    let log: Vec<(RiskState, Trigger)> = m.transitions().iter().map(|t| (t.to, t.reason)).collect();
    assert_eq!(
        log,
        [
            (RiskState::Reducing, Trigger::DailyLoss),
            (RiskState::Active, Trigger::NewDay),
            (RiskState::Reducing, Trigger::DrawdownReduce),
            (RiskState::Halted, Trigger::Kill),
            (RiskState::Active, Trigger::Resume),
            (RiskState::Reducing, Trigger::DrawdownReduce),
            (RiskState::Active, Trigger::Resume),
            (RiskState::Reducing, Trigger::DailyLoss),
            (RiskState::Active, Trigger::NewDay),
            (RiskState::Halted, Trigger::DrawdownHalt),
        ]
    );
    let counts = m.rejections();
    assert_eq!(counts[&RejectReason::RateLimit], 2);
    assert_eq!(counts[&RejectReason::Halted], 2);
    assert_eq!(counts[&RejectReason::ReduceOnly], 1);
    assert_eq!(counts[&RejectReason::PositionLimit], 1);
    assert_eq!(counts[&RejectReason::InvalidOrder], 1);
    assert_eq!(counts[&RejectReason::CannotEvaluate], 1);
}

#[test]
fn every_part_of_the_risk_snapshot_changes_what_follows() {
    let steps = risk_steps();
    let (outputs, snapshots) = uninterrupted(RiskManager::new(risk_limits()).unwrap(), &steps);
    type M = fn(&mut RiskManagerState) -> bool;
    let mutations: [(&str, M); 9] = [
        ("rate window emptied", |s| !std::mem::take(&mut s.rate_window).is_empty()),
        ("flatten ids forgotten", |s| !std::mem::take(&mut s.flatten_ids).is_empty()),
        ("reduction cause flipped", |s| match &mut s.mode {
            RiskModeState::Reducing { by_drawdown } => {
                *by_drawdown = !*by_drawdown;
                true
            }
            _ => false,
        }),
        ("peak lowered to the last equity", |s| match (s.peak, s.last_equity) {
            (Some(p), Some(e)) if p != e => {
                s.peak = Some(e);
                true
            }
            _ => false,
        }),
        ("day moved back", |s| s.day.as_mut().map(|d| *d -= 1).is_some()),
        ("day open moved", |s| {
            s.day_open += Money(dec!(1));
            s.day.is_some()
        }),
        ("last equity moved", |s| s.last_equity.as_mut().map(|e| *e -= Money(dec!(1))).is_some()),
        ("a counter moved", |s| {
            *s.rejections.get_mut(&RejectReason::Halted).unwrap() += 1;
            true
        }),
        ("log dropped while active", |s| {
            let applies = s.mode == RiskModeState::Active && !s.transitions.is_empty();
            s.transitions.clear();
            applies
        }),
    ];
    for (name, mutate) in mutations {
        assert!(
            mutation_is_noticed(&steps, &outputs, &snapshots, risk_restore, mutate),
            "the scenario cannot tell a snapshot with the {name} from the real one"
        );
    }
}

#[test]
fn a_rate_window_out_of_time_order_round_trips_as_it_is() {
    // Orders checked with `created` going backwards leave the window out of
    // time order in a live manager; its checkpoint must still continue.
    let steps = vec![
        RiskStep::Equity(0, dec!(10000)),
        check(1, Side::Buy, dec!(0.1), 5 * SEC, dec!(0)),
        check(2, Side::Buy, dec!(0.1), 3 * SEC, dec!(0)),
        check(3, Side::Buy, dec!(0.1), 5 * SEC + SEC / 2, dec!(0)),
        check(4, Side::Buy, dec!(0.1), 5 * SEC + SEC / 2, dec!(0)),
        check(5, Side::Buy, dec!(0.1), 6 * SEC + SEC / 10, dec!(0)),
        check(6, Side::Buy, dec!(0.1), 6 * SEC + SEC / 10, dec!(0)),
    ];
    let (outputs, snapshots) = continues_exactly_at_every_cut(
        || RiskManager::new(risk_limits()).unwrap(),
        |s| risk_restore(s).expect("a live snapshot restores"),
        &steps,
    );
    let after_two: RiskManagerState = serde_json::from_str(&snapshots[3]).unwrap();
    assert_eq!(after_two.rate_window, [Timestamp(5 * SEC), Timestamp(3 * SEC)]);
    assert!(outputs[4].starts_with("Err"), "the stale entry behind a newer one still counts: {}", outputs[4]);
}

#[test]
fn equal_risk_states_encode_to_equal_bytes() {
    let build = || {
        let mut m = RiskManager::new(risk_limits()).unwrap();
        let positions: Vec<(InstrumentId, Quantity)> =
            (0..64).map(|i| (InstrumentId::new("V", &format!("S{i}")), Quantity(dec!(1)))).collect();
        let mut next = 1_000;
        m.flatten_orders(positions, Timestamp(1), || {
            next += 7;
            OrderId(next % 1_009)
        });
        json(&m.state_snapshot())
    };
    assert_eq!(build(), build());
    let s: RiskManagerState = serde_json::from_str(&build()).unwrap();
    assert!(s.flatten_ids.windows(2).all(|w| w[0] < w[1]));
}

/// A snapshot with every field in use: the end of the scenario, halted.
fn rich_risk_state() -> RiskManagerState {
    let mut m = RiskManager::new(risk_limits()).unwrap();
    for s in &risk_steps()[..20] {
        m.step(s);
    }
    let s = m.state_snapshot();
    assert_eq!(s.mode, RiskModeState::Halted);
    assert!(!s.rate_window.is_empty() && !s.flatten_ids.is_empty() && s.transitions.len() == 4);
    s
}

fn transition(ts: i64, from: RiskState, to: RiskState, reason: Trigger) -> Transition {
    Transition { ts: Timestamp(ts), from, to, reason }
}

#[test]
fn corrupt_risk_snapshots_are_refused() {
    let good = rich_risk_state();
    assert!(risk_restore(good.clone()).is_ok());
    let refused = |f: &dyn Fn(&mut RiskManagerState)| {
        let mut s = good.clone();
        f(&mut s);
        risk_restore(s).err()
    };

    assert_eq!(
        refused(&|s| s.version = 2),
        Some(RiskRestoreError::UnsupportedVersion { found: 2, supported: RiskManagerState::VERSION })
    );
    let bad_limits = RiskLimits { max_orders_per_second: 0, ..risk_limits() };
    match RiskManager::from_snapshot(bad_limits, good.clone()) {
        Err(RiskRestoreError::Limits(e)) => assert_eq!(e.problems.len(), 1),
        other => panic!("expected invalid limits, got {other:?}"),
    }
    assert_eq!(
        refused(&|s| {
            s.rejections.remove(&RejectReason::RateLimit);
        }),
        Some(RiskRestoreError::MissingRejectReason(RejectReason::RateLimit))
    );
    // The log must follow the table from ACTIVE.
    assert!(matches!(
        refused(&|s| s.transitions[0].from = RiskState::Reducing),
        Some(RiskRestoreError::ImpossibleTransition { index: 0, .. })
    ));
    assert!(matches!(
        refused(&|s| {
            s.transitions.remove(1);
        }),
        Some(RiskRestoreError::ImpossibleTransition { index: 1, .. })
    ));
    assert!(matches!(
        refused(&|s| s.transitions[3].reason = Trigger::NewDay),
        Some(RiskRestoreError::ImpossibleTransition { index: 3, .. })
    ));
    // A REDUCING caused by drawdown cannot be lifted by a new day.
    let e = refused(&|s| {
        s.transitions = vec![
            transition(1, RiskState::Active, RiskState::Reducing, Trigger::DrawdownReduce),
            transition(DAY, RiskState::Reducing, RiskState::Active, Trigger::NewDay),
        ];
        s.mode = RiskModeState::Active;
    });
    assert_eq!(
        e,
        Some(RiskRestoreError::ImpossibleTransition {
            index: 1,
            transition: transition(DAY, RiskState::Reducing, RiskState::Active, Trigger::NewDay)
        })
    );
    assert!(e.unwrap().to_string().contains("transition 1 (reducing -> active on new_day)"));
    // The mode must be where the log leads, sub-state included.
    assert_eq!(
        refused(&|s| s.mode = RiskModeState::Active),
        Some(RiskRestoreError::ModeNotReachable { mode: RiskModeState::Active })
    );
    assert_eq!(
        refused(&|s| {
            s.transitions.clear();
            s.mode = RiskModeState::Halted;
        }),
        Some(RiskRestoreError::ModeNotReachable { mode: RiskModeState::Halted })
    );
    let by_loss = RiskModeState::Reducing { by_drawdown: false };
    assert_eq!(
        refused(&|s| {
            s.transitions.truncate(3);
            s.mode = by_loss;
        }),
        Some(RiskRestoreError::ModeNotReachable { mode: by_loss })
    );
    assert!(
        refused(&|s| {
            s.transitions.truncate(3);
            s.mode = RiskModeState::Reducing { by_drawdown: true };
        })
        .is_none()
    );
    assert_eq!(
        refused(&|s| s.flatten_ids = vec![OrderId(5), OrderId(3)]),
        Some(RiskRestoreError::FlattenIdsNotAscending { previous: OrderId(5), next: OrderId(3) })
    );
    assert_eq!(
        refused(&|s| s.flatten_ids = vec![OrderId(3), OrderId(3)]),
        Some(RiskRestoreError::FlattenIdsNotAscending { previous: OrderId(3), next: OrderId(3) })
    );
    assert_eq!(refused(&|s| s.peak = None), Some(RiskRestoreError::IncompleteEquity));
    assert_eq!(refused(&|s| s.day = None), Some(RiskRestoreError::IncompleteEquity));
    assert_eq!(
        refused(&|s| {
            s.peak = None;
            s.day = None;
            s.last_equity = None;
        }),
        Some(RiskRestoreError::IncompleteEquity)
    );
    assert_eq!(
        refused(&|s| s.peak = Some(Money(dec!(8949.99)))),
        Some(RiskRestoreError::PeakBelowEquity { peak: Money(dec!(8949.99)), last_equity: Money(dec!(8950.00)) })
    );
}

#[test]
fn risk_snapshots_with_unknown_names_do_not_decode() {
    let text = json(&rich_risk_state());
    assert!(text.contains("\"rate_limit\":"), "{text}");
    let unknown_reason = text.replace("\"rate_limit\":", "\"too_fast\":");
    let e = serde_json::from_str::<RiskManagerState>(&unknown_reason).unwrap_err();
    assert!(e.to_string().contains("unknown variant `too_fast`"), "{e}");
    let unknown_field = text.replacen('{', "{\"limits\":null,", 1);
    let e = serde_json::from_str::<RiskManagerState>(&unknown_field).unwrap_err();
    assert!(e.to_string().contains("unknown field `limits`"), "{e}");
    let unknown_mode = text.replace("\"state\":\"halted\"", "\"state\":\"paused\"");
    assert_ne!(unknown_mode, text);
    assert!(serde_json::from_str::<RiskManagerState>(&unknown_mode).is_err());
}

// ---------------------------------------------------------------------------
// Paper broker.

#[derive(Debug, Clone)]
enum BrokerStep {
    Submit(Order),
    Cancel(u64),
    Market(MarketEvent),
}

impl Driven for PaperBroker {
    type Step = BrokerStep;
    type State = PaperBrokerState;

    fn step(&mut self, step: &BrokerStep) -> String {
        let result = match step {
            BrokerStep::Submit(o) => format!("{:?}", self.submit(o.clone())),
            BrokerStep::Cancel(id) => format!("{:?}", self.cancel(OrderId(*id))),
            BrokerStep::Market(e) => {
                let mut fills = Vec::new();
                self.on_market(e, &mut fills);
                format!("{fills:?}")
            }
        };
        format!("{result} | {:?}", self.open_orders())
    }

    fn snapshot(&self) -> PaperBrokerState {
        self.state_snapshot()
    }
}

fn paper_config() -> PaperConfig {
    PaperConfig { taker_fee_bps: dec!(7.5), maker_fee_bps: dec!(-2.5), slippage_bps: dec!(1.5), latency_ns: 50 }
}

fn trade(instrument: InstrumentId, ts: i64, price: Decimal) -> BrokerStep {
    BrokerStep::Market(MarketEvent::Trade(Trade {
        instrument,
        ts: Timestamp(ts),
        price: Price(price),
        size: Quantity(dec!(0.25)),
    }))
}

fn submit(id: u64, instrument: InstrumentId, side: Side, qty: Decimal, kind: OrderKind, created: i64) -> BrokerStep {
    BrokerStep::Submit(order(id, instrument, side, qty, kind, created))
}

fn limit(p: Decimal) -> OrderKind {
    OrderKind::Limit(Price(p))
}

/// Market and limit orders with 50 ns latency: orders waiting to go live,
/// resting, filling as taker or maker, several in one event, cancels,
/// duplicate and invalid submissions, two instruments.
fn broker_steps() -> Vec<BrokerStep> {
    vec![
        submit(1, btc(), Side::Buy, dec!(0.5), OrderKind::Market, 1000),
        submit(2, btc(), Side::Sell, dec!(2), limit(dec!(105.00)), 1000),
        submit(3, btc(), Side::Buy, dec!(1), limit(dec!(95)), 1000),
        // The causing tick, then a tick before the orders are live.
        trade(btc(), 1000, dec!(100)),
        trade(btc(), 1020, dec!(100)),
        trade(eth(), 1060, dec!(2000)),
        // Live: the market order fills, both limits rest.
        trade(btc(), 1050, dec!(101.10)),
        submit(4, btc(), Side::Buy, dec!(1), limit(dec!(102)), 1050),
        submit(1, btc(), Side::Buy, dec!(9), OrderKind::Market, 1050),
        submit(5, btc(), Side::Buy, dec!(0), OrderKind::Market, 1050),
        // The rested sell fills at its limit as a maker.
        trade(btc(), 1080, dec!(106)),
        submit(6, eth(), Side::Sell, dec!(1), OrderKind::Market, 1080),
        // One bar fills two orders, in submission order: 3 (rested, maker at
        // 95) and 4 (fresh and through the market, taker at the open).
        BrokerStep::Market(MarketEvent::Bar(Bar {
            instrument: btc(),
            ts: Timestamp(1200),
            open_ts: Timestamp(1140),
            open: Price(dec!(101)),
            high: Price(dec!(103)),
            low: Price(dec!(94)),
            close: Price(dec!(100)),
            volume: Quantity(dec!(10)),
        })),
        submit(7, btc(), Side::Sell, dec!(1), limit(dec!(110)), 1200),
        submit(8, btc(), Side::Sell, dec!(1), limit(dec!(108)), 1200),
        BrokerStep::Cancel(7),
        BrokerStep::Cancel(999),
        // Filled and cancelled ids stay seen.
        submit(2, btc(), Side::Sell, dec!(2), limit(dec!(105)), 1210),
        submit(7, btc(), Side::Sell, dec!(1), limit(dec!(110)), 1210),
        trade(eth(), 1300, dec!(1990.5)),
        trade(btc(), 1300, dec!(109)),
        submit(9, btc(), Side::Buy, dec!(2), limit(dec!(99)), 1300),
        submit(10, btc(), Side::Sell, dec!(1), OrderKind::Market, 1300),
        trade(btc(), 1300, dec!(98)),
        trade(btc(), 1310, dec!(100)),
        trade(btc(), 1400, dec!(98.5)),
    ]
}

fn broker_restore(s: PaperBrokerState) -> Result<PaperBroker, PaperRestoreError> {
    PaperBroker::from_snapshot(paper_config(), s)
}

#[test]
fn paper_broker_continues_exactly_from_a_snapshot_at_every_step() {
    let steps = broker_steps();
    let fresh = || PaperBroker::new(paper_config()).unwrap();
    let (_, snapshots) =
        continues_exactly_at_every_cut(fresh, |s| broker_restore(s).expect("a live snapshot restores"), &steps);

    // The scenario does what it claims: every fill, and cuts with orders open.
    let mut b = fresh();
    let mut fills: Vec<Fill> = Vec::new();
    for s in &steps {
        if let BrokerStep::Market(e) = s {
            b.on_market(e, &mut fills);
        } else {
            b.step(s);
        }
    }
    let summary: Vec<(u64, Decimal, Liquidity)> =
        fills.iter().map(|f| (f.order_id.0, f.price.0, f.liquidity)).collect();
    assert_eq!(
        summary,
        [
            (1, dec!(101.1151650), Liquidity::Taker),
            (2, dec!(105.00), Liquidity::Maker),
            (3, dec!(95), Liquidity::Maker),
            (4, dec!(101), Liquidity::Taker),
            (6, dec!(1990.2014250), Liquidity::Taker),
            (8, dec!(109), Liquidity::Taker),
            (9, dec!(98.5), Liquidity::Taker),
            (10, dec!(98.4852250), Liquidity::Taker),
        ]
    );
    assert!(b.open_orders().is_empty());
    let open_at: Vec<usize> =
        snapshots.iter().map(|s| serde_json::from_str::<PaperBrokerState>(s).unwrap().book.len()).collect();
    assert!(open_at.iter().filter(|n| **n >= 2).count() >= 10, "{open_at:?}");
    let rested = snapshots.iter().any(|s| {
        let s: PaperBrokerState = serde_json::from_str(s).unwrap();
        s.book.iter().any(|w| w.rested) && s.book.iter().any(|w| !w.rested)
    });
    assert!(rested, "some cut must hold both rested and fresh orders");
}

#[test]
fn every_part_of_the_broker_snapshot_changes_what_follows() {
    let steps = broker_steps();
    let (outputs, snapshots) = uninterrupted(PaperBroker::new(paper_config()).unwrap(), &steps);
    type M = fn(&mut PaperBrokerState) -> bool;
    let mutations: [(&str, M); 5] = [
        ("rested flags flipped", |s| {
            s.book.iter_mut().for_each(|w| w.rested = !w.rested);
            !s.book.is_empty()
        }),
        ("live times moved", |s| {
            s.book.iter_mut().for_each(|w| w.live_at = w.live_at.plus_nanos(100));
            !s.book.is_empty()
        }),
        ("book reversed", |s| {
            s.book.reverse();
            s.book.len() >= 2
        }),
        ("closed ids forgotten", |s| {
            let before = s.seen.len();
            let open: Vec<OrderId> = s.book.iter().map(|w| w.order.id).collect();
            s.seen.retain(|id| open.contains(id));
            s.seen.len() != before
        }),
        ("an open order's quantity changed", |s| {
            s.book.iter_mut().for_each(|w| w.order.qty = Quantity(w.order.qty.0 + dec!(0.1)));
            !s.book.is_empty()
        }),
    ];
    for (name, mutate) in mutations {
        assert!(
            mutation_is_noticed(&steps, &outputs, &snapshots, broker_restore, mutate),
            "the scenario cannot tell a snapshot with the {name} from the real one"
        );
    }
}

#[test]
fn equal_broker_states_encode_to_equal_bytes() {
    let build = || {
        let mut b = PaperBroker::new(paper_config()).unwrap();
        for i in 0..64u64 {
            b.submit(order((i * 37) % 101, btc(), Side::Buy, dec!(1), limit(dec!(1)), 5)).unwrap();
        }
        json(&b.state_snapshot())
    };
    assert_eq!(build(), build());
}

fn working(id: u64, qty: Decimal, kind: OrderKind, created: i64, live_at: i64) -> WorkingOrderState {
    WorkingOrderState {
        order: order(id, btc(), Side::Buy, qty, kind, created),
        live_at: Timestamp(live_at),
        rested: false,
    }
}

#[test]
fn corrupt_broker_snapshots_are_refused() {
    let good = PaperBrokerState {
        version: PaperBrokerState::VERSION,
        book: vec![working(3, dec!(1), limit(dec!(95)), 10, 60), working(1, dec!(2), OrderKind::Market, 10, 60)],
        seen: vec![OrderId(1), OrderId(2), OrderId(3)],
    };
    let restored = broker_restore(good.clone()).unwrap();
    assert_eq!(restored.state_snapshot(), good);
    assert_eq!(restored.open_orders().iter().map(|o| o.id.0).collect::<Vec<_>>(), [3, 1]);
    let refused = |f: &dyn Fn(&mut PaperBrokerState)| {
        let mut s = good.clone();
        f(&mut s);
        broker_restore(s).err()
    };

    assert_eq!(
        refused(&|s| s.version = 0),
        Some(PaperRestoreError::UnsupportedVersion { found: 0, supported: PaperBrokerState::VERSION })
    );
    assert_eq!(
        PaperBroker::from_snapshot(PaperConfig { latency_ns: -1, ..paper_config() }, good.clone()).err(),
        Some(PaperRestoreError::Config(PaperConfigError::NegativeLatency(-1)))
    );
    assert_eq!(
        refused(&|s| s.book.push(working(3, dec!(1), OrderKind::Market, 10, 60))),
        Some(PaperRestoreError::DuplicateOpenOrder(OrderId(3)))
    );
    assert_eq!(refused(&|s| s.seen.retain(|id| id.0 != 1)), Some(PaperRestoreError::OpenOrderNotSeen(OrderId(1))));
    assert!(matches!(
        refused(&|s| s.book[1].order.qty = Quantity(dec!(0))),
        Some(PaperRestoreError::InvalidOpenOrder { id: OrderId(1), .. })
    ));
    assert!(matches!(
        refused(&|s| s.book[1].order.qty = Quantity(dec!(-2))),
        Some(PaperRestoreError::InvalidOpenOrder { id: OrderId(1), .. })
    ));
    assert!(matches!(
        refused(&|s| s.book[0].order.kind = limit(dec!(0))),
        Some(PaperRestoreError::InvalidOpenOrder { id: OrderId(3), .. })
    ));
    assert_eq!(
        refused(&|s| s.book[0].live_at = Timestamp(9)),
        Some(PaperRestoreError::LiveBeforeCreated { id: OrderId(3), created: Timestamp(10), live_at: Timestamp(9) })
    );
    assert_eq!(
        refused(&|s| s.seen.swap(0, 1)),
        Some(PaperRestoreError::SeenNotAscending { previous: OrderId(2), next: OrderId(1) })
    );
    assert_eq!(
        refused(&|s| s.seen.insert(1, OrderId(1))),
        Some(PaperRestoreError::SeenNotAscending { previous: OrderId(1), next: OrderId(1) })
    );
    let text = json(&good).replacen('{', "{\"config\":{},", 1);
    let e = serde_json::from_str::<PaperBrokerState>(&text).unwrap_err();
    assert!(e.to_string().contains("unknown field `config`"), "{e}");
}

// ---------------------------------------------------------------------------
// Portfolio.

#[derive(Debug, Clone)]
enum BookStep {
    Apply(Fill),
    Mark(InstrumentId, Decimal),
}

impl Driven for Portfolio {
    type Step = BookStep;
    type State = PortfolioState;

    fn step(&mut self, step: &BookStep) -> String {
        let result = match step {
            BookStep::Apply(f) => format!("{:?}", self.apply(f)),
            BookStep::Mark(i, p) => format!("{:?}", self.mark(i, Price(*p))),
        };
        let positions: Vec<_> = self
            .positions()
            .map(|(i, p)| (i.clone(), p.qty(), p.cost_basis(), p.avg_price(), p.realised(), p.fees()))
            .collect();
        let marks: Vec<_> = [btc(), eth(), sol()].iter().map(|i| self.last_price(i)).collect();
        format!(
            "{result} | {:?} {:?} {:?} {:?} {:?} {:?} {:?} {positions:?} {marks:?} {:?}",
            self.initial_cash(),
            self.cash(),
            self.fees(),
            self.realised(),
            self.unrealised(),
            self.equity(),
            self.position_qty(&btc()),
            self.reconcile()
        )
    }

    fn snapshot(&self) -> PortfolioState {
        self.state_snapshot()
    }
}

fn fill(instrument: InstrumentId, side: Side, qty: Decimal, price: Decimal, fee: Decimal) -> BookStep {
    BookStep::Apply(Fill {
        order_id: OrderId(0),
        instrument,
        side,
        qty: Quantity(qty),
        price: Price(price),
        fee: Money(fee),
        liquidity: Liquidity::Taker,
        ts: Timestamp(0),
    })
}

/// Fills that open, add, partly close (with a rounded pro-rata basis),
/// flip and close, fees and rebates with many decimals, marks of traded
/// and untraded instruments, an ignored mark and a refused fill. Each
/// instrument is marked before its first fill, as the pipeline does (it
/// marks an event before booking the fills it caused).
fn book_steps() -> Vec<BookStep> {
    vec![
        BookStep::Mark(sol(), dec!(150.250)),
        BookStep::Mark(btc(), dec!(64100.5)),
        fill(btc(), Side::Buy, dec!(0.003), dec!(64123.45), dec!(0.1442777625)),
        BookStep::Mark(btc(), dec!(64200.00)),
        fill(btc(), Side::Buy, dec!(0.007), dec!(64000.1), dec!(0.336000525)),
        fill(btc(), Side::Sell, dec!(0.003), dec!(65000.5), dec!(-0.04875037500)),
        BookStep::Mark(eth(), dec!(3001)),
        fill(eth(), Side::Sell, dec!(1.5), dec!(3000.25), dec!(3.37528125)),
        BookStep::Mark(eth(), dec!(2990)),
        BookStep::Mark(btc(), dec!(0)),
        fill(btc(), Side::Sell, dec!(0.01), dec!(63999.99), dec!(0.47999992500)),
        fill(btc(), Side::Buy, dec!(0), dec!(64000), dec!(0)),
        BookStep::Mark(btc(), dec!(63950.5)),
        fill(eth(), Side::Buy, dec!(1.5), dec!(2950.75), dec!(0)),
        fill(btc(), Side::Buy, dec!(0.006), dec!(63000), dec!(0.2835)),
        BookStep::Mark(sol(), dec!(151)),
    ]
}

#[test]
fn portfolio_continues_exactly_from_a_snapshot_at_every_step() {
    let steps = book_steps();
    let initial = Money(dec!(10000.00));
    continues_exactly_at_every_cut(
        || Portfolio::new(initial),
        |s| Portfolio::from_snapshot(s).expect("a live snapshot restores"),
        &steps,
    );
    // Beyond the outputs: the restored books equal the originals as values.
    let mut p = Portfolio::new(initial);
    for s in &steps {
        let restored = Portfolio::from_snapshot(serde_json::from_str(&json(&p.state_snapshot())).unwrap()).unwrap();
        assert_eq!(restored, p);
        p.step(s);
    }
    // The scenario does what it claims.
    let btc_position = p.position(&btc()).unwrap();
    assert_eq!(btc_position.qty(), Quantity(dec!(-0.003) + dec!(0.006)));
    assert_eq!(p.position_qty(&eth()), Quantity::ZERO);
    assert_ne!(p.realised(), Money::ZERO);
    assert_eq!(p.last_price(&sol()), Some(Price(dec!(151))));
    p.reconcile().unwrap();
}

#[test]
fn every_part_of_the_portfolio_snapshot_changes_what_follows() {
    let steps = book_steps();
    let (outputs, snapshots) = uninterrupted(Portfolio::new(Money(dec!(10000.00))), &steps);
    type M = fn(&mut PortfolioState) -> bool;
    let mutations: [(&str, M); 3] = [
        ("untraded mark dropped", |s| {
            let before = s.marks.len();
            s.marks.retain(|m| m.instrument != sol());
            s.marks.len() != before
        }),
        ("initial cash and cash moved together", |s| {
            s.initial_cash += Money(dec!(1));
            s.cash += Money(dec!(1));
            true
        }),
        ("realised and fees moved together", |s| match s.positions.first_mut() {
            Some(p) => {
                p.realised += Money(dec!(1));
                p.fees += Money(dec!(1));
                true
            }
            None => false,
        }),
    ];
    for (name, mutate) in mutations {
        assert!(
            mutation_is_noticed(&steps, &outputs, &snapshots, Portfolio::from_snapshot, mutate),
            "the scenario cannot tell a snapshot with the {name} from the real one"
        );
    }
}

#[test]
fn portfolio_snapshots_keep_decimal_scale_in_the_encoding() {
    let mut p = Portfolio::new(Money(dec!(10000.00)));
    for s in &book_steps()[..4] {
        p.step(s);
    }
    let text = json(&p.state_snapshot());
    assert!(text.contains("\"150.250\"") && text.contains("\"10000.00\""), "{text}");
    let back: PortfolioState = serde_json::from_str(&text).unwrap();
    assert_eq!(back.marks.iter().find(|m| m.instrument == sol()).unwrap().price.0.scale(), 3);
}

#[test]
fn corrupt_portfolio_snapshots_are_refused() {
    let position = |instrument: InstrumentId, qty: Decimal, cost: Decimal| PositionState {
        instrument,
        qty: Quantity(qty),
        cost_basis: Money(cost),
        realised: Money::ZERO,
        fees: Money(dec!(1)),
    };
    let mark = |instrument: InstrumentId, price: Decimal| MarkState { instrument, price: Price(price) };
    // Bought 1 BTC at 100 and 2 ETH at 10, 1 fee each.
    let good = PortfolioState {
        version: PortfolioState::VERSION,
        initial_cash: Money(dec!(1000)),
        cash: Money(dec!(878)),
        positions: vec![position(btc(), dec!(1), dec!(100)), position(eth(), dec!(2), dec!(20))],
        marks: vec![mark(btc(), dec!(110)), mark(eth(), dec!(9)), mark(sol(), dec!(5))],
    };
    let p = Portfolio::from_snapshot(good.clone()).unwrap();
    assert_eq!(p.state_snapshot(), good);
    assert_eq!(p.equity(), Ok(Money(dec!(1006))));
    let refused = |f: &dyn Fn(&mut PortfolioState)| {
        let mut s = good.clone();
        f(&mut s);
        Portfolio::from_snapshot(s).err()
    };

    assert_eq!(
        refused(&|s| s.version = 7),
        Some(PortfolioRestoreError::UnsupportedVersion { found: 7, supported: PortfolioState::VERSION })
    );
    assert_eq!(
        refused(&|s| s.positions.swap(0, 1)),
        Some(PortfolioRestoreError::PositionsNotAscending { previous: eth(), next: btc() })
    );
    assert_eq!(
        refused(&|s| s.positions[1].instrument = btc()),
        Some(PortfolioRestoreError::PositionsNotAscending { previous: btc(), next: btc() })
    );
    assert_eq!(
        refused(&|s| s.marks.swap(1, 2)),
        Some(PortfolioRestoreError::MarksNotAscending { previous: sol(), next: eth() })
    );
    assert_eq!(
        refused(&|s| s.marks[2].price = Price(dec!(0))),
        Some(PortfolioRestoreError::InvalidMark { instrument: sol(), price: Price(dec!(0)) })
    );
    match refused(&|s| s.cash = Money(dec!(879))) {
        Some(PortfolioRestoreError::Reconcile(e)) => {
            assert!(matches!(e.mismatches.as_slice(), [Mismatch::Equity { .. }]), "{e}")
        }
        other => panic!("expected a reconcile error, got {other:?}"),
    }
    match refused(&|s| {
        s.marks.remove(1);
    }) {
        Some(PortfolioRestoreError::Reconcile(e)) => assert_eq!(e.mismatches, [Mismatch::NoMark(eth())]),
        other => panic!("expected a reconcile error, got {other:?}"),
    };
    let text = json(&good).replacen('{', "{\"fees\":\"2\",", 1);
    let e = serde_json::from_str::<PortfolioState>(&text).unwrap_err();
    assert!(e.to_string().contains("unknown field `fees`"), "{e}");
}

#[test]
fn an_open_position_never_marked_cannot_be_restored() {
    // `Portfolio::restore` cannot check the equity identity without a mark
    // and refuses; the pipeline never checkpoints such books, since it
    // marks every event before booking the fills it caused.
    let mut p = Portfolio::new(Money(dec!(1000)));
    p.step(&fill(btc(), Side::Buy, dec!(1), dec!(100), dec!(0.1)));
    match Portfolio::from_snapshot(p.state_snapshot()) {
        Err(PortfolioRestoreError::Reconcile(e)) => assert_eq!(e.mismatches, [Mismatch::NoMark(btc())]),
        other => panic!("expected a reconcile error, got {other:?}"),
    }
    p.mark(&btc(), Price(dec!(101)));
    assert_eq!(Portfolio::from_snapshot(p.state_snapshot()).unwrap(), p);
}
