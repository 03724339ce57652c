//! What a consumer may commit, and when.

use hft_bus::bus::{BusError, CommitPosition, Consumer};
use std::collections::BTreeMap;
use std::time::{Duration, Instant};

/// Offsets whose effects are done but not yet durable, per partition.
///
/// A role marks a message done once it has processed it and published
/// what it caused. Every `interval` it makes that durable in the one
/// order that loses nothing: flush the producer (the outputs are on the
/// bus), write its checkpoint to the state store, then commit the offsets
/// ([`CommitTracker::commit`]). A crash in between redelivers messages
/// whose effects are already out; the checkpoint says how far the state
/// got, and the outputs' ids (derived from their content) let readers drop
/// the copies.
#[derive(Debug)]
pub struct CommitTracker {
    done: BTreeMap<(String, i32), i64>,
    interval: Duration,
    last: Instant,
    /// Commits made.
    pub commits: u64,
}

impl CommitTracker {
    /// Commit at most every `interval`.
    pub fn new(interval: Duration) -> CommitTracker {
        CommitTracker { done: BTreeMap::new(), interval, last: Instant::now(), commits: 0 }
    }

    /// `position`'s message (and everything before it in its partition) is done.
    pub fn done(&mut self, position: &CommitPosition) {
        let e = self.done.entry((position.topic.clone(), position.partition)).or_insert(position.next_offset);
        *e = (*e).max(position.next_offset);
    }

    /// Whether there is something to commit and the interval has passed
    /// (or `force`, at the end of a run).
    pub fn is_due(&self, force: bool) -> bool {
        !self.done.is_empty() && (force || self.last.elapsed() >= self.interval)
    }

    /// Try again after another interval (the checkpoint could not be
    /// written: the state store is down).
    pub fn postpone(&mut self) {
        self.last = Instant::now();
    }

    /// Commit every done position.
    pub fn commit<C: Consumer>(&mut self, consumer: &mut C) -> Result<(), BusError> {
        let positions: Vec<CommitPosition> = self
            .done
            .iter()
            .map(|((topic, partition), &next_offset)| CommitPosition {
                topic: topic.clone(),
                partition: *partition,
                next_offset,
            })
            .collect();
        consumer.commit_up_to(&positions)?;
        self.done.clear();
        self.commits += 1;
        self.last = Instant::now();
        Ok(())
    }
}
