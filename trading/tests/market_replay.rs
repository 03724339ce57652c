//! The streaming merge: time order across sources, stable ties, errors
//! passed on, statistics per source.

use hft_trading::domain::{InstrumentId, Symbol, Timestamp, Venue};
use hft_trading::market::{
    AggTradesReader, BadRowPolicy, EventSource, KlinesReader, MarketDataError, MarketEvent, ReaderOptions, Replay,
    SimpleCsvReader, SourceFormat, SourceSpec,
};
use std::path::{Path, PathBuf};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/market").join(name)
}

/// A simple-format source of `(ns, symbol)` trades with a distinguishing size.
fn source(name: &str, rows: &[(i64, &str, &str)], policy: BadRowPolicy) -> SimpleCsvReader<std::io::Cursor<String>> {
    let mut text = String::from("ts,symbol,price,size\n");
    for (ts, symbol, size) in rows {
        text.push_str(&format!("{ts},{symbol},100,{size}\n"));
    }
    SimpleCsvReader::new(std::io::Cursor::new(text), name, Venue::new("T"), None, ReaderOptions::with_policy(policy))
}

fn tag(e: &MarketEvent) -> (i64, String) {
    let MarketEvent::Trade(t) = e else { panic!() };
    (t.ts.nanos(), format!("{}{}", t.instrument.symbol, t.size))
}

#[test]
fn merges_in_time_order_with_stable_ties() {
    let a = source("a", &[(1, "A", "1"), (5, "A", "2"), (5, "A", "3"), (9, "A", "4")], BadRowPolicy::Fatal);
    let b = source("b", &[(0, "B", "1"), (5, "B", "2"), (7, "B", "3")], BadRowPolicy::Fatal);
    let c = source("c", &[(5, "C", "1"), (10, "C", "2")], BadRowPolicy::Fatal);
    let merged: Vec<_> = Replay::new(vec![a, b, c]).map(|e| tag(&e.unwrap())).collect();
    let want: Vec<(i64, String)> =
        [(0, "B1"), (1, "A1"), (5, "A2"), (5, "A3"), (5, "B2"), (5, "C1"), (7, "B3"), (9, "A4"), (10, "C2")]
            .into_iter()
            .map(|(t, s)| (t, s.to_owned()))
            .collect();
    assert_eq!(merged, want);
}

#[test]
fn source_order_breaks_ties_not_arrival() {
    let first = || source("x", &[(5, "X", "1")], BadRowPolicy::Fatal);
    let second = || source("y", &[(5, "Y", "1")], BadRowPolicy::Fatal);
    let xy: Vec<_> = Replay::new(vec![first(), second()]).map(|e| tag(&e.unwrap()).1).collect();
    let yx: Vec<_> = Replay::new(vec![second(), first()]).map(|e| tag(&e.unwrap()).1).collect();
    assert_eq!(xy, vec!["X1", "Y1"]);
    assert_eq!(yx, vec!["Y1", "X1"]);
}

#[test]
fn empty_and_no_sources() {
    let none: Vec<SimpleCsvReader<std::io::Cursor<String>>> = Vec::new();
    assert_eq!(Replay::new(none).count(), 0);
    let merged =
        Replay::new(vec![source("e", &[], BadRowPolicy::Fatal), source("a", &[(3, "A", "1")], BadRowPolicy::Fatal)]);
    assert_eq!(merged.count(), 1);
}

#[test]
fn a_fatal_bad_row_ends_the_replay_after_earlier_events() {
    let good = source("good", &[(1, "G", "1"), (2, "G", "2"), (30, "G", "3")], BadRowPolicy::Fatal);
    let bad = source("bad", &[(10, "B", "1"), (20, "B", "-1"), (40, "B", "1")], BadRowPolicy::Fatal);
    let items: Vec<_> = Replay::new(vec![good, bad]).collect();
    let ok: Vec<i64> = items.iter().filter_map(|e| e.as_ref().ok()).map(|e| e.ts().nanos()).collect();
    assert_eq!(ok, vec![1, 2, 10], "events up to the one before the bad row");
    match items.last() {
        Some(Err(MarketDataError::BadRow(row))) => assert_eq!((row.file.as_str(), row.line), ("bad", 3)),
        other => panic!("expected the bad row last, got {other:?}"),
    }
}

#[test]
fn skipped_rows_show_in_the_replay_stats() {
    let good = source("good", &[(1, "G", "1"), (2, "G", "2")], BadRowPolicy::Skip);
    let bad = source("bad", &[(10, "B", "1"), (20, "B", "-1"), (40, "B", "1")], BadRowPolicy::Skip);
    let mut replay = Replay::new(vec![good, bad]);
    assert_eq!(replay.by_ref().map(Result::unwrap).count(), 4);
    let stats = replay.stats();
    assert_eq!((stats[0].file.as_str(), stats[0].events, stats[0].bad_rows), ("good", 2, 0));
    assert_eq!((stats[1].file.as_str(), stats[1].events, stats[1].bad_rows), ("bad", 2, 1));
    assert_eq!(stats[1].bad_row_details[0].line, 3);
}

#[test]
fn bars_and_trades_from_different_readers_merge() {
    let btc = InstrumentId::new("BINANCE", "BTCUSDT");
    let eth = InstrumentId::new("BINANCE", "ETHUSDT");
    let bars: Box<dyn EventSource> =
        Box::new(KlinesReader::open(&fixture("BTCUSDT-1m-2024-01-01.csv"), btc, ReaderOptions::default()).unwrap());
    let trades: Box<dyn EventSource> = Box::new(
        AggTradesReader::open(&fixture("ETHUSDT-aggTrades-2024-01-01.csv"), eth, ReaderOptions::default()).unwrap(),
    );
    let events: Vec<MarketEvent> = Replay::new(vec![bars, trades]).map(Result::unwrap).collect();
    assert_eq!(events.len(), 6);
    assert!(events.windows(2).all(|w| w[0].ts() <= w[1].ts()));
    assert!(matches!(events[0], MarketEvent::Trade(_)), "the trades at 00:00:00.012 precede the first bar's close");
    assert_eq!(events[3].ts(), Timestamp::from_millis(1_704_067_259_999));
}

#[test]
fn replay_opens_specs_relative_to_a_base() {
    let specs = vec![
        SourceSpec {
            path: "BTCUSDT-1m-2024-01-01.csv".into(),
            format: SourceFormat::BinanceKlines,
            venue: Venue::new("BINANCE"),
            symbol: None,
            bad_rows: BadRowPolicy::Fatal,
        },
        SourceSpec {
            path: "simple_trades.csv".into(),
            format: SourceFormat::Simple,
            venue: Venue::new("BINANCE"),
            symbol: Some(Symbol::new("BTCUSDT")),
            bad_rows: BadRowPolicy::Fatal,
        },
    ];
    let mut replay = Replay::open(&specs, &fixture("")).unwrap();
    let events: Vec<MarketEvent> = replay.by_ref().map(Result::unwrap).collect();
    assert_eq!(events.len(), 5);
    assert!(events.iter().all(|e| e.instrument() == &InstrumentId::new("BINANCE", "BTCUSDT")));
    assert!(events.windows(2).all(|w| w[0].ts() <= w[1].ts()));
    assert_eq!(replay.stats()[1].rows_filtered, 2);
}
