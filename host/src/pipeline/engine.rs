//! The event loop's state machine: one tick in, orders out.
//!
//! A tick is every market event with one timestamp. For each tick, in this
//! order: the venue sees the events (fills of earlier orders happen at
//! these prices) and the books are marked; the models whose inputs changed
//! step in dependency order; the risk manager sees the new equity; the
//! strategy decides; its targets become orders, which pass risk and go to
//! the venue; the recorder notes what happened. Nothing here reads a clock
//! except to measure latency, so a replay is deterministic.

use super::checkpoint::{CheckpointError, PipelineCheckpoint, from_bits, to_bits};
use super::model_node::{NodeState, Source, StepOutcome};
use super::strategy_node::DecideOutcome;
use super::wiring::Wiring;
use crate::strategy::{Decision, Marker as StrategyMarker};
use hft_trading::domain::{Decimal, Money, OrderId, Quantity, Side, Timestamp};
use hft_trading::execution::{Exchange, Fill, Order, OrderKind};
use hft_trading::market::MarketEvent;
use hft_trading::portfolio::Portfolio;
use hft_trading::report::{Marker, RunRecorder, TickSignals};
use hft_trading::risk::{CheckContext, RiskManager, RiskState};
use std::time::{Duration, Instant};

/// Notes of one kind recorded in full before the rest are only counted, so
/// a model that refuses every tick cannot flood the report.
const NOTES_PER_KIND: u64 = 20;

/// Counters a run reports.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Counters {
    /// Market events processed.
    pub events: u64,
    /// Ticks (distinct timestamps) processed.
    pub ticks: u64,
    /// Events for instruments no model or strategy uses.
    pub unused_events: u64,
    /// Orders sent to the venue.
    pub orders_sent: u64,
    /// Orders the risk manager refused.
    pub orders_rejected: u64,
    /// Orders dropped because another order of the same decision was refused
    /// (a pair is entered whole or not at all).
    pub orders_dropped: u64,
    /// Orders the venue refused.
    pub orders_refused_by_venue: u64,
    /// Targets that could not be turned into an order (bad decimal, unknown leg).
    pub bad_targets: u64,
    /// Fills received.
    pub fills: u64,
    /// Model steps refused by a model (bad input, numerical trouble).
    pub model_refusals: u64,
    /// Ticks the strategy refused.
    pub strategy_refusals: u64,
}

/// The pipeline between market events and orders.
pub struct Pipeline {
    wiring: Wiring,
    board: Vec<f64>,
    prices: Vec<f64>,
    positions: Vec<f64>,
    changed: Vec<bool>,
    updated: Vec<bool>,
    exchange: Box<dyn Exchange>,
    portfolio: Portfolio,
    risk: RiskManager,
    recorder: RunRecorder,
    next_order: u64,
    fills: Vec<Fill>,
    regime_threshold: f64,
    in_regime: bool,
    last_risk_state: RiskState,
    notes_by_kind: std::collections::BTreeMap<&'static str, u64>,
    last_ts: Option<Timestamp>,
    /// What happened so far.
    pub counters: Counters,
}

impl Pipeline {
    /// A pipeline over `wiring` trading on `exchange`.
    pub fn new(
        wiring: Wiring,
        exchange: Box<dyn Exchange>,
        initial_capital: Money,
        risk: RiskManager,
        recorder: RunRecorder,
        regime_threshold: f64,
    ) -> Pipeline {
        let n = wiring.instruments.len();
        let board = vec![f64::NAN; wiring.board_len];
        let updated = vec![false; wiring.models.len()];
        Pipeline {
            board,
            prices: vec![f64::NAN; n],
            positions: vec![0.0; n],
            changed: vec![false; n],
            updated,
            exchange,
            portfolio: Portfolio::new(initial_capital),
            last_risk_state: risk.state(),
            risk,
            recorder,
            next_order: 1,
            fills: Vec::new(),
            regime_threshold,
            in_regime: false,
            notes_by_kind: Default::default(),
            last_ts: None,
            counters: Counters::default(),
            wiring,
        }
    }

    /// The books.
    pub fn portfolio(&self) -> &Portfolio {
        &self.portfolio
    }

    /// The risk manager.
    pub fn risk(&self) -> &RiskManager {
        &self.risk
    }

    /// The wiring (instruments, models, strategy).
    pub fn wiring(&self) -> &Wiring {
        &self.wiring
    }

