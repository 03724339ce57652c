//! The larger simulations behind the numbers quoted in `src/batch.rs` and
//! `tests/false_promotion.rs`: too slow for every test run, so ignored.
//! Reproduce them with (a few minutes on two cores):
//!
//! ```text
//! cargo test --release -p hft-evop --test size_study -- --ignored --nocapture
//! ```
//!
//! They print rates and assert nothing.

mod util;

use hft_evop::batch::batch_means_test;
use hft_evop::confidence::ConfidenceLevel;
use hft_evop::gate::{GateConfig, PromotionGate, RiskVerdict};
use util::{Market, Rng, Tails};

/// The size of the one-sided batch-means test on a true null for 29, 20 and
/// 10 batches of a 1000-period record, AR(1) differences, normal and t(4)
/// innovations, 40 000 records each.
#[test]
#[ignore]
fn batch_count_against_size() {
    let reps = 40_000;
    let n = 1000;
    for (phi, tails) in [
        (0.0, Tails::Normal),
        (0.3, Tails::Normal),
        (0.5, Tails::Normal),
        (0.3, Tails::StudentT4),
        (0.5, Tails::StudentT4),
    ] {
        for k in [29usize, 20, 10] {
            let b = n / k;
            let mut rng = Rng::seeded(7);
            let market = Market { vol: 0.01, rho: 0.5, phi, tails };
            let mut rejected = [0u32; 3];
            for _ in 0..reps {
                let p = market.simulate(&mut rng, &[0.0, 0.0], n);
                let d: Vec<f64> = p[1].iter().zip(&p[0]).map(|(a, b)| a - b).collect();
                let t = batch_means_test(&d, b).unwrap();
                for (count, level) in rejected.iter_mut().zip([0.05, 0.01, 0.002]) {
                    *count += u32::from(t.p_value < level);
                }
            }
            let f = |x: u32| f64::from(x) / f64::from(reps);
            eprintln!(
                "phi {phi} {tails:?}, {k} batches of {b}: rejected at 0.05 {:.4}, at 0.01 {:.4}, at 0.002 {:.4}",
                f(rejected[0]),
                f(rejected[1]),
                f(rejected[2])
            );
        }
    }
}

/// The gate with m = 5 no-better challengers at 99%, AR(1) 0.3, t(4),
/// correlation 0.5, 1000 periods, 20 000 replications for two seeds: the
/// family-wise false-promotion rate and the per-challenger rate of the
/// difference test at alpha / m = 0.002.
#[test]
#[ignore]
fn five_challengers_far_tail() {
    let reps = 20_000u32;
    let m = 5;
    for seed in [14u64, 99] {
        let mut rng = Rng::seeded(seed);
        let market = Market { vol: 0.01, rho: 0.5, phi: 0.3, tails: Tails::StudentT4 };
        let mut config = GateConfig::new(ConfidenceLevel::new(0.99).unwrap());
        config.challengers_tried = m as u32;
        config.min_track_record = 0;
        let gate = PromotionGate::new(config).unwrap();
        let (mut family, mut first, mut tests) = (0u32, 0u32, 0u32);
        for _ in 0..reps {
            let p = market.simulate(&mut rng, &[0.0002; 6], 1000);
            let mut any = false;
            for (i, challenger) in p[1..].iter().enumerate() {
                let d = gate.evaluate(&p[0], challenger, &RiskVerdict::Allow).unwrap();
                any |= d.promote;
                let rejected = d.stats.difference.unwrap().p_value < d.stats.adjusted_alpha;
                tests += u32::from(rejected);
                first += u32::from(rejected && i == 0);
            }
            family += u32::from(any);
        }
        let f = |x: u32| f64::from(x) / f64::from(reps);
        eprintln!(
            "seed {seed}: family-wise false promotions {:.4}; difference test at 0.002: challenger 0 {:.4}, all {:.5}",
            f(family),
            f(first),
            f64::from(tests) / f64::from(reps * m as u32)
        );
    }
}
