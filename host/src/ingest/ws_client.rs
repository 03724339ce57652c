//! The WebSocket client: connect, subscribe, read, reconnect, stop.

use super::{EventSink, IngestStats, SinkClosed, WsIngestConfig};
use futures_util::{SinkExt, StreamExt};
use hft_trading::market::{BinanceWsParser, MarketEvent, WsMessage, WsParseError};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;
use tokio::net::TcpStream;
use tokio::sync::watch;
use tokio::task::JoinHandle;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream, connect_async};
use tracing::{debug, info, warn};

type Ws = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// How long a clean stop waits for the venue to acknowledge our close frame.
const CLOSE_TIMEOUT: Duration = Duration::from_secs(1);

/// Why a live ingest could not start or ended without being asked to.
#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    /// The URL is not a WebSocket URL this build can open.
    #[error("WebSocket URL {url:?}: {reason}")]
    BadUrl {
        /// The URL as configured.
        url: String,
        /// What is wrong with it.
        reason: String,
    },
    /// [`WsIngestConfig::max_failed_attempts`] attempts in a row failed.
    #[error("gave up after {attempts} failed connection attempts in a row; last: {last}")]
    GaveUp {
        /// Attempts made.
        attempts: u32,
        /// The last failure.
        last: String,
    },
    /// The sink refused an event: its consumer is gone.
    #[error(transparent)]
    SinkClosed(#[from] SinkClosed),
    /// The ingest task panicked or was aborted.
    #[error("ingest task failed: {0}")]
    Task(String),
}

/// A live market-data feed from a Binance-format WebSocket stream.
///
/// Every text message is read with [`BinanceWsParser`]: trades and closed
/// bars go to the [`EventSink`], open bars and subscription replies are
/// counted and dropped, and anything unreadable is counted with its reason
/// (the first few kept in full) while the feed goes on. Pings are answered
/// at once. When the connection drops it reconnects after a
/// [`super::Backoff`] delay and subscribes again; events are not replayed
/// across a gap, so a consumer that needs completeness must check trade ids
/// or refill from the venue's REST history.
#[derive(Debug)]
pub struct WsIngest {
    config: WsIngestConfig,
    parser: BinanceWsParser,
}

/// How one connection ended.
enum SessionEnd {
    /// A stop was requested.
    Stopped,
    /// The sink is closed.
    SinkClosed,
    /// The connection failed or the server closed it; `delivered` says
    /// whether it carried any message, which resets the backoff.
    Dropped { delivered: bool, reason: String },
}

impl WsIngest {
    /// Check `config`'s URL and prepare the client; nothing connects yet.
    pub fn new(config: WsIngestConfig) -> Result<WsIngest, IngestError> {
        let bad = |reason: String| IngestError::BadUrl { url: config.url.clone(), reason };
        let request = config.url.as_str().into_client_request().map_err(|e| bad(e.to_string()))?;
        match request.uri().scheme_str() {
            Some("ws") => {}
            Some("wss") => {
                return Err(bad("wss:// needs TLS, which this build of hft-host does not include".to_string()));
            }
            other => return Err(bad(format!("scheme {other:?} is not ws://"))),
        }
        let parser = BinanceWsParser::new(config.venue.clone());
        Ok(WsIngest { config, parser })
    }

