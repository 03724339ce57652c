use super::broker::Shared;
use crate::bus::{BusError, CommitPosition, Consumer, Delivery};
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// A member of an in-process consumer group. Dropping it leaves the group;
/// its uncommitted messages go to whoever owns the partition next.
pub struct MemoryConsumer {
    pub(super) shared: Arc<Shared>,
    pub(super) group: String,
    pub(super) member: u64,
    /// The group generation `positions` belong to (`u64::MAX`: none yet).
    pub(super) generation: u64,
    /// Next offset per owned partition.
    pub(super) positions: BTreeMap<(String, i32), i64>,
    /// Where the round robin over owned partitions resumes.
    pub(super) cursor: usize,
}

impl MemoryConsumer {
    fn take(&mut self) -> Option<Delivery> {
        let state = self.shared.lock();
        let generation = state.groups.get(&self.group).map_or(0, |g| g.generation);
        if generation != self.generation {
            let committed = state.groups.get(&self.group).map(|g| g.committed.clone()).unwrap_or_default();
            self.positions = state
                .assignment(&self.group, self.member)
                .into_iter()
                .map(|tp| {
                    let at = committed.get(&tp).copied().unwrap_or(0);
                    (tp, at)
                })
                .collect();
            self.generation = generation;
            self.cursor = 0;
            tracing::debug!(group = %self.group, member = self.member, partitions = self.positions.len(), "in-process rebalance");
        }
        let owned: Vec<(String, i32)> = self.positions.keys().cloned().collect();
        for i in 0..owned.len() {
            let idx = (self.cursor + i) % owned.len();
            let (topic, partition) = &owned[idx];
            let Some(log) = state.topics.get(topic).and_then(|ps| ps.get(*partition as usize)) else { continue };
            let pos = self.positions.get_mut(&owned[idx]).expect("owned partitions have positions");
            if *pos < log.base {
                *pos = log.base;
            }
            if *pos < log.end() {
                let offset = *pos;
                let record = &log.records[(offset - log.base) as usize];
                *pos += 1;
                self.cursor = idx + 1;
                return Some(Delivery {
                    topic: Arc::from(topic.as_str()),
                    partition: *partition,
                    offset,
                    key: Some(record.key.clone()),
                    payload: record.payload.clone(),
                });
            }
        }
        None
    }
}

impl Consumer for MemoryConsumer {
    fn poll(&mut self, timeout: Duration) -> Result<Option<Delivery>, BusError> {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(d) = self.take() {
                return Ok(Some(d));
            }
            let now = Instant::now();
            if now >= deadline {
                return Ok(None);
            }
            let state = self.shared.lock();
            let _unused = self.shared.arrived.wait_timeout(state, deadline - now).unwrap_or_else(|p| p.into_inner());
        }
    }

    fn commit_up_to(&mut self, positions: &[CommitPosition]) -> Result<(), BusError> {
        let mut state = self.shared.lock();
        let owned = state.assignment(&self.group, self.member);
        for p in positions {
            if !owned.iter().any(|(t, q)| *t == p.topic && *q == p.partition) {
                return Err(BusError::NotAssigned { topic: p.topic.clone(), partition: p.partition });
            }
        }
        for p in positions {
            if let Some(g) = state.groups.get_mut(&self.group) {
                g.committed.insert((p.topic.clone(), p.partition), p.next_offset);
            }
            state.trim(&p.topic, p.partition);
        }
        Ok(())
    }

    fn assignment(&self) -> Result<Vec<(String, i32)>, BusError> {
        Ok(self.shared.lock().assignment(&self.group, self.member))
    }

    /// From the broker's state, at once (`timeout` is not needed): the same
    /// rule as Kafka's, with this member's positions while they belong to
    /// the current group generation (after a rebalance it resumes from the
    /// committed offsets, which is what it will read next).
    fn lag(&self, _timeout: Duration) -> Result<Vec<(String, u64)>, BusError> {
        let state = self.shared.lock();
        let group = state.groups.get(&self.group);
        let mut lag: BTreeMap<String, u64> = group
            .and_then(|g| g.members.get(&self.member))
            .into_iter()
            .flatten()
            .map(|topic| (topic.clone(), 0))
            .collect();
        let current = group.map_or(0, |g| g.generation) == self.generation;
        for tp in state.assignment(&self.group, self.member) {
            let Some(log) = state.topics.get(&tp.0).and_then(|ps| ps.get(tp.1 as usize)) else { continue };
            let at = current
                .then(|| self.positions.get(&tp).copied())
                .flatten()
                .or_else(|| group.and_then(|g| g.committed.get(&tp).copied()))
                .unwrap_or(log.base)
                .max(log.base);
            *lag.entry(tp.0).or_default() += u64::try_from(log.end() - at).unwrap_or(0);
        }
        Ok(lag.into_iter().collect())
    }
}

impl Drop for MemoryConsumer {
    fn drop(&mut self) {
        let mut state = self.shared.lock();
        if let Some(g) = state.groups.get_mut(&self.group) {
            g.members.remove(&self.member);
            g.generation += 1;
        }
        drop(state);
        self.shared.arrived.notify_all();
    }
}
