//! Binance public WebSocket market streams, one text message at a time.
//!
//! A live feed speaks the same market as the public-data files but in JSON
//! (field names from Binance's "WebSocket Streams" reference for spot; the
//! USDⓈ-M futures streams use the same keys):
//!
//! - `trade` and `aggTrade`: `s` symbol, `p` price, `q` quantity, `T` trade
//!   time become a [`MarketEvent::Trade`];
//! - `kline`: `s`, and in `k` the open time `t`, close time `T`, prices
//!   `o`/`h`/`l`/`c`, base volume `v` and `x` (closed) become a
//!   [`MarketEvent::Bar`] once `x` is true.
//!
//! A message may come raw (`/ws/<stream>`) or in the combined-stream envelope
//! `{"stream":"btcusdt@trade","data":{...}}` (`/stream?streams=...`); both are
//! accepted. Replies to requests (`{"result":null,"id":1}` after a
//! `SUBSCRIBE`) are recognised as [`WsMessage::Reply`]; a refused request
//! (`{"code":2,"msg":"Invalid request","id":1}`, or the same under `error`)
//! is a [`WsParseError::RequestRefused`], so it is reported, not swallowed.
//!
//! **Units and exactness.** Prices and quantities come as JSON strings and
//! are parsed to [`Decimal`] exactly as printed (`"0.00100000"` keeps its
//! eight places). Times are milliseconds, or microseconds when the stream was
//! opened with `timeUnit=MICROSECOND`; the unit is told by magnitude
//! ([`BinanceTimeUnit`]) and every timestamp becomes nanoseconds. A trade is
//! stamped with its trade time `T`, not the event time `E` (when Binance
//! pushed it); a bar with its close time `T` (the last instant inside it, as
//! in the klines files), because only then are its values known.
//!
//! **Open klines.** Binance pushes the bar in progress every second or so
//! with `x: false`; its values still change, so acting on it would look
//! ahead. It is returned as [`WsMessage::OpenKline`] for the caller to count
//! and drop; only the final push (`x: true`) is a bar.
//!
//! The checks are those of the klines and aggTrades readers: prices positive,
//! trade sizes positive, volumes not negative, high not below low, open and
//! close inside [low, high], close time not before open time. Anything else
//! wrong is a [`WsParseError`] naming the field; nothing here panics.

use super::{Bar, BinanceTimeUnit, MarketEvent, Trade};
use crate::domain::{Decimal, InstrumentId, Price, Quantity, Symbol, Timestamp, Venue};
use serde_json::{Map, Value};
use std::str::FromStr;

/// What one WebSocket text message was.
#[derive(Debug, Clone, PartialEq)]
pub enum WsMessage {
    /// A trade or a closed bar, ready for the pipeline.
    Event(MarketEvent),
    /// A push of the bar still in progress (`x: false`): to be counted and
    /// dropped, never traded on.
    OpenKline {
        /// Whose bar.
        instrument: InstrumentId,
        /// When the bar opened.
        open_ts: Timestamp,
    },
    /// The venue's answer to a request such as `SUBSCRIBE` (`{"result":null,"id":1}`).
    Reply {
        /// The request id echoed back, when it is a number.
        id: Option<i64>,
    },
}

