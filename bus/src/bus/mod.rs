//! The event bus as traits: a [`Producer`] writes bytes to a topic under a
//! key, a [`Consumer`] in a consumer group reads [`Delivery`]s and commits
//! them once their effects are durable, and an [`EventBus`] makes both.
//! A consumer also says how far behind it is ([`Consumer::lag`], sampled
//! for a metric by [`LagReporter`]).
//! Implementations: [`crate::memory`] (in-process, deterministic) and
//! [`crate::kafka`]. The typed layer on top is [`crate::typed`].

mod consumer;
mod delivery;
mod error;
mod event_bus;
mod lag;
mod producer;

pub use consumer::{CommitPosition, Consumer};
pub use delivery::Delivery;
pub use error::BusError;
pub use event_bus::EventBus;
pub use lag::LagReporter;
pub use producer::Producer;
