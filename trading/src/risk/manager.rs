use super::config::{RiskConfigError, RiskLimits};
use super::rate::RateWindow;
use super::rejection::{RejectReason, Rejection};
use super::snapshot::{RiskManagerState, RiskRestoreError};
use super::state::{Mode, RiskState, Transition, Trigger};
use crate::domain::{InstrumentId, Money, OrderId, Price, Quantity, Side, Timestamp};
use crate::execution::{Order, OrderKind};
use rust_decimal::Decimal;
use std::collections::{BTreeMap, HashSet};

/// What the manager needs to know about the account to judge one order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CheckContext {
    /// Current signed position in the order's instrument.
    pub position: Quantity,
    /// Current price of the instrument; `None` if there is none yet, and
    /// then the order is refused (fail closed).
    pub mark: Option<Price>,
    /// Current equity of the account; not positive means the account
    /// cannot be evaluated and the order is refused.
    pub equity: Money,
}

/// The pre-trade risk manager: every order passes [`RiskManager::check`]
/// before it reaches a venue, and anything it cannot evaluate is refused.
///
/// Time is event time throughout (order `created`, the `ts` given to
/// [`RiskManager::on_equity`]), so a replay makes the same decisions as the
/// run it replays.
#[derive(Debug, Clone)]
pub struct RiskManager {
    limits: RiskLimits,
    mode: Mode,
    log: Vec<Transition>,
    rate: RateWindow,
    rejections: BTreeMap<RejectReason, u64>,
    /// Ids of the orders `flatten_orders` produced.
    flatten_ids: HashSet<OrderId>,
    peak: Option<Money>,
    day: Option<i64>,
    day_open: Money,
    last_equity: Option<Money>,
}

/// Whether going from `pos` to `post` lowers the absolute position without
/// crossing zero.
fn reduces(pos: Quantity, post: Quantity) -> bool {
    !pos.is_zero()
        && post.abs() < pos.abs()
        && (post.is_zero() || post.0.is_sign_positive() == pos.0.is_sign_positive())
}

impl RiskManager {
    /// A manager in the ACTIVE state, after checking the limits.
    pub fn new(limits: RiskLimits) -> Result<RiskManager, RiskConfigError> {
        limits.validate()?;
        Ok(RiskManager {
            limits,
            mode: Mode::Active,
            log: Vec::new(),
            rate: RateWindow::default(),
            rejections: RejectReason::ALL.iter().map(|r| (*r, 0)).collect(),
            flatten_ids: HashSet::new(),
            peak: None,
            day: None,
            day_open: Money::ZERO,
            last_equity: None,
        })
    }

    /// The manager's complete state, for a checkpoint: distributed mode
    /// saves it so that a crash of the pipeline process can be continued
    /// from with [`RiskManager::from_snapshot`] and give exactly the
    /// decisions of an uninterrupted run. The limits are not included (they
    /// are configuration). Sets are sorted, so equal states encode equally.
    pub fn state_snapshot(&self) -> RiskManagerState {
        let mut flatten_ids: Vec<OrderId> = self.flatten_ids.iter().copied().collect();
        flatten_ids.sort_unstable();
        RiskManagerState {
            version: RiskManagerState::VERSION,
            mode: self.mode.into(),
            transitions: self.log.clone(),
            rate_window: self.rate.times().collect(),
            rejections: self.rejections.clone(),
            flatten_ids,
            peak: self.peak,
            day: self.day,
            day_open: self.day_open,
            last_equity: self.last_equity,
        }
    }

    /// A manager continuing from a checkpoint taken with
    /// [`RiskManager::state_snapshot`] (crash recovery of distributed mode),
    /// under `limits`, which are checked as in [`RiskManager::new`].
    ///
    /// Refused, with the first problem found, if the snapshot is of another
    /// format version or describes a state no run could reach: a missing
    /// rejection counter, a transition log the transition table cannot
    /// produce from ACTIVE, a mode the log does not lead to, flatten ids
    /// not strictly ascending, or equity fields that disagree (see
    /// [`RiskRestoreError`]).
    ///
    /// The rate window is taken as it is, in its recorded order: orders
    /// checked with `created` times going backwards leave it out of time
    /// order in a live manager too, and refusing that would make such a
    /// checkpoint impossible to continue from. If `limits` differ from the
    /// ones the snapshot ran under, the restored manager applies the new
    /// ones from its next decision on (a window fuller than a lowered rate
    /// limit rejects until it drains).
    pub fn from_snapshot(limits: RiskLimits, s: RiskManagerState) -> Result<RiskManager, RiskRestoreError> {
        limits.validate()?;
        s.validate()?;
        Ok(RiskManager {
            limits,
            mode: s.mode.into(),
            log: s.transitions,
            rate: RateWindow::from_times(s.rate_window),
            rejections: s.rejections,
            flatten_ids: s.flatten_ids.into_iter().collect(),
            peak: s.peak,
            day: s.day,
            day_open: s.day_open,
            last_equity: s.last_equity,
        })
    }

