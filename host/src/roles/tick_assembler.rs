//! Market events from the bus, one at a time, into ticks.

use hft_bus::bus::CommitPosition;
use hft_trading::domain::{InstrumentId, Timestamp};
use hft_trading::market::MarketEvent;
use std::collections::VecDeque;
use std::time::Duration;

/// A tick ready for the pipeline, with the bus positions it consumed: once
/// the tick's effects are durable they may be committed.
#[derive(Debug)]
pub struct Tick {
    /// Its events, all with one timestamp, in arrival order.
    pub events: Vec<MarketEvent>,
    /// One past the last message of the tick, per partition.
    pub positions: Vec<CommitPosition>,
}

/// Groups a stream into ticks the way the embedded replay does (every
/// event with one timestamp is one tick), without the look-ahead a file
/// allows. A tick is complete when:
///
/// - an event with a later timestamp arrives;
/// - every leg the pipeline reads has delivered a bar at that timestamp (a
///   venue sends one bar per instrument and interval, so nothing else can
///   belong to it); or
/// - the stream has been quiet for a while ([`TickAssembler::flush`]).
///
/// An event with the same timestamp as a tick already handed out (a trade
/// that arrived after the quiet period) becomes a tick of its own and is
/// counted in [`TickAssembler::split_ticks`]; the embedded replay would have
/// put it in the earlier tick.
#[derive(Debug)]
pub struct TickAssembler {
    legs: Vec<InstrumentId>,
    events: Vec<MarketEvent>,
    positions: Vec<CommitPosition>,
    bars_seen: Vec<bool>,
    last_done: Option<Timestamp>,
    ready: VecDeque<Tick>,
    /// Ticks that shared a timestamp with the tick before them.
    pub split_ticks: u64,
}

impl TickAssembler {
    /// An assembler for a pipeline that reads `legs`.
    pub fn new(legs: Vec<InstrumentId>) -> TickAssembler {
        let n = legs.len();
        TickAssembler {
            legs,
            events: Vec::new(),
            positions: Vec::new(),
            bars_seen: vec![false; n],
            last_done: None,
            ready: VecDeque::new(),
            split_ticks: 0,
        }
    }

    /// Whether an event at `ts` is older than the last tick handed out: the
    /// stream went back in time, and the caller dead-letters it instead of
    /// pushing it.
    pub fn is_late(&self, ts: Timestamp) -> bool {
        self.last_done.is_some_and(|done| ts < done)
    }

    /// Take in one event that arrived at `position`; a late one
    /// ([`TickAssembler::is_late`]) is refused and given back.
    pub fn push(&mut self, event: MarketEvent, position: CommitPosition) -> Result<(), Box<MarketEvent>> {
        let ts = event.ts();
        if self.is_late(ts) {
            return Err(Box::new(event));
        }
        if self.events.first().is_some_and(|first| ts > first.ts()) {
            self.complete();
        }
        if self.events.is_empty() && self.last_done == Some(ts) {
            self.split_ticks += 1;
        }
        if let MarketEvent::Bar(_) = &event
            && let Some(i) = self.legs.iter().position(|l| l == event.instrument())
        {
            self.bars_seen[i] = true;
        }
        self.events.push(event);
        match self.positions.iter_mut().find(|p| p.topic == position.topic && p.partition == position.partition) {
            Some(p) => p.next_offset = p.next_offset.max(position.next_offset),
            None => self.positions.push(position),
        }
        if !self.legs.is_empty() && self.bars_seen.iter().all(|&b| b) {
            // Every leg's bar is in: the tick cannot grow.
            self.complete();
        }
        Ok(())
    }

    /// The stream went quiet: the tick being gathered is complete.
    pub fn flush(&mut self) {
        self.complete();
    }

    /// The oldest complete tick not yet taken.
    pub fn next_ready(&mut self) -> Option<Tick> {
        self.ready.pop_front()
    }

    /// Whether a tick is being gathered.
    pub fn is_gathering(&self) -> bool {
        !self.events.is_empty()
    }

