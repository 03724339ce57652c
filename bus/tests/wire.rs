//! The wire format: every kind round-trips exactly in both formats, and
//! every kind of malformed input is a typed error, never a panic.

mod util;

use hft_bus::wire::{
    AnyMessage, BINARY_MAGIC, DecodeError, Envelope, Format, MarketData, MessageId, MessageKind, OrderMessage,
    SCHEMA_VERSION, Signals, decode, decode_any, encode,
};
use util::samples;

fn encode_any(env: &Envelope<AnyMessage>, f: Format) -> Vec<u8> {
    let id = env.id;
    match &env.body {
        AnyMessage::MarketData(m) => encode(&Envelope::new(id, m.clone()), f),
        AnyMessage::Signals(m) => encode(&Envelope::new(id, m.clone()), f),
        AnyMessage::Order(m) => encode(&Envelope::new(id, m.clone()), f),
        AnyMessage::Fill(m) => encode(&Envelope::new(id, m.clone()), f),
        AnyMessage::Control(m) => encode(&Envelope::new(id, m.clone()), f),
        AnyMessage::DeadLetter(m) => encode(&Envelope::new(id, m.clone()), f),
        AnyMessage::Venue(m) => encode(&Envelope::new(id, m.clone()), f),
    }
}

#[test]
fn every_kind_round_trips_exactly_in_both_formats() {
    for (n, msg) in samples::all().into_iter().enumerate() {
        let env = Envelope::new(samples::id(n as u64), msg);
        for format in [Format::Binary, Format::Json] {
            let bytes = encode_any(&env, format);
            let back = decode_any(&bytes).unwrap_or_else(|e| panic!("{format:?} {:?}: {e}", env.body.kind()));
            assert_eq!(back.id, env.id);
            assert!(samples::same(&back.body, &env.body), "{format:?}\n{:?}\n{:?}", back.body, env.body);
        }
    }
}

#[test]
fn decimals_keep_value_and_scale_bit_for_bit() {
    for s in ["0", "1.50", "-0.000000000000000000000000001", "79228162514264337593543950335", "37123.45", "1e-10"] {
        let d = if s.contains('e') { samples::dec("0.0000000001") } else { samples::dec(s) };
        let msg = samples::trade("BTCUSDT", 1, &d.to_string());
        for format in [Format::Binary, Format::Json] {
            let back: Envelope<MarketData> =
                decode(&encode(&Envelope::new(MessageId(1), msg.clone()), format)).unwrap();
            let (a, b) = (back.body.0.price().0, msg.0.price().0);
            assert_eq!(a.serialize(), b.serialize(), "{format:?} {s}: {a} vs {b}");
        }
    }
}

/// Why the wire has its own decimal encoding: `rust_decimal`'s own
/// `Deserialize` (without the `serde-str` feature) needs `deserialize_any`,
/// which postcard does not implement, so the trading types cannot go
/// through postcard as they are.
#[test]
fn domain_types_do_not_round_trip_through_postcard_directly() {
    let price = samples::dec("37123.45");
    let bytes = postcard::to_allocvec(&price).unwrap();
    assert_eq!(bytes, b"\x0837123.45", "serialises as a string");
    let back = postcard::from_bytes::<hft_trading::domain::Decimal>(&bytes);
    assert!(back.is_err(), "if this starts to work, rust_decimal's serde changed: {back:?}");
}