/// Why a message could not be read. The variants are the checks made, so a
/// feed's error counts can be grouped by cause.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WsParseError {
    /// The text is not JSON at all.
    #[error("not JSON: {0}")]
    NotJson(String),
    /// The JSON is not an object (an array, a number...).
    #[error("not a JSON object")]
    NotAnObject,
    /// An object that is neither an event (no `e`), a combined-stream
    /// envelope nor a request reply.
    #[error("not a market-stream message: no event type `e`")]
    NoEventType,
    /// An event type this parser does not turn into events (`depthUpdate`,
    /// `24hrTicker`...): subscribe only to `trade`, `aggTrade` and `kline`.
    #[error("unsupported event type {0:?}")]
    UnsupportedEvent(String),
    /// A required key is absent.
    #[error("missing field `{field}`")]
    MissingField {
        /// The key, as Binance names it (`k.o` for a kline's open).
        field: &'static str,
    },
    /// A key holds the wrong JSON type.
    #[error("field `{field}`: expected {expected}, found {found}")]
    WrongType {
        /// The key.
        field: &'static str,
        /// What Binance sends there.
        expected: &'static str,
        /// The value as received.
        found: String,
    },
    /// A decimal string that does not parse.
    #[error("field `{field}`: {value:?} is not a decimal number")]
    NotADecimal {
        /// The key.
        field: &'static str,
        /// The string as received.
        value: String,
    },
    /// A price that is zero or negative.
    #[error("field `{field}`: price {value} is not positive")]
    NonPositivePrice {
        /// The key.
        field: &'static str,
        /// The string as received.
        value: String,
    },
    /// A negative quantity or volume, or a trade of size zero.
    #[error("field `{field}`: size {value} is not allowed here")]
    BadSize {
        /// The key.
        field: &'static str,
        /// The string as received.
        value: String,
    },
    /// A time that is negative or too large to be milliseconds or microseconds.
    #[error("field `{field}`: time {value} is out of range")]
    TimestampOutOfRange {
        /// The key.
        field: &'static str,
        /// The value as received.
        value: i64,
    },
    /// A bar whose high is below its low, or whose open or close lies outside
    /// the range.
    #[error("kline prices inconsistent: open {open}, high {high}, low {low}, close {close}")]
    InconsistentBar {
        /// `k.o` as received.
        open: String,
        /// `k.h` as received.
        high: String,
        /// `k.l` as received.
        low: String,
        /// `k.c` as received.
        close: String,
    },
    /// A bar that closes before it opens.
    #[error("kline closes at {close} before it opens at {open}")]
    CloseBeforeOpen {
        /// `k.t` in nanoseconds.
        open: Timestamp,
        /// `k.T` in nanoseconds.
        close: Timestamp,
    },
    /// The venue refused a request (a bad `SUBSCRIBE`, too many streams).
    #[error("request {id:?} refused: code {code:?}: {msg}")]
    RequestRefused {
        /// The request id echoed back.
        id: Option<i64>,
        /// Binance's error code, when given.
        code: Option<i64>,
        /// Binance's explanation.
        msg: String,
    },
}

/// Turns Binance WebSocket messages into [`WsMessage`]s for one venue.
/// Binance's messages name the symbol but not the venue (spot and futures
/// both say `BTCUSDT`), so the caller says which venue the connection is to.
#[derive(Debug, Clone)]
pub struct BinanceWsParser {
    venue: Venue,
}

impl BinanceWsParser {
    /// A parser stamping every instrument with `venue`.
    pub fn new(venue: Venue) -> BinanceWsParser {
        BinanceWsParser { venue }
    }

    /// The venue given.
    pub fn venue(&self) -> &Venue {
        &self.venue
    }

    /// Read one text message, raw or in a combined-stream envelope.
    pub fn parse(&self, text: &str) -> Result<WsMessage, WsParseError> {
        let value: Value = serde_json::from_str(text).map_err(|e| WsParseError::NotJson(e.to_string()))?;
        let Value::Object(obj) = value else { return Err(WsParseError::NotAnObject) };
        self.parse_object(&obj, true)
    }

    fn parse_object(&self, obj: &Map<String, Value>, outer: bool) -> Result<WsMessage, WsParseError> {
        if outer && obj.contains_key("stream") && obj.contains_key("data") {
            let Value::Object(data) = &obj["data"] else {
                return Err(wrong_type("data", "an object", &obj["data"]));
            };
            return self.parse_object(data, false);
        }
        let Some(kind) = obj.get("e") else {
            return reply(obj);
        };
        let Value::String(kind) = kind else { return Err(wrong_type("e", "a string", kind)) };
        match kind.as_str() {
            "trade" | "aggTrade" => self.trade(obj).map(|t| WsMessage::Event(MarketEvent::Trade(t))),
            "kline" => self.kline(obj),
            other => Err(WsParseError::UnsupportedEvent(other.to_owned())),
        }
    }