    /// Run on the current tokio runtime until [`IngestHandle::stop`], the
    /// sink closes, or [`WsIngestConfig::max_failed_attempts`] is reached.
    ///
    /// # Panics
    ///
    /// Outside a tokio runtime (as `tokio::spawn` does). The runtime needs the
    /// time driver (`enable_time`/`enable_all`) for timeouts and backoff.
    pub fn spawn<S: EventSink + 'static>(self, mut sink: S) -> IngestHandle {
        let (stop_tx, stop_rx) = watch::channel(false);
        let stats = Arc::new(Mutex::new(IngestStats::new(self.config.max_malformed_details)));
        let shared = Arc::clone(&stats);
        let task = tokio::spawn(async move { self.run(&mut sink, &shared, stop_rx).await });
        IngestHandle { stop: stop_tx, stats, task }
    }

    async fn run<S: EventSink>(
        &self,
        sink: &mut S,
        stats: &Mutex<IngestStats>,
        mut stop: watch::Receiver<bool>,
    ) -> Result<(), IngestError> {
        let url = self.config.url.as_str();
        let mut failures: u32 = 0;
        let mut request_id: i64 = 0;
        loop {
            let attempt = tokio::select! {
                r = tokio::time::timeout(self.config.connect_timeout, connect_async(url)) => r,
                _ = stop.changed() => return Ok(()),
            };
            let reason = match attempt {
                Ok(Ok((ws, _response))) => {
                    lock(stats).connects += 1;
                    info!(url, "market-data WebSocket connected");
                    request_id += 1;
                    match self.session(ws, request_id, sink, stats, &mut stop).await {
                        SessionEnd::Stopped => return Ok(()),
                        SessionEnd::SinkClosed => return Err(IngestError::SinkClosed(SinkClosed)),
                        SessionEnd::Dropped { delivered, reason } => {
                            failures = if delivered { 0 } else { failures + 1 };
                            reason
                        }
                    }
                }
                Ok(Err(e)) => {
                    failures += 1;
                    format!("connect failed: {e}")
                }
                Err(_) => {
                    failures += 1;
                    format!("connect timed out after {:?}", self.config.connect_timeout)
                }
            };
            if let Some(max) = self.config.max_failed_attempts
                && failures >= max
            {
                warn!(url, failures, %reason, "market-data WebSocket: giving up");
                return Err(IngestError::GaveUp { attempts: failures, last: reason });
            }
            let delay = self.config.backoff.delay(failures.saturating_sub(1));
            warn!(url, %reason, ?delay, "market-data WebSocket lost; reconnecting");
            lock(stats).reconnects += 1;
            tokio::select! {
                _ = tokio::time::sleep(delay) => {}
                _ = stop.changed() => return Ok(()),
            }
        }
    }

    /// Read one connection until it ends.
    async fn session<S: EventSink>(
        &self,
        mut ws: Ws,
        request_id: i64,
        sink: &mut S,
        stats: &Mutex<IngestStats>,
        stop: &mut watch::Receiver<bool>,
    ) -> SessionEnd {
        let mut delivered = false;
        if !self.config.subscribe.is_empty() {
            let request = serde_json::json!({"method": "SUBSCRIBE", "params": self.config.subscribe, "id": request_id});
            if let Err(e) = ws.send(Message::text(request.to_string())).await {
                return SessionEnd::Dropped { delivered, reason: format!("SUBSCRIBE not sent: {e}") };
            }
        }
        loop {
            let next = tokio::select! {
                m = ws.next() => m,
                _ = stop.changed() => {
                    match tokio::time::timeout(CLOSE_TIMEOUT, ws.close(None)).await {
                        Ok(Ok(())) => debug!("market-data WebSocket closed on request"),
                        Ok(Err(e)) => debug!(error = %e, "close frame not sent"),
                        Err(_) => debug!("close not acknowledged in time"),
                    }
                    return SessionEnd::Stopped;
                }
            };
            let message = match next {
                Some(Ok(m)) => m,
                Some(Err(e)) => return SessionEnd::Dropped { delivered, reason: format!("read failed: {e}") },
                None => return SessionEnd::Dropped { delivered, reason: "connection ended".to_string() },
            };
            delivered = true;
            let handled = match message {
                Message::Text(text) => self.handle(text.as_str(), sink, stats),
                Message::Binary(bytes) => match std::str::from_utf8(&bytes) {
                    Ok(text) => self.handle(text, sink, stats),
                    Err(_) => {
                        let mut s = lock(stats);
                        s.messages += 1;
                        let reason = WsParseError::NotJson(format!("binary frame of {} bytes, not UTF-8", bytes.len()));
                        s.record_malformed(reason, &String::from_utf8_lossy(&bytes));
                        Ok(())
                    }
                },
                Message::Ping(_) => {
                    lock(stats).pings += 1;
                    // tungstenite queued the pong while reading; send it now,
                    // not with the next read.
                    if let Err(e) = ws.flush().await {
                        return SessionEnd::Dropped { delivered, reason: format!("pong not sent: {e}") };
                    }
                    Ok(())
                }
                Message::Close(frame) => {
                    let why = frame.map_or_else(|| "no reason".to_string(), |f| format!("{} {}", f.code, f.reason));
                    return SessionEnd::Dropped { delivered, reason: format!("server closed: {why}") };
                }
                Message::Pong(_) | Message::Frame(_) => Ok(()),
            };
            if handled.is_err() {
                info!("event sink closed; market-data WebSocket stops");
                let _ = tokio::time::timeout(CLOSE_TIMEOUT, ws.close(None)).await;
                return SessionEnd::SinkClosed;
            }
        }
    }

    /// Parse one message, count it, and deliver its event.
    fn handle<S: EventSink>(&self, text: &str, sink: &mut S, stats: &Mutex<IngestStats>) -> Result<(), SinkClosed> {
        let parsed = self.parser.parse(text);
        let event = {
            let mut s = lock(stats);
            s.messages += 1;
            match parsed {
                Ok(WsMessage::Event(event)) => {
                    s.events += 1;
                    match event {
                        MarketEvent::Trade(_) => s.trades += 1,
                        MarketEvent::Bar(_) => s.bars += 1,
                    }
                    event
                }
                Ok(WsMessage::OpenKline { .. }) => {
                    s.open_klines += 1;
                    return Ok(());
                }
                Ok(WsMessage::Reply { id }) => {
                    s.replies += 1;
                    debug!(?id, "request acknowledged");
                    return Ok(());
                }
                Err(reason) => {
                    if s.malformed < s.max_malformed_details as u64 {
                        warn!(%reason, "malformed market-data message");
                    } else {
                        debug!(%reason, "malformed market-data message");
                    }
                    s.record_malformed(reason, text);
                    return Ok(());
                }
            }
        };
        sink.deliver(event)
    }
}

