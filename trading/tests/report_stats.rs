//! Risk ratios and drawdown of the run report on equity curves whose
//! answers are worked out by hand or by a different computation here.

use hft_trading::domain::{Money, Timestamp};
use hft_trading::report::{
    ReturnPeriod, RunEnd, RunMeta, RunRecorder, TickSignals, drawdown_series, max_drawdown, risk_ratios,
};
use rust_decimal::Decimal;
use rust_decimal_macros::dec;

const SEC: i64 = 1_000_000_000;
const HOUR: i64 = 3_600 * SEC;
const DAY: i64 = 24 * HOUR;
/// 2024-01-01T00:00:00Z.
const T0: i64 = 1_704_067_200 * SEC;

fn money_curve(values: &[Decimal], step: i64) -> Vec<(Timestamp, Money)> {
    values.iter().enumerate().map(|(i, v)| (Timestamp(T0 + i as i64 * step), Money(*v))).collect()
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * a.abs().max(b.abs()).max(1.0)
}

#[test]
fn max_drawdown_picks_the_deepest_fraction_with_its_peak_and_trough() {
    // 120 -> 90 is -25 % (30); 130 -> 104 is -20 % (26).
    let curve = money_curve(&[dec!(100), dec!(120), dec!(90), dec!(110), dec!(130), dec!(104), dec!(140)], SEC);
    let dd = max_drawdown(&curve).expect("equity fell");
    assert!(close(dd.fraction, 0.25));
    assert_eq!(dd.amount, Money(dec!(30)));
    assert_eq!(dd.peak_ts, Timestamp(T0 + SEC));
    assert_eq!(dd.trough_ts, Timestamp(T0 + 2 * SEC));
    assert_eq!(dd.peak_equity, Money(dec!(120)));
    assert_eq!(dd.trough_equity, Money(dec!(90)));
    assert_eq!(dd.recovered_ts, Some(Timestamp(T0 + 4 * SEC)));

    let series = drawdown_series(&curve);
    let amounts: Vec<Money> = series.iter().map(|s| s.0).collect();
    let expected = [dec!(0), dec!(0), dec!(30), dec!(10), dec!(0), dec!(26), dec!(0)];
    assert_eq!(amounts, expected.map(Money).to_vec());
    assert!(close(series[5].1, 0.2));
}

#[test]
fn drawdown_prefers_the_deeper_fraction_over_the_larger_amount() {
    // 100 -> 50 is -50 % (50); 1000 -> 800 is -20 % but 200 in money.
    let curve = money_curve(&[dec!(100), dec!(50), dec!(1000), dec!(800)], SEC);
    let dd = max_drawdown(&curve).unwrap();
    assert_eq!(dd.amount, Money(dec!(50)));
    assert_eq!(dd.recovered_ts, Some(Timestamp(T0 + 2 * SEC)));
    assert!(max_drawdown(&money_curve(&[dec!(1), dec!(2), dec!(3)], SEC)).is_none());
}

#[test]
fn short_run_uses_tick_returns_worked_by_hand() {
    // Returns +10 %, -10 %, +10 %, one hour apart: 8760 periods a year.
    let curve: Vec<(Timestamp, f64)> =
        [100.0, 110.0, 99.0, 108.9].iter().enumerate().map(|(i, v)| (Timestamp(T0 + i as i64 * HOUR), *v)).collect();
    let r = risk_ratios(&curve).unwrap();
    assert_eq!(r.period, ReturnPeriod::Tick);
    assert!(close(r.periods_per_year, 8760.0));
    // mean 1/30; sample sd sqrt(((1/15)^2 * 2 + (2/15)^2) / 2) = sqrt(0.04/3).
    let sharpe = (1.0 / 30.0) / (0.04f64 / 3.0).sqrt() * 8760f64.sqrt();
    // downside deviation sqrt(0.01 / 3).
    let sortino = (1.0 / 30.0) / (0.01f64 / 3.0).sqrt() * 8760f64.sqrt();
    assert!(close(r.sharpe.unwrap(), sharpe), "{:?} vs {sharpe}", r.sharpe);
    assert!(close(r.sortino.unwrap(), sortino), "{:?} vs {sortino}", r.sortino);
    assert!((r.sharpe.unwrap() - 27.02).abs() < 0.01);
    assert!((r.sortino.unwrap() - 54.04).abs() < 0.01);
}