    fn instrument(&self, symbol: &str) -> InstrumentId {
        InstrumentId { venue: self.venue.clone(), symbol: Symbol::new(symbol) }
    }

    fn trade(&self, obj: &Map<String, Value>) -> Result<Trade, WsParseError> {
        let symbol = string(obj, "s")?;
        let price = price(obj, "p")?;
        let size = decimal(obj, "q")?;
        if size <= Decimal::ZERO {
            return Err(WsParseError::BadSize { field: "q", value: string(obj, "q")?.to_owned() });
        }
        let ts = time(obj, "T")?;
        Ok(Trade { instrument: self.instrument(symbol), ts, price: Price(price), size: Quantity(size) })
    }

    fn kline(&self, obj: &Map<String, Value>) -> Result<WsMessage, WsParseError> {
        let k = match obj.get("k") {
            Some(Value::Object(k)) => k,
            Some(other) => return Err(wrong_type("k", "an object", other)),
            None => return Err(WsParseError::MissingField { field: "k" }),
        };
        // The event's `s` and the kline's `s` are the same symbol; accept either.
        let symbol = match k.get("s") {
            Some(_) => string_as(k, "s", "k.s")?,
            None => string(obj, "s")?,
        };
        let open_ts = time_as(k, "t", "k.t")?;
        let closed = match k.get("x") {
            Some(Value::Bool(b)) => *b,
            Some(other) => return Err(wrong_type("k.x", "true or false", other)),
            None => return Err(WsParseError::MissingField { field: "k.x" }),
        };
        if !closed {
            return Ok(WsMessage::OpenKline { instrument: self.instrument(symbol), open_ts });
        }
        let ts = time_as(k, "T", "k.T")?;
        let open = price_as(k, "o", "k.o")?;
        let high = price_as(k, "h", "k.h")?;
        let low = price_as(k, "l", "k.l")?;
        let close = price_as(k, "c", "k.c")?;
        let volume = decimal_as(k, "v", "k.v")?;
        if volume < Decimal::ZERO {
            return Err(WsParseError::BadSize { field: "k.v", value: string_as(k, "v", "k.v")?.to_owned() });
        }
        if high < low || open < low || open > high || close < low || close > high {
            return Err(WsParseError::InconsistentBar {
                open: string_as(k, "o", "k.o")?.to_owned(),
                high: string_as(k, "h", "k.h")?.to_owned(),
                low: string_as(k, "l", "k.l")?.to_owned(),
                close: string_as(k, "c", "k.c")?.to_owned(),
            });
        }
        if ts < open_ts {
            return Err(WsParseError::CloseBeforeOpen { open: open_ts, close: ts });
        }
        Ok(WsMessage::Event(MarketEvent::Bar(Bar {
            instrument: self.instrument(symbol),
            ts,
            open_ts,
            open: Price(open),
            high: Price(high),
            low: Price(low),
            close: Price(close),
            volume: Quantity(volume),
        })))
    }
}

/// An object without `e`: a request reply, or not a stream message at all.
fn reply(obj: &Map<String, Value>) -> Result<WsMessage, WsParseError> {
    let Some(id) = obj.get("id") else { return Err(WsParseError::NoEventType) };
    let id = id.as_i64();
    if obj.contains_key("result") {
        return Ok(WsMessage::Reply { id });
    }
    let detail = match obj.get("error") {
        Some(Value::Object(e)) => e,
        _ => obj,
    };
    if detail.contains_key("code") || detail.contains_key("msg") {
        let code = detail.get("code").and_then(Value::as_i64);
        let msg = match detail.get("msg") {
            Some(Value::String(s)) => s.clone(),
            Some(other) => other.to_string(),
            None => String::new(),
        };
        return Err(WsParseError::RequestRefused { id, code, msg });
    }
    Err(WsParseError::NoEventType)
}

