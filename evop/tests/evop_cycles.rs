//! EVOP on a simulated response surface: the reported standard errors match
//! the spread of the estimates, an inert parameter is called significant at
//! most 1 - confidence of the time, and the recommendation climbs a real
//! gradient.
//!
//! The surface: y = mu + beta_a x_a + beta_b x_b + beta_ab x_a x_b + c_j + e,
//! with x the coded levels, c_j a shock common to every point in cycle j
//! (the market that all variants trade) and e independent noise (sd 1).
//! Counts are checked with the same exact binomial bounds as
//! `false_promotion.rs` (a failure would reject the claimed rate at the
//! 0.1% level).

mod util;

use hft_evop::confidence::ConfidenceLevel;
use hft_evop::design::{Design, Factor, OperatingPoint};
use hft_evop::effects::{Cycles, EffectsConfig, EffectsReport, Recommendation, VarianceModel};
use util::{Rng, binomial_lower_critical, binomial_upper_critical};

struct Surface {
    beta_a: f64,
    beta_b: f64,
    beta_ab: f64,
    /// Standard deviation of the common cycle shock.
    cycle_sd: f64,
}

fn design() -> Design {
    let center = OperatingPoint::new().with("entry_z", 2.0).with("window", 40.0);
    Design::full_factorial(&center, &[Factor::new("entry_z", 0.5), Factor::new("window", 10.0).integer()]).unwrap()
}

/// One EVOP phase of `cycles` cycles on the surface.
fn phase(rng: &mut Rng, surface: &Surface, cycles: usize, config: &EffectsConfig) -> EffectsReport {
    let design = design();
    let coded: Vec<(f64, f64)> =
        design.points().iter().map(|p| (f64::from(p.levels[0].coded()), f64::from(p.levels[1].coded()))).collect();
    let mut c = Cycles::new(design);
    for _ in 0..cycles {
        let shock = surface.cycle_sd * rng.normal();
        let row: Vec<f64> = coded
            .iter()
            .map(|(a, b)| {
                1.0 + surface.beta_a * a + surface.beta_b * b + surface.beta_ab * a * b + shock + rng.normal()
            })
            .collect();
        c.record(&row).unwrap();
    }
    c.analyze(config).unwrap()
}

fn config(variance: VarianceModel) -> EffectsConfig {
    EffectsConfig { confidence: ConfidenceLevel::new(0.95).unwrap(), variance }
}

fn sd(x: &[f64]) -> f64 {
    let m = x.iter().sum::<f64>() / x.len() as f64;
    (x.iter().map(|v| (v - m) * (v - m)).sum::<f64>() / (x.len() - 1) as f64).sqrt()
}

fn rms(x: &[f64]) -> f64 {
    (x.iter().map(|v| v * v).sum::<f64>() / x.len() as f64).sqrt()
}

/// The standard errors are the spread of the estimates: over 3000 phases
/// the standard deviation of each estimate is within 5% of the root mean
/// square of its reported standard error (a 5% miss is about 4 standard
/// errors of a standard deviation estimated from 3000 values).
#[test]
fn standard_errors_match_the_spread_of_the_estimates() {
    let surface = Surface { beta_a: 0.5, beta_b: -0.2, beta_ab: 0.1, cycle_sd: 0.0 };
    for variance in [VarianceModel::WithinPoint, VarianceModel::CycleBlocked] {
        let mut rng = Rng::seeded(31);
        let (mut ea, mut eab, mut cim, mut se, mut se_cim) = (vec![], vec![], vec![], vec![], vec![]);
        for _ in 0..3000 {
            let r = phase(&mut rng, &surface, 4, &config(variance));
            ea.push(r.main_effects[0].estimate);
            eab.push(r.interactions[0].estimate);
            cim.push(r.change_in_mean.estimate);
            se.push(r.main_effects[0].std_error);
            se_cim.push(r.change_in_mean.std_error);
        }
        let mean_ea = ea.iter().sum::<f64>() / ea.len() as f64;
        eprintln!(
            "{variance:?}: E_a mean {mean_ea:.4} (true 1.0), sd {:.4}, E_ab sd {:.4}, reported SE rms {:.4} \
             (exact 2/sqrt(16) = 0.5); CIM sd {:.4}, SE rms {:.4} (exact sqrt(4/20) = 0.4472)",
            sd(&ea),
            sd(&eab),
            rms(&se),
            sd(&cim),
            rms(&se_cim)
        );
        assert!((mean_ea - 1.0).abs() < 0.05, "E_a is unbiased for 2 beta_a");
        for (name, spread, reported) in
            [("E_a", sd(&ea), rms(&se)), ("E_ab", sd(&eab), rms(&se)), ("CIM", sd(&cim), rms(&se_cim))]
        {
            assert!((spread / reported - 1.0).abs() < 0.05, "{variance:?} {name}: sd {spread} vs SE {reported}");
        }
    }
}

