//! Live ingest against a local WebSocket server that speaks Binance's
//! public market-stream format: what reaches the sink, what is counted, how
//! the client answers pings, reconnects after a drop and stops cleanly.

use futures_util::{SinkExt, StreamExt};
use hft_host::ingest::{Backoff, IngestError, WsIngest, WsIngestConfig};
use hft_trading::domain::{InstrumentId, Price, Quantity, Timestamp, Venue};
use hft_trading::market::{Bar, MarketEvent, Trade, WsParseError};
use rust_decimal::Decimal;
use std::str::FromStr;
use std::time::Duration;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio::time::timeout;
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

async fn next_frame(ws: &mut WebSocketStream<TcpStream>) -> Message {
    timeout(WAIT, ws.next()).await.expect("client went quiet").expect("stream ended").expect("read failed")
}

/// Read the client's SUBSCRIBE request and acknowledge it as Binance does.
async fn expect_subscribe(ws: &mut WebSocketStream<TcpStream>, seen: &mpsc::UnboundedSender<Seen>) {
    let Message::Text(text) = next_frame(ws).await else { panic!("expected a SUBSCRIBE text frame") };
    let request: serde_json::Value = serde_json::from_str(text.as_str()).unwrap();
    let id = request["id"].clone();
    seen.send(Seen::Subscribe(request)).unwrap();
    ws.send(Message::text(format!(r#"{{"result":null,"id":{id}}}"#))).await.unwrap();
}

/// A Binance-format server: the first connection sends every kind of
/// message, pings, and then drops without a close frame; the second sends
/// two more events and waits for the client to close.
async fn serve(listener: TcpListener, seen: mpsc::UnboundedSender<Seen>) {
    let (tcp, _) = listener.accept().await.unwrap();
    let mut ws = tokio_tungstenite::accept_async(tcp).await.unwrap();
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
    // Drop the TCP connection with no closing handshake, as a venue or a
    // network failure does.
    drop(ws);

    let (tcp, _) = listener.accept().await.unwrap();
    let mut ws = tokio_tungstenite::accept_async(tcp).await.unwrap();
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

#[tokio::test]
async fn binance_stream_is_ingested_counted_and_resumed_after_a_drop() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("ws://{}/ws", listener.local_addr().unwrap());
    let (seen_tx, mut seen) = mpsc::unbounded_channel();
    let server = tokio::spawn(serve(listener, seen_tx));

    let (sink, mut events) = mpsc::unbounded_channel::<MarketEvent>();
    let ingest = WsIngest::new(config(url)).unwrap().spawn(sink);

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
fn urls_other_than_plain_ws_are_refused_up_front() {
    for url in ["wss://stream.binance.com:9443/ws", "http://127.0.0.1:1/", "not a url"] {
        let err = WsIngest::new(WsIngestConfig::new(url, Venue::new("BINANCE"))).unwrap_err();
        assert!(matches!(err, IngestError::BadUrl { .. }), "{url}: {err}");
    }
}