/// The value as received, cut short so an error report stays readable.
fn shown(v: &Value) -> String {
    let s = v.to_string();
    if s.len() <= 64 { s } else { format!("{}...", s.chars().take(64).collect::<String>()) }
}

fn wrong_type(field: &'static str, expected: &'static str, found: &Value) -> WsParseError {
    WsParseError::WrongType { field, expected, found: shown(found) }
}

fn string<'a>(obj: &'a Map<String, Value>, key: &'static str) -> Result<&'a str, WsParseError> {
    string_as(obj, key, key)
}

/// `obj[key]` as a string; `field` is how errors name it (`k.o`).
fn string_as<'a>(obj: &'a Map<String, Value>, key: &str, field: &'static str) -> Result<&'a str, WsParseError> {
    match obj.get(key) {
        Some(Value::String(s)) => Ok(s),
        Some(other) => Err(wrong_type(field, "a string", other)),
        None => Err(WsParseError::MissingField { field }),
    }
}

fn decimal(obj: &Map<String, Value>, key: &'static str) -> Result<Decimal, WsParseError> {
    decimal_as(obj, key, key)
}

/// A decimal sent as a string, kept exactly as printed.
fn decimal_as(obj: &Map<String, Value>, key: &str, field: &'static str) -> Result<Decimal, WsParseError> {
    let s = string_as(obj, key, field)?;
    Decimal::from_str(s).map_err(|_| WsParseError::NotADecimal { field, value: s.to_owned() })
}

fn price(obj: &Map<String, Value>, key: &'static str) -> Result<Decimal, WsParseError> {
    price_as(obj, key, key)
}

/// A strictly positive decimal.
fn price_as(obj: &Map<String, Value>, key: &str, field: &'static str) -> Result<Decimal, WsParseError> {
    let d = decimal_as(obj, key, field)?;
    if d <= Decimal::ZERO {
        return Err(WsParseError::NonPositivePrice { field, value: string_as(obj, key, field)?.to_owned() });
    }
    Ok(d)
}

fn time(obj: &Map<String, Value>, key: &'static str) -> Result<Timestamp, WsParseError> {
    time_as(obj, key, key)
}

