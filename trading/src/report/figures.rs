//! The summary as labelled, formatted rows, shared by the terminal report
//! and the HTML page so both always show the same figures the same way.

use super::summary::Summary;
use super::utc;
use crate::domain::Money;

/// A titled group of `(label, value)` rows.
pub(crate) struct Section {
    pub(crate) title: &'static str,
    pub(crate) rows: Vec<(String, String)>,
}

/// Money rounded to `dp` places with thousands separators: `-12,345.67`.
pub(crate) fn money(m: Money, dp: usize) -> String {
    let s = format!("{:.*}", dp, m.0);
    let (sign, rest) = s.strip_prefix('-').map_or(("", s.as_str()), |r| ("-", r));
    let (int, frac) = rest.split_once('.').map_or((rest, None), |(i, f)| (i, Some(f)));
    let mut grouped = String::with_capacity(int.len() + int.len() / 3);
    for (i, ch) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(ch);
    }
    match frac {
        Some(f) => format!("{sign}{grouped}.{f}"),
        None => format!("{sign}{grouped}"),
    }
}

/// A fraction as a signed percentage: `+2.35%`.
pub(crate) fn signed_pct(f: f64) -> String {
    format!("{:+.2}%", f * 100.0)
}

/// A fraction as a percentage: `45.2%`.
pub(crate) fn pct(f: f64) -> String {
    format!("{:.1}%", f * 100.0)
}

/// An optional figure, or an em dash.
pub(crate) fn opt<T>(v: Option<T>, f: impl FnOnce(T) -> String) -> String {
    v.map_or_else(|| "—".to_string(), f)
}

/// Nanoseconds as the most readable unit.
pub(crate) fn nanos(ns: u64) -> String {
    match ns {
        0..1_000 => format!("{ns} ns"),
        1_000..1_000_000 => format!("{:.1} µs", ns as f64 / 1e3),
        _ => format!("{:.2} ms", ns as f64 / 1e6),
    }
}

fn row(label: &str, value: String) -> (String, String) {
    (label.to_string(), value)
}

/// The summary's figures, grouped as a trader reads them: result first,
/// then risk, trading activity, and the engine.
pub(crate) fn sections(s: &Summary) -> Vec<Section> {
    let period = match (s.first_tick, s.last_tick) {
        (Some(a), Some(b)) => {
            format!("{} → {} UTC ({})", utc::human(a), utc::human(b), utc::duration(b.0 - a.0))
        }
        _ => "no ticks".to_string(),
    };
    let result = vec![
        row("Period", period),
        row("Initial capital", money(s.initial_capital, 2)),
        row("Final equity", money(s.final_equity, 2)),
        row("Total return", format!("{} ({})", money(s.total_return, 2), opt(s.total_return_fraction, signed_pct))),
        row("Realised PnL", money(s.realised_pnl, 2)),
        row("Unrealised PnL", money(s.unrealised_pnl, 2)),
        row("Fees paid", money(s.fees_paid, 4)),
        row("Cash", money(s.cash, 2)),
    ];
    let basis = s.ratios.as_ref().map_or("—".to_string(), |r| {
        format!("{} returns (n = {}), × √{:.0} to annualise", r.period.name(), r.returns, r.periods_per_year)
    });
    let drawdown = s.max_drawdown.as_ref().map_or("none".to_string(), |d| {
        let recovered = match d.recovered_ts {
            Some(t) => format!("recovered {}", utc::human(t)),
            None => "not recovered".to_string(),
        };
        format!(
            "{} ({}), peak {} → trough {}, {}",
            money(-d.amount, 2),
            signed_pct(-d.fraction),
            utc::human(d.peak_ts),
            utc::human(d.trough_ts),
            recovered
        )
    });
    let risk = vec![
        row("Sharpe (annualised)", opt(s.ratios.as_ref().and_then(|r| r.sharpe), |v| format!("{v:.2}"))),
        row("Sortino (annualised)", opt(s.ratios.as_ref().and_then(|r| r.sortino), |v| format!("{v:.2}"))),
        row("Ratio basis", basis),
        row("Max drawdown", drawdown),
        row("Exposure", opt(s.exposure_fraction, |f| format!("{} of the time", pct(f)))),
    ];
    let t = &s.trades;
    let rejections = if s.rejections.is_empty() {
        "0".to_string()
    } else {
        let by: Vec<String> = s.rejections.iter().map(|(r, n)| format!("{r}: {n}")).collect();
        format!("{} ({})", s.rejections_total, by.join(", "))
    };
    let regimes = match s.regime_change_times.as_slice() {
        [] => "0".to_string(),
        times => {
            let shown: Vec<String> = times.iter().take(5).map(|t| utc::human(*t)).collect();
            let more = if times.len() > 5 { format!(", … {} more", times.len() - 5) } else { String::new() };
            format!("{} ({}{more})", times.len(), shown.join(", "))
        }
    };
    let trading = vec![
        row("Fills", format!("{} (notional {})", s.fills, money(s.traded_notional, 2))),
        row("Round trips", format!("{} closed, {} open", t.closed, t.open)),
        row("Hit rate", opt(t.hit_rate, |h| format!("{} ({} of {} closed)", pct(h), t.winning, t.closed))),
        row("Average trade PnL", opt(t.average_pnl, |m| money(m, 4))),
        row(
            "Best / worst trade",
            format!("{} / {}", opt(t.best_pnl, |m| money(m, 2)), opt(t.worst_pnl, |m| money(m, 2))),
        ),
        row("Average holding time", opt(t.average_duration_seconds, |d| utc::duration((d * 1e9) as i64))),
        row("Rejected orders", rejections),
        row("Regime changes", regimes),
        row("Notes", s.notes.to_string()),
    ];
    let engine = vec![
        row("Events", s.events.to_string()),
        row("Ticks", s.ticks.to_string()),
        row("Wall time", format!("{:.3} s", s.wall_seconds)),
        row("Throughput", opt(s.throughput_events_per_sec, |t| format!("{t:.0} events/s"))),
        row("Latency p50 / p99", format!("{} / {}", opt(s.latency_p50_ns, nanos), opt(s.latency_p99_ns, nanos))),
    ];
    let mut out = vec![
        Section { title: "Result", rows: result },
        Section { title: "Risk", rows: risk },
        Section { title: "Trading", rows: trading },
        Section { title: "Engine", rows: engine },
    ];
    if !s.extra.is_empty() {
        out.push(Section { title: "Other", rows: s.extra.clone() });
    }
    if !s.config.is_empty() {
        out.push(Section { title: "Configuration", rows: s.config.clone() });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    #[test]
    fn money_groups_thousands() {
        assert_eq!(money(Money(dec!(1234567.891)), 2), "1,234,567.89");
        assert_eq!(money(Money(dec!(-1234.5)), 2), "-1,234.50");
        assert_eq!(money(Money(dec!(12)), 0), "12");
        assert_eq!(money(Money(dec!(0.00012)), 4), "0.0001");
    }
}
