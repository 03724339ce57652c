use serde::{Deserialize, Serialize};

/// One topic: its name and how many partitions it is created with.
/// Partitions bound how many consumers of one group can share the topic.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TopicSpec {
    /// The Kafka topic name.
    pub name: String,
    /// Partitions when created (existing topics are left as they are).
    pub partitions: u16,
}

impl TopicSpec {
    /// A spec from a name and a partition count.
    pub fn new(name: &str, partitions: u16) -> TopicSpec {
        TopicSpec { name: name.to_string(), partitions }
    }
}