/// An integer time in milliseconds or microseconds, as nanoseconds.
fn time_as(obj: &Map<String, Value>, key: &str, field: &'static str) -> Result<Timestamp, WsParseError> {
    let raw = match obj.get(key) {
        Some(Value::Number(n)) => n.as_i64().ok_or_else(|| wrong_type(field, "an integer", &obj[key]))?,
        Some(other) => return Err(wrong_type(field, "an integer", other)),
        None => return Err(WsParseError::MissingField { field }),
    };
    BinanceTimeUnit::to_timestamp(raw).ok_or(WsParseError::TimestampOutOfRange { field, value: raw })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parser() -> BinanceWsParser {
        BinanceWsParser::new(Venue::new("BINANCE"))
    }

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    const TRADE: &str = r#"{"e":"trade","E":1672515782136,"s":"BNBBTC","t":12345,"p":"0.00100000","q":"100.5","T":1672515782134,"m":true,"M":true}"#;
    const AGG_TRADE: &str = r#"{"e":"aggTrade","E":1672515782136,"s":"BTCUSDT","a":26129,"p":"16541.23000000","q":"0.00125000","f":100,"l":105,"T":1672515782130,"m":false,"M":true}"#;
    const KLINE_CLOSED: &str = r#"{"e":"kline","E":1672515840001,"s":"BTCUSDT","k":{"t":1672515780000,"T":1672515839999,"s":"BTCUSDT","i":"1m","f":100,"L":200,"o":"16541.23","c":"16545.01","h":"16550.00","l":"16539.10","v":"12.34500","n":100,"x":true,"q":"204289.1","V":"6.1","Q":"100903.2","B":"123456"}}"#;
    const KLINE_OPEN: &str = r#"{"e":"kline","E":1672515800000,"s":"BTCUSDT","k":{"t":1672515780000,"T":1672515839999,"s":"BTCUSDT","i":"1m","f":100,"L":150,"o":"16541.23","c":"16543.00","h":"16544.00","l":"16540.00","v":"3.2","n":50,"x":false,"q":"1.0","V":"0.5","Q":"0.5","B":"0"}}"#;

    fn trade(msg: WsMessage) -> Trade {
        match msg {
            WsMessage::Event(MarketEvent::Trade(t)) => t,
            other => panic!("expected a trade, got {other:?}"),
        }
    }

    #[test]
    fn trade_event_keeps_decimals_exactly_and_uses_trade_time() {
        let t = trade(parser().parse(TRADE).unwrap());
        assert_eq!(t.instrument, InstrumentId::new("BINANCE", "BNBBTC"));
        assert_eq!(t.ts, Timestamp(1_672_515_782_134_000_000), "T in ms, as ns; not E");
        assert_eq!(t.price.0.to_string(), "0.00100000");
        assert_eq!(t.size.0, d("100.5"));
    }

    #[test]
    fn agg_trade_event_is_a_trade() {
        let t = trade(parser().parse(AGG_TRADE).unwrap());
        assert_eq!(t.instrument.symbol.as_str(), "BTCUSDT");
        assert_eq!(t.ts, Timestamp::from_millis(1_672_515_782_130));
        assert_eq!(t.price.0.to_string(), "16541.23000000");
        assert_eq!(t.size.0.to_string(), "0.00125000");
    }

    #[test]
    fn microsecond_stream_times_are_detected() {
        let msg = TRADE.replace("1672515782134,", "1672515782134567,");
        assert_eq!(trade(parser().parse(&msg).unwrap()).ts, Timestamp(1_672_515_782_134_567_000));
    }

    #[test]
    fn closed_kline_is_a_bar_at_its_close_time() {
        let WsMessage::Event(MarketEvent::Bar(b)) = parser().parse(KLINE_CLOSED).unwrap() else {
            panic!("expected a bar")
        };
        assert_eq!(b.instrument, InstrumentId::new("BINANCE", "BTCUSDT"));
        assert_eq!(b.ts, Timestamp::from_millis(1_672_515_839_999));
        assert_eq!(b.open_ts, Timestamp::from_millis(1_672_515_780_000));
        assert_eq!(
            [b.open.0, b.high.0, b.low.0, b.close.0].map(|p| p.to_string()),
            ["16541.23", "16550.00", "16539.10", "16545.01"]
        );
        assert_eq!(b.volume.0.to_string(), "12.34500");
    }

    #[test]
    fn open_kline_is_not_a_bar() {
        assert_eq!(
            parser().parse(KLINE_OPEN).unwrap(),
            WsMessage::OpenKline {
                instrument: InstrumentId::new("BINANCE", "BTCUSDT"),
                open_ts: Timestamp::from_millis(1_672_515_780_000)
            }
        );
    }

    #[test]
    fn combined_stream_envelope_is_unwrapped() {
        let p = parser();
        let wrapped = format!(r#"{{"stream":"bnbbtc@trade","data":{TRADE}}}"#);
        assert_eq!(p.parse(&wrapped).unwrap(), p.parse(TRADE).unwrap());
        let wrapped = format!(r#"{{"stream":"btcusdt@kline_1m","data":{KLINE_CLOSED}}}"#);
        assert_eq!(p.parse(&wrapped).unwrap(), p.parse(KLINE_CLOSED).unwrap());
        let bad = r#"{"stream":"btcusdt@trade","data":[1,2]}"#;
        assert!(matches!(p.parse(bad), Err(WsParseError::WrongType { field: "data", .. })));
    }

    #[test]
    fn subscription_reply_is_recognised_and_refusal_reported() {
        let p = parser();
        assert_eq!(p.parse(r#"{"result":null,"id":1}"#).unwrap(), WsMessage::Reply { id: Some(1) });
        assert_eq!(
            p.parse(r#"{"code":2,"msg":"Invalid request: unknown variant","id":7}"#),
            Err(WsParseError::RequestRefused {
                id: Some(7),
                code: Some(2),
                msg: "Invalid request: unknown variant".into()
            })
        );
        assert_eq!(
            p.parse(r#"{"error":{"code":-1121,"msg":"Invalid symbol."},"id":3}"#),
            Err(WsParseError::RequestRefused { id: Some(3), code: Some(-1121), msg: "Invalid symbol.".into() })
        );
    }

    #[test]
    fn malformed_messages_are_typed_errors_naming_the_field() {
        let p = parser();
        let cases: Vec<(String, WsParseError)> = vec![
            ("{not json".into(), WsParseError::NotJson(String::new())),
            ("[1,2]".into(), WsParseError::NotAnObject),
            (r#"{"foo":1}"#.into(), WsParseError::NoEventType),
            (r#"{"e":"depthUpdate","s":"BTCUSDT"}"#.into(), WsParseError::UnsupportedEvent("depthUpdate".into())),
            (TRADE.replace(r#""p":"0.00100000","#, ""), WsParseError::MissingField { field: "p" }),
            (
                TRADE.replace(r#""p":"0.00100000""#, r#""p":"abc""#),
                WsParseError::NotADecimal { field: "p", value: "abc".into() },
            ),
            (
                TRADE.replace(r#""p":"0.00100000""#, r#""p":0.001"#),
                WsParseError::WrongType { field: "p", expected: "a string", found: "0.001".into() },
            ),
            (
                TRADE.replace(r#""p":"0.00100000""#, r#""p":"-1""#),
                WsParseError::NonPositivePrice { field: "p", value: "-1".into() },
            ),
            (TRADE.replace(r#""q":"100.5""#, r#""q":"0""#), WsParseError::BadSize { field: "q", value: "0".into() }),
            (
                TRADE.replace("\"T\":1672515782134", "\"T\":-5"),
                WsParseError::TimestampOutOfRange { field: "T", value: -5 },
            ),
            (
                TRADE.replace("\"T\":1672515782134", "\"T\":\"1672515782134\""),
                WsParseError::WrongType { field: "T", expected: "an integer", found: "\"1672515782134\"".into() },
            ),
            (
                KLINE_CLOSED.replace(r#""x":true"#, r#""x":"yes""#),
                WsParseError::WrongType { field: "k.x", expected: "true or false", found: "\"yes\"".into() },
            ),
            (
                KLINE_CLOSED.replace(r#""o":"16541.23""#, r#""o":"17000""#),
                WsParseError::InconsistentBar {
                    open: "17000".into(),
                    high: "16550.00".into(),
                    low: "16539.10".into(),
                    close: "16545.01".into(),
                },
            ),
            (
                KLINE_CLOSED.replace(r#""v":"12.34500""#, r#""v":"-1""#),
                WsParseError::BadSize { field: "k.v", value: "-1".into() },
            ),
            (
                KLINE_CLOSED.replace(r#""T":1672515839999"#, r#""T":1672515779999"#),
                WsParseError::CloseBeforeOpen {
                    open: Timestamp::from_millis(1_672_515_780_000),
                    close: Timestamp::from_millis(1_672_515_779_999),
                },
            ),
            (r#"{"e":"kline","s":"BTCUSDT"}"#.into(), WsParseError::MissingField { field: "k" }),
        ];
        for (msg, expected) in cases {
            let got = p.parse(&msg).expect_err(&msg);
            match (&got, &expected) {
                (WsParseError::NotJson(reason), WsParseError::NotJson(_)) => assert!(!reason.is_empty()),
                _ => assert_eq!(got, expected, "{msg}"),
            }
            assert!(!got.to_string().is_empty());
        }
    }
}
