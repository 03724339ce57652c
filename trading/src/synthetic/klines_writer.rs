//! Writing bars as a Binance klines CSV, so synthetic data goes through the
//! same reader as downloaded data.

use super::GeneratedPair;
use crate::domain::Decimal;
use crate::market::{Bar, KLINES_COLUMNS};
use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

/// Quote-currency notional of an average trade, which sets the trade count.
const NOTIONAL_PER_TRADE: i64 = 800;

/// Write `bars` as a Binance klines CSV with a header row and millisecond
/// times. The columns Binance has and [`Bar`] lacks are derived from the bar:
/// quote volume at the bar's average price `(o+h+l+c)/4`, one trade per
/// 800 of quote notional, and a taker-buy share of `0.5 + 0.35·(c−o)/(h−l)`.
/// Output depends only on the bars, so equal bars give equal bytes.
pub fn write_klines_csv<W: Write>(bars: &[Bar], out: W) -> io::Result<()> {
    let mut out = BufWriter::new(out);
    writeln!(out, "{}", KLINES_COLUMNS.join(","))?;
    let four = Decimal::from(4);
    for bar in bars {
        let (o, h, l, c, v) = (bar.open.0, bar.high.0, bar.low.0, bar.close.0, bar.volume.0);
        let average = (o + h + l + c) / four;
        let quote = (v * average).round_dp(8).normalize();
        let trades = if v.is_zero() { Decimal::ZERO } else { (quote / Decimal::from(NOTIONAL_PER_TRADE)).ceil() };
        let share =
            if h > l { Decimal::new(5, 1) + Decimal::new(35, 2) * (c - o) / (h - l) } else { Decimal::new(5, 1) };
        let taker = (v * share).round_dp(v.scale());
        let taker_quote = (taker * average).round_dp(8).normalize();
        writeln!(
            out,
            "{},{o},{h},{l},{c},{v},{},{quote},{trades},{taker},{taker_quote},0",
            bar.open_ts.nanos() / 1_000_000,
            bar.ts.nanos() / 1_000_000,
        )?;
    }
    out.flush()
}

/// Binance's name for a bar length: `1m`, `4h`, `1d`, ...
fn interval_name(bar_ms: i64) -> String {
    const UNITS: [(i64, &str); 4] = [(604_800_000, "w"), (86_400_000, "d"), (3_600_000, "h"), (60_000, "m")];
    for (unit, name) in UNITS {
        if bar_ms % unit == 0 {
            return format!("{}{name}", bar_ms / unit);
        }
    }
    if bar_ms % 1_000 == 0 { format!("{}s", bar_ms / 1_000) } else { format!("{bar_ms}ms") }
}

impl GeneratedPair {
    /// Write both legs into `dir` as `SYMBOL-<interval>-synthetic.csv`
    /// (e.g. `BTCUSDT-1m-synthetic.csv`), a name
    /// [`crate::market::infer_binance_symbol`] understands. Returns the two
    /// paths, leg A first.
    pub fn write_klines(&self, dir: &Path) -> io::Result<[PathBuf; 2]> {
        let path = |bars: &[Bar]| -> PathBuf {
            let symbol = bars.first().map_or("EMPTY", |b| b.instrument.symbol.as_str());
            let bar_ms = bars.first().map_or(60_000, |b| (b.ts.nanos() - b.open_ts.nanos()) / 1_000_000 + 1);
            dir.join(format!("{symbol}-{}-synthetic.csv", interval_name(bar_ms)))
        };
        let paths = [path(&self.bars_a), path(&self.bars_b)];
        write_klines_csv(&self.bars_a, File::create(&paths[0])?)?;
        write_klines_csv(&self.bars_b, File::create(&paths[1])?)?;
        Ok(paths)
    }
}
