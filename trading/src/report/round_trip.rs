//! Round-trip trades, derived from fills alone.
//!
//! A pairs strategy trades two legs, often in several fills each, so "a
//! trade" is not one fill: it is everything between two moments when the
//! whole book is flat. Its PnL is then simply the net cash it moved, which
//! is exact and needs no marks.

use super::book::Book;
use crate::domain::{Decimal, InstrumentId, Money, Side, Timestamp};
use crate::execution::Fill;
use serde::Serialize;

/// One round trip: from the book leaving flat to it being flat again.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RoundTrip {
    /// 1-based sequence number in the run.
    pub id: usize,
    /// Time of the fill that took the book off flat.
    pub start: Timestamp,
    /// Time of the fill that made it flat again; `None` while still open at
    /// the end of the run.
    pub end: Option<Timestamp>,
    /// Fills that belong to it (a fill split by a flip counts in both).
    pub fills: usize,
    /// The first side traded in each instrument, in order of first trade:
    /// the direction of the trade (e.g. buy y, sell x = long the spread).
    pub entry: Vec<(InstrumentId, Side)>,
    /// Gross notional traded, both directions.
    pub notional: Money,
    /// Fees paid.
    pub fees: Money,
    /// Net cash flow of its fills (sells +notional, buys −notional, fees
    /// deducted). For a closed trade this is its realised PnL, exactly; for
    /// an open one it is only the cash moved so far.
    pub pnl: Money,
}

impl RoundTrip {
    /// Whether the book returned to flat.
    pub fn is_closed(&self) -> bool {
        self.end.is_some()
    }

    /// A closed trade with positive PnL.
    pub fn is_win(&self) -> bool {
        self.is_closed() && self.pnl.0 > Decimal::ZERO
    }

    /// Open time in nanoseconds, if closed.
    pub fn duration_ns(&self) -> Option<i64> {
        self.end.map(|e| e.0 - self.start.0)
    }

    fn open(id: usize, start: Timestamp) -> RoundTrip {
        RoundTrip {
            id,
            start,
            end: None,
            fills: 0,
            entry: Vec::new(),
            notional: Money::ZERO,
            fees: Money::ZERO,
            pnl: Money::ZERO,
        }
    }

    fn add(&mut self, fill: &Fill, notional: Money, fee: Money) {
        self.fills += 1;
        if !self.entry.iter().any(|(i, _)| *i == fill.instrument) {
            self.entry.push((fill.instrument.clone(), fill.side));
        }
        self.notional += notional;
        self.fees += fee;
        self.pnl += match fill.side {
            Side::Buy => -notional,
            Side::Sell => notional,
        } - fee;
    }
}

/// Split `fills` (in time order) into round trips.
///
/// Tracks the signed position per instrument. A trade starts when the book
/// goes from all-flat to any non-flat and ends when every position is zero
/// again; partial closes stay inside the trade. A fill that flips the last
/// open position through zero (long 1, sell 3) closes the trade and opens
/// the next one at the same time: its quantity is split at zero, the fee
/// pro rata, and the second part gets the fee remainder, so the sum of all
/// trades' PnL equals the sum of all fills' cash flow exactly.
///
/// A trade still open after the last fill is returned with `end: None`.
pub fn round_trips(fills: &[Fill]) -> Vec<RoundTrip> {
    let mut book = Book::default();
    let mut trades = Vec::new();
    let mut current: Option<RoundTrip> = None;
    for fill in fills {
        let before = book.position(&fill.instrument);
        let others_flat = book.others_flat(&fill.instrument);
        let (_, after) = book.apply(fill);
        let flips_book = others_flat
            && !before.is_zero()
            && !after.is_zero()
            && before.is_sign_positive() != after.is_sign_positive();
        let notional = Money::notional(fill.qty, fill.price);
        if flips_book {
            let close_qty = before.abs();
            let close_notional = Money(close_qty * fill.price.0);
            let close_fee = Money(fill.fee.0 * close_qty / fill.qty.0);
            let mut trade = current.take().unwrap_or_else(|| RoundTrip::open(trades.len() + 1, fill.ts));
            trade.add(fill, close_notional, close_fee);
            trade.end = Some(fill.ts);
            trades.push(trade);
            let mut next = RoundTrip::open(trades.len() + 1, fill.ts);
            next.add(fill, notional - close_notional, fill.fee - close_fee);
            current = Some(next);
            continue;
        }
        let trade = current.get_or_insert_with(|| RoundTrip::open(trades.len() + 1, fill.ts));
        trade.add(fill, notional, fill.fee);
        if book.is_flat() {
            let mut done = current.take().expect("just inserted");
            done.end = Some(fill.ts);
            trades.push(done);
        }
    }
    trades.extend(current);
    trades
}
