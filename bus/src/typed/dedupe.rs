use crate::wire::MessageId;
use std::collections::{HashSet, VecDeque};

/// Remembers the last `capacity` message ids, to apply each message once
/// even when the bus delivers it again (a redelivery after a crash, a
/// replayed order). Bounded: ids older than the window are forgotten, so
/// size it above the largest redelivery span (uncommitted messages per
/// partition); state that must survive a restart keeps its own ids.
#[derive(Debug)]
pub struct Deduplicator {
    capacity: usize,
    seen: HashSet<MessageId>,
    order: VecDeque<MessageId>,
}

impl Deduplicator {
    /// Remembers up to `capacity` ids.
    pub fn new(capacity: usize) -> Deduplicator {
        let capacity = capacity.max(1);
        Deduplicator { capacity, seen: HashSet::with_capacity(capacity), order: VecDeque::with_capacity(capacity) }
    }

    /// True the first time `id` is seen (within the window), false after.
    pub fn first_seen(&mut self, id: MessageId) -> bool {
        if !self.seen.insert(id) {
            return false;
        }
        self.order.push_back(id);
        if self.order.len() > self.capacity
            && let Some(old) = self.order.pop_front()
        {
            self.seen.remove(&old);
        }
        true
    }
}
