//! Envelopes on top of raw bytes: a [`Publisher`] encodes and routes
//! messages by the [`crate::topics::Route`] rules, a [`Subscriber`] decodes
//! them and sends whatever does not decode to the dead-letter topic, and a
//! [`Deduplicator`] drops message ids already seen.

mod dedupe;
mod publisher;
mod received;
mod subscriber;

pub use dedupe::Deduplicator;
pub use publisher::Publisher;
pub use received::Received;
pub use subscriber::Subscriber;