    /// The limits in force.
    pub fn limits(&self) -> &RiskLimits {
        &self.limits
    }

    /// The current state.
    pub fn state(&self) -> RiskState {
        self.mode.state()
    }

    /// Every state change so far, oldest first.
    pub fn transitions(&self) -> &[Transition] {
        &self.log
    }

    /// Rejections so far by reason; every reason is present, zero or not.
    pub fn rejections(&self) -> BTreeMap<RejectReason, u64> {
        self.rejections.clone()
    }

    /// Highest equity seen since the start or the last [`RiskManager::reset`].
    pub fn peak_equity(&self) -> Option<Money> {
        self.peak
    }

    /// Drawdown from the peak as a fraction, at the last equity update.
    pub fn drawdown(&self) -> Option<Decimal> {
        match (self.peak, self.last_equity) {
            (Some(peak), Some(eq)) if peak > Money::ZERO => Some((peak - eq).0 / peak.0),
            _ => None,
        }
    }

    /// PnL since the start of the current UTC day, at the last update.
    pub fn daily_pnl(&self) -> Option<Money> {
        self.last_equity.map(|eq| eq - self.day_open)
    }

    /// Apply `trigger` through the transition table, logging a change.
    fn fire(&mut self, ts: Timestamp, trigger: Trigger) {
        let next = self.mode.next(trigger);
        if next.state() != self.mode.state() {
            self.log.push(Transition { ts, from: self.mode.state(), to: next.state(), reason: trigger });
        }
        self.mode = next;
    }

    /// Take a new equity reading at event time `ts`: roll the UTC day, then
    /// update peak, drawdown and daily PnL and move the state.
    ///
    /// The day's opening equity is the last reading before the day
    /// changed, so losses between readings are not forgotten at midnight.
    pub fn on_equity(&mut self, ts: Timestamp, equity: Money) -> RiskState {
        let day = ts.day();
        match self.day {
            None => {
                self.day = Some(day);
                self.day_open = equity;
            }
            Some(d) if day > d => {
                self.day = Some(day);
                self.day_open = self.last_equity.unwrap_or(equity);
                self.fire(ts, Trigger::NewDay);
            }
            Some(_) => {}
        }
        self.last_equity = Some(equity);
        let peak = self.peak.map_or(equity, |p| p.max(equity));
        self.peak = Some(peak);
        if peak <= Money::ZERO {
            self.fire(ts, Trigger::EquityUnusable);
            return self.state();
        }
        let drawdown = (peak - equity).0 / peak.0;
        if drawdown >= self.limits.max_drawdown {
            self.fire(ts, Trigger::DrawdownHalt);
        } else if drawdown >= self.limits.reduce_at * self.limits.max_drawdown {
            self.fire(ts, Trigger::DrawdownReduce);
        }
        if self.day_open - equity >= self.limits.daily_loss_limit {
            self.fire(ts, Trigger::DailyLoss);
        }
        self.state()
    }

    /// The kill switch: HALTED at event time `ts`, until an operator
    /// resumes.
    pub fn kill(&mut self, ts: Timestamp) {
        self.fire(ts, Trigger::Kill);
    }

    /// Operator: back to ACTIVE, keeping the peak and the day's opening
    /// equity. If the drawdown is still beyond a limit, the next
    /// [`RiskManager::on_equity`] moves the state again.
    pub fn resume(&mut self, ts: Timestamp) {
        self.fire(ts, Trigger::Resume);
    }

    /// Operator: back to ACTIVE and re-baseline the peak and the day's
    /// opening equity at the last equity reading, accepting the losses so
    /// far as the new starting point.
    pub fn reset(&mut self, ts: Timestamp) {
        if let Some(eq) = self.last_equity {
            self.peak = Some(eq);
            self.day_open = eq;
        }
        self.fire(ts, Trigger::Resume);
    }

