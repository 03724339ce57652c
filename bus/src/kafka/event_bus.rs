use super::{DeliveryTracker, KafkaConfig, KafkaConsumer, KafkaProducer, admin};
use crate::bus::{BusError, EventBus};
use crate::topics::TopicsConfig;
use rdkafka::admin::AdminClient;
use rdkafka::client::DefaultClientContext;
use rdkafka::consumer::{BaseConsumer, Consumer as _};
use std::sync::OnceLock;
use std::time::Duration;

/// The Kafka bus: a [`KafkaConfig`] plus a factory for its clients.
#[derive(Debug, Clone)]
pub struct KafkaBus {
    config: KafkaConfig,
}

impl KafkaBus {
    /// A bus for these brokers and settings. Connects lazily.
    pub fn new(config: KafkaConfig) -> KafkaBus {
        KafkaBus { config }
    }

    /// Its settings.
    pub fn config(&self) -> &KafkaConfig {
        &self.config
    }
}

impl EventBus for KafkaBus {
    type Producer = KafkaProducer;
    type Consumer = KafkaConsumer;

    fn ensure_topics(&self, topics: &TopicsConfig) -> Result<(), BusError> {
        let admin: AdminClient<DefaultClientContext> = self.config.admin_config().create()?;
        admin::ensure_topics(&admin, topics, Duration::from_millis(u64::from(self.config.admin_timeout_ms)))
    }

    fn producer(&self) -> Result<KafkaProducer, BusError> {
        let inner = self.config.producer_config().create_with_context(DeliveryTracker::default())?;
        Ok(KafkaProducer { inner })
    }

    fn consumer(&self, group: &str, topics: &[&str]) -> Result<KafkaConsumer, BusError> {
        let config = self.config.consumer_config(group);
        let inner: BaseConsumer = config.create()?;
        inner.subscribe(topics)?;
        tracing::debug!(group, ?topics, "kafka consumer subscribed");
        Ok(KafkaConsumer { inner, query_config: config, queries: OnceLock::new() })
    }
}
