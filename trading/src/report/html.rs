//! `report.html`: one self-contained page (inline CSS and SVG, no scripts,
//! no external references) so it can be archived with the run and opened
//! anywhere, offline.

use super::chart::{LineChart, PointMarker, Series, Shape, YFormat};
use super::escape::html;
use super::figures::{money, sections};
use super::run_report::Report;
use super::signals::{Marker, TickSignals};
use super::stats::drawdown_series;
use super::utc;
use crate::domain::{Money, Timestamp};
use std::fmt::Write;

/// Trades listed in the page; all of them are in `trades.csv`.
const TRADES_SHOWN: usize = 200;
/// Notes listed in the page.
const NOTES_SHOWN: usize = 1_000;

const GREEN: &str = "#1e8e3e";
const RED: &str = "#d93025";
const GREY: &str = "#80868b";
const BLUE: &str = "#1a73e8";

const STYLE: &str = "body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:24px auto;max-width:1000px;\
color:#202124;background:#fff}h1{font-size:22px}h2{font-size:18px;margin-top:32px;border-bottom:1px solid #dadce0}\
h3{font-size:15px;margin:20px 0 4px}table{border-collapse:collapse;font-size:13px;margin:8px 0}\
td,th{padding:3px 10px;border-bottom:1px solid #eee;text-align:left;vertical-align:top}\
td.num{text-align:right;font-variant-numeric:tabular-nums}th.sec{background:#f1f3f4}.muted{color:#5f6368}\
svg.chart{display:block;margin:4px 0 12px}svg .title{font-size:13px;font-weight:600;fill:#202124}\
svg .legend{font-size:11px;fill:#3c4043}svg .plot{fill:#fff;stroke:#bdc1c6}svg .grid{stroke:#eceff1}\
svg .axis{stroke:#5f6368}svg .ylabel{font-size:10px;fill:#5f6368;text-anchor:end}\
svg .xlabel{font-size:10px;fill:#5f6368;text-anchor:middle}svg .caption{font-size:10px;fill:#5f6368;text-anchor:end}\
svg .empty{font-size:14px;fill:#9aa0a6;text-anchor:middle}";

/// The whole page.
pub(crate) fn render(report: &Report) -> String {
    let s = report.summary();
    let mut out = String::with_capacity(64 * 1024);
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Run report {}</title><style>{STYLE}</style></head><body>\n",
        html(&s.run_id)
    );
    let _ = writeln!(out, "<h1>Run report {}</h1>", html(&s.run_id));
    let _ = writeln!(
        out,
        "<p class=\"muted\">Started {} · instruments (y, x): {}</p>",
        html(&s.started_at),
        html(&s.instruments.join(", "))
    );
    out.push_str("<h2>Summary</h2>\n<table>");
    for sec in sections(s) {
        let _ = write!(out, "<tr><th class=\"sec\" colspan=\"2\">{}</th></tr>", html(sec.title));
        for (label, value) in &sec.rows {
            let _ = write!(out, "<tr><td>{}</td><td>{}</td></tr>", html(label), html(value));
        }
    }
    out.push_str("</table>\n<h2>Charts</h2>\n");
    for (heading, chart) in charts(report) {
        let _ = writeln!(out, "<h3>{}</h3>\n{}", html(heading), chart.render());
    }
    render_trades(report, &mut out);
    render_notes(report, &mut out);
    out.push_str("</body></html>\n");
    out
}

