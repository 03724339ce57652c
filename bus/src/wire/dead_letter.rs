use super::{Message, MessageId, MessageKind};
use serde::{Deserialize, Serialize};

/// A message that could not be processed, parked on the dead-letter topic
/// with where it came from and why, so that processing goes on and a
/// person (or a fixed build) can look at it later.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeadLetter {
    /// The topic it was read from.
    pub topic: String,
    /// The partition it was read from.
    pub partition: i32,
    /// Its offset there.
    pub offset: i64,
    /// Why it was rejected (a [`super::DecodeError`] as text, usually).
    pub reason: String,
    /// The original payload, byte for byte (hex in JSON).
    #[serde(with = "super::bytes")]
    pub payload: Vec<u8>,
}

impl DeadLetter {
    /// The dead letter's own id, derived from where the original was, so a
    /// message dead-lettered twice (redelivered before its offset was
    /// committed) gets the same id and can be deduped.
    pub fn message_id(&self) -> MessageId {
        MessageId::derive(
            "dead-letter",
            &[self.topic.as_bytes(), &self.partition.to_be_bytes(), &self.offset.to_be_bytes()],
        )
    }
}

impl Message for DeadLetter {
    const KIND: MessageKind = MessageKind::DeadLetter;
}