    /// The latest value of every model output.
    pub fn board(&self) -> &[f64] {
        &self.board
    }

    /// The fills of the last tick.
    pub fn last_fills(&self) -> &[Fill] {
        &self.fills
    }

    /// The venue.
    pub fn exchange(&self) -> &dyn Exchange {
        self.exchange.as_ref()
    }

    /// Stop all trading now: the risk manager halts (and flattens if so configured).
    pub fn kill(&mut self, ts: Timestamp) {
        self.risk.kill(ts);
    }

    /// Release the kill switch: the risk manager is ACTIVE again (and moves
    /// on at the next tick if a limit is still breached).
    pub fn release_kill(&mut self, ts: Timestamp) {
        self.risk.resume(ts);
    }

    /// Event time of the last tick, if any (for operator actions between ticks).
    pub fn last_tick_time(&self) -> Option<Timestamp> {
        self.last_ts
    }

    fn note(&mut self, kind: &'static str, ts: Timestamp, text: String) {
        let n = self.notes_by_kind.entry(kind).or_default();
        *n += 1;
        if *n <= NOTES_PER_KIND {
            tracing::debug!(kind, %text, "pipeline note");
            self.recorder.on_note(ts, text);
        } else if *n == NOTES_PER_KIND + 1 {
            self.recorder.on_note(ts, format!("further {kind} notes are only counted"));
        }
    }

    /// Hand the recorder back with the pipeline's end state, for the report.
    pub fn into_parts(self) -> (RunRecorder, Portfolio, RiskManager, Wiring, Counters) {
        (self.recorder, self.portfolio, self.risk, self.wiring, self.counters)
    }

    /// Process one tick: all `events` share one timestamp. Returns the time
    /// from `started` to the first order sent, if one was sent.
    pub fn on_tick(&mut self, events: &[MarketEvent], started: Instant) -> Option<Duration> {
        let first = events.first()?;
        let ts = first.ts();
        self.last_ts = Some(ts);
        self.counters.ticks += 1;
        self.fills.clear();
        self.changed.iter_mut().for_each(|c| *c = false);
        for ev in events {
            self.counters.events += 1;
            self.exchange.on_market(ev, &mut self.fills);
            self.portfolio.on_market(ev);
            match self.wiring.instruments.index_of(ev.instrument()) {
                Some(i) => {
                    self.prices[i] = ev.price().to_f64();
                    self.changed[i] = true;
                }
                None => self.counters.unused_events += 1,
            }
        }
        for f in std::mem::take(&mut self.fills) {
            self.counters.fills += 1;
            if let Err(e) = self.portfolio.apply(&f) {
                self.note("accounting", ts, format!("fill {} not booked: {e}", f.order_id));
            }
            self.recorder.on_fill(&f);
            self.fills.push(f);
        }

        self.step_models(ts);

        let equity = self.portfolio.equity();
        let equity_f64 = equity.as_ref().map_or(f64::NAN, |m| m.to_f64());
        if let Ok(e) = equity {
            self.risk.on_equity(ts, e);
        }
        let mut latency = None;
        let state = self.risk.state();
        if state != self.last_risk_state {
            let why = self.risk.transitions().last().map(|t| format!("{:?}", t.reason)).unwrap_or_default();
            self.note("risk", ts, format!("risk state {:?} -> {:?} ({why})", self.last_risk_state, state));
            if state == RiskState::Halted && self.risk.limits().flatten_on_halt {
                latency = self.flatten(ts, "risk halted", started).or(latency);
            }
            self.last_risk_state = state;
        }

        for (i, id) in self.wiring.instruments.ids().iter().enumerate() {
            self.positions[i] = self.portfolio.position_qty(id).to_f64();
        }
        let outcome = self.wiring.strategy.decide(ts.nanos(), equity_f64, &self.prices, &self.positions, &self.board);
        match outcome {
            DecideOutcome::Decided(d) => latency = self.act(ts, d, equity, started).or(latency),
            DecideOutcome::Disabled => {}
            DecideOutcome::Refused(why) => {
                self.counters.strategy_refusals += 1;
                self.note("strategy", ts, format!("strategy {} refused a tick: {why}", self.wiring.strategy.name));
            }
            DecideOutcome::Faulted(why) => {
                let name = self.wiring.strategy.name.clone();
                self.note("strategy", ts, format!("strategy {name} disabled: {why}; its positions are flattened"));
                latency = self.flatten(ts, "strategy disabled", started).or(latency);
            }
        }

        let signals = self.signals();
        if let Some(p) = signals.changepoint_prob {
            let above = p > self.regime_threshold;
            if above && !self.in_regime {
                self.recorder.on_regime_change(ts, p);
            }
            self.in_regime = above;
        }
        let equity = self.portfolio.equity().unwrap_or(Money(Decimal::ZERO));
        self.recorder.on_tick(ts, equity, &signals);
        latency
    }

