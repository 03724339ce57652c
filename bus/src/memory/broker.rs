//! The shared state behind [`super::MemoryBus`]: partition logs, consumer
//! groups and their committed offsets, and the assignment rule.

use crate::bus::BusError;
use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::sync::{Condvar, Mutex, MutexGuard};

/// One stored record.
pub(super) struct Record {
    pub(super) key: Vec<u8>,
    pub(super) payload: Vec<u8>,
}

/// A partition log; `records[i]` has offset `base + i`.
#[derive(Default)]
pub(super) struct Partition {
    pub(super) base: i64,
    pub(super) records: VecDeque<Record>,
}

impl Partition {
    /// One past the last offset.
    pub(super) fn end(&self) -> i64 {
        self.base + self.records.len() as i64
    }
}

/// A consumer group: its live members (id → topics) and committed offsets.
#[derive(Default)]
pub(super) struct Group {
    pub(super) members: BTreeMap<u64, Vec<String>>,
    pub(super) committed: BTreeMap<(String, i32), i64>,
    /// Bumped on every join and leave; members re-read their positions
    /// from the committed offsets when it changes, like a Kafka rebalance.
    pub(super) generation: u64,
    /// Every topic a member ever subscribed to: retention waits for this
    /// group's commits on them.
    pub(super) topics: BTreeSet<String>,
}

#[derive(Default)]
pub(super) struct State {
    pub(super) topics: BTreeMap<String, Vec<Partition>>,
    pub(super) groups: BTreeMap<String, Group>,
    pub(super) next_member: u64,
}

/// State plus the condition variable consumers wait on.
pub(super) struct Shared {
    pub(super) state: Mutex<State>,
    pub(super) arrived: Condvar,
    pub(super) capacity: usize,
}

impl Shared {
    pub(super) fn lock(&self) -> MutexGuard<'_, State> {
        // A panic while holding the lock leaves consistent data (every
        // mutation is a single step), so a poisoned lock is still usable.
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl State {
    /// The partitions `member` of `group` owns: for each of its topics, the
    /// members subscribed to that topic sorted by id take partitions round
    /// robin (partition p goes to member p mod n).
    pub(super) fn assignment(&self, group: &str, member: u64) -> Vec<(String, i32)> {
        let Some(g) = self.groups.get(group) else { return Vec::new() };
        let Some(mine) = g.members.get(&member) else { return Vec::new() };
        let mut out = Vec::new();
        let mut topics: Vec<&String> = mine.iter().collect();
        topics.sort();
        topics.dedup();
        for topic in topics {
            let peers: Vec<u64> = g.members.iter().filter(|(_, t)| t.contains(topic)).map(|(id, _)| *id).collect();
            let Some(me) = peers.iter().position(|id| *id == member) else { continue };
            let count = self.topics.get(topic).map_or(0, Vec::len);
            for p in 0..count {
                if p % peers.len() == me {
                    out.push((topic.clone(), p as i32));
                }
            }
        }
        out
    }

    /// Drops records every interested group has committed.
    pub(super) fn trim(&mut self, topic: &str, partition: i32) {
        let floor = self
            .groups
            .values()
            .filter(|g| g.topics.contains(topic))
            .map(|g| g.committed.get(&(topic.to_string(), partition)).copied().unwrap_or(0))
            .min();
        let Some(floor) = floor else { return };
        if let Some(p) = self.topics.get_mut(topic).and_then(|ps| ps.get_mut(partition as usize)) {
            while p.base < floor && !p.records.is_empty() {
                p.records.pop_front();
                p.base += 1;
            }
        }
    }

    pub(super) fn partitions(&self, topic: &str) -> Result<&Vec<Partition>, BusError> {
        self.topics.get(topic).ok_or_else(|| BusError::UnknownTopic(topic.to_string()))
    }
}
