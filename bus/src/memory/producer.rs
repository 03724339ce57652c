use super::broker::{Record, Shared};
use super::partition_for;
use crate::bus::{BusError, Producer};
use std::sync::Arc;
use std::time::Duration;

/// Writes into the in-process logs. A send is durable (as durable as the
/// process) when it returns, so `flush` has nothing to wait for.
pub struct MemoryProducer {
    pub(super) shared: Arc<Shared>,
}

impl Producer for MemoryProducer {
    fn send(&mut self, topic: &str, key: &[u8], payload: &[u8]) -> Result<(), BusError> {
        let capacity = self.shared.capacity;
        let mut state = self.shared.lock();
        let partitions = state.topics.get_mut(topic).ok_or_else(|| BusError::UnknownTopic(topic.to_string()))?;
        let n = u16::try_from(partitions.len()).unwrap_or(u16::MAX);
        let partition = partition_for(key, n);
        let log = &mut partitions[partition as usize];
        if log.records.len() >= capacity {
            return Err(BusError::Full { topic: topic.to_string(), partition, capacity });
        }
        log.records.push_back(Record { key: key.to_vec(), payload: payload.to_vec() });
        drop(state);
        self.shared.arrived.notify_all();
        Ok(())
    }

    fn flush(&mut self, _timeout: Duration) -> Result<(), BusError> {
        Ok(())
    }
}