    fn step_models(&mut self, ts: Timestamp) {
        for i in 0..self.wiring.models.len() {
            let node = &self.wiring.models[i];
            let due = node.inputs.iter().any(|inp| match inp.source {
                Source::Price(p) => self.changed[p],
                Source::Output { model, .. } => self.updated[model],
            });
            self.updated[i] = false;
            if !due {
                continue;
            }
            let node = &mut self.wiring.models[i];
            match node.step(&self.prices, &mut self.board) {
                StepOutcome::Updated => self.updated[i] = true,
                StepOutcome::Waiting => {}
                StepOutcome::Refused(why) => {
                    self.counters.model_refusals += 1;
                    let name = node.name.clone();
                    self.note("model", ts, format!("model {name} refused a step: {why}"));
                }
                StepOutcome::Faulted(why) => {
                    // Its outputs are now NaN: readers see a missing signal.
                    self.updated[i] = true;
                    let name = node.name.clone();
                    self.note("model", ts, format!("model {name} disabled: {why}"));
                }
            }
        }
    }

    fn signals(&self) -> TickSignals {
        let r = self.wiring.report;
        let get = |s: Option<usize>| s.map(|i| self.board[i]).filter(|v| v.is_finite());
        TickSignals {
            spread: get(r.spread),
            zscore: get(r.zscore),
            hedge_ratio: get(r.hedge_ratio),
            vol_forecast: get(r.vol_forecast),
            changepoint_prob: get(r.changepoint_prob),
        }
    }

    fn next_id(&mut self) -> OrderId {
        let id = OrderId(self.next_order);
        self.next_order += 1;
        id
    }

    /// Signed quantity of each instrument's open orders, by instrument
    /// index, from one look at the venue's book (which copies its orders).
    fn pending(&self) -> Vec<Decimal> {
        let mut pending = vec![Decimal::ZERO; self.wiring.instruments.len()];
        for o in self.exchange.open_orders() {
            if let Some(i) = self.wiring.instruments.index_of(&o.instrument) {
                pending[i] += o.side.signed(o.qty).0;
            }
        }
        pending
    }

    /// Turn a decision into orders, all or nothing when it adds exposure.
    fn act(
        &mut self,
        ts: Timestamp,
        d: Decision,
        equity: Result<Money, hft_trading::portfolio::PortfolioError>,
        started: Instant,
    ) -> Option<Duration> {
        let marker = match d.marker {
            StrategyMarker::None => None,
            StrategyMarker::EnterLong => Some(Marker::Entry { long_spread: true }),
            StrategyMarker::EnterShort => Some(Marker::Entry { long_spread: false }),
            StrategyMarker::Exit => Some(Marker::Exit),
            StrategyMarker::Flatten => Some(Marker::Flatten { reason: "strategy guard (regime risk)".to_string() }),
        };
        if let Some(m) = marker {
            self.recorder.on_marker(ts, m);
        }
        let mut orders = Vec::new();
        let pending = if d.targets.is_empty() { Vec::new() } else { self.pending() };
        for t in &d.targets {
            let Some(&leg) = self.wiring.strategy.legs.get(t.leg as usize) else {
                self.counters.bad_targets += 1;
                self.note("target", ts, format!("target for leg {} which the strategy does not have", t.leg));
                continue;
            };
            let Ok(want) =
                Decimal::try_from_i128_with_scale(i128::from(t.quantity.mantissa), u32::from(t.quantity.scale))
            else {
                self.counters.bad_targets += 1;
                self.note("target", ts, format!("target quantity with scale {} is not a decimal", t.quantity.scale));
                continue;
            };
            let lot = self.wiring.instruments.lot(leg);
            let want = (want / lot).trunc() * lot;
            let id = self.wiring.instruments.id(leg).clone();
            let have = self.portfolio.position_qty(&id).0 + pending[leg];
            let delta = want - have;
            if delta.is_zero() {
                continue;
            }
            let side = if delta.is_sign_positive() { Side::Buy } else { Side::Sell };
            let order_id = self.next_id();
            orders.push(Order {
                id: order_id,
                instrument: id,
                side,
                qty: Quantity(delta.abs()),
                kind: OrderKind::Market,
                created: ts,
            });
        }
        if orders.is_empty() {
            return None;
        }
        let Ok(equity) = equity else {
            // Fail closed: without an equity figure nothing can be judged.
            self.counters.orders_rejected += orders.len() as u64;
            for _ in &orders {
                self.recorder.on_rejection(ts, "cannot_evaluate");
            }
            self.note("risk", ts, "orders refused: equity cannot be evaluated (a position has no price)".into());
            return None;
        };
        let mut refused = Vec::new();
        let mut adds_exposure = false;
        for o in &orders {
            let position = self.portfolio.position_qty(&o.instrument);
            let post = position.0 + o.side.signed(o.qty).0;
            adds_exposure |= post.abs() > position.0.abs();
            let ctx = CheckContext { position, mark: self.portfolio.last_price(&o.instrument), equity };
            if let Err(r) = self.risk.check(o, &ctx) {
                refused.push((o.id, r));
            }
        }
        for (_, r) in &refused {
            self.counters.orders_rejected += 1;
            self.recorder.on_rejection(ts, r.reason.as_str());
            self.note("rejection", ts, format!("order {} refused by risk: {:?}: {}", r.order_id, r.reason, r.detail));
        }
        let send: Vec<Order> = if refused.is_empty() {
            orders
        } else if adds_exposure {
            self.counters.orders_dropped += (orders.len() - refused.len()) as u64;
            Vec::new()
        } else {
            orders.into_iter().filter(|o| !refused.iter().any(|(id, _)| *id == o.id)).collect()
        };
        self.send(ts, send, started)
    }

