//! Ingest: market data from outside into the pipeline.
//!
//! Two sources, one delivery seam. Each source hands every
//! [`MarketEvent`](hft_trading::market::MarketEvent) to an [`EventSink`]
//! supplied by the caller (a channel live, a `Vec` in tests), so where the
//! events go (the in-process pipeline, the market-data topic) is not this
//! module's business.
//!
//! - [`WsIngest`]: a live exchange WebSocket stream in Binance's public
//!   market-stream format (`trade`, `aggTrade`, `kline`; raw or combined
//!   streams), decoded by [`hft_trading::market::BinanceWsParser`]. It
//!   subscribes, answers pings, counts what it receives ([`IngestStats`],
//!   malformed messages with their reason), reconnects with [`Backoff`]
//!   when the connection drops, and stops cleanly on request.
//! - [`replay_paced`]: a replay file's events delivered at a
//!   [`Speed`](crate::config::Speed): as fast as possible, in real time, or
//!   at a multiple of it.

mod backoff;
mod config;
mod paced;
mod sink;
mod stats;
mod ws_client;

pub use backoff::Backoff;
pub use config::WsIngestConfig;
pub use paced::{PacedReplayError, PacedReplayStats, replay_paced};
pub use sink::{EventSink, SinkClosed};
pub use stats::{IngestStats, MalformedMessage};
pub use ws_client::{IngestError, IngestHandle, WsIngest};
