use super::broker::{Partition, Shared, State};
use super::{MemoryConsumer, MemoryProducer};
use crate::bus::{BusError, EventBus};
use crate::topics::TopicsConfig;
use std::sync::{Arc, Condvar, Mutex};

/// The in-process bus. Cheap to clone; clones share the same logs.
#[derive(Clone)]
pub struct MemoryBus {
    shared: Arc<Shared>,
}

impl MemoryBus {
    /// A bus whose partitions hold at most `capacity` uncommitted records.
    pub fn new(capacity: usize) -> MemoryBus {
        MemoryBus {
            shared: Arc::new(Shared {
                state: Mutex::new(State::default()),
                arrived: Condvar::new(),
                capacity: capacity.max(1),
            }),
        }
    }

    /// Creates one topic if it does not exist.
    pub fn create_topic(&self, name: &str, partitions: u16) {
        let mut state = self.shared.lock();
        state
            .topics
            .entry(name.to_string())
            .or_insert_with(|| (0..partitions.max(1)).map(|_| Partition::default()).collect());
    }

    /// Records a topic holds right now (retained, not yet trimmed), for
    /// tests and metrics.
    pub fn retained(&self, topic: &str) -> Result<usize, BusError> {
        Ok(self.shared.lock().partitions(topic)?.iter().map(|p| p.records.len()).sum())
    }
}

impl EventBus for MemoryBus {
    type Producer = MemoryProducer;
    type Consumer = MemoryConsumer;

    fn ensure_topics(&self, topics: &TopicsConfig) -> Result<(), BusError> {
        topics.validate()?;
        for t in topics.all() {
            self.create_topic(&t.name, t.partitions);
        }
        Ok(())
    }

    fn producer(&self) -> Result<MemoryProducer, BusError> {
        Ok(MemoryProducer { shared: self.shared.clone() })
    }

    fn consumer(&self, group: &str, topics: &[&str]) -> Result<MemoryConsumer, BusError> {
        let mut state = self.shared.lock();
        for t in topics {
            state.partitions(t)?;
        }
        let member = state.next_member;
        state.next_member += 1;
        let g = state.groups.entry(group.to_string()).or_default();
        g.members.insert(member, topics.iter().map(|t| t.to_string()).collect());
        g.topics.extend(topics.iter().map(|t| t.to_string()));
        g.generation += 1;
        Ok(MemoryConsumer {
            shared: self.shared.clone(),
            group: group.to_string(),
            member,
            generation: u64::MAX,
            positions: Default::default(),
            cursor: 0,
        })
    }
}
