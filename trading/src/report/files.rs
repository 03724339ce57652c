//! The report directory: the summary as JSON, the raw series as CSV, and
//! the HTML page. The CSV files hold every row (no downsampling) so any
//! figure in the summary can be recomputed from them.

use super::error::ReportError;
use super::html;
use super::run_report::Report;
use super::signals::Marker;
use super::stats::drawdown_series;
use super::utc;
use crate::domain::{Money, Timestamp};
use crate::execution::Liquidity;
use std::fs;
use std::path::{Path, PathBuf};

/// Write every file of `report` into `dir` (created if missing); returns
/// the paths written, in a fixed order.
pub(crate) fn write_dir(report: &Report, dir: &Path) -> Result<Vec<PathBuf>, ReportError> {
    fs::create_dir_all(dir).map_err(|source| ReportError::Io { path: dir.to_path_buf(), source })?;
    let mut written = Vec::new();

    let path = dir.join("summary.json");
    let json = serde_json::to_string_pretty(report.summary())
        .map_err(|source| ReportError::Json { path: path.clone(), source })?;
    write_text(&path, &json)?;
    written.push(path);

    let curve: Vec<(Timestamp, Money)> = report.ticks().iter().map(|t| (t.ts, t.equity)).collect();
    let drawdown = drawdown_series(&curve);
    let rows = curve.iter().zip(drawdown).map(|((ts, equity), (amount, fraction))| {
        vec![ts.0.to_string(), utc::iso(*ts), equity.to_string(), fraction.to_string(), amount.to_string()]
    });
    written.push(write_csv(dir, "equity.csv", &["ts", "time_utc", "equity", "drawdown", "drawdown_amount"], rows)?);

    let rows = report.fills().iter().map(|f| {
        let liquidity = match f.liquidity {
            Liquidity::Taker => "taker",
            Liquidity::Maker => "maker",
        };
        vec![
            f.ts.0.to_string(),
            utc::iso(f.ts),
            f.order_id.to_string(),
            f.instrument.to_string(),
            f.side.to_string(),
            f.qty.0.to_string(),
            f.price.to_string(),
            f.fee.to_string(),
            liquidity.to_string(),
            f.cash_flow().to_string(),
        ]
    });
    let header = ["ts", "time_utc", "order_id", "instrument", "side", "qty", "price", "fee", "liquidity", "cash_flow"];
    written.push(write_csv(dir, "fills.csv", &header, rows)?);

    let rows = report.trades().iter().map(|t| {
        let entry: Vec<String> = t.entry.iter().map(|(i, side)| format!("{side} {i}")).collect();
        vec![
            t.id.to_string(),
            if t.is_closed() { "closed" } else { "open" }.to_string(),
            t.start.0.to_string(),
            utc::iso(t.start),
            t.end.map_or_else(String::new, |e| e.0.to_string()),
            t.end.map_or_else(String::new, utc::iso),
            t.duration_ns().map_or_else(String::new, |d| (d as f64 / 1e9).to_string()),
            t.fills.to_string(),
            entry.join("; "),
            t.notional.to_string(),
            t.fees.to_string(),
            t.pnl.to_string(),
        ]
    });
    let header = [
        "id",
        "status",
        "start",
        "start_utc",
        "end",
        "end_utc",
        "duration_s",
        "fills",
        "entry",
        "notional",
        "fees",
        "pnl",
    ];
    written.push(write_csv(dir, "trades.csv", &header, rows)?);

    let opt = |v: Option<f64>| v.map_or_else(String::new, |x| x.to_string());
    let rows = report.ticks().iter().map(|t| {
        let s = &t.signals;
        vec![
            t.ts.0.to_string(),
            utc::iso(t.ts),
            opt(s.spread),
            opt(s.zscore),
            opt(s.hedge_ratio),
            opt(s.vol_forecast),
            opt(s.changepoint_prob),
        ]
    });
    let header = ["ts", "time_utc", "spread", "zscore", "hedge_ratio", "vol_forecast", "changepoint_prob"];
    written.push(write_csv(dir, "signals.csv", &header, rows)?);

    let rows = report.markers().iter().map(|(ts, m)| {
        let (kind, detail) = match m {
            Marker::Entry { long_spread: true } => ("entry", "long spread".to_string()),
            Marker::Entry { long_spread: false } => ("entry", "short spread".to_string()),
            Marker::Exit => ("exit", String::new()),
            Marker::Flatten { reason } => ("flatten", reason.clone()),
        };
        vec![ts.0.to_string(), utc::iso(*ts), kind.to_string(), detail]
    });
    written.push(write_csv(dir, "markers.csv", &["ts", "time_utc", "kind", "detail"], rows)?);

    let path = dir.join("report.html");
    write_text(&path, &html::render(report))?;
    written.push(path);
    Ok(written)
}

fn write_text(path: &Path, text: &str) -> Result<(), ReportError> {
    fs::write(path, text).map_err(|source| ReportError::Io { path: path.to_path_buf(), source })
}

fn write_csv(
    dir: &Path,
    name: &str,
    header: &[&str],
    rows: impl Iterator<Item = Vec<String>>,
) -> Result<PathBuf, ReportError> {
    let path = dir.join(name);
    let csv_err = |source| ReportError::Csv { path: path.clone(), source };
    let mut w = csv::Writer::from_path(&path).map_err(csv_err)?;
    w.write_record(header).map_err(csv_err)?;
    for row in rows {
        w.write_record(&row).map_err(csv_err)?;
    }
    w.flush().map_err(|source| ReportError::Io { path: path.clone(), source })?;
    Ok(path)
}
