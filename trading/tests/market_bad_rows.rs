//! Every bad-row reason, with its 1-based line number, under both policies:
//! counted and skipped under `Skip`, counted and fatal under `Fatal`, never
//! dropped silently.

use hft_trading::domain::{InstrumentId, Timestamp, Venue};
use hft_trading::market::{
    AggTradesReader, BadRow, BadRowPolicy, BadRowReason, EventSource, KlinesReader, MarketDataError, MarketEvent,
    ReaderOptions, SimpleCsvReader,
};
use std::path::{Path, PathBuf};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/market").join(name)
}

fn skip() -> ReaderOptions {
    ReaderOptions::with_policy(BadRowPolicy::Skip)
}

fn fatal() -> ReaderOptions {
    ReaderOptions::with_policy(BadRowPolicy::Fatal)
}

/// Drain a source under `Skip`: it must never yield an error.
fn drain(source: &mut impl EventSource) -> Vec<MarketEvent> {
    source.map(|e| e.expect("Skip never yields a bad row")).collect()
}

/// The (line, reason) pairs a source recorded.
fn lines(source: &impl EventSource) -> Vec<(u64, BadRowReason)> {
    source.stats().bad_row_details.iter().map(|b| (b.line, b.reason.clone())).collect()
}

/// Read under `Fatal`: the events before the first bad row, then that row.
fn until_fatal(source: &mut impl EventSource) -> (usize, BadRow) {
    let mut events = 0;
    for item in source.by_ref() {
        match item {
            Ok(_) => events += 1,
            Err(MarketDataError::BadRow(row)) => return (events, row),
            Err(e) => panic!("unexpected error {e}"),
        }
    }
    panic!("no fatal bad row");
}

fn btc() -> InstrumentId {
    InstrumentId::new("BINANCE", "BTCUSDT")
}

fn eth() -> InstrumentId {
    InstrumentId::new("BINANCE", "ETHUSDT")
}

#[test]
fn klines_bad_rows_are_skipped_and_reported_by_line() {
    let path = fixture("klines_bad_rows.csv");
    let mut reader = KlinesReader::open(&path, btc(), skip()).unwrap();
    let events = drain(&mut reader);
    assert_eq!(events.len(), 2);
    assert_eq!(events[1].ts(), Timestamp::from_millis(1_704_067_619_999));
    let got = lines(&reader);
    let lines_only: Vec<u64> = got.iter().map(|(l, _)| *l).collect();
    assert_eq!(lines_only, vec![3, 4, 5, 6, 7, 8]);
    assert!(matches!(&got[0].1, BadRowReason::NotANumber { column: "open", value } if value == "abc"));
    assert_eq!(got[1].1, BadRowReason::ColumnCount { expected: 12, found: 10 });
    assert!(matches!(&got[2].1, BadRowReason::NonPositivePrice { column: "open", .. }));
    assert_eq!(got[3].1, BadRowReason::HighBelowLow { high: "42290.00".into(), low: "42310.00".into() });
    assert!(matches!(&got[4].1, BadRowReason::NegativeSize { column: "volume", value } if value == "-1.5"));
    assert_eq!(
        got[5].1,
        BadRowReason::TimestampBackwards {
            previous: Timestamp::from_millis(1_704_067_259_999),
            ts: Timestamp::from_millis(1_704_067_199_999)
        }
    );
    let stats = reader.stats();
    assert_eq!((stats.rows_read, stats.events, stats.bad_rows), (8, 2, 6));
    assert!(stats.bad_row_details.iter().all(|b| b.file == path.display().to_string()));
}

#[test]
fn klines_bad_row_is_fatal_with_file_and_line() {
    let path = fixture("klines_bad_rows.csv");
    let mut reader = KlinesReader::open(&path, btc(), fatal()).unwrap();
    let (events, row) = until_fatal(&mut reader);
    assert_eq!(events, 1);
    assert_eq!(row.line, 3);
    assert_eq!(row.file, path.display().to_string());
    let message = MarketDataError::BadRow(row).to_string();
    assert!(message.contains("klines_bad_rows.csv:3:") && message.contains("abc"), "{message}");
    assert!(reader.next().is_none(), "a fatal bad row ends the stream");
    assert_eq!(reader.stats().bad_rows, 1, "the fatal row is counted too");
}

#[test]
fn each_klines_reason_is_fatal_at_its_line() {
    let path = fixture("klines_bad_rows.csv");
    let mut skipping = KlinesReader::open(&path, btc(), skip()).unwrap();
    drain(&mut skipping);
    let expected = lines(&skipping);
    // Header, the good row, then one bad row: each reason in turn is fatal
    // at line 3 after one event.
    let text = std::fs::read_to_string(&path).unwrap();
    let all: Vec<&str> = text.lines().collect();
    for (bad_line, reason) in expected {
        let input = [all[0], all[1], all[bad_line as usize - 1]].join("\n");
        let mut reader = KlinesReader::new(input.as_bytes(), "cut.csv", btc(), fatal());
        let (events, row) = until_fatal(&mut reader);
        assert_eq!((events, row.line, row.reason), (1, 3, reason), "fixture line {bad_line}");
    }
}

