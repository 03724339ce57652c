//! Live ingest against a local WebSocket server that speaks Binance's
//! public market-stream format: what reaches the sink, what is counted, how
//! the client answers pings, reconnects after a drop and stops cleanly; over
//! `ws://` and over `wss://` with a CA and server certificate made here
//! (rcgen), and how a TLS handshake that must fail (a CA the client does not
//! trust, a certificate for another host) is reported and retried.

use futures_util::{SinkExt, StreamExt};
use hft_host::ingest::{Backoff, IngestError, IngestStats, WsIngest, WsIngestConfig};
use hft_trading::domain::{InstrumentId, Price, Quantity, Timestamp, Venue};
use hft_trading::market::{Bar, MarketEvent, Trade, WsParseError};
use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair, KeyUsagePurpose,
};
use rust_decimal::Decimal;
use rustls::pki_types::PrivateKeyDer;
use std::future::Future;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio::time::timeout;
use tokio_rustls::TlsAcceptor;
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::Message;

/// Upper bound for any single wait; a healthy run needs milliseconds.
const WAIT: Duration = Duration::from_secs(10);

const TRADE: &str = r#"{"e":"trade","E":1700000000105,"s":"BTCUSDT","t":3001,"p":"37012.34000000","q":"0.00150000","T":1700000000100,"m":true,"M":true}"#;
const AGG_TRADE: &str = r#"{"e":"aggTrade","E":1700000000210,"s":"ETHUSDT","a":777,"p":"2050.10","q":"1.25","f":10,"l":12,"T":1700000000200,"m":false,"M":true}"#;
const TRADE_2: &str = r#"{"e":"trade","E":1700000000305,"s":"BTCUSDT","t":3002,"p":"37012.35","q":"0.1","T":1700000000300,"m":false,"M":true}"#;
const KLINE_OPEN: &str = r#"{"e":"kline","E":1700000030000,"s":"BTCUSDT","k":{"t":1700000000000,"T":1700000059999,"s":"BTCUSDT","i":"1m","f":3001,"L":3002,"o":"37000.00","c":"37012.35","h":"37020.00","l":"36990.00","v":"2.5","n":2,"x":false,"q":"92530.9","V":"1.2","Q":"44414.8","B":"0"}}"#;
const KLINE_CLOSED: &str = r#"{"e":"kline","E":1700000060001,"s":"BTCUSDT","k":{"t":1700000000000,"T":1700000059999,"s":"BTCUSDT","i":"1m","f":3001,"L":3050,"o":"37000.00","c":"37015.50","h":"37020.00","l":"36990.00","v":"4.12500","n":50,"x":true,"q":"152690.1","V":"2.0","Q":"74031.0","B":"0"}}"#;
const BAD_PRICE: &str = r#"{"e":"trade","E":1700000000405,"s":"BTCUSDT","t":3003,"p":"abc","q":"0.1","T":1700000000400,"m":false,"M":true}"#;
const NOT_JSON: &str = "this is not json";
const TRADE_AFTER_RECONNECT: &str = r#"{"e":"trade","E":1700000070005,"s":"BTCUSDT","t":3100,"p":"37100.01","q":"0.002","T":1700000070000,"m":true,"M":true}"#;
const KLINE_AFTER_RECONNECT: &str = r#"{"e":"kline","E":1700000120001,"s":"BTCUSDT","k":{"t":1700000060000,"T":1700000119999,"s":"BTCUSDT","i":"1m","f":3051,"L":3100,"o":"37015.50","c":"37100.01","h":"37110.00","l":"37010.00","v":"0","n":0,"x":true,"q":"0","V":"0","Q":"0","B":"0"}}"#;

