//! Topic creation through the Kafka admin API.

use crate::bus::BusError;
use crate::topics::TopicsConfig;
use rdkafka::admin::{AdminClient, AdminOptions, NewTopic, TopicReplication};
use rdkafka::client::DefaultClientContext;
use rdkafka::types::RDKafkaErrorCode;
use std::time::Duration;

/// Creates the configured topics that do not exist yet. An existing topic
/// is left alone (its partition count is not changed: repartitioning would
/// move keys between consumers).
pub(super) fn ensure_topics(
    admin: &AdminClient<DefaultClientContext>,
    topics: &TopicsConfig,
    timeout: Duration,
) -> Result<(), BusError> {
    topics.validate()?;
    let replication = i32::from(topics.replication);
    let new: Vec<NewTopic<'_>> = topics
        .all()
        .iter()
        .map(|t| NewTopic::new(&t.name, i32::from(t.partitions), TopicReplication::Fixed(replication)))
        .collect();
    let opts = AdminOptions::new().request_timeout(Some(timeout)).operation_timeout(Some(timeout));
    let results = futures_executor::block_on(admin.create_topics(&new, &opts))?;
    for r in results {
        match r {
            Ok(name) => tracing::info!(topic = %name, "created topic"),
            Err((name, RDKafkaErrorCode::TopicAlreadyExists)) => tracing::debug!(topic = %name, "topic exists"),
            Err((topic, code)) => return Err(BusError::CreateTopic { topic, reason: code.to_string() }),
        }
    }
    Ok(())
}
