//! The in-process bus for the embedded mode: the same producer/consumer
//! semantics as Kafka (partitions, consumer groups, committed offsets,
//! redelivery of uncommitted messages), in memory and deterministic: the
//! same calls in the same order give the same deliveries, with no threads
//! and no clocks involved except the poll timeout.
//!
//! Bounded: a partition keeps at most `capacity` records that some group
//! subscribed to its topic has not committed yet; past that, `send`
//! returns [`crate::bus::BusError::Full`] (back-pressure instead of
//! unbounded memory).

mod broker;
mod consumer;
mod event_bus;
mod partitioner;
mod producer;

pub use consumer::MemoryConsumer;
pub use event_bus::MemoryBus;
pub use partitioner::partition_for;
pub use producer::MemoryProducer;
