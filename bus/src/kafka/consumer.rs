use crate::bus::{BusError, CommitPosition, Consumer, Delivery};
use rdkafka::consumer::{BaseConsumer, CommitMode, Consumer as _};
use rdkafka::message::Message as _;
use rdkafka::{ClientConfig, Offset, TopicPartitionList};
use std::collections::BTreeMap;
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

/// A member of a Kafka consumer group. Polling also drives the group
/// protocol (joins, heartbeats, rebalances), so poll regularly.
pub struct KafkaConsumer {
    pub(super) inner: BaseConsumer,
    /// The member's settings, for `queries`.
    pub(super) query_config: ClientConfig,
    /// A second client, made on the first lag query, that asks the brokers
    /// for watermarks and committed offsets. Not the member itself: a
    /// broker answers one connection's requests in order, so behind the
    /// member's pending fetch (held up to `fetch.wait.max.ms`, 500 ms, while
    /// no data comes) each watermark query waited about 500 ms. Measured on
    /// the mock cluster, 3 partitions: 0.5 to 1.5 s per lag query through
    /// the member; through this client 54 ms the first time (it connects),
    /// then about 0.6 ms. It never subscribes, so it is no group member.
    pub(super) queries: OnceLock<BaseConsumer>,
}

impl KafkaConsumer {
    fn queries(&self) -> Result<&BaseConsumer, BusError> {
        if let Some(q) = self.queries.get() {
            return Ok(q);
        }
        let q: BaseConsumer = self.query_config.create()?;
        Ok(self.queries.get_or_init(|| q))
    }
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

    fn lag(&self, timeout: Duration) -> Result<Vec<(String, u64)>, BusError> {
        let deadline = Instant::now() + timeout;
        let left = || deadline.saturating_duration_since(Instant::now());
        let mut lag: BTreeMap<String, u64> =
            self.inner.subscription()?.elements().iter().map(|e| (e.topic().to_string(), 0)).collect();
        // The next offset to read per owned partition; `Invalid` until the
        // consumer has read something there since it got the partition.
        let positions = self.inner.position()?;
        let mut owned: Vec<(String, i32, Option<i64>)> = positions
            .elements()
            .iter()
            .map(|e| {
                let at = match e.offset() {
                    Offset::Offset(n) => Some(n),
                    _ => None,
                };
                (e.topic().to_string(), e.partition(), at)
            })
            .collect();
        let mut unread = TopicPartitionList::new();
        for (topic, partition, _) in owned.iter().filter(|(_, _, at)| at.is_none()) {
            unread.add_partition(topic, *partition);
        }
        let queries = self.queries()?;
        if unread.count() > 0 {
            // Where the group resumes there (what the consumer will fetch
            // first); no commit yet means the low watermark, as
            // `auto.offset.reset=earliest` does.
            let committed = queries.committed_offsets(unread, left())?;
            for (topic, partition, at) in owned.iter_mut().filter(|(_, _, at)| at.is_none()) {
                if let Some(Offset::Offset(n)) = committed.find_partition(topic, *partition).map(|e| e.offset()) {
                    *at = Some(n);
                }
            }
        }
        for (topic, partition, at) in owned {
            let (low, high) = queries.fetch_watermarks(&topic, partition, left())?;
            let at = at.unwrap_or(low).max(low);
            *lag.entry(topic).or_default() += u64::try_from(high - at).unwrap_or(0);
        }
        Ok(lag.into_iter().collect())
    }
}