    /// After `quiet` without a message: flush a tick still gathering once
    /// `flush_after` has passed (its missing legs are not coming), and say
    /// whether a consuming role with `until_idle` should stop (idle that
    /// long, nothing left half-assembled).
    pub fn after_quiet(&mut self, quiet: Duration, flush_after: Duration, until_idle: Option<Duration>) -> bool {
        if self.is_gathering() && quiet >= flush_after {
            self.flush();
        }
        until_idle.is_some_and(|idle| quiet >= idle) && !self.is_gathering()
    }

    fn complete(&mut self) {
        if self.events.is_empty() {
            return;
        }
        self.last_done = self.events.first().map(MarketEvent::ts);
        self.bars_seen.iter_mut().for_each(|b| *b = false);
        let events = std::mem::take(&mut self.events);
        let positions = std::mem::take(&mut self.positions);
        self.ready.push_back(Tick { events, positions });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hft_trading::domain::{Price, Quantity};
    use hft_trading::market::{Bar, Trade};

    fn pos(offset: i64) -> CommitPosition {
        CommitPosition { topic: "md".into(), partition: 0, next_offset: offset + 1 }
    }

    fn bar(sym: &str, ts: i64) -> MarketEvent {
        let p = Price(1.into());
        MarketEvent::Bar(Bar {
            instrument: InstrumentId::new("X", sym),
            ts: Timestamp(ts),
            open_ts: Timestamp(ts - 1),
            open: p,
            high: p,
            low: p,
            close: p,
            volume: Quantity(1.into()),
        })
    }

    fn trade(sym: &str, ts: i64) -> MarketEvent {
        MarketEvent::Trade(Trade {
            instrument: InstrumentId::new("X", sym),
            ts: Timestamp(ts),
            price: Price(1.into()),
            size: Quantity(1.into()),
        })
    }

    fn legs() -> Vec<InstrumentId> {
        vec![InstrumentId::new("X", "A"), InstrumentId::new("X", "B")]
    }

    #[test]
    fn quiet_flushes_a_half_tick_and_stops_only_when_idle_and_empty() {
        let ms = Duration::from_millis;
        let mut t = TickAssembler::new(legs());
        t.push(bar("A", 10), pos(0)).unwrap();
        assert!(!t.after_quiet(ms(1), ms(5), Some(ms(1))), "a half tick holds the stop");
        assert!(t.is_gathering() && t.next_ready().is_none());
        assert!(t.after_quiet(ms(5), ms(5), Some(ms(5))), "flushed, then idle long enough");
        assert_eq!(t.next_ready().unwrap().events.len(), 1);
        assert!(!t.after_quiet(ms(10), ms(5), None), "no until_idle: never stops");
    }

    #[test]
    fn bars_of_every_leg_complete_a_tick_at_once() {
        let mut t = TickAssembler::new(legs());
        t.push(bar("A", 10), pos(0)).unwrap();
        assert!(t.next_ready().is_none());
        t.push(bar("B", 10), pos(1)).unwrap();
        let tick = t.next_ready().expect("complete");
        assert_eq!(tick.events.len(), 2);
        assert_eq!(tick.positions, vec![pos(1)]);
        assert!(!t.is_gathering());
    }

    #[test]
    fn trades_wait_for_a_later_timestamp_or_the_flush() {
        let mut t = TickAssembler::new(legs());
        t.push(trade("A", 10), pos(0)).unwrap();
        t.push(trade("B", 10), pos(1)).unwrap();
        t.push(trade("A", 10), pos(2)).unwrap();
        assert!(t.next_ready().is_none());
        t.push(trade("B", 11), pos(3)).unwrap();
        let tick = t.next_ready().expect("complete");
        assert_eq!(tick.events.len(), 3);
        assert_eq!(tick.positions, vec![pos(2)]);
        t.flush();
        assert_eq!(t.next_ready().expect("flushed").events.len(), 1);
    }

    #[test]
    fn a_late_event_is_refused_and_a_same_time_straggler_is_its_own_tick() {
        let mut t = TickAssembler::new(legs());
        t.push(trade("A", 10), pos(0)).unwrap();
        t.flush();
        t.next_ready().unwrap();
        assert!(t.push(trade("B", 9), pos(1)).is_err());
        t.push(trade("B", 10), pos(2)).unwrap();
        t.flush();
        assert_eq!(t.next_ready().unwrap().events.len(), 1);
        assert_eq!(t.split_ticks, 1);
    }
}
