//! The wire format: what every message on every topic looks like in bytes.
//!
//! A message is an [`Envelope`]: a schema version, a [`MessageKind`], a
//! [`MessageId`] and a body. [`encode`] writes it in one of two
//! [`Format`]s, compact binary (postcard) for the hot path or JSON for
//! tools; [`decode`] reads either (it tells them apart by the first byte)
//! and never panics: anything it cannot read is a [`DecodeError`] saying
//! why, which the bus turns into a dead letter. The layout and the
//! compatibility rule are in `bus/README.md`.
//!
//! The bodies are the trading core's types ([`hft_trading`]), but they go
//! through private mirror structs (`*V1`) so that the wire layout is
//! written down here and cannot change when a domain type's serde
//! attributes do. Decimals get their own exact encoding ([`decimal`]):
//! `rust_decimal`'s own `Deserialize` calls `deserialize_any`, which
//! postcard cannot serve.

mod any;
mod bytes;
mod codec;
mod control;
mod dead_letter;
pub(crate) mod decimal;
mod envelope;
mod error;
mod fill;
mod float;
mod format;
mod kind;
mod market;
mod message_id;
mod order;
mod sha256;
mod signal;
mod strategy_id;
mod trading_v1;
mod venue;

pub use any::AnyMessage;
pub use codec::{Decode, Encode, decode, decode_any, encode};
pub use control::ControlEvent;
pub use dead_letter::DeadLetter;
pub use envelope::{Envelope, Message};
pub use error::DecodeError;
pub use fill::FillMessage;
pub use format::{BINARY_MAGIC, Format, SCHEMA_VERSION, SUPPORTED_VERSIONS};
pub use kind::MessageKind;
pub use market::MarketData;
pub use message_id::MessageId;
pub use order::OrderMessage;
pub use sha256::Sha256Digest;
pub use signal::{NamedValue, Signals};
pub use strategy_id::StrategyId;
pub use venue::{VenueCommand, VenueMessage};
