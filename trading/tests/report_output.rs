//! The files a run report writes: they exist, parse, and the HTML page is
//! self-contained and escapes what it shows.

use hft_trading::domain::{InstrumentId, Money, OrderId, Price, Quantity, Side, Timestamp};
use hft_trading::execution::{Fill, Liquidity};
use hft_trading::report::{Marker, Report, RunEnd, RunMeta, RunRecorder, TickSignals};
use rust_decimal::Decimal;
use rust_decimal_macros::dec;
use std::path::Path;

const SEC: i64 = 1_000_000_000;
/// 2024-03-01T00:00:00Z.
const T0: i64 = 1_709_251_200 * SEC;
const TICKS: i64 = 3_000;
const NASTY: &str = "bad row <script>alert(1)</script> & \"quotes\"";

fn fill(ts: i64, sym: &str, side: Side, qty: Decimal, price: Decimal) -> Fill {
    Fill {
        order_id: OrderId(ts as u64),
        instrument: InstrumentId::new("BINANCE", sym),
        side,
        qty: Quantity(qty),
        price: Price(price),
        fee: Money(dec!(0.01)),
        liquidity: Liquidity::Maker,
        ts: Timestamp(ts),
    }
}

/// A 3000-tick pairs run, a minute per tick: two round trips (the second
/// left open), markers, a regime change, rejections and notes.
fn sample_report() -> Report {
    let meta = RunMeta {
        run_id: "run-42".into(),
        started_at: "2024-03-01T09:00:00Z".into(),
        config_summary: vec![("strategy".into(), "pairs z=2.0".into()), ("fee".into(), "2 bps".into())],
        initial_capital: Money(dec!(10000)),
        instruments: vec![InstrumentId::new("BINANCE", "ETHUSDT"), InstrumentId::new("BINANCE", "BTCUSDT")],
    };
    let mut rec = RunRecorder::new(meta);
    let mut equity = dec!(10000);
    for i in 0..TICKS {
        let ts = T0 + i * 60 * SEC;
        match i {
            100 => {
                rec.on_fill(&fill(ts, "ETHUSDT", Side::Buy, dec!(1), dec!(3000)));
                rec.on_fill(&fill(ts, "BTCUSDT", Side::Sell, dec!(0.05), dec!(60000)));
                rec.on_marker(Timestamp(ts), Marker::Entry { long_spread: true });
            }
            400 => {
                rec.on_fill(&fill(ts, "ETHUSDT", Side::Sell, dec!(1), dec!(3030)));
                rec.on_fill(&fill(ts, "BTCUSDT", Side::Buy, dec!(0.05), dec!(60100)));
                rec.on_marker(Timestamp(ts), Marker::Exit);
            }
            1_000 => {
                rec.on_fill(&fill(ts, "ETHUSDT", Side::Sell, dec!(1), dec!(3100)));
                rec.on_fill(&fill(ts, "BTCUSDT", Side::Buy, dec!(0.05), dec!(61000)));
                rec.on_marker(Timestamp(ts), Marker::Entry { long_spread: false });
                rec.on_regime_change(Timestamp(ts), 0.93);
            }
            2_000 => rec.on_marker(Timestamp(ts), Marker::Flatten { reason: "risk <halt>".into() }),
            _ => {}
        }
        if i % 700 == 0 {
            rec.on_rejection(Timestamp(ts), "max position");
        }
        equity += Decimal::from((i * 7919) % 23) - dec!(11);
        let x = i as f64;
        let signals = TickSignals {
            spread: (i >= 50).then(|| (x * 0.01).sin()),
            zscore: (i >= 50).then(|| (x * 0.01).sin() * 2.0),
            hedge_ratio: Some(0.05 + x * 1e-6),
            vol_forecast: Some(0.01 + (x * 0.003).cos().abs() * 0.01),
            changepoint_prob: Some(if i == 1_000 { 0.93 } else { 0.01 }),
        };
        rec.on_tick(Timestamp(ts), Money(equity), &signals);
    }
    rec.on_rejection(Timestamp(T0), "stale quote");
    rec.on_note(Timestamp(T0 + 5 * SEC), NASTY.to_string());
    rec.on_note(Timestamp(T0 + 9 * SEC), "strategy pairs disabled: trapped".to_string());
    rec.finish(RunEnd {
        final_equity: Money(equity),
        cash: Money(dec!(9990)),
        realised_pnl: Money(dec!(24.98)),
        unrealised_pnl: Money(dec!(-3.5)),
        fees_paid: Money(dec!(0.06)),
        events: 6_000,
        ticks: TICKS as u64,
        wall_seconds: 1.5,
        latency_p50_ns: Some(1_200),
        latency_p99_ns: Some(48_000),
        extra: vec![("bad rows".into(), "1".into())],
    })
}