    fn send(&mut self, ts: Timestamp, orders: Vec<Order>, started: Instant) -> Option<Duration> {
        let mut latency = None;
        for o in orders {
            let id = o.id;
            match self.exchange.submit(o) {
                Ok(_) => {
                    latency.get_or_insert_with(|| started.elapsed());
                    self.counters.orders_sent += 1;
                }
                Err(e) => {
                    self.counters.orders_refused_by_venue += 1;
                    self.note("venue", ts, format!("order {id} refused by the venue: {e}"));
                }
            }
        }
        latency
    }

    /// Flatten every position through the risk manager's flatten orders.
    fn flatten(&mut self, ts: Timestamp, reason: &str, started: Instant) -> Option<Duration> {
        let pending = self.pending();
        let mut positions = Vec::new();
        for (i, q) in pending.into_iter().enumerate() {
            let id = self.wiring.instruments.id(i).clone();
            let q = Quantity(self.portfolio.position_qty(&id).0 + q);
            positions.push((id, q));
        }
        if positions.iter().all(|(_, q)| q.is_zero()) {
            return None;
        }
        let mut next = self.next_order;
        let orders = self.risk.flatten_orders(positions, ts, || {
            next += 1;
            OrderId(next - 1)
        });
        self.next_order = next;
        self.recorder.on_marker(ts, Marker::Flatten { reason: reason.to_string() });
        let equity = self.portfolio.equity().unwrap_or(Money(Decimal::ZERO));
        let mut send = Vec::new();
        for o in orders {
            let position = self.portfolio.position_qty(&o.instrument);
            let ctx = CheckContext { position, mark: self.portfolio.last_price(&o.instrument), equity };
            match self.risk.check(&o, &ctx) {
                Ok(()) => send.push(o),
                Err(r) => {
                    self.counters.orders_rejected += 1;
                    self.recorder.on_rejection(ts, r.reason.as_str());
                    self.note("rejection", ts, format!("flatten order {} refused by risk: {}", r.order_id, r.detail));
                }
            }
        }
        self.send(ts, send, started)
    }

    /// Exchange this pipeline's models and strategy, with their state and
    /// the model-output board, for `other`'s: the hot swap that promotes a
    /// challenger or rolls one back. Each pipeline keeps its own book (venue,
    /// positions, risk, report), so the champion's account trades on with
    /// the promoted logic from the next tick, and the demoted logic goes on
    /// shadow-trading in the challenger's paper account, warm, ready to be
    /// swapped back. It is a few pointer swaps between two ticks: no event
    /// is dropped or seen twice. Refused (nothing changes) unless both read
    /// the same instruments in the same order.
    pub fn swap_wiring(&mut self, other: &mut Pipeline) -> Result<(), CheckpointError> {
        if self.wiring.instruments.ids() != other.wiring.instruments.ids() {
            return Err(CheckpointError::Mismatch(format!(
                "the pipelines read different instruments: {:?} and {:?}",
                self.wiring.instruments.ids(),
                other.wiring.instruments.ids()
            )));
        }
        std::mem::swap(&mut self.wiring, &mut other.wiring);
        std::mem::swap(&mut self.board, &mut other.board);
        std::mem::swap(&mut self.updated, &mut other.updated);
        Ok(())
    }

