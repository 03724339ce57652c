//! The WebSocket client: connect (TCP, TLS for `wss://`, the WebSocket
//! handshake), subscribe, read, reconnect, stop.
//!
//! TLS is rustls on the `ring` provider (no cmake to build, unlike
//! aws-lc-rs). The trust roots are the platform's (`rustls-native-certs`:
//! the OS bundle, e.g. Debian's `ca-certificates`, or `SSL_CERT_FILE` /
//! `SSL_CERT_DIR`), so they follow the image's security updates and any CA
//! an operator adds to the system store, plus an optional
//! [`WsIngestConfig::ca_file`] for a private or test CA. Certificates and
//! host names are always verified.

use super::{EventSink, IngestStats, SinkClosed, WsIngestConfig};
use futures_util::{SinkExt, StreamExt};
use hft_trading::market::{BinanceWsParser, MarketEvent, WsMessage, WsParseError};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName};
use rustls::{CertificateError, ClientConfig, RootCertStore};
use std::path::Path;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;
use tokio::net::TcpStream;
use tokio::sync::watch;
use tokio::task::JoinHandle;
use tokio_rustls::TlsConnector;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream, client_async};
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
    /// A `wss://` URL's trust roots could not be set up: the
    /// [`WsIngestConfig::ca_file`] is unreadable or holds no valid
    /// certificate, or there is no root at all to verify a server against.
    #[error("TLS for {url:?}: {reason}")]
    Tls {
        /// The URL as configured.
        url: String,
        /// What is wrong.
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
///
/// A `wss://` URL is opened over TLS: the server's certificate must chain
/// to the platform's roots or to [`WsIngestConfig::ca_file`] and be valid
/// for the URL's host. A failed handshake is an attempt like any other: it
/// is logged with the URL and the cause, counted in
/// [`IngestStats::tls_failures`], and retried after the backoff.
#[derive(Debug)]
pub struct WsIngest {
    config: WsIngestConfig,
    parser: BinanceWsParser,
    endpoint: Endpoint,
}

/// Where the URL points, read once.
#[derive(Debug)]
struct Endpoint {
    /// The host as the URL has it, without an IPv6 address's brackets.
    host: String,
    port: u16,
    /// `Some` for `wss://`.
    tls: Option<TlsSetup>,
}

/// How a `wss://` endpoint is verified.
#[derive(Debug)]
struct TlsSetup {
    config: Arc<ClientConfig>,
    server_name: ServerName<'static>,
    /// Which roots are trusted, for error messages.
    roots: String,
}

/// Why one connection attempt failed, by the step that failed.
enum ConnectError {
    Tcp(std::io::Error),
    Tls(std::io::Error),
    WebSocket(tokio_tungstenite::tungstenite::Error),
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
    /// For `wss://` this loads the trust roots (the platform's and
    /// [`WsIngestConfig::ca_file`]), so a bad CA file is refused here rather
    /// than on every attempt.
    pub fn new(config: WsIngestConfig) -> Result<WsIngest, IngestError> {
        let bad = |reason: String| IngestError::BadUrl { url: config.url.clone(), reason };
        let request = config.url.as_str().into_client_request().map_err(|e| bad(e.to_string()))?;
        let uri = request.uri();
        let secure = match uri.scheme_str() {
            Some("ws") => false,
            Some("wss") => true,
            other => return Err(bad(format!("scheme {other:?} is neither ws:// nor wss://"))),
        };
        let host = uri.host().ok_or_else(|| bad("no host".to_string()))?;
        let host = host.strip_prefix('[').and_then(|h| h.strip_suffix(']')).unwrap_or(host).to_string();
        let port = uri.port_u16().unwrap_or(if secure { 443 } else { 80 });
        let tls = if secure {
            let server_name = ServerName::try_from(host.clone())
                .map_err(|e| bad(format!("host {host:?} is not a valid TLS server name: {e}")))?;
            let (roots, described) = trust_roots(config.ca_file.as_deref())
                .map_err(|reason| IngestError::Tls { url: config.url.clone(), reason })?;
            let tls_config = ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
                .with_safe_default_protocol_versions()
                .map_err(|e| IngestError::Tls { url: config.url.clone(), reason: e.to_string() })?
                .with_root_certificates(roots)
                .with_no_client_auth();
            Some(TlsSetup { config: Arc::new(tls_config), server_name, roots: described })
        } else {
            None
        };
        let parser = BinanceWsParser::new(config.venue.clone());
        Ok(WsIngest { config, parser, endpoint: Endpoint { host, port, tls } })
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
                r = tokio::time::timeout(self.config.connect_timeout, self.connect()) => r,
                _ = stop.changed() => return Ok(()),
            };
            let reason = match attempt {
                Ok(Ok(ws)) => {
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
                    if matches!(e, ConnectError::Tls(_)) {
                        lock(stats).tls_failures += 1;
                    }
                    self.describe(&e)
                }
                Err(_) => {
                    failures += 1;
                    format!("connecting to {url} timed out after {:?}", self.config.connect_timeout)
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

    /// One connection attempt: TCP, then TLS for `wss://`, then the
    /// WebSocket handshake.
    async fn connect(&self) -> Result<Ws, ConnectError> {
        let Endpoint { host, port, tls } = &self.endpoint;
        let tcp = TcpStream::connect((host.as_str(), *port)).await.map_err(ConnectError::Tcp)?;
        let stream = match tls {
            None => MaybeTlsStream::Plain(tcp),
            Some(tls) => MaybeTlsStream::Rustls(
                TlsConnector::from(Arc::clone(&tls.config))
                    .connect(tls.server_name.clone(), tcp)
                    .await
                    .map_err(ConnectError::Tls)?,
            ),
        };
        let (ws, _response) = client_async(self.config.url.as_str(), stream).await.map_err(ConnectError::WebSocket)?;
        Ok(ws)
    }

    /// A failed attempt in words, naming the URL, the step and the cause.
    fn describe(&self, error: &ConnectError) -> String {
        let url = &self.config.url;
        let Endpoint { host, port, tls } = &self.endpoint;
        match error {
            ConnectError::Tcp(e) => format!("TCP connect to {host}:{port} for {url} failed: {e}"),
            ConnectError::WebSocket(e) => format!("WebSocket handshake with {url} failed: {e}"),
            ConnectError::Tls(e) => {
                let roots = tls.as_ref().map_or("", |t| t.roots.as_str());
                let cause = match e.get_ref().and_then(|inner| inner.downcast_ref::<rustls::Error>()) {
                    Some(
                        tls_error @ rustls::Error::InvalidCertificate(
                            CertificateError::UnknownIssuer | CertificateError::BadSignature,
                        ),
                    ) => {
                        format!(
                            "{tls_error}: the server's certificate is not signed by a trusted CA (trusted: {roots})"
                        )
                    }
                    Some(
                        tls_error @ rustls::Error::InvalidCertificate(
                            CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. },
                        ),
                    ) => format!("{tls_error}: the server's certificate is not valid for the URL's host {host:?}"),
                    Some(tls_error) => tls_error.to_string(),
                    None => e.to_string(),
                };
                format!("TLS handshake with {url} failed: {cause}")
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

/// The roots a `wss://` connection trusts: the platform's plus those in
/// `ca_file`, with a description for error messages. An error if
/// `ca_file` cannot be used or no root at all is left.
fn trust_roots(ca_file: Option<&Path>) -> Result<(RootCertStore, String), String> {
    let mut roots = RootCertStore::empty();
    let native = rustls_native_certs::load_native_certs();
    for e in &native.errors {
        warn!(error = %e, "platform root certificates: not all could be loaded");
    }
    let (platform, unusable) = roots.add_parsable_certificates(native.certs);
    if unusable > 0 {
        debug!(unusable, "platform root certificates skipped");
    }
    let mut described = format!("{platform} platform roots");
    if let Some(path) = ca_file {
        let added = add_ca_file(&mut roots, path).map_err(|e| format!("ca_file {}: {e}", path.display()))?;
        described.push_str(&format!(" and {added} from ca_file {}", path.display()));
    } else {
        described.push_str(", no ca_file");
    }
    if roots.is_empty() {
        return Err("no trusted root certificates: the platform has none (install ca-certificates, or set \
                    SSL_CERT_FILE) and no ca_file is set"
            .to_string());
    }
    debug!(roots = %described, "TLS trust roots");
    Ok((roots, described))
}

/// Add every certificate in the PEM file at `path` to `roots`; how many.
fn add_ca_file(roots: &mut RootCertStore, path: &Path) -> Result<usize, String> {
    let pem = std::fs::read(path).map_err(|e| e.to_string())?;
    let mut added = 0;
    for cert in CertificateDer::pem_slice_iter(&pem) {
        let cert = cert.map_err(|e| format!("not a PEM certificate bundle: {e}"))?;
        roots.add(cert).map_err(|e| format!("certificate {} in it cannot be a trust root: {e}", added + 1))?;
        added += 1;
    }
    if added == 0 {
        return Err("no PEM certificate (-----BEGIN CERTIFICATE-----) in it".to_string());
    }
    Ok(added)
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
