use std::sync::Arc;

/// One message as a consumer received it: the raw bytes and where they
/// came from. Where matters: committing a delivery commits its partition up
/// to and including its offset, and a dead letter names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivery {
    /// The topic.
    pub topic: Arc<str>,
    /// The partition.
    pub partition: i32,
    /// Its offset in the partition.
    pub offset: i64,
    /// The partition key, if the producer set one.
    pub key: Option<Vec<u8>>,
    /// The payload (empty if the record had none).
    pub payload: Vec<u8>,
}