#[test]
fn klines_open_outside_range_and_close_before_open() {
    let input = "1704067200000,42400,42298.62,42261.02,42298.61,1,1704067259999,1,1,1,1,0\n\
                 1704067260000,42283.58,42298.62,42261.02,42298.61,1,1704067200000,1,1,1,1,0\n";
    let mut reader = KlinesReader::new(input.as_bytes(), "range.csv", btc(), skip());
    assert!(drain(&mut reader).is_empty());
    let got = lines(&reader);
    assert!(matches!(&got[0], (1, BadRowReason::OutsideRange { column: "open", .. })));
    assert!(matches!(&got[1], (2, BadRowReason::CloseBeforeOpen { .. })));
}

#[test]
fn agg_trades_bad_rows_under_skip_and_fatal() {
    let path = fixture("agg_trades_bad_rows.csv");
    let mut reader = AggTradesReader::open(&path, eth(), skip()).unwrap();
    let events = drain(&mut reader);
    assert_eq!(events.len(), 2);
    let got = lines(&reader);
    assert_eq!(got.iter().map(|(l, _)| *l).collect::<Vec<_>>(), vec![2, 3, 4, 5, 6]);
    assert!(matches!(&got[0].1, BadRowReason::NotABool { column: "is_buyer_maker", value } if value == "maybe"));
    assert_eq!(got[1].1, BadRowReason::ColumnCount { expected: 7, found: 5 });
    assert!(matches!(&got[2].1, BadRowReason::NonPositivePrice { column: "price", .. }));
    assert!(matches!(&got[3].1, BadRowReason::NegativeSize { column: "quantity", .. }));
    assert!(matches!(&got[4].1, BadRowReason::TimestampBackwards { .. }));

    let mut reader = AggTradesReader::open(&path, eth(), fatal()).unwrap();
    let (events, row) = until_fatal(&mut reader);
    assert_eq!((events, row.line), (1, 2));
}

#[test]
fn agg_trades_zero_size_and_bad_timestamp() {
    let input = "1,2281.87,0,1,1,1704067200012,true,true\n2,2281.87,1,1,1,-5,true,true\n";
    let mut reader = AggTradesReader::new(input.as_bytes(), "z.csv", eth(), skip());
    assert!(drain(&mut reader).is_empty());
    let got = lines(&reader);
    assert!(matches!(&got[0], (1, BadRowReason::ZeroTradeSize { column: "quantity" })));
    assert!(matches!(&got[1], (2, BadRowReason::TimestampOutOfRange { column: "transact_time", .. })));
}

#[test]
fn a_corrupt_first_row_is_not_mistaken_for_a_header() {
    let input = "1x,2281.87,0.5,1,1,1704067200012,true,true\n2,2281.87,0.5,1,1,1704067200012,true,true\n";
    let mut reader = AggTradesReader::new(input.as_bytes(), "top.csv", eth(), skip());
    assert_eq!(drain(&mut reader).len(), 1);
    assert!(matches!(&lines(&reader)[0], (1, BadRowReason::NotANumber { column: "agg_trade_id", .. })));
}

#[test]
fn simple_bad_rows_under_skip_and_fatal() {
    let path = fixture("simple_bad_rows.csv");
    let mut reader = SimpleCsvReader::open(&path, Venue::new("TEST"), None, skip()).unwrap();
    let events = drain(&mut reader);
    assert_eq!(events.len(), 2);
    let got = lines(&reader);
    assert_eq!(got.iter().map(|(l, _)| *l).collect::<Vec<_>>(), vec![3, 4, 5, 6]);
    assert_eq!(got[0].1, BadRowReason::EmptySymbol);
    assert!(matches!(&got[1].1, BadRowReason::NotANumber { column: "price", .. }));
    assert_eq!(got[2].1, BadRowReason::ZeroTradeSize { column: "size" });
    assert!(matches!(&got[3].1, BadRowReason::TimestampBackwards { .. }));

    let mut reader = SimpleCsvReader::open(&path, Venue::new("TEST"), None, fatal()).unwrap();
    let (events, row) = until_fatal(&mut reader);
    assert_eq!((events, row.line, row.reason), (1, 3, BadRowReason::EmptySymbol));
}

#[test]
fn invalid_utf8_is_a_bad_row_not_a_crash() {
    let mut input = b"1,2281.87,0.5,1,1,1704067200012,true,true\n".to_vec();
    input.extend_from_slice(b"2,22\xff81.87,0.5,1,1,1704067200013,true,true\n");
    input.extend_from_slice(b"3,2281.87,0.5,1,1,1704067200014,true,true\n");
    let mut reader = AggTradesReader::new(input.as_slice(), "utf8.csv", eth(), skip());
    assert_eq!(drain(&mut reader).len(), 2);
    assert!(matches!(&lines(&reader)[..], [(2, BadRowReason::Unreadable(_))]));
}

#[test]
fn only_the_first_details_are_kept_but_all_are_counted() {
    let mut input = String::new();
    for i in 0..50 {
        input.push_str(&format!("{i},oops,0.5,1,1,1704067200012,true,true\n"));
    }
    let options = ReaderOptions { policy: BadRowPolicy::Skip, max_bad_row_details: 5 };
    let mut reader = AggTradesReader::new(input.as_bytes(), "many.csv", eth(), options);
    assert!(drain(&mut reader).is_empty());
    let stats = reader.stats();
    assert_eq!((stats.rows_read, stats.bad_rows, stats.bad_row_details.len()), (50, 50, 5));
    assert_eq!(stats.bad_row_details[4].line, 5);
    assert!(!stats.is_clean());
}
