use crate::bus::{BusError, CommitPosition, Consumer, Delivery};
use rdkafka::consumer::{BaseConsumer, CommitMode, Consumer as _};
use rdkafka::message::Message as _;
use rdkafka::{Offset, TopicPartitionList};
use std::sync::Arc;
use std::time::Duration;

/// A member of a Kafka consumer group. Polling also drives the group
/// protocol (joins, heartbeats, rebalances), so poll regularly.
pub struct KafkaConsumer {
    pub(super) inner: BaseConsumer,
}

impl Consumer for KafkaConsumer {
    fn poll(&mut self, timeout: Duration) -> Result<Option<Delivery>, BusError> {
        match self.inner.poll(timeout) {
            None => Ok(None),
            Some(Err(e)) => Err(e.into()),
            Some(Ok(m)) => Ok(Some(Delivery {
                topic: Arc::from(m.topic()),
                partition: m.partition(),
                offset: m.offset(),
                key: m.key().map(<[u8]>::to_vec),
                payload: m.payload().map(<[u8]>::to_vec).unwrap_or_default(),
            })),
        }
    }

    fn commit_up_to(&mut self, positions: &[CommitPosition]) -> Result<(), BusError> {
        let mut tpl = TopicPartitionList::new();
        for p in positions {
            tpl.add_partition_offset(&p.topic, p.partition, Offset::Offset(p.next_offset))?;
        }
        self.inner.commit(&tpl, CommitMode::Sync)?;
        Ok(())
    }

    fn assignment(&self) -> Result<Vec<(String, i32)>, BusError> {
        let mut out: Vec<(String, i32)> =
            self.inner.assignment()?.elements().iter().map(|e| (e.topic().to_string(), e.partition())).collect();
        out.sort();
        Ok(out)
    }
}