fn d(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

fn combined(stream: &str, data: &str) -> String {
    format!(r#"{{"stream":"{stream}","data":{data}}}"#)
}

fn trade(symbol: &str, ms: i64, price: &str, size: &str) -> MarketEvent {
    MarketEvent::Trade(Trade {
        instrument: InstrumentId::new("BINANCE", symbol),
        ts: Timestamp(ms * 1_000_000),
        price: Price(d(price)),
        size: Quantity(d(size)),
    })
}

fn bar(open_ms: i64, close_ms: i64, ohlcv: [&str; 5]) -> MarketEvent {
    let [o, h, l, c, v] = ohlcv.map(d);
    MarketEvent::Bar(Bar {
        instrument: InstrumentId::new("BINANCE", "BTCUSDT"),
        ts: Timestamp(close_ms * 1_000_000),
        open_ts: Timestamp(open_ms * 1_000_000),
        open: Price(o),
        high: Price(h),
        low: Price(l),
        close: Price(c),
        volume: Quantity(v),
    })
}

/// The decimals as printed, so `0.00150000` and `0.0015` are told apart.
fn printed(e: &MarketEvent) -> Vec<String> {
    match e {
        MarketEvent::Trade(t) => vec![t.price.to_string(), t.size.to_string()],
        MarketEvent::Bar(b) => {
            [b.open, b.high, b.low, b.close].iter().map(|p| p.to_string()).chain([b.volume.to_string()]).collect()
        }
    }
}

/// What the server saw, for the test to check.
#[derive(Debug, PartialEq)]
enum Seen {
    Subscribe(serde_json::Value),
    Pong(Vec<u8>),
    ClientClosed,
}

async fn next_frame<S: AsyncRead + AsyncWrite + Unpin>(ws: &mut WebSocketStream<S>) -> Message {
    timeout(WAIT, ws.next()).await.expect("client went quiet").expect("stream ended").expect("read failed")
}

/// Read the client's SUBSCRIBE request and acknowledge it as Binance does.
async fn expect_subscribe<S: AsyncRead + AsyncWrite + Unpin>(
    ws: &mut WebSocketStream<S>,
    seen: &mpsc::UnboundedSender<Seen>,
) {
    let Message::Text(text) = next_frame(ws).await else { panic!("expected a SUBSCRIBE text frame") };
    let request: serde_json::Value = serde_json::from_str(text.as_str()).unwrap();
    let id = request["id"].clone();
    seen.send(Seen::Subscribe(request)).unwrap();
    ws.send(Message::text(format!(r#"{{"result":null,"id":{id}}}"#))).await.unwrap();
}

/// A Binance-format server: the first connection sends every kind of
/// message, pings, and then drops without a close frame; the second sends
/// two more events and waits for the client to close. `accept` turns each
/// TCP connection into the stream the WebSocket runs on (itself for
/// `ws://`, a TLS session for `wss://`).
async fn serve<A, F, S>(listener: TcpListener, accept: A, seen: mpsc::UnboundedSender<Seen>)
where
    A: Fn(TcpStream) -> F,
    F: Future<Output = S>,
    S: AsyncRead + AsyncWrite + Unpin,
{
    let (tcp, _) = listener.accept().await.unwrap();
    let mut ws = tokio_tungstenite::accept_async(accept(tcp).await).await.unwrap();
    expect_subscribe(&mut ws, &seen).await;
    for msg in [
        TRADE.to_string(),
        AGG_TRADE.to_string(),
        combined("btcusdt@trade", TRADE_2),
        KLINE_OPEN.to_string(),
        BAD_PRICE.to_string(),
        combined("btcusdt@kline_1m", KLINE_CLOSED),
        NOT_JSON.to_string(),
    ] {
        ws.send(Message::text(msg)).await.unwrap();
    }
    ws.send(Message::Ping(b"hb-1".to_vec().into())).await.unwrap();
    loop {
        if let Message::Pong(payload) = next_frame(&mut ws).await {
            seen.send(Seen::Pong(payload.to_vec())).unwrap();
            break;
        }
    }
    // Drop the TCP connection with no closing handshake (and, over TLS, no
    // close_notify), as a venue or a network failure does.
    drop(ws);

    let (tcp, _) = listener.accept().await.unwrap();
    let mut ws = tokio_tungstenite::accept_async(accept(tcp).await).await.unwrap();
    expect_subscribe(&mut ws, &seen).await;
    ws.send(Message::text(TRADE_AFTER_RECONNECT)).await.unwrap();
    ws.send(Message::text(KLINE_AFTER_RECONNECT)).await.unwrap();
    loop {
        match timeout(WAIT, ws.next()).await.expect("client neither stopped nor closed") {
            Some(Ok(Message::Close(_))) | None => break,
            Some(Ok(_)) => {}
            Some(Err(_)) => break,
        }
    }
    seen.send(Seen::ClientClosed).unwrap();
}

fn config(url: String) -> WsIngestConfig {
    let mut config = WsIngestConfig::new(url, Venue::new("BINANCE"));
    config.subscribe = vec!["btcusdt@trade".to_string()];
    config.backoff = Backoff { initial: Duration::from_millis(10), max: Duration::from_millis(100) };
    config.connect_timeout = Duration::from_secs(5);
    config.max_failed_attempts = Some(20);
    config
}

/// A test CA named `ca_name` and a server certificate it signed for `names`, with the
/// server's TLS configuration (rustls on ring, like the client).
struct TestPki {
    ca_pem: String,
    server: Arc<rustls::ServerConfig>,
}

fn test_pki(ca_name: &str, names: &[&str]) -> TestPki {
    let ca_key = KeyPair::generate().unwrap();
    let mut ca = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca.distinguished_name.push(DnType::CommonName, ca_name);
    ca.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign, KeyUsagePurpose::DigitalSignature];
    let ca_cert = ca.self_signed(&ca_key).unwrap();
    let issuer = Issuer::new(ca, ca_key);

    let key = KeyPair::generate().unwrap();
    let mut leaf = CertificateParams::new(names.iter().map(|n| n.to_string()).collect::<Vec<_>>()).unwrap();
    leaf.distinguished_name.push(DnType::CommonName, names[0]);
    leaf.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    leaf.use_authority_key_identifier_extension = true;
    let cert = leaf.signed_by(&key, &issuer).unwrap();

    let server = rustls::ServerConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(vec![cert.der().clone()], PrivateKeyDer::Pkcs8(key.serialize_der().into()))
        .unwrap();
    TestPki { ca_pem: ca_cert.pem(), server: Arc::new(server) }
}

fn write_pem(dir: &Path, name: &str, pem: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, pem).unwrap();
    path
}

/// Run the scripted server of [`serve`] behind `accept`, ingest it from
/// `url` (trusting `ca_file` too), and check every event, counter and what
/// the server saw.
async fn ingest_the_scripted_stream<A, F, S>(
    listener: TcpListener,
    url: String,
    ca_file: Option<PathBuf>,
    accept: A,
) -> IngestStats
where
    A: Fn(TcpStream) -> F + Send + 'static,
    F: Future<Output = S> + Send + 'static,
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let (seen_tx, mut seen) = mpsc::unbounded_channel();
    let server = tokio::spawn(serve(listener, accept, seen_tx));

    let (sink, mut events) = mpsc::unbounded_channel::<MarketEvent>();
    let mut config = config(url);
    config.ca_file = ca_file;
    let ingest = WsIngest::new(config).unwrap().spawn(sink);

    let expected = [
        trade("BTCUSDT", 1_700_000_000_100, "37012.34000000", "0.00150000"),
        trade("ETHUSDT", 1_700_000_000_200, "2050.10", "1.25"),
        trade("BTCUSDT", 1_700_000_000_300, "37012.35", "0.1"),
        bar(1_700_000_000_000, 1_700_000_059_999, ["37000.00", "37020.00", "36990.00", "37015.50", "4.12500"]),
        // after the reconnect
        trade("BTCUSDT", 1_700_000_070_000, "37100.01", "0.002"),
        bar(1_700_000_060_000, 1_700_000_119_999, ["37015.50", "37110.00", "37010.00", "37100.01", "0"]),
    ];
    let mut got = Vec::new();
    for _ in 0..expected.len() {
        got.push(timeout(WAIT, events.recv()).await.expect("no event in time").expect("sink dropped"));
    }
    assert_eq!(got, expected);
    assert_eq!(got.iter().map(printed).collect::<Vec<_>>(), expected.iter().map(printed).collect::<Vec<_>>());

    let stats = timeout(WAIT, ingest.stop()).await.expect("stop hung").expect("ingest failed");
    assert_eq!(timeout(Duration::from_millis(200), events.recv()).await.ok().flatten(), None, "no extra event");

    let subscribe =
        |id: i64| Seen::Subscribe(serde_json::json!({"method":"SUBSCRIBE","params":["btcusdt@trade"],"id":id}));
    let mut server_saw = Vec::new();
    while let Ok(Some(s)) = timeout(WAIT, seen.recv()).await {
        server_saw.push(s);
    }
    assert_eq!(server_saw, [subscribe(1), Seen::Pong(b"hb-1".to_vec()), subscribe(2), Seen::ClientClosed]);
    timeout(WAIT, server).await.unwrap().unwrap();

    // 2 acks + 7 messages on the first connection, 2 on the second.
    assert_eq!(stats.messages, 11, "{stats:?}");
    assert_eq!((stats.events, stats.trades, stats.bars), (6, 4, 2));
    assert_eq!(stats.open_klines, 1);
    assert_eq!(stats.replies, 2);
    assert_eq!(stats.pings, 1);
    assert_eq!((stats.connects, stats.reconnects), (2, 1));
    assert_eq!(stats.malformed, 2);
    assert_eq!(stats.malformed_details.len(), 2);
    assert_eq!(stats.malformed_details[0].reason, WsParseError::NotADecimal { field: "p", value: "abc".into() });
    assert_eq!(stats.malformed_details[0].text, BAD_PRICE);
    assert!(matches!(stats.malformed_details[1].reason, WsParseError::NotJson(_)), "{stats:?}");
    assert_eq!(stats.malformed_details[1].text, NOT_JSON);
    assert_eq!(stats.tls_failures, 0);
    stats
}

#[tokio::test]
async fn binance_stream_is_ingested_counted_and_resumed_after_a_drop() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("ws://{}/ws", listener.local_addr().unwrap());
    ingest_the_scripted_stream(listener, url, None, |tcp| async move { tcp }).await;
}

#[tokio::test]
async fn binance_stream_over_wss_is_ingested_with_the_ca_in_ca_file() {
    let pki = test_pki("hft-host ingest test CA", &["localhost"]);
    let dir = tempfile::tempdir().unwrap();
    let ca_file = write_pem(dir.path(), "test-ca.pem", &pki.ca_pem);
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("wss://localhost:{}/ws", listener.local_addr().unwrap().port());
    let acceptor = TlsAcceptor::from(pki.server);
    // The whole script over TLS: every event, the pong, the drop (no
    // close_notify) and the second TLS session after it.
    ingest_the_scripted_stream(listener, url, Some(ca_file), move |tcp| {
        let acceptor = acceptor.clone();
        async move { acceptor.accept(tcp).await.expect("TLS handshake with the trusting client") }
    })
    .await;
}

/// A TLS server that fails every handshake the client refuses; reports each
/// server-side failure.
fn refusing_tls_server(listener: TcpListener, server: Arc<rustls::ServerConfig>) -> mpsc::UnboundedReceiver<String> {
    let (tx, rx) = mpsc::unbounded_channel();
    let acceptor = TlsAcceptor::from(server);
    tokio::spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            let outcome = match acceptor.accept(tcp).await {
                Ok(_) => "accepted".to_string(),
                Err(e) => e.to_string(),
            };
            if tx.send(outcome).is_err() {
                break;
            }
        }
    });
    rx
}

