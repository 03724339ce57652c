//! The synthetic pair generator: determinism down to the bytes written,
//! bars a venue could print, and the statistical features it promises
//! (cointegration within a regime, volatility clustering, regime changes).

use hft_trading::domain::{Decimal, InstrumentId};
use hft_trading::market::{Bar, EventSource, KlinesReader, MarketEvent, ReaderOptions, infer_binance_symbol};
use hft_trading::synthetic::{GeneratedPair, PairSpec, SyntheticError, generate, write_klines_csv};
use std::sync::OnceLock;

/// The default pair, generated once for all tests.
fn pair() -> &'static GeneratedPair {
    static PAIR: OnceLock<GeneratedPair> = OnceLock::new();
    PAIR.get_or_init(|| generate(&PairSpec::default()).unwrap())
}

fn log_closes(bars: &[Bar]) -> Vec<f64> {
    bars.iter().map(|b| b.close.to_f64().ln()).collect()
}

fn mean(v: &[f64]) -> f64 {
    v.iter().sum::<f64>() / v.len() as f64
}

/// OLS of `y` on `x` with intercept: (intercept, slope, residuals).
fn regress(x: &[f64], y: &[f64]) -> (f64, f64, Vec<f64>) {
    let (mx, my) = (mean(x), mean(y));
    let sxy: f64 = x.iter().zip(y).map(|(a, b)| (a - mx) * (b - my)).sum();
    let sxx: f64 = x.iter().map(|a| (a - mx) * (a - mx)).sum();
    let slope = sxy / sxx;
    let intercept = my - slope * mx;
    let residuals = x.iter().zip(y).map(|(a, b)| b - intercept - slope * a).collect();
    (intercept, slope, residuals)
}

/// AR(1) coefficient of a series (OLS of v[t] on v[t-1]).
fn ar1(v: &[f64]) -> f64 {
    regress(&v[..v.len() - 1], &v[1..]).1
}

/// Sample autocorrelation at `lag`.
fn autocorrelation(v: &[f64], lag: usize) -> f64 {
    let m = mean(v);
    let var: f64 = v.iter().map(|a| (a - m) * (a - m)).sum();
    let cov: f64 = v[..v.len() - lag].iter().zip(&v[lag..]).map(|(a, b)| (a - m) * (b - m)).sum();
    cov / var
}

fn returns(logs: &[f64]) -> Vec<f64> {
    logs.windows(2).map(|w| w[1] - w[0]).collect()
}

fn csv_bytes(bars: &[Bar]) -> Vec<u8> {
    let mut out = Vec::new();
    write_klines_csv(bars, &mut out).unwrap();
    out
}

#[test]
fn same_seed_gives_byte_identical_files() {
    let dir_1 = tempfile::tempdir().unwrap();
    let dir_2 = tempfile::tempdir().unwrap();
    let paths_1 = generate(&PairSpec::default()).unwrap().write_klines(dir_1.path()).unwrap();
    let paths_2 = generate(&PairSpec::default()).unwrap().write_klines(dir_2.path()).unwrap();
    for (p1, p2) in paths_1.iter().zip(&paths_2) {
        assert_eq!(p1.file_name(), p2.file_name());
        let (b1, b2) = (std::fs::read(p1).unwrap(), std::fs::read(p2).unwrap());
        assert_eq!(b1, b2, "{} differs between runs", p1.display());
        assert!((500_000..2_000_000).contains(&b1.len()), "{} is {} bytes", p1.display(), b1.len());
    }
    let other = generate(&PairSpec { seed: 7, ..PairSpec::default() }).unwrap();
    assert_ne!(csv_bytes(&other.bars_a), csv_bytes(&pair().bars_a), "the seed matters");
}

#[test]
fn written_files_read_back_as_the_same_bars() {
    let dir = tempfile::tempdir().unwrap();
    let [path_a, path_b] = pair().write_klines(dir.path()).unwrap();
    assert_eq!(path_a.file_name().unwrap(), "BTCUSDT-1m-synthetic.csv");
    assert_eq!(path_b.file_name().unwrap(), "ETHUSDT-1m-synthetic.csv");
    for (path, bars) in [(&path_a, &pair().bars_a), (&path_b, &pair().bars_b)] {
        let symbol = infer_binance_symbol(path).unwrap();
        let id = InstrumentId { venue: bars[0].instrument.venue.clone(), symbol };
        let mut reader = KlinesReader::open(path, id, ReaderOptions::default()).unwrap();
        let read: Vec<Bar> = reader
            .by_ref()
            .map(|e| match e.unwrap() {
                MarketEvent::Bar(b) => b,
                other => panic!("{other:?}"),
            })
            .collect();
        assert_eq!(&read, bars);
        assert!(reader.stats().is_clean());
    }
}