fn csv_rows(path: &Path) -> (Vec<String>, usize) {
    let mut r = csv::Reader::from_path(path).unwrap();
    let header = r.headers().unwrap().iter().map(str::to_string).collect();
    let rows = r.records().inspect(|rec| assert!(rec.is_ok(), "bad CSV row {rec:?}")).count();
    (header, rows)
}

#[test]
fn writes_every_file_and_they_parse() {
    let report = sample_report();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("nested/run-42");
    let written = report.write_dir(&out).unwrap();
    for name in ["summary.json", "equity.csv", "fills.csv", "trades.csv", "signals.csv", "report.html"] {
        assert!(written.contains(&out.join(name)), "{name} not reported");
        assert!(out.join(name).is_file(), "{name} missing");
    }

    let (header, rows) = csv_rows(&out.join("equity.csv"));
    assert_eq!(&header[..], ["ts", "time_utc", "equity", "drawdown", "drawdown_amount"]);
    assert_eq!(rows, TICKS as usize);
    let (header, rows) = csv_rows(&out.join("fills.csv"));
    assert_eq!(header[0], "ts");
    assert!(header.contains(&"cash_flow".to_string()));
    assert_eq!(rows, 6);
    let (header, rows) = csv_rows(&out.join("trades.csv"));
    assert!(header.contains(&"pnl".to_string()) && header.contains(&"status".to_string()));
    assert_eq!(rows, 2);
    let (header, rows) = csv_rows(&out.join("signals.csv"));
    assert_eq!(&header[2..], ["spread", "zscore", "hedge_ratio", "vol_forecast", "changepoint_prob"]);
    assert_eq!(rows, TICKS as usize);

    let first_equity_row = std::fs::read_to_string(out.join("equity.csv")).unwrap();
    assert!(first_equity_row.lines().nth(1).unwrap().contains("2024-03-01T00:00:00.000Z"));

    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("summary.json")).unwrap()).unwrap();
    for key in [
        "run_id",
        "total_return",
        "total_return_fraction",
        "ratios",
        "max_drawdown",
        "fills",
        "trades",
        "fees_paid",
        "regime_changes",
        "regime_change_times",
        "rejections",
        "exposure_fraction",
        "throughput_events_per_sec",
        "latency_p50_ns",
        "latency_p99_ns",
    ] {
        assert!(json.get(key).is_some(), "summary.json lacks {key}");
    }
    assert_eq!(json["rejections"]["max position"], 5);
    assert_eq!(json["rejections"]["stale quote"], 1);
    assert_eq!(json["regime_changes"], 1);
    assert_eq!(json["trades"]["closed"], 1);
    assert_eq!(json["trades"]["open"], 1);
    assert_eq!(json["throughput_events_per_sec"], 4_000.0);
    // Ratios: the run spans 50 hours, so returns are hourly.
    assert_eq!(json["ratios"]["period"], "hourly");
}

#[test]
fn html_is_self_contained_has_six_charts_and_escapes_text() {
    let html = sample_report().render_html();
    assert_eq!(html.matches("<svg").count(), 6, "one <svg per chart");
    assert!(!html.contains("http://") && !html.contains("https://"));
    assert!(!html.contains("<script") && !html.contains("<link"));
    assert!(html.contains("bad row &lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;quotes&quot;"));
    assert!(html.contains("flatten: risk &lt;halt&gt;"));
    // Entry markers: long (green, up) and short (red, down), and exits.
    assert!(html.contains("entry long spread") && html.contains("entry short spread"));
    assert!(html.contains("regime change 2024-03-01"));
    // The time axis is labelled in UTC dates.
    assert!(html.contains("time (UTC)"));
    // Every polyline has at most 2000 points.
    for part in html.split("points=\"").skip(1) {
        let pts = part.split('"').next().unwrap();
        assert!(pts.split(' ').count() <= 2_000);
    }
}

#[test]
fn text_report_is_aligned_and_complete() {
    let report = sample_report();
    let text = report.render_text();
    for needle in ["run-42", "Total return", "Sharpe", "Sortino", "Max drawdown", "Hit rate", "Throughput", NASTY] {
        assert!(text.contains(needle), "text report lacks {needle}:\n{text}");
    }
    let value_columns: Vec<usize> = text
        .lines()
        .filter(|l| l.starts_with("  ") && !l.starts_with("  2024"))
        .map(|l| {
            let gap = l[2..].find("  ").expect("label and value") + 2;
            gap + l[gap..].len() - l[gap..].trim_start().len()
        })
        .collect();
    assert!(value_columns.windows(2).all(|w| w[0] == w[1]), "values not aligned:\n{text}");
    println!("{text}");
}