/// The six charts, in reading order.
fn charts(report: &Report) -> Vec<(&'static str, LineChart)> {
    let ticks = report.ticks();
    let signal = |f: fn(&TickSignals) -> Option<f64>| -> Vec<(i64, f64)> {
        ticks.iter().filter_map(|t| f(&t.signals).map(|v| (t.ts.0, v))).collect()
    };
    let curve: Vec<(Timestamp, Money)> = ticks.iter().map(|t| (t.ts, t.equity)).collect();

    let mut equity = LineChart::new("Equity", YFormat::Plain);
    equity.series.push(Series { name: "equity".into(), color: BLUE, points: to_f64(&curve) });

    let spread_points = signal(|s| s.spread);
    let mut spread = LineChart::new("Spread with entries and exits", YFormat::Plain);
    spread.markers = report
        .markers()
        .iter()
        .filter_map(|(ts, m)| {
            let y = value_at(&spread_points, ts.0)?;
            let (shape, color) = match m {
                Marker::Entry { long_spread: true } => (Shape::Up, GREEN),
                Marker::Entry { long_spread: false } => (Shape::Down, RED),
                Marker::Exit | Marker::Flatten { .. } => (Shape::Circle, GREY),
            };
            Some(PointMarker { ts: ts.0, y, shape, color, title: format!("{} {}", utc::human(*ts), m.label()) })
        })
        .collect();
    spread.series.push(Series { name: "spread".into(), color: "#3c4043", points: spread_points });
    spread.legend =
        vec![(GREEN, "long spread entry".into()), (RED, "short spread entry".into()), (GREY, "exit".into())];

    let mut hedge = LineChart::new("Hedge ratio", YFormat::Plain);
    hedge.series.push(Series { name: "hedge ratio".into(), color: "#9334e6", points: signal(|s| s.hedge_ratio) });

    let mut vol = LineChart::new("Volatility forecast", YFormat::Plain);
    vol.series.push(Series { name: "volatility".into(), color: "#e37400", points: signal(|s| s.vol_forecast) });

    let mut cp = LineChart::new("Changepoint probability and regime changes", YFormat::Plain);
    cp.series.push(Series { name: "P(changepoint)".into(), color: "#12b5cb", points: signal(|s| s.changepoint_prob) });
    cp.vlines = report
        .regime_changes()
        .iter()
        .map(|r| (r.ts.0, format!("regime change {} (p = {:.3})", utc::human(r.ts), r.prob)))
        .collect();
    cp.legend = vec![(cp.vline_color, "regime change".into())];

    let mut dd = LineChart::new("Drawdown", YFormat::Percent);
    let dd_points = curve.iter().zip(drawdown_series(&curve)).map(|((ts, _), (_, f))| (ts.0, -f)).collect();
    dd.series.push(Series { name: "drawdown".into(), color: RED, points: dd_points });

    vec![
        ("Equity", equity),
        ("Spread", spread),
        ("Hedge ratio", hedge),
        ("Volatility forecast", vol),
        ("Changepoint probability", cp),
        ("Drawdown", dd),
    ]
}

fn to_f64(curve: &[(Timestamp, Money)]) -> Vec<(i64, f64)> {
    curve.iter().map(|(t, m)| (t.0, m.to_f64())).collect()
}

/// The last value at or before `ts` (or the first one, for a marker before
/// the series starts).
fn value_at(points: &[(i64, f64)], ts: i64) -> Option<f64> {
    let i = points.partition_point(|p| p.0 <= ts);
    points.get(i.saturating_sub(1)).map(|p| p.1)
}

fn render_trades(report: &Report, out: &mut String) {
    let trades = report.trades();
    out.push_str("<h2>Trades</h2>\n");
    if trades.is_empty() {
        out.push_str("<p class=\"muted\">No trades.</p>\n");
        return;
    }
    if trades.len() > TRADES_SHOWN {
        let _ =
            writeln!(out, "<p class=\"muted\">First {TRADES_SHOWN} of {}; all are in trades.csv.</p>", trades.len());
    }
    out.push_str(
        "<table><tr><th>#</th><th>Start (UTC)</th><th>End (UTC)</th><th>Held</th><th>Entry</th>\
<th>Fills</th><th>Notional</th><th>Fees</th><th>PnL</th></tr>",
    );
    for t in trades.iter().take(TRADES_SHOWN) {
        let entry: Vec<String> = t.entry.iter().map(|(i, side)| format!("{side} {i}")).collect();
        let _ = write!(
            out,
            "<tr><td class=\"num\">{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td class=\"num\">{}</td>\
<td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
            t.id,
            utc::human(t.start),
            t.end.map_or_else(|| "open".to_string(), utc::human),
            t.duration_ns().map_or_else(String::new, utc::duration),
            html(&entry.join(", ")),
            t.fills,
            money(t.notional, 2),
            money(t.fees, 4),
            money(t.pnl, 4),
        );
    }
    out.push_str("</table>\n");
}

fn render_notes(report: &Report, out: &mut String) {
    let notes = report.notes();
    out.push_str("<h2>Notes</h2>\n");
    if notes.is_empty() {
        out.push_str("<p class=\"muted\">No notes.</p>\n");
        return;
    }
    out.push_str("<table><tr><th>Time (UTC)</th><th>Note</th></tr>");
    for n in notes.iter().take(NOTES_SHOWN) {
        let _ = write!(out, "<tr><td>{}</td><td>{}</td></tr>", utc::human(n.ts), html(&n.text));
    }
    out.push_str("</table>\n");
    let hidden = report.summary().notes.saturating_sub(NOTES_SHOWN.min(notes.len()) as u64);
    if hidden > 0 {
        let _ = writeln!(out, "<p class=\"muted\">… {hidden} more notes not shown.</p>");
    }
}
