use super::{BusError, Consumer, Producer};
use crate::topics::TopicsConfig;

/// A bus: makes producers and group consumers, and creates topics. The
/// roles are written against this trait, so the embedded mode and the
/// distributed mode run the same code.
pub trait EventBus {
    /// Its producer.
    type Producer: Producer;
    /// Its consumer.
    type Consumer: Consumer;

    /// Creates every configured topic that does not exist yet, with its
    /// configured partition count.
    fn ensure_topics(&self, topics: &TopicsConfig) -> Result<(), BusError>;

    /// A new producer.
    fn producer(&self) -> Result<Self::Producer, BusError>;

    /// A new member of consumer group `group`, subscribed to `topics`.
    fn consumer(&self, group: &str, topics: &[&str]) -> Result<Self::Consumer, BusError>;
}