    /// Market orders that take every non-zero position to zero, with ids
    /// from `next_id`, created at `ts`. The manager remembers the ids: once
    /// HALTED with `flatten_on_halt`, these orders (and only these) still
    /// pass, as long as they reduce the position they were made for.
    pub fn flatten_orders<I>(&mut self, positions: I, ts: Timestamp, mut next_id: impl FnMut() -> OrderId) -> Vec<Order>
    where
        I: IntoIterator<Item = (InstrumentId, Quantity)>,
    {
        let orders: Vec<Order> = positions
            .into_iter()
            .filter(|(_, q)| !q.is_zero())
            .map(|(instrument, q)| Order {
                id: next_id(),
                instrument,
                side: if q.0.is_sign_positive() { Side::Sell } else { Side::Buy },
                qty: q.abs(),
                kind: OrderKind::Market,
                created: ts,
            })
            .collect();
        self.flatten_ids.extend(orders.iter().map(|o| o.id));
        orders
    }

    /// Judge `order` against the state and the limits. An accepted order
    /// counts towards the rate limit; a rejection is counted by reason.
    ///
    /// In order: the order must be well-formed; HALTED refuses everything
    /// (but see [`RiskManager::flatten_orders`]); REDUCING refuses orders
    /// that do not reduce; the mark and equity must be usable; the
    /// post-trade position and its notional at the mark must be within the
    /// symbol's caps, unless the order reduces the position (a reduction
    /// is never blocked by a cap it helps to meet); and the one-second
    /// order rate must have room.
    ///
    /// A flatten order that reduces its position skips the mark, cap and
    /// rate checks: it can only lower exposure, and blocking it for lack
    /// of a price would keep the risk on.
    pub fn check(&mut self, order: &Order, ctx: &CheckContext) -> Result<(), Rejection> {
        let result = self.evaluate(order, ctx);
        match &result {
            Ok(Admission::Normal) => self.rate.record(order.created),
            Ok(Admission::Flatten) => {}
            Err(r) => *self.rejections.entry(r.reason).or_default() += 1,
        }
        result.map(|_| ())
    }

    fn evaluate(&mut self, order: &Order, ctx: &CheckContext) -> Result<Admission, Rejection> {
        let reject = |reason, detail: String| Err(Rejection { order_id: order.id, reason, detail });
        if order.qty <= Quantity::ZERO {
            return reject(RejectReason::InvalidOrder, format!("quantity {} is not positive", order.qty));
        }
        if let OrderKind::Limit(p) = order.kind
            && !p.is_positive()
        {
            return reject(RejectReason::InvalidOrder, format!("limit price {p} is not positive"));
        }
        let post = ctx.position + order.side.signed(order.qty);
        let reducing = reduces(ctx.position, post);
        let flatten = reducing && self.flatten_ids.contains(&order.id);
        match self.mode.state() {
            RiskState::Halted if flatten && self.limits.flatten_on_halt => return Ok(Admission::Flatten),
            RiskState::Halted => return reject(RejectReason::Halted, "trading is halted".to_string()),
            RiskState::Reducing if !reducing => {
                return reject(
                    RejectReason::ReduceOnly,
                    format!("reducing: position {} -> {post} does not reduce", ctx.position),
                );
            }
            RiskState::Reducing | RiskState::Active if flatten => return Ok(Admission::Flatten),
            RiskState::Reducing | RiskState::Active => {}
        }
        let Some(mark) = ctx.mark.filter(|m| m.is_positive()) else {
            return reject(RejectReason::CannotEvaluate, format!("no usable mark price for {}", order.instrument));
        };
        if ctx.equity <= Money::ZERO {
            return reject(RejectReason::CannotEvaluate, format!("equity {} is not positive", ctx.equity));
        }
        let caps = self.limits.limits_for(&order.instrument);
        if !reducing && post.abs() > caps.max_position {
            return reject(
                RejectReason::PositionLimit,
                format!("position {post} would exceed {} in {}", caps.max_position, order.instrument),
            );
        }
        let notional = Money::notional(post.abs(), mark);
        if !reducing && notional > caps.max_notional {
            return reject(
                RejectReason::NotionalLimit,
                format!("notional {notional} at {mark} would exceed {} in {}", caps.max_notional, order.instrument),
            );
        }
        let recent = self.rate.count(order.created);
        if recent >= self.limits.max_orders_per_second as usize {
            return reject(
                RejectReason::RateLimit,
                format!("{recent} orders in the last second, limit {}", self.limits.max_orders_per_second),
            );
        }
        Ok(Admission::Normal)
    }
}

/// How an order passed: flatten orders do not count towards the rate.
enum Admission {
    Normal,
    Flatten,
}