/// The counters, even if a panic elsewhere poisoned the lock: they are plain
/// numbers, never left half-updated in a way that matters.
fn lock(stats: &Mutex<IngestStats>) -> MutexGuard<'_, IngestStats> {
    stats.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// A running [`WsIngest`]: read its counters while it runs, stop it cleanly.
/// Dropping the handle also stops it.
pub struct IngestHandle {
    stop: watch::Sender<bool>,
    stats: Arc<Mutex<IngestStats>>,
    task: JoinHandle<Result<(), IngestError>>,
}

impl IngestHandle {
    /// The counters so far.
    pub fn stats(&self) -> IngestStats {
        lock(&self.stats).clone()
    }

    /// Whether the ingest has ended (stopped, sink closed, or given up).
    pub fn is_finished(&self) -> bool {
        self.task.is_finished()
    }

    /// Ask the ingest to stop (it sends a close frame if connected), wait
    /// for it, and return the final counters, or why it had already ended.
    pub async fn stop(self) -> Result<IngestStats, IngestError> {
        let _ = self.stop.send(true);
        self.wait().await
    }

    /// Wait for the ingest to end by itself (sink closed or given up).
    pub async fn wait(self) -> Result<IngestStats, IngestError> {
        let IngestHandle { stop, stats, task } = self;
        let outcome = task.await;
        drop(stop);
        match outcome {
            Ok(Ok(())) => Ok(lock(&stats).clone()),
            Ok(Err(e)) => Err(e),
            Err(e) => Err(IngestError::Task(e.to_string())),
        }
    }
}
