//! The wire format and the event bus of hft-host's distributed mode.
//!
//! - [`wire`]: versioned envelopes for every topic's messages, in compact
//!   binary (postcard) for the hot path or JSON for tools; decoding never
//!   panics. The format and its compatibility rule: `bus/README.md`.
//! - [`topics`]: topic names, partition counts and partition-key rules, as
//!   configuration with defaults.
//! - [`bus`]: the [`bus::EventBus`] trait (producers, group consumers,
//!   explicit commits), implemented in-process by [`memory`] and over Kafka
//!   by [`kafka`].
//! - [`typed`]: envelopes over the bus, with dead-lettering and dedupe.
//! - [`testing`]: a real broker (tansu) on loopback, for tests.
//!
//! ```
//! use hft_bus::bus::{Consumer, EventBus};
//! use hft_bus::memory::MemoryBus;
//! use hft_bus::topics::TopicsConfig;
//! use hft_bus::typed::{Publisher, Subscriber};
//! use hft_bus::wire::{ControlEvent, Envelope, Format, MessageId};
//! use std::{sync::Arc, time::Duration};
//!
//! let bus = MemoryBus::new(1024);
//! let topics = Arc::new(TopicsConfig::default());
//! bus.ensure_topics(&topics).unwrap();
//! let metrics = Arc::default();
//! let mut publisher = Publisher::new(bus.producer().unwrap(), topics.clone(), Format::Binary, Arc::clone(&metrics));
//! let kill = ControlEvent::KillSwitch { on: true, reason: "drawdown".into() };
//! publisher.publish(&Envelope::new(MessageId::from_parts(1, 1), kill.clone())).unwrap();
//!
//! let consumer = bus.consumer("risk", &[topics.control.name.as_str()]).unwrap();
//! let dead_letters = Publisher::new(bus.producer().unwrap(), topics.clone(), Format::Binary, Arc::clone(&metrics));
//! let mut sub = Subscriber::<ControlEvent, _, _>::new(consumer, dead_letters, metrics);
//! let got = sub.poll(Duration::from_millis(10)).unwrap().unwrap();
//! assert_eq!(got.envelope.body, kill);
//! sub.commit(&got).unwrap(); // after its effects are durable
//! ```
#![deny(missing_docs)]

pub mod bus;
pub mod kafka;
pub mod memory;
pub mod metrics;
pub mod testing;
pub mod topics;
pub mod typed;
pub mod wire;