/// Spawn an ingest that may retry `attempts` times and wait for it to give
/// up: its last counters and its error.
async fn run_until_it_gives_up(mut config: WsIngestConfig, attempts: u32) -> (IngestStats, IngestError) {
    config.max_failed_attempts = Some(attempts);
    config.backoff = Backoff { initial: Duration::from_millis(1), max: Duration::from_millis(5) };
    let ingest = WsIngest::new(config).unwrap().spawn(Vec::new());
    let stats = timeout(WAIT, async {
        while !ingest.is_finished() {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        ingest.stats()
    })
    .await
    .expect("did not give up in time");
    let err = timeout(WAIT, ingest.wait()).await.unwrap().unwrap_err();
    (stats, err)
}

#[tokio::test]
async fn wss_from_a_ca_not_trusted_is_refused_with_a_clear_error_and_retried() {
    let pki = test_pki("hft-host ingest test CA", &["localhost"]);
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("wss://localhost:{}/ws", listener.local_addr().unwrap().port());
    let mut server_saw = refusing_tls_server(listener, pki.server);

    // The client trusts the platform's roots and another test CA, not the
    // one that signed the server's certificate.
    let dir = tempfile::tempdir().unwrap();
    let other_ca = write_pem(dir.path(), "other-ca.pem", &test_pki("another test CA", &["localhost"]).ca_pem);
    let mut trusting_another = config(url.clone());
    trusting_another.ca_file = Some(other_ca.clone());
    let mut cases = vec![("another CA in ca_file", trusting_another, "and 1 from ca_file")];
    // Without any ca_file, where the platform has roots to load (an image
    // with ca-certificates); without any, WsIngest::new refuses (below).
    if !rustls_native_certs::load_native_certs().certs.is_empty() {
        cases.push(("platform roots only", config(url.clone()), "no ca_file"));
    }
    for (case, config, roots) in cases {
        let (stats, err) = run_until_it_gives_up(config, 3).await;
        let IngestError::GaveUp { attempts: 3, last } = &err else { panic!("{case}: {err}") };
        for part in [
            format!("TLS handshake with {url} failed"),
            "UnknownIssuer".to_string(),
            "not signed by a trusted CA".to_string(),
            roots.to_string(),
        ] {
            assert!(last.contains(&part), "{case}: {last:?} lacks {part:?}");
        }
        // Each attempt failed in the handshake, was counted, and was retried
        // after the backoff until the limit.
        assert_eq!((stats.tls_failures, stats.reconnects, stats.connects), (3, 2, 0), "{case}: {stats:?}");
        for _ in 0..3 {
            let outcome = timeout(WAIT, server_saw.recv()).await.unwrap().unwrap();
            assert!(outcome.contains("UnknownCA"), "{case}: the server saw {outcome:?}");
        }
    }
}

#[tokio::test]
async fn wss_to_a_host_the_certificate_does_not_name_is_refused() {
    let pki = test_pki("hft-host ingest test CA", &["localhost"]);
    let dir = tempfile::tempdir().unwrap();
    let ca_file = write_pem(dir.path(), "test-ca.pem", &pki.ca_pem);
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    // The right CA, but the URL names 127.0.0.1 and the certificate only localhost.
    let url = format!("wss://127.0.0.1:{}/ws", listener.local_addr().unwrap().port());
    let _server_saw = refusing_tls_server(listener, pki.server);
    let mut config = config(url.clone());
    config.ca_file = Some(ca_file);
    let (stats, err) = run_until_it_gives_up(config, 2).await;
    let IngestError::GaveUp { attempts: 2, last } = &err else { panic!("{err}") };
    for part in [&format!("TLS handshake with {url} failed"), "not valid for name", "\"127.0.0.1\""] {
        assert!(last.contains(part), "{last:?} lacks {part:?}");
    }
    assert_eq!((stats.tls_failures, stats.reconnects), (2, 1), "{stats:?}");
}

#[tokio::test]
async fn ingest_gives_up_after_the_configured_failed_attempts() {
    // A port that was just free: nothing listens there.
    let addr = TcpListener::bind("127.0.0.1:0").await.unwrap().local_addr().unwrap();
    let mut config = config(format!("ws://{addr}/ws"));
    config.max_failed_attempts = Some(3);
    config.backoff = Backoff { initial: Duration::from_millis(1), max: Duration::from_millis(5) };
    let ingest = WsIngest::new(config).unwrap().spawn(Vec::new());
    let err = timeout(WAIT, ingest.wait()).await.expect("did not give up in time").unwrap_err();
    assert!(matches!(err, IngestError::GaveUp { attempts: 3, .. }), "{err}");
}

#[tokio::test]
async fn ingest_stops_when_the_sink_is_closed() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("ws://{}/ws", listener.local_addr().unwrap());
    let server = tokio::spawn(async move {
        let (tcp, _) = listener.accept().await.unwrap();
        let mut ws = tokio_tungstenite::accept_async(tcp).await.unwrap();
        ws.send(Message::text(TRADE)).await.unwrap();
        // Wait for the client to go away.
        while let Ok(Some(Ok(_))) = timeout(WAIT, ws.next()).await {}
    });
    let (sink, events) = mpsc::unbounded_channel::<MarketEvent>();
    drop(events);
    let mut config = config(url);
    config.subscribe.clear();
    let ingest = WsIngest::new(config).unwrap().spawn(sink);
    let err = timeout(WAIT, ingest.wait()).await.expect("did not stop").unwrap_err();
    assert!(matches!(err, IngestError::SinkClosed(_)), "{err}");
    timeout(WAIT, server).await.unwrap().unwrap();
}

