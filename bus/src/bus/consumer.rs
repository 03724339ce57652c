use super::{BusError, Delivery};
use std::time::Duration;

/// A partition position to commit: the next offset to read, i.e. one past
/// the last processed message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommitPosition {
    /// Topic.
    pub topic: String,
    /// Partition.
    pub partition: i32,
    /// Next offset to read after a restart.
    pub next_offset: i64,
}

impl From<&Delivery> for CommitPosition {
    fn from(d: &Delivery) -> Self {
        CommitPosition { topic: d.topic.to_string(), partition: d.partition, next_offset: d.offset + 1 }
    }
}

/// Reads a group's share of its topics' partitions.
///
/// Nothing is committed automatically. The caller commits a delivery after
/// its effects are durable (state written, outputs flushed); a consumer
/// that goes away without committing has its messages redelivered to the
/// group (nothing lost), and committed ones are not (nothing doubled, given
/// that the effects are idempotent per message id).
pub trait Consumer: Send {
    /// The next delivery, or `None` if none arrived within `timeout`.
    fn poll(&mut self, timeout: Duration) -> Result<Option<Delivery>, BusError>;

    /// Commits `delivery` and everything before it in its partition.
    fn commit(&mut self, delivery: &Delivery) -> Result<(), BusError> {
        self.commit_up_to(&[CommitPosition::from(delivery)])
    }

    /// Commits several partitions at once (synchronously).
    fn commit_up_to(&mut self, positions: &[CommitPosition]) -> Result<(), BusError>;

    /// The partitions this consumer currently owns, sorted.
    fn assignment(&self) -> Result<Vec<(String, i32)>, BusError>;

    /// How many messages this consumer is behind, per subscribed topic,
    /// sorted by topic: the `hft_consumer_lag` metric, which tells an
    /// operator whether a role keeps up with its input.
    ///
    /// For each partition it owns: the partition's high watermark (one past
    /// its last message) minus the consumer's position (the next offset it
    /// will read; before it has read anything there, the group's committed
    /// offset, else the partition's low watermark, where it would start),
    /// never below zero; summed per topic. A subscribed topic of which it
    /// owns no partition (not yet assigned, or all moved to other members)
    /// reports 0, so a stale value does not linger after a rebalance.
    ///
    /// Against Kafka this asks the brokers (one watermark query per owned
    /// partition, the committed offsets when a position is missing), giving
    /// up after `timeout` overall; so it is for a metric sampled now and
    /// then ([`LagReporter`]), not for every message. The in-process bus
    /// answers from its own state.
    ///
    /// [`LagReporter`]: super::LagReporter
    fn lag(&self, timeout: Duration) -> Result<Vec<(String, u64)>, BusError>;
}