#[test]
fn bars_are_what_a_venue_prints() {
    let p = pair();
    assert_eq!(p.bars_a.len(), 10_000);
    assert_eq!(p.bars_b.len(), 10_000);
    assert_eq!(p.bars_a[0].open_ts.nanos(), 1_704_067_200_000 * 1_000_000, "2024-01-01T00:00Z");
    let tick = Decimal::new(1, 2);
    let lot = Decimal::new(1, 3);
    for bars in [&p.bars_a, &p.bars_b] {
        for (i, b) in bars.iter().enumerate() {
            assert!(b.low.is_positive(), "bar {i}");
            assert!(b.high >= b.open.max(b.close) && b.low <= b.open.min(b.close), "bar {i}: {b:?}");
            assert!(b.volume.0 > Decimal::ZERO, "bar {i}");
            for price in [b.open, b.high, b.low, b.close] {
                assert!((price.0 % tick).is_zero(), "bar {i}: {price} off the tick");
            }
            assert!((b.volume.0 % lot).is_zero(), "bar {i}: {} off the lot", b.volume);
            assert_eq!(b.ts.nanos() - b.open_ts.nanos(), 59_999_000_000, "bar {i}");
            if i > 0 {
                assert_eq!(b.open, bars[i - 1].close, "bar {i} opens at the previous close");
                assert_eq!(b.open_ts.nanos() - bars[i - 1].open_ts.nanos(), 60_000_000_000);
            }
        }
    }
    assert_eq!(
        p.bars_a.iter().map(|b| b.open_ts).collect::<Vec<_>>(),
        p.bars_b.iter().map(|b| b.open_ts).collect::<Vec<_>>()
    );
    let a0 = p.bars_a[0].open.to_f64();
    let b0 = p.bars_b[0].open.to_f64();
    assert!((a0 - 60_000.0).abs() < 1.0 && (b0 - 3_000.0).abs() < 1.0, "{a0} {b0}");
    // Prices stay in a plausible band over a week of minutes.
    for b in p.bars_a.iter() {
        assert!((30_000.0..120_000.0).contains(&b.close.to_f64()));
    }
}

#[test]
fn regimes_are_returned_and_cover_every_bar() {
    let r = &pair().regimes;
    assert_eq!(r.iter().map(|r| r.start_bar).collect::<Vec<_>>(), vec![0, 3_000, 6_000, 8_000]);
    assert_eq!(r.last().unwrap().end_bar, 10_000);
    assert!(r.windows(2).all(|w| w[0].end_bar == w[1].start_bar));
    assert_eq!(r[1].start, pair().bars_a[3_000].open_ts);
    assert_eq!(r[3].hedge_ratio, 1.25);
}

#[test]
fn legs_are_cointegrated_within_each_regime() {
    let (x, y) = (log_closes(&pair().bars_a), log_closes(&pair().bars_b));
    for regime in &pair().regimes {
        let range = regime.start_bar..regime.end_bar;
        let (_, _, residuals) = regress(&x[range.clone()], &y[range.clone()]);
        let phi = ar1(&residuals);
        assert!(phi < 0.99, "regime at {}: spread AR(1) {phi} is not mean-reverting", regime.start_bar);
        // Half-life 30 bars gives 0.977 per bar; the fit should be near.
        assert!(phi > 0.9, "regime at {}: spread AR(1) {phi} is implausibly fast", regime.start_bar);
        let price_phi = ar1(&x[range]);
        assert!(price_phi > 0.995, "regime at {}: log price AR(1) {price_phi}: not a random walk", regime.start_bar);
    }
}