/// Returns (significant, wrong-sign significant) counts for main effect a
/// over `reps` phases.
fn count(surface: &Surface, variance: VarianceModel, reps: u64, seed: u64) -> (u64, u64) {
    let mut rng = Rng::seeded(seed);
    let (mut significant, mut wrong) = (0, 0);
    for _ in 0..reps {
        let r = phase(&mut rng, surface, 5, &config(variance));
        let e = &r.main_effects[0];
        significant += u64::from(e.significant);
        wrong += u64::from(e.significant && e.estimate * surface.beta_a < 0.0);
    }
    (significant, wrong)
}

/// An inert parameter is called significant at most 5% of the time at 95%,
/// with and without a common cycle shock, for both variance models; the
/// worksheet's within-point variance is conservative when cycles differ
/// (the shock counts as noise there but cancels in the effect).
#[test]
fn an_inert_parameter_is_rarely_significant() {
    let reps = 3000;
    let bound = binomial_upper_critical(reps, 0.05, 0.001);
    for cycle_sd in [0.0, 2.0] {
        let surface = Surface { beta_a: 0.0, beta_b: 0.3, beta_ab: 0.0, cycle_sd };
        for variance in [VarianceModel::WithinPoint, VarianceModel::CycleBlocked] {
            let (significant, _) = count(&surface, variance, reps, 32);
            eprintln!(
                "inert factor, cycle shock sd {cycle_sd}, {variance:?}: significant {significant}/{reps} (bound {bound})"
            );
            assert!(significant <= bound, "{variance:?} cycle sd {cycle_sd}: {significant}");
        }
    }
}

/// A real gradient (each main effect 1.6 noise standard deviations, a
/// common cycle shock of sd 1) is found within 5 cycles, the
/// recommendation moves both parameters uphill at once in most phases,
/// and it points the wrong way almost never. The cycle-blocked variance
/// finds it more often than the worksheet's.
#[test]
fn the_recommendation_climbs_the_gradient() {
    let surface = Surface { beta_a: 0.8, beta_b: -0.8, beta_ab: 0.0, cycle_sd: 1.0 };
    let reps = 2000;
    let mut rng = Rng::seeded(33);
    let (mut both, mut wrong) = (0u64, 0u64);
    for _ in 0..reps {
        let r = phase(&mut rng, &surface, 5, &config(VarianceModel::CycleBlocked));
        if let Recommendation::Move { point, moves, design_point } = &r.recommendation {
            let up_a = point.get("entry_z") == Some(2.5);
            let down_b = point.get("window") == Some(30.0);
            both += u64::from(up_a && down_b && moves.len() == 2 && *design_point == Some(2));
            wrong += u64::from(point.get("entry_z") == Some(1.5) || point.get("window") == Some(50.0));
        }
    }
    // SE = 2 / sqrt(4 * 5) = 0.447, t_{0.975, 16} = 2.12: each effect of 1.6
    // is significant with probability ~0.93, both ~0.87.
    let lower = binomial_lower_critical(reps, 0.8, 0.001);
    let upper_wrong = binomial_upper_critical(reps, 0.001, 0.001);
    eprintln!(
        "gradient, blocked: both moved uphill {both}/{reps} (bound {lower}); wrong way {wrong} (bound {upper_wrong})"
    );
    assert!(both >= lower, "{both}/{reps}");
    assert!(wrong <= upper_wrong, "{wrong}");

    let (blocked, _) = count(&surface, VarianceModel::CycleBlocked, 1000, 34);
    let (within, _) = count(&surface, VarianceModel::WithinPoint, 1000, 34);
    eprintln!("gradient, entry_z significant: blocked {blocked}/1000, within-point {within}/1000");
    assert!(blocked > within, "blocking on cycles should find more: {blocked} vs {within}");
}