#[test]
fn long_run_resamples_to_daily_closes() {
    // 40 days, ticks at 01:00, 09:00 and 17:00; the last tick of a day is
    // its close. Skip day 20 entirely: its close repeats day 19's.
    let mut curve = Vec::new();
    let mut equity = 10_000.0;
    for day in 0..40i64 {
        if day == 20 {
            continue;
        }
        for (k, hour) in [1i64, 9, 17].iter().enumerate() {
            equity *= 1.0 + 0.004 * ((day * 3 + k as i64) as f64 * 1.7).sin();
            curve.push((Timestamp(T0 + day * DAY + hour * HOUR), equity));
        }
    }
    let r = risk_ratios(&curve).unwrap();
    assert_eq!(r.period, ReturnPeriod::Daily);
    assert_eq!(r.periods_per_year, 365.0);

    // Independently: daily closes by day number, gaps filled, returns from
    // the first sample, then a one-pass sum / sum-of-squares variance.
    let mut closes: Vec<f64> = Vec::new();
    for day in 0..40usize {
        let last = curve.iter().rfind(|(ts, _)| ((ts.0 - T0) / DAY) as usize == day).map(|p| p.1);
        closes.push(last.unwrap_or_else(|| *closes.last().unwrap()));
    }
    let mut prev = curve[0].1;
    let mut returns = Vec::new();
    for c in closes {
        returns.push(c / prev - 1.0);
        prev = c;
    }
    assert_eq!(r.returns.len(), 40);
    let n = returns.len() as f64;
    let (sum, sum_sq) = returns.iter().fold((0.0, 0.0), |(s, q), x| (s + x, q + x * x));
    let mean = sum / n;
    let sd = ((sum_sq - n * mean * mean) / (n - 1.0)).sqrt();
    let downside = (returns.iter().filter(|x| **x < 0.0).map(|x| x * x).sum::<f64>() / n).sqrt();
    assert!((r.sharpe.unwrap() - mean / sd * 365f64.sqrt()).abs() < 1e-7);
    assert!((r.sortino.unwrap() - mean / downside * 365f64.sqrt()).abs() < 1e-7);
}

#[test]
fn two_day_run_uses_hourly_buckets() {
    let curve: Vec<(Timestamp, f64)> =
        (0..48 * 4).map(|i| (Timestamp(T0 + i * 15 * 60 * SEC), 1_000.0 + (i as f64 * 0.3).sin())).collect();
    let r = risk_ratios(&curve).unwrap();
    assert_eq!(r.period, ReturnPeriod::Hourly);
    assert_eq!(r.returns.len(), 48);
    assert!(r.sharpe.is_some() && r.sortino.is_some());
    assert!(risk_ratios(&curve[..1]).is_none());
}

#[test]
fn recorder_summary_carries_return_ratios_exposure_and_throughput() {
    let meta = RunMeta {
        run_id: "stats".into(),
        started_at: "2024-01-01T00:00:00Z".into(),
        config_summary: vec![],
        initial_capital: Money(dec!(1000)),
        instruments: vec![],
    };
    let mut rec = RunRecorder::new(meta);
    let values = [dec!(1000), dec!(1010), dec!(990), dec!(1020)];
    for (ts, eq) in money_curve(&values, HOUR) {
        rec.on_tick(ts, eq, &TickSignals::default());
    }
    let end = RunEnd {
        final_equity: Money(dec!(1020)),
        cash: Money(dec!(1020)),
        realised_pnl: Money(dec!(20)),
        unrealised_pnl: Money::ZERO,
        fees_paid: Money::ZERO,
        events: 1_000,
        ticks: 4,
        wall_seconds: 0.5,
        latency_p50_ns: Some(800),
        latency_p99_ns: Some(5_000),
        extra: vec![],
    };
    let report = rec.finish(end);
    let s = report.summary();
    assert_eq!(s.total_return, Money(dec!(20)));
    assert!(close(s.total_return_fraction.unwrap(), 0.02));
    let direct =
        risk_ratios(&money_curve(&values, HOUR).iter().map(|(t, m)| (*t, m.to_f64())).collect::<Vec<_>>()).unwrap();
    let ratios = s.ratios.as_ref().unwrap();
    assert_eq!(ratios.sharpe, direct.sharpe);
    assert_eq!(ratios.sortino, direct.sortino);
    assert_eq!(s.max_drawdown.unwrap().amount, Money(dec!(20)));
    assert_eq!(s.exposure_fraction, Some(0.0));
    assert_eq!(s.throughput_events_per_sec, Some(2_000.0));
}
