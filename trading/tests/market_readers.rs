//! The three CSV readers on small fixture files: with and without a header,
//! millisecond and microsecond Binance times, symbol inference and source
//! specs.

use hft_trading::domain::{Decimal, InstrumentId, Symbol, Timestamp, Venue};
use hft_trading::market::{
    AggTradesReader, BinanceTimeUnit, EventSource, KlinesReader, MarketDataError, MarketEvent, ReaderOptions,
    SimpleCsvReader, SourceFormat, SourceSpec, infer_binance_symbol,
};
use std::path::{Path, PathBuf};
use std::str::FromStr;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/market").join(name)
}

fn dec(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

fn collect(source: impl Iterator<Item = Result<MarketEvent, MarketDataError>>) -> Vec<MarketEvent> {
    source.collect::<Result<Vec<_>, _>>().unwrap()
}

#[test]
fn klines_with_header_become_bars_stamped_at_close_time() {
    let btc = InstrumentId::new("BINANCE", "BTCUSDT");
    let mut reader =
        KlinesReader::open(&fixture("BTCUSDT-1m-2024-01-01.csv"), btc.clone(), ReaderOptions::default()).unwrap();
    let events = collect(&mut reader);
    assert_eq!(events.len(), 3);
    let MarketEvent::Bar(bar) = &events[0] else { panic!("not a bar: {:?}", events[0]) };
    assert_eq!(bar.instrument, btc);
    assert_eq!(bar.open_ts, Timestamp::from_millis(1_704_067_200_000));
    assert_eq!(bar.ts, Timestamp::from_millis(1_704_067_259_999), "ts is close_time as printed, no +1");
    assert_eq!(bar.open.0, dec("42283.58"));
    assert_eq!(bar.high.0, dec("42298.62"));
    assert_eq!(bar.low.0, dec("42261.02"));
    assert_eq!(bar.close.0, dec("42298.61"));
    assert_eq!(bar.volume.0, dec("35.92724"));
    let stats = reader.stats();
    assert_eq!((stats.rows_read, stats.events, stats.bad_rows), (3, 3, 0), "the header is not a row");
}

#[test]
fn klines_without_header_read_the_same() {
    let btc = InstrumentId::new("BINANCE", "BTCUSDT");
    let with = collect(
        KlinesReader::open(&fixture("BTCUSDT-1m-2024-01-01.csv"), btc.clone(), ReaderOptions::default()).unwrap(),
    );
    let without = collect(KlinesReader::open(&fixture("klines_no_header.csv"), btc, ReaderOptions::default()).unwrap());
    assert_eq!(with, without);
}

#[test]
fn klines_in_microseconds_are_detected() {
    let btc = InstrumentId::new("BINANCE", "BTCUSDT");
    let events =
        collect(KlinesReader::open(&fixture("BTCUSDT-1m-2025-01-01.csv"), btc, ReaderOptions::default()).unwrap());
    let MarketEvent::Bar(bar) = &events[1] else { panic!() };
    assert_eq!(bar.open_ts, Timestamp::from_millis(1_735_689_660_000));
    assert_eq!(bar.ts, Timestamp::from_micros(1_735_689_719_999_999));
    assert_eq!(bar.ts.nanos(), 1_735_689_719_999_999_000);
}

#[test]
fn time_unit_is_told_by_magnitude() {
    assert_eq!(BinanceTimeUnit::detect(1_704_067_200_000), Some(BinanceTimeUnit::Millis));
    assert_eq!(BinanceTimeUnit::detect(1_735_689_600_000_000), Some(BinanceTimeUnit::Micros));
    assert_eq!(BinanceTimeUnit::detect(-1), None);
    assert_eq!(BinanceTimeUnit::detect(1_735_689_600_000_000_000), None, "nanoseconds are not a Binance unit");
    assert_eq!(
        BinanceTimeUnit::to_timestamp(1_735_689_600_000_000),
        Some(Timestamp::from_millis(1_735_689_600_000)),
        "µs and ms land on the same instant"
    );
}

#[test]
fn agg_trades_with_and_without_header() {
    let eth = InstrumentId::new("BINANCE", "ETHUSDT");
    let mut reader =
        AggTradesReader::open(&fixture("ETHUSDT-aggTrades-2024-01-01.csv"), eth.clone(), ReaderOptions::default())
            .unwrap();
    let with = collect(&mut reader);
    assert_eq!(reader.stats().rows_read, 3);
    let without = collect(
        AggTradesReader::open(&fixture("agg_trades_no_header.csv"), eth.clone(), ReaderOptions::default()).unwrap(),
    );
    assert_eq!(with, without);
    assert_eq!(with.len(), 3);
    let MarketEvent::Trade(t) = &with[2] else { panic!() };
    assert_eq!(t.instrument, eth);
    assert_eq!(t.ts, Timestamp::from_millis(1_704_067_200_250));
    assert_eq!(t.price.0, dec("2281.90"));
    assert_eq!(t.size.0, dec("1.2"));
    assert_eq!(with[0].ts(), with[1].ts(), "equal times within a file are fine");
}

#[test]
fn agg_trades_in_microseconds_are_detected() {
    let eth = InstrumentId::new("BINANCE", "ETHUSDT");
    let events = collect(
        AggTradesReader::open(&fixture("ETHUSDT-aggTrades-2025-01-01.csv"), eth, ReaderOptions::default()).unwrap(),
    );
    assert_eq!(events[0].ts(), Timestamp::from_micros(1_735_689_600_123_456));
    assert_eq!(events[1].ts(), Timestamp::from_micros(1_735_689_600_123_999));
}

#[test]
fn agg_trades_accept_seven_columns() {
    let eth = InstrumentId::new("BINANCE", "ETHUSDT");
    let input = "1,2281.87,0.5,1,1,1704067200012,true\n";
    let events = collect(AggTradesReader::new(input.as_bytes(), "futures", eth, ReaderOptions::default()));
    assert_eq!(events.len(), 1);
}

#[test]
fn simple_csv_reads_several_symbols_in_nanoseconds() {
    let mut reader =
        SimpleCsvReader::open(&fixture("simple_trades.csv"), Venue::new("TEST"), None, ReaderOptions::default())
            .unwrap();
    let events = collect(&mut reader);
    assert_eq!(events.len(), 4);
    assert_eq!(events[0].instrument(), &InstrumentId::new("TEST", "BTCUSDT"));
    assert_eq!(events[1].instrument(), &InstrumentId::new("TEST", "ETHUSDT"));
    assert_eq!(events[2].ts(), Timestamp(1_704_067_200_250_000_000));
    assert_eq!(events[3].price().0, dec("2281.90"));
}

#[test]
fn simple_csv_filters_a_symbol_and_counts_the_rest() {
    let mut reader = SimpleCsvReader::open(
        &fixture("simple_trades.csv"),
        Venue::new("TEST"),
        Some(Symbol::new("ETHUSDT")),
        ReaderOptions::default(),
    )
    .unwrap();
    let events = collect(&mut reader);
    assert_eq!(events.len(), 2);
    assert!(events.iter().all(|e| e.instrument().symbol.as_str() == "ETHUSDT"));
    let stats = reader.stats();
    assert_eq!((stats.rows_read, stats.events, stats.rows_filtered, stats.bad_rows), (4, 2, 2, 0));
}

#[test]
fn simple_csv_requires_its_header() {
    let input = "1704067200000000000,BTCUSDT,42283.58,0.015\n";
    let mut reader =
        SimpleCsvReader::new(input.as_bytes(), "headless.csv", Venue::new("TEST"), None, ReaderOptions::default());
    match reader.next() {
        Some(Err(MarketDataError::Header { file, line, .. })) => assert_eq!((file.as_str(), line), ("headless.csv", 1)),
        other => panic!("expected a header error, got {other:?}"),
    }
    assert!(reader.next().is_none(), "a header error ends the stream");
}

#[test]
fn empty_input_gives_no_events() {
    let btc = InstrumentId::new("BINANCE", "BTCUSDT");
    let mut reader = KlinesReader::new("".as_bytes(), "empty", btc, ReaderOptions::default());
    assert!(reader.next().is_none());
    assert_eq!(reader.stats().rows_read, 0);
}

#[test]
fn symbol_is_inferred_from_binance_file_names() {
    let name = |s: &str| infer_binance_symbol(Path::new(s)).map(|s| s.as_str().to_owned());
    assert_eq!(name("data/BTCUSDT-1m-2024-01-01.csv").as_deref(), Some("BTCUSDT"));
    assert_eq!(name("ETHUSDT-aggTrades-2024-01-01.csv").as_deref(), Some("ETHUSDT"));
    assert_eq!(name("1000PEPEUSDT-15m-2024-01.csv").as_deref(), Some("1000PEPEUSDT"));
    assert_eq!(name("BTCUSDT-1mo-2024-01.csv").as_deref(), Some("BTCUSDT"));
    assert_eq!(name("BTCUSDT-trades-2024-01-01.csv").as_deref(), Some("BTCUSDT"));
    assert_eq!(name("pair-synthetic.csv"), None);
    assert_eq!(name("btcusdt-1m-2024-01-01.csv"), None);
    assert_eq!(name("BTCUSDT.csv"), None);
    assert_eq!(name("BTCUSDT-daily-2024.csv"), None);
}

#[test]
fn source_spec_deserializes_kebab_case_and_opens() {
    let json = format!(
        r#"[{{"path": "BTCUSDT-1m-2024-01-01.csv", "format": "binance-klines", "venue": "BINANCE", "symbol": "BTCUSDT"}},
            {{"path": "ETHUSDT-aggTrades-2024-01-01.csv", "format": "binance-agg-trades", "venue": "BINANCE"}},
            {{"path": "{}", "format": "simple", "venue": "TEST", "bad_rows": "skip"}}]"#,
        fixture("simple_trades.csv").display()
    );
    let specs: Vec<SourceSpec> = serde_json::from_str(&json).unwrap();
    assert_eq!(specs[0].format, SourceFormat::BinanceKlines);
    assert_eq!(specs[1].format, SourceFormat::BinanceAggTrades);
    assert_eq!(specs[1].symbol, None);
    assert_eq!(specs[2].format, SourceFormat::Simple);
    let base = fixture("");
    let counts: Vec<usize> = specs.iter().map(|s| s.open_from(&base).unwrap().count()).collect();
    assert_eq!(counts, vec![3, 3, 4]);
    let eth = specs[1].open_from(&base).unwrap().next().unwrap().unwrap();
    assert_eq!(eth.instrument(), &InstrumentId::new("BINANCE", "ETHUSDT"), "symbol inferred from the file name");
}

#[test]
fn source_spec_rejects_unknown_fields_and_formats() {
    let typo = r#"{"path": "x.csv", "format": "binance-klines", "venue": "BINANCE", "symbl": "BTCUSDT"}"#;
    assert!(serde_json::from_str::<SourceSpec>(typo).is_err());
    let format = r#"{"path": "x.csv", "format": "klines", "venue": "BINANCE"}"#;
    assert!(serde_json::from_str::<SourceSpec>(format).is_err());
}

#[test]
fn source_spec_without_inferable_symbol_says_so() {
    let spec = SourceSpec {
        path: fixture("klines_no_header.csv"),
        format: SourceFormat::BinanceKlines,
        venue: Venue::new("BINANCE"),
        symbol: None,
        bad_rows: Default::default(),
    };
    assert!(matches!(spec.open(), Err(MarketDataError::NoSymbol { .. })));
}

#[test]
fn missing_file_is_an_io_error_naming_it() {
    let btc = InstrumentId::new("BINANCE", "BTCUSDT");
    let err = KlinesReader::open(Path::new("no/such/file.csv"), btc, ReaderOptions::default()).err().unwrap();
    assert!(matches!(&err, MarketDataError::Io { file, .. } if file == "no/such/file.csv"), "{err}");
}
