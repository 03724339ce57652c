//! What a live ingest connects to and how it behaves when the line drops.

use super::Backoff;
use hft_trading::domain::Venue;
use std::path::PathBuf;
use std::time::Duration;

/// Settings of one [`super::WsIngest`] connection.
#[derive(Debug, Clone)]
pub struct WsIngestConfig {
    /// The stream URL: `ws://host:port/ws/btcusdt@trade` for one raw stream,
    /// `.../stream?streams=a/b` for combined streams, or a bare endpoint
    /// with [`WsIngestConfig::subscribe`]. `wss://` (Binance's
    /// `wss://stream.binance.com:9443/ws`) connects over TLS and verifies the
    /// server's certificate and host name; there is no way to turn that off.
    pub url: String,
    /// For `wss://`: a PEM file of CA certificates trusted in addition to the
    /// platform's roots (a private or test CA). `None` trusts the platform's
    /// roots only. Ignored for `ws://`.
    pub ca_file: Option<PathBuf>,
    /// Streams to request with a `SUBSCRIBE` message after every connect
    /// (`btcusdt@trade`, `ethusdt@kline_1m`); empty sends none, for URLs
    /// that already name their streams.
    pub subscribe: Vec<String>,
    /// The venue the events are stamped with: Binance's messages do not say.
    pub venue: Venue,
    /// Delays between reconnect attempts.
    pub backoff: Backoff,
    /// How long one connection attempt (TCP and WebSocket handshake) may take.
    pub connect_timeout: Duration,
    /// Give up after this many failed attempts in a row (a connection that
    /// delivered a message resets the count); `None` retries for ever.
    pub max_failed_attempts: Option<u32>,
    /// How many malformed messages are kept in full in the stats.
    pub max_malformed_details: usize,
}

impl WsIngestConfig {
    /// Connect to `url` for events on `venue`, with default timing: 10 s
    /// connect timeout, [`Backoff::default`], retry for ever, keep 20
    /// malformed messages.
    pub fn new(url: impl Into<String>, venue: Venue) -> WsIngestConfig {
        WsIngestConfig {
            url: url.into(),
            ca_file: None,
            subscribe: Vec::new(),
            venue,
            backoff: Backoff::default(),
            connect_timeout: Duration::from_secs(10),
            max_failed_attempts: None,
            max_malformed_details: 20,
        }
    }
}
