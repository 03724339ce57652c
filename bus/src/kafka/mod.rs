//! The Kafka bus, over `rdkafka` (bundled librdkafka): the distributed
//! mode's transport.
//!
//! Consumers are members of consumer groups and never auto-commit: the
//! caller commits with [`crate::bus::Consumer::commit`] once a message's
//! effects are durable. Producers are idempotent (`enable.idempotence`), so
//! a librdkafka retry never writes a message twice. Topics are created with
//! the admin API, with their configured partition counts.

mod admin;
mod config;
mod consumer;
mod context;
mod event_bus;
mod producer;

pub use config::KafkaConfig;
pub use consumer::KafkaConsumer;
pub use context::DeliveryTracker;
pub use event_bus::KafkaBus;
pub use producer::KafkaProducer;