#[test]
fn urls_other_than_ws_and_wss_are_refused_up_front() {
    for url in ["http://127.0.0.1:1/", "https://stream.binance.com:9443/ws", "not a url"] {
        let err = WsIngest::new(WsIngestConfig::new(url, Venue::new("BINANCE"))).unwrap_err();
        assert!(matches!(err, IngestError::BadUrl { .. }), "{url}: {err}");
    }
}

#[test]
fn a_ca_file_that_cannot_be_used_is_refused_up_front() {
    let dir = tempfile::tempdir().unwrap();
    let url = "wss://stream.binance.com:9443/ws";
    let with_ca = |path: PathBuf| {
        let mut config = WsIngestConfig::new(url, Venue::new("BINANCE"));
        config.ca_file = Some(path);
        WsIngest::new(config)
    };
    let missing = dir.path().join("missing.pem");
    let not_pem = write_pem(dir.path(), "not.pem", "no certificate here\n");
    let garbage = write_pem(
        dir.path(),
        "garbage.pem",
        "-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----\n",
    );
    for (path, why) in [(missing, "No such file"), (not_pem, "no PEM certificate"), (garbage, "cannot be a trust root")]
    {
        let err = with_ca(path.clone()).unwrap_err();
        let text = err.to_string();
        assert!(matches!(err, IngestError::Tls { .. }), "{text}");
        assert!(text.contains(url) && text.contains(&path.display().to_string()) && text.contains(why), "{text}");
    }
    // A usable bundle is accepted; a ca_file is ignored for ws://.
    let good = write_pem(dir.path(), "ca.pem", &test_pki("another test CA", &["localhost"]).ca_pem);
    with_ca(good).unwrap();
    let mut plain = WsIngestConfig::new("ws://127.0.0.1:1/ws", Venue::new("BINANCE"));
    plain.ca_file = Some(dir.path().join("missing.pem"));
    WsIngest::new(plain).unwrap();
}

#[test]
fn ca_file_in_the_config_is_relative_to_the_config_file() {
    let dir = tempfile::tempdir().unwrap();
    let text = format!(
        "{}\n[ingest.websocket]\nurl = \"wss://stream.binance.com:9443/ws\"\nvenue = \"BINANCE\"\nca_file = \"certs/venue-ca.pem\"\n",
        hft_host::config::DEFAULT_CONFIG
    );
    let path = dir.path().join("live.toml");
    std::fs::write(&path, text).unwrap();
    let loaded = hft_host::config::load(Some(&path), Vec::<(String, String)>::new()).unwrap();
    let ws = loaded.ingest.websocket.expect("[ingest.websocket]");
    assert_eq!(ws.ca_file, Some(dir.path().join("certs/venue-ca.pem")));

    // An HFT_ variable sets it as written (relative to where hft-host runs).
    let vars = [("HFT_INGEST__WEBSOCKET__CA_FILE".to_string(), "/etc/hft/ca.pem".to_string())];
    let loaded = hft_host::config::load(Some(&path), vars).unwrap();
    assert_eq!(loaded.ingest.websocket.unwrap().ca_file, Some(PathBuf::from("/etc/hft/ca.pem")));
}
