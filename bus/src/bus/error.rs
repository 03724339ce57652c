use crate::topics::TopicsConfigError;
use thiserror::Error;

/// What can go wrong on the bus. Decoding problems are not here: a payload
/// that does not decode becomes a dead letter, not an error.
#[derive(Debug, Error)]
pub enum BusError {
    /// The topic does not exist (in-process: was never created).
    #[error("unknown topic {0:?}")]
    UnknownTopic(String),
    /// The in-process bus is at capacity for that partition: the consumers
    /// have not committed far enough. Back-pressure, retry later.
    #[error("partition {topic}/{partition} is full ({capacity} uncommitted records)")]
    Full {
        /// Topic.
        topic: String,
        /// Partition.
        partition: i32,
        /// The configured bound.
        capacity: usize,
    },
    /// A commit for a partition this consumer does not own (any more): a
    /// rebalance moved it, and the new owner will redo the work.
    #[error("partition {topic}/{partition} is not assigned to this consumer")]
    NotAssigned {
        /// Topic.
        topic: String,
        /// Partition.
        partition: i32,
    },
    /// Messages the producer could not deliver (after librdkafka's retries).
    #[error("{failed} message(s) were not delivered: {last_error}")]
    DeliveryFailed {
        /// How many since the last flush.
        failed: u64,
        /// The last reason.
        last_error: String,
    },
    /// The producer did not get every acknowledgement in time.
    #[error("flush timed out with {0} message(s) in flight")]
    FlushTimeout(i32),
    /// The topics configuration is invalid.
    #[error(transparent)]
    Config(#[from] TopicsConfigError),
    /// An error from librdkafka.
    #[error("kafka: {0}")]
    Kafka(#[from] rdkafka::error::KafkaError),
    /// Topic creation failed for a reason other than "already exists".
    #[error("creating topic {topic:?}: {reason}")]
    CreateTopic {
        /// Topic.
        topic: String,
        /// Broker's reason.
        reason: String,
    },
}
