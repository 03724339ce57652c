use crate::bus::{BusError, Producer};
use crate::metrics::BusMetrics;
use crate::topics::{Route, TopicsConfig};
use crate::wire::{Encode, Envelope, Format};
use std::sync::Arc;
use std::time::Duration;

/// Encodes envelopes and sends them to their topic under their key.
pub struct Publisher<P> {
    producer: P,
    topics: Arc<TopicsConfig>,
    format: Format,
    metrics: Arc<BusMetrics>,
}

impl<P: Producer> Publisher<P> {
    /// A publisher writing `format` to the topics in `topics`.
    pub fn new(producer: P, topics: Arc<TopicsConfig>, format: Format, metrics: Arc<BusMetrics>) -> Publisher<P> {
        Publisher { producer, topics, format, metrics }
    }

    /// Encodes and queues one message.
    pub fn publish<M: Encode + Route>(&mut self, env: &Envelope<M>) -> Result<(), BusError> {
        let bytes = M::encode(env, self.format);
        let topic = env.body.topic(&self.topics);
        let key = env.body.key(&self.topics);
        self.producer.send(topic, key.as_bytes(), &bytes)?;
        self.metrics.add_published();
        Ok(())
    }

    /// Waits until everything published is durable on the bus.
    pub fn flush(&mut self, timeout: Duration) -> Result<(), BusError> {
        self.producer.flush(timeout)
    }

    /// The topics it routes by.
    pub fn topics(&self) -> &TopicsConfig {
        &self.topics
    }

    /// The producer underneath, e.g. to send raw bytes.
    pub fn producer_mut(&mut self) -> &mut P {
        &mut self.producer
    }
}
