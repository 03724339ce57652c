//! What a consumer may commit, and when.

use hft_bus::bus::{BusError, CommitPosition, Consumer, Producer};
use hft_bus::typed::Publisher;
use std::collections::BTreeMap;
use std::time::{Duration, Instant};

/// How long a flush of a role's outputs may take before the role gives up.
const FLUSH_TIMEOUT: Duration = Duration::from_secs(30);

/// Offsets whose effects are done but not yet durable, per partition.
///
/// A role marks a message done once it has processed it and published
/// what it caused. Every `interval` it makes that durable in the one
/// order that loses nothing: flush the producer (the outputs are on the
/// bus), then commit the offsets. A crash in between redelivers messages
/// whose outputs are already out; their ids (derived from the content)
/// let the readers drop the copies.
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

    /// Flush and commit if the interval has passed (or `force`).
    pub fn maybe_commit<P: Producer, C: Consumer>(
        &mut self,
        force: bool,
        publisher: &mut Publisher<P>,
        consumer: &mut C,
    ) -> Result<(), BusError> {
        if self.done.is_empty() || (!force && self.last.elapsed() < self.interval) {
            return Ok(());
        }
        publisher.flush(FLUSH_TIMEOUT)?;
        let positions: Vec<CommitPosition> = std::mem::take(&mut self.done)
            .into_iter()
            .map(|((topic, partition), next_offset)| CommitPosition { topic, partition, next_offset })
            .collect();
        consumer.commit_up_to(&positions)?;
        self.commits += 1;
        self.last = Instant::now();
        Ok(())
    }
}
