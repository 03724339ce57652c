use crate::domain::Timestamp;
use std::collections::VecDeque;

/// One second in nanoseconds.
const WINDOW_NS: i64 = 1_000_000_000;

/// Times of the orders accepted in the last second of event time.
#[derive(Debug, Clone, Default)]
pub(super) struct RateWindow {
    accepted: VecDeque<Timestamp>,
}

impl RateWindow {
    /// How many accepted orders fall in `(now - 1s, now]`, after forgetting
    /// the older ones.
    pub(super) fn count(&mut self, now: Timestamp) -> usize {
        while self.accepted.front().is_some_and(|t| t.nanos() <= now.nanos() - WINDOW_NS) {
            self.accepted.pop_front();
        }
        self.accepted.len()
    }

    /// A window holding exactly `times`, in that order (from a snapshot).
    pub(super) fn from_times(times: impl IntoIterator<Item = Timestamp>) -> RateWindow {
        RateWindow { accepted: times.into_iter().collect() }
    }

    /// The times held, in the order they were recorded (for a snapshot).
    pub(super) fn times(&self) -> impl Iterator<Item = Timestamp> + '_ {
        self.accepted.iter().copied()
    }

    /// Remember an accepted order.
    pub(super) fn record(&mut self, now: Timestamp) {
        self.accepted.push_back(now);
    }
}