    /// Everything needed to continue this pipeline exactly after a crash
    /// (see [`PipelineCheckpoint`]). Taken between ticks.
    pub fn checkpoint(&mut self) -> Result<PipelineCheckpoint, CheckpointError> {
        let mut models = Vec::with_capacity(self.wiring.models.len());
        for m in &mut self.wiring.models {
            models.push(m.checkpoint()?);
        }
        Ok(PipelineCheckpoint {
            version: PipelineCheckpoint::VERSION,
            models,
            strategy: self.wiring.strategy.checkpoint()?,
            board: to_bits(&self.board),
            prices: to_bits(&self.prices),
            portfolio: self.portfolio.state_snapshot(),
            risk: self.risk.state_snapshot(),
            venue: self.exchange.checkpoint(),
            next_order: self.next_order,
            in_regime: self.in_regime,
            last_risk_state: self.last_risk_state,
            counters: self.counters.clone(),
        })
    }

    /// Continue from `cp`, a checkpoint of a pipeline with this wiring.
    /// Nothing changes unless everything fits: the books, risk and venue
    /// are checked before any component is touched.
    pub fn resume(&mut self, cp: &PipelineCheckpoint) -> Result<(), CheckpointError> {
        let names: Vec<&str> = self.wiring.models.iter().map(|m| m.name.as_str()).collect();
        let theirs: Vec<&str> = cp.models.iter().map(|m| m.name.as_str()).collect();
        if names != theirs {
            return Err(CheckpointError::Mismatch(format!("models {theirs:?}, this pipeline runs {names:?}")));
        }
        if cp.board.len() != self.board.len() || cp.prices.len() != self.prices.len() {
            return Err(CheckpointError::Mismatch("board or instruments differ".to_string()));
        }
        let portfolio = Portfolio::from_snapshot(cp.portfolio.clone())?;
        let risk = RiskManager::from_snapshot(self.risk.limits().clone(), cp.risk.clone())?;
        match &cp.venue {
            Some(state) => self.exchange.resume(state)?,
            None if self.exchange.checkpoint().is_some() => {
                return Err(CheckpointError::Mismatch("the checkpoint has no venue state".to_string()));
            }
            None => {}
        }
        for (m, c) in self.wiring.models.iter_mut().zip(&cp.models) {
            m.resume(c)?;
        }
        self.wiring.strategy.resume(&cp.strategy)?;
        self.board = from_bits(&cp.board);
        self.prices = from_bits(&cp.prices);
        self.portfolio = portfolio;
        self.risk = risk;
        self.next_order = cp.next_order;
        self.in_regime = cp.in_regime;
        self.last_risk_state = cp.last_risk_state;
        self.counters = cp.counters.clone();
        Ok(())
    }

    /// Count every component fault of this pipeline (a trap, a deadline,
    /// the memory cap) in `metrics`, so `/metrics` shows quarantines of
    /// the champion and of every challenger alike.
    pub fn count_faults_in(&self, metrics: &crate::telemetry::PluginFaultMetrics) {
        self.wiring.strategy.count_faults_in(metrics.clone());
        for m in &self.wiring.models {
            m.count_faults_in(metrics.clone());
        }
    }

    /// Time every call into this pipeline's components in
    /// `hft_plugin_call_seconds{strategy=book}`. Call again after a swap:
    /// the nodes travel with their wiring.
    pub fn time_calls_in(&mut self, telemetry: &crate::telemetry::Telemetry, book: &str) {
        self.wiring.strategy.calls = Some(telemetry.plugin_call_seconds(book, &self.wiring.strategy.name));
        for m in &mut self.wiring.models {
            m.calls = Some(telemetry.plugin_call_seconds(book, &m.name));
        }
    }

    /// Whether the strategy still runs.
    pub fn strategy_active(&self) -> bool {
        self.wiring.strategy.state == NodeState::Active
    }
}