#[test]
fn the_cointegration_check_fails_without_mean_reversion() {
    // The same check on a pair whose spread practically never reverts: a
    // half-life of ten million bars, with the stationary spread scaled up so
    // the per-bar spread shocks stay the size of the default's.
    let mut spec = PairSpec { spread_half_life: 1e7, spread_vol: 2.0, ..PairSpec::default() };
    spec.regimes.truncate(1);
    let p = generate(&spec).unwrap();
    let (_, _, residuals) = regress(&log_closes(&p.bars_a), &log_closes(&p.bars_b));
    assert!(ar1(&residuals) > 0.99, "AR(1) {}", ar1(&residuals));
}

#[test]
fn returns_show_volatility_clustering() {
    let x = log_closes(&pair().bars_a);
    // Within the first regime, so the clustering is GARCH's, not the regime change's.
    let r = returns(&x[..3_000]);
    let squared: Vec<f64> = r.iter().map(|v| v * v).collect();
    let acf: Vec<f64> = (1..=5).map(|lag| autocorrelation(&squared, lag)).collect();
    assert!(acf[0] > 0.05, "lag-1 autocorrelation of squared returns {acf:?}");
    assert!(mean(&acf) > 0.03, "{acf:?}");
    assert!(autocorrelation(&r, 1).abs() < 0.1, "returns themselves are near uncorrelated");
}

#[test]
fn regime_changes_show_in_the_data() {
    let (x, y) = (log_closes(&pair().bars_a), log_closes(&pair().bars_b));
    let (rx, ry) = (returns(&x), returns(&y));
    let sd = |v: &[f64]| {
        let m = mean(v);
        (v.iter().map(|a| (a - m) * (a - m)).sum::<f64>() / v.len() as f64).sqrt()
    };
    // Regime 1 (bars 3000..6000) runs at 2.2 times the volatility; skip its
    // first 300 bars while GARCH adapts.
    let calm = sd(&rx[..2_999]);
    let stormy = sd(&rx[3_300..5_999]);
    assert!(stormy / calm > 1.6, "volatility ratio {}", stormy / calm);
    // Hedge ratio from bar returns: 1.0 before bar 8000, 1.25 after.
    let slope = |range: std::ops::Range<usize>| regress(&rx[range.clone()], &ry[range]).1;
    let before = slope(6_000..7_999);
    let after = slope(8_000..9_999);
    assert!((before - 1.0).abs() < 0.1, "hedge ratio before the break {before}");
    assert!((after - 1.25).abs() < 0.1, "hedge ratio after the break {after}");
    // The spread level moves by +0.015 at bar 6000 (hedge ratio 1 on both sides).
    let spread: Vec<f64> = x.iter().zip(&y).map(|(a, b)| b - a).collect();
    let jump = mean(&spread[6_300..7_999]) - mean(&spread[3_300..5_999]);
    assert!((jump - 0.015).abs() < 0.005, "spread mean jump {jump}");
}

#[test]
fn spec_is_checked_before_generating() {
    let mut late_start = PairSpec::default();
    late_start.regimes[0].start_bar = 5;
    assert!(matches!(generate(&late_start), Err(SyntheticError::Invalid { field: "regimes", .. })));
    let explosive = PairSpec { garch_alpha: 0.2, garch_beta: 0.85, ..PairSpec::default() };
    assert!(matches!(generate(&explosive), Err(SyntheticError::Invalid { field: "garch_alpha", .. })));
    let past_end = PairSpec { bars: 5_000, ..PairSpec::default() };
    assert!(generate(&past_end).is_err(), "regimes start past the last bar");
    let no_bars = PairSpec { bars: 0, ..PairSpec::default() };
    assert!(generate(&no_bars).is_err());
}

#[test]
fn spec_deserializes_with_defaults() {
    let spec: PairSpec = serde_json::from_str(
        r#"{"seed": 9, "bars": 500, "regimes": [
        {"start_bar": 0, "spread_mean": 0.0, "vol_multiplier": 1.0, "hedge_ratio": 1.0}]}"#,
    )
    .unwrap();
    assert_eq!(spec.seed, 9);
    assert_eq!(spec.leg_a.symbol, "BTCUSDT");
    assert_eq!(generate(&spec).unwrap().bars_b.len(), 500);
    assert!(serde_json::from_str::<PairSpec>(r#"{"sead": 9}"#).is_err(), "typos are rejected");
    let round_trip: PairSpec = serde_json::from_str(&serde_json::to_string(&PairSpec::default()).unwrap()).unwrap();
    assert_eq!(round_trip, PairSpec::default());
}