#[test]
fn binary_layout_header_and_size() {
    let msg = samples::trade("BTCUSDT", 1_700_000_000_000, "37123.45");
    let bin = encode(&Envelope::new(MessageId(7), msg.clone()), Format::Binary);
    assert_eq!(&bin[..3], &[BINARY_MAGIC, SCHEMA_VERSION, MessageKind::MarketData.code()]);
    let json = encode(&Envelope::new(MessageId(7), msg), Format::Json);
    assert_eq!(json[0], b'{');
    assert!(bin.len() * 3 < json.len(), "binary {} bytes vs json {}", bin.len(), json.len());
    assert!(bin.len() <= 64, "a trade should be compact, got {} bytes", bin.len());
    let text = String::from_utf8(json).unwrap();
    assert!(
        text.starts_with(r#"{"v":1,"kind":"market-data","id":"00000000000000000000000000000007","body":"#),
        "{text}"
    );
    assert!(text.contains(r#""price":"37123.45""#), "{text}");
}

#[test]
fn json_carries_nan_and_infinities() {
    let bytes = encode(&Envelope::new(MessageId(1), samples::signals()), Format::Json);
    let text = String::from_utf8(bytes.clone()).unwrap();
    assert!(text.contains(r#"["garch.sigma","NaN"]"#) && text.contains(r#""-inf""#), "{text}");
    let back: Envelope<Signals> = decode(&bytes).unwrap();
    assert!(back.body.get("garch.sigma").unwrap().is_nan());
    assert_eq!(back.body.get("pairs.z"), Some(f64::NEG_INFINITY));
}

/// A check on the error a malformed input produced.
type Expect = fn(&DecodeError) -> bool;

#[test]
fn malformed_input_is_a_typed_error() {
    let good = encode(&Envelope::new(MessageId(1), samples::order(1)), Format::Binary);
    let cases: Vec<(Vec<u8>, Expect)> = vec![
        (vec![], |e| matches!(e, DecodeError::Empty)),
        (b"hello".to_vec(), |e| matches!(e, DecodeError::UnknownFormat(b'h'))),
        (vec![BINARY_MAGIC, 1], |e| matches!(e, DecodeError::TruncatedHeader(2))),
        ([&[BINARY_MAGIC, 9][..], &good[2..]].concat(), |e| {
            matches!(e, DecodeError::UnsupportedVersion { found: 9, .. })
        }),
        (vec![BINARY_MAGIC, 1, 99, 0], |e| matches!(e, DecodeError::UnknownKind(_))),
        ([&good[..], &[0]].concat(), |e| matches!(e, DecodeError::TrailingBytes(1, MessageKind::Order))),
        (good[..good.len() - 1].to_vec(), |e| matches!(e, DecodeError::Body { kind: MessageKind::Order, .. })),
        (br#"{"v":2,"kind":"order","id":"00000000000000000000000000000001","body":{}}"#.to_vec(), |e| {
            matches!(e, DecodeError::UnsupportedVersion { found: 2, .. })
        }),
        (
            br#"{"v":1,"kind":"nope","id":"00000000000000000000000000000001","body":{}}"#.to_vec(),
            |e| matches!(e, DecodeError::UnknownKind(k) if k == "nope"),
        ),
        (br#"{"v":1,"kind":"order","id":"00000000000000000000000000000001","body":{}}"#.to_vec(), |e| {
            matches!(e, DecodeError::Body { kind: MessageKind::Order, .. })
        }),
        (br#"{"v":1,"kind":"order","id":"xyz","body":{}}"#.to_vec(), |e| matches!(e, DecodeError::Json(_))),
        (br#"{"v":1"#.to_vec(), |e| matches!(e, DecodeError::Json(_))),
    ];
    for (bytes, ok) in cases {
        let err = decode_any(&bytes).expect_err("must not decode");
        assert!(ok(&err), "{bytes:?}: unexpected {err:?}");
        assert!(!err.to_string().is_empty());
    }
}

#[test]
fn a_valid_message_of_another_kind_is_rejected_by_name() {
    let bytes = encode(&Envelope::new(MessageId(1), samples::fill()), Format::Json);
    let err = decode::<OrderMessage>(&bytes).unwrap_err();
    assert_eq!(err, DecodeError::WrongKind { expected: MessageKind::Order, found: MessageKind::Fill });
    assert_eq!(err.to_string(), "wrong message kind: expected order, found fill");
}

#[test]
fn an_out_of_range_decimal_is_rejected() {
    // Order body with a scale byte of 29 in its quantity.
    let json = br#"{"v":1,"kind":"order","id":"00000000000000000000000000000001","body":{"strategy":"s","order":{"id":1,"instrument":{"venue":"v","symbol":"s"},"side":"buy","qty":"1e500","kind":"market","created":0}}}"#;
    assert!(matches!(decode_any(json), Err(DecodeError::Body { .. })));
    let mut bin = encode(&Envelope::new(MessageId(1), samples::trade("X", 0, "1.5")), Format::Binary);
    let n = bin.len();
    // The trailing decimal is the size (mantissa 100, scale 5): set scale to 29.
    assert_eq!(bin[n - 1], 5);
    bin[n - 1] = 29;
    assert!(
        matches!(decode_any(&bin), Err(DecodeError::Body { kind: MessageKind::MarketData, .. })),
        "{:?}",
        decode_any(&bin)
    );
}

/// Truncations, bit flips and random bytes: decoding returns, it never
/// panics (a cheap deterministic fuzz, xorshift-seeded).
#[test]
fn decoding_garbage_never_panics() {
    let mut seeds = Vec::new();
    for (n, msg) in samples::all().into_iter().enumerate() {
        let env = Envelope::new(samples::id(n as u64), msg);
        seeds.push(encode_any(&env, Format::Binary));
        seeds.push(encode_any(&env, Format::Json));
    }
    let mut x: u64 = 0x9e3779b97f4a7c15;
    let mut next = move || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    let mut decoded = 0;
    for seed in &seeds {
        for cut in 0..seed.len() {
            let _ = decode_any(&seed[..cut]);
        }
        for _ in 0..300 {
            let mut b = seed.clone();
            for _ in 0..1 + next() % 4 {
                let i = (next() as usize) % b.len();
                b[i] ^= 1 << (next() % 8);
            }
            decoded += usize::from(decode_any(&b).is_ok());
        }
    }
    for _ in 0..2000 {
        let len = (next() % 64) as usize;
        let mut b: Vec<u8> = (0..len).map(|_| next() as u8).collect();
        if let Some(first) = b.first_mut() {
            *first = BINARY_MAGIC;
        }
        if len > 2 {
            b[1] = 1;
        }
        let _ = decode_any(&b);
    }
    assert!(decoded > 0, "some flips land in values and still decode");
}
