//! Unit tests of the BOCD model (the reference comparisons live in
//! `models/tests/bocd_reference.rs`).

use super::*;

fn p(name: &str, v: ParamValue) -> (String, ParamValue) {
    (name.to_string(), v)
}

/// Deterministic standard normals (xorshift64* + Box-Muller), so the tests
/// need no random-number crate.
fn normals(seed: u64, n: usize) -> Vec<f64> {
    let mut s = seed.max(1);
    let mut uniform = move || {
        s ^= s >> 12;
        s ^= s << 25;
        s ^= s >> 27;
        ((s.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 11) as f64 + 0.5) / (1u64 << 53) as f64
    };
    (0..n)
        .map(|_| {
            let (u1, u2) = (uniform(), uniform());
            (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos()
        })
        .collect()
}

fn unpruned() -> Vec<(String, ParamValue)> {
    vec![p("prune-threshold", ParamValue::Float(0.0)), p("max-hypotheses", ParamValue::Int(0))]
}

#[test]
fn invalid_params_are_refused_naming_the_parameter() {
    let cases: Vec<((String, ParamValue), &str)> = vec![
        (p("hazard-lambda", ParamValue::Float(1.0)), "hazard-lambda"),
        (p("hazard-lambda", ParamValue::Float(f64::INFINITY)), "hazard-lambda"),
        (p("mu0", ParamValue::Float(f64::NAN)), "mu0"),
        (p("kappa0", ParamValue::Float(0.0)), "kappa0"),
        (p("alpha0", ParamValue::Float(-1.0)), "alpha0"),
        (p("beta0", ParamValue::Float(f64::NAN)), "beta0"),
        (p("window", ParamValue::Int(0)), "window"),
        (p("window", ParamValue::Int(-3)), "window"),
        (p("window", ParamValue::Float(2.5)), "window"),
        (p("prune-threshold", ParamValue::Float(1.0)), "prune-threshold"),
        (p("prune-threshold", ParamValue::Float(-1e-9)), "prune-threshold"),
        (p("max-hypotheses", ParamValue::Int(1)), "max-hypotheses"),
        (p("max-hypotheses", ParamValue::Int(-1)), "max-hypotheses"),
        (p("max-hypotheses", ParamValue::Int(1 << 40)), "max-hypotheses"),
        (p("lambda", ParamValue::Float(100.0)), "lambda"),
    ];
    for (given, name) in cases {
        let shown = format!("{}={}", given.0, given.1);
        match Bocd::new(&[given]) {
            Err(ModelError::InvalidParams(m)) => {
                assert!(m.contains(name), "{shown}: message {m:?} does not name {name}")
            }
            other => panic!("{shown}: expected InvalidParams, got {other:?}"),
        }
    }
}

#[test]
fn params_report_defaults_and_round_trip() {
    let b = Bocd::new(&[p("window", ParamValue::Int(7)), p("hazard-lambda", ParamValue::Int(100))]).unwrap();
    let params = b.params();
    let names: Vec<&str> = params.iter().map(|(n, _)| n.as_str()).collect();
    let spec_names: Vec<&str> = param_specs().iter().map(|s| s.name).collect();
    assert_eq!(names, spec_names);
    assert!(params.contains(&p("window", ParamValue::Int(7))));
    assert!(params.contains(&p("hazard-lambda", ParamValue::Float(100.0))));
    assert!(params.contains(&p("max-hypotheses", ParamValue::Int(DEFAULT_MAX_HYPOTHESES))));
    let again = Bocd::new(&params).unwrap();
    assert_eq!(again.params(), params);
    assert_eq!(OUTPUTS.len(), 6);
}

#[test]
fn before_any_update() {
    let b = Bocd::new(&[]).unwrap();
    assert_eq!(b.run_length_posterior(), vec![1.0]);
    assert_eq!(b.change_prob(5), 0.0);
}

#[test]
fn non_finite_input_is_refused_and_state_unchanged() {
    let mut b = Bocd::new(&[]).unwrap();
    for x in normals(3, 50) {
        b.update(x).unwrap();
    }
    let before = b.snapshot();
    for bad in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
        match b.update(bad) {
            Err(ModelError::InvalidInput(m)) => assert!(m.contains('x'), "{m}"),
            other => panic!("{bad}: expected InvalidInput, got {other:?}"),
        }
        assert_eq!(b.snapshot(), before);
    }
    // Finite but so large its square overflows under every run length.
    assert!(matches!(b.update(1e200), Err(ModelError::Numerical(_))));
    assert_eq!(b.snapshot(), before);
    // And the model carries on.
    assert!(b.update(0.1).is_ok());
}

#[test]
fn snapshot_restore_continues_bit_for_bit() {
    let xs = normals(11, 700);
    for params in [vec![], unpruned(), vec![p("max-hypotheses", ParamValue::Int(20))]] {
        let mut a = Bocd::new(&params).unwrap();
        for &x in &xs[..400] {
            a.update(x).unwrap();
        }
        let mut b = Bocd::restore(&a.snapshot()).unwrap();
        assert_eq!(b.params(), a.params());
        assert_eq!(b.snapshot(), a.snapshot());
        for &x in &xs[400..] {
            let (sa, sb) = (a.update(x).unwrap(), b.update(x).unwrap());
            assert_eq!(sa.change_prob.to_bits(), sb.change_prob.to_bits());
            assert_eq!(sa.segment_mean.to_bits(), sb.segment_mean.to_bits());
            assert_eq!(sa.segment_var.to_bits(), sb.segment_var.to_bits());
            assert_eq!(sa.pruned_mass.to_bits(), sb.pruned_mass.to_bits());
            assert_eq!((sa.map_length, sa.hypotheses), (sb.map_length, sb.hypotheses));
        }
        assert_eq!(a.snapshot(), b.snapshot());
        let (ra, rb) = (a.run_length_posterior(), b.run_length_posterior());
        assert!(ra.iter().zip(&rb).all(|(x, y)| x.to_bits() == y.to_bits()));
        // serde_json goes through the same validation as restore (its float
        // parsing is not bit-exact without a feature, hence the tolerance).
        let json = serde_json::to_string(&a).unwrap();
        let c: Bocd = serde_json::from_str(&json).unwrap();
        assert_eq!(c.params(), a.params());
        let rc = c.run_length_posterior();
        assert!(rc.iter().zip(&ra).all(|(x, y)| (x - y).abs() < 1e-14));
    }
}

#[test]
fn corrupt_or_foreign_snapshots_are_refused() {
    let mut a = Bocd::new(&[]).unwrap();
    for x in normals(5, 30) {
        a.update(x).unwrap();
    }
    let bytes = a.snapshot();
    for bad in [&bytes[..bytes.len() - 3], &b"HFTS\x01\x00\x06garch!"[..], &b"junk"[..]] {
        assert!(matches!(Bocd::restore(bad), Err(ModelError::InvalidSnapshot(_))));
    }
    // Well-formed bytes whose posterior breaks the invariants.
    let mut state: (Config, u64, Posterior) = snapshot::decode(NAME, SNAPSHOT_FORMAT, &bytes).unwrap();
    state.2.born.swap(0, 1);
    let forged = snapshot::encode(NAME, SNAPSHOT_FORMAT, &state);
    match Bocd::restore(&forged) {
        Err(ModelError::InvalidSnapshot(m)) => assert!(m.contains("decreasing"), "{m}"),
        other => panic!("expected InvalidSnapshot, got {other:?}"),
    }
    let mut state: (Config, u64, Posterior) = snapshot::decode(NAME, SNAPSHOT_FORMAT, &bytes).unwrap();
    state.0.hazard_lambda = 0.5;
    match Bocd::restore(&snapshot::encode(NAME, SNAPSHOT_FORMAT, &state)) {
        Err(ModelError::InvalidSnapshot(m)) => assert!(m.contains("hazard-lambda"), "{m}"),
        other => panic!("expected InvalidSnapshot, got {other:?}"),
    }
}

#[test]
fn changepoint_mass_is_the_hazard_and_the_posterior_sums_to_one() {
    let mut b = Bocd::new(&[&unpruned()[..], &[p("hazard-lambda", ParamValue::Float(50.0))]].concat()).unwrap();
    for (t, x) in normals(8, 200).into_iter().enumerate() {
        let step = b.update(x).unwrap();
        let r = b.run_length_posterior();
        assert_eq!(r.len(), t + 2);
        assert!((r[0] - 0.02).abs() < 1e-15, "P(r=0) = {} at t={t}", r[0]);
        assert!((r.iter().sum::<f64>() - 1.0).abs() < 1e-12);
        assert_eq!(step.hypotheses as usize, t + 2);
        assert_eq!(step.pruned_mass, 0.0);
        // The segment-length view: entries 1.. renormalised.
        let window = 5usize.min(t + 1);
        let direct: f64 = r[1..=window].iter().sum::<f64>() / (1.0 - r[0]);
        assert!((step.change_prob - direct).abs() < 1e-12);
        assert_eq!(step.change_prob.to_bits(), b.change_prob(5).to_bits());
        if t < 5 {
            assert!((step.change_prob - 1.0).abs() < 1e-12, "series start counts as a segment start");
        }
    }
}

#[test]
fn a_clear_mean_shift_is_detected() {
    let mut xs = normals(42, 260);
    for x in &mut xs[200..] {
        *x += 5.0;
    }
    let mut b = Bocd::new(&[]).unwrap();
    let steps: Vec<BocdStep> = xs.iter().map(|&x| b.update(x).unwrap()).collect();
    // Quiet before the change (after the start-up window; this sample's
    // largest excursion is a burst of three 2-3.6 sigma draws at 179-181).
    let before = steps[20..200].iter().map(|s| s.change_prob).fold(0.0, f64::max);
    assert!(before < 0.3, "change_prob before the shift reached {before}");
    let typical = steps[20..200].iter().filter(|s| s.change_prob < 0.05).count();
    assert!(typical > 160, "change_prob below 0.05 on only {typical} of 180 quiet steps");
    // High within a few steps after it, and the segment restarts there.
    let after = steps[200..204].iter().map(|s| s.change_prob).fold(0.0, f64::max);
    assert!(after > 0.9, "change_prob after the shift peaked at {after}");
    let s = steps[229];
    assert_eq!(s.map_length, 30, "map length 30 steps into the new segment");
    assert!((s.segment_mean - 5.0).abs() < 0.6, "segment mean {}", s.segment_mean);
    assert!(steps[199].segment_mean.abs() < 0.3);
    assert!(steps[199].map_length >= 190);
}

#[test]
fn default_pruning_bounds_the_hypotheses_and_reports_the_mass() {
    let mut b = Bocd::new(&[p("max-hypotheses", ParamValue::Int(40))]).unwrap();
    let mut xs = normals(9, 3000);
    for (i, x) in xs.iter_mut().enumerate() {
        *x *= if (i / 500) % 2 == 0 { 1.0 } else { 2.5 };
    }
    let mut max_h = 0;
    for &x in &xs {
        let s = b.update(x).unwrap();
        max_h = max_h.max(s.hypotheses);
        assert!((0.0..0.5).contains(&s.pruned_mass));
        let r = b.run_length_posterior();
        assert!((r.iter().sum::<f64>() - 1.0).abs() < 1e-12);
        assert_eq!(r.iter().filter(|&&v| v > 0.0).count(), s.hypotheses as usize);
        assert!(s.change_prob <= 1.0 + 1e-12 && s.segment_var > 0.0);
    }
    assert_eq!(max_h, 40);
}

#[test]
fn change_prob_any_window() {
    let mut b = Bocd::new(&[]).unwrap();
    for x in normals(1, 100) {
        b.update(x).unwrap();
    }
    assert_eq!(b.change_prob(0), 0.0);
    let mut last = 0.0;
    for w in 1..=101 {
        let c = b.change_prob(w);
        assert!(c >= last);
        last = c;
    }
    assert!((last - 1.0).abs() < 1e-12);
}

#[test]
fn the_cap_drops_the_least_probable_and_the_threshold_keeps_only_what_clears_it() {
    let xs: Vec<f64> =
        normals(21, 600).iter().enumerate().map(|(i, x)| x * if i % 150 < 75 { 1.0 } else { 3.0 }).collect();
    // Cap only: the one hypothesis dropped had at most the (pre-pruning)
    // probability of every survivor, R~ (1 - d).
    let mut b =
        Bocd::new(&[p("prune-threshold", ParamValue::Float(0.0)), p("max-hypotheses", ParamValue::Int(20))]).unwrap();
    let mut bound = 0;
    for &x in &xs {
        let s = b.update(x).unwrap();
        if s.pruned_mass > 0.0 {
            bound += 1;
            assert_eq!(s.hypotheses, 20);
            let r = b.run_length_posterior();
            let least = r[1..].iter().filter(|&&v| v > 0.0).fold(f64::INFINITY, |a, &v| a.min(v));
            assert!(s.pruned_mass <= least * (1.0 - s.pruned_mass) * (1.0 + 1e-12), "{} > {least}", s.pruned_mass);
        }
    }
    assert!(bound > 500, "the cap bound on only {bound} steps");
    // Threshold only: every survivor but the most probable cleared it, and
    // the step's loss is under (n - 1) thresholds.
    let thr = 1e-4;
    let mut b =
        Bocd::new(&[p("prune-threshold", ParamValue::Float(thr)), p("max-hypotheses", ParamValue::Int(0))]).unwrap();
    let mut before = 1usize;
    for &x in &xs {
        let s = b.update(x).unwrap();
        let r = b.run_length_posterior();
        let mut kept: Vec<f64> = r[1..].iter().filter(|&&v| v > 0.0).map(|v| v * (1.0 - s.pruned_mass)).collect();
        kept.sort_by(f64::total_cmp);
        kept.pop(); // the most probable is exempt
        assert!(kept.iter().all(|&v| v >= thr * (1.0 - 1e-12)), "a survivor under the threshold");
        assert!(s.pruned_mass < (before.saturating_sub(1)) as f64 * thr + 1e-300);
        before = s.hypotheses as usize;
    }
}

/// The textbook recursion, unpruned, in logarithms with `libm`: the run-length
/// posterior after each observation (the yardstick for the redo path below).
fn textbook_posteriors(xs: &[f64], lambda: f64) -> Vec<Vec<f64>> {
    let (mu0, kappa0, alpha0, beta0) = (0.0, 1.0, 1.0, 1.0);
    let h: f64 = 1.0 / lambda;
    let (mut log_r, mut mu, mut beta) = (vec![0.0f64], vec![mu0], vec![beta0]);
    let mut out = Vec::new();
    for &x in xs {
        let mut log_w = Vec::with_capacity(log_r.len());
        for r in 0..log_r.len() {
            let (kappa, alpha) = (kappa0 + r as f64, alpha0 + r as f64 / 2.0);
            let nu = 2.0 * alpha;
            let scale2 = beta[r] * (kappa + 1.0) / (alpha * kappa);
            let z2 = (x - mu[r]) * (x - mu[r]) / (nu * scale2);
            let log_pred = libm::lgamma((nu + 1.0) / 2.0)
                - libm::lgamma(nu / 2.0)
                - 0.5 * libm::log(nu * std::f64::consts::PI * scale2)
                - (nu + 1.0) / 2.0 * libm::log1p(z2);
            log_w.push(log_r[r] + log_pred);
        }
        let m = log_w.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let log_z = m + libm::log(log_w.iter().map(|w| libm::exp(w - m)).sum::<f64>());
        log_r = std::iter::once(libm::log(h)).chain(log_w.iter().map(|w| w - log_z + libm::log1p(-h))).collect();
        let (mut mu2, mut beta2) = (vec![mu0], vec![beta0]);
        for r in 0..mu.len() {
            let kappa = kappa0 + r as f64;
            mu2.push((kappa * mu[r] + x) / (kappa + 1.0));
            beta2.push(beta[r] + kappa * (x - mu[r]) * (x - mu[r]) / (2.0 * (kappa + 1.0)));
        }
        (mu, beta) = (mu2, beta2);
        out.push(log_r.iter().map(|&l| libm::exp(l)).collect());
    }
    out
}

#[test]
fn outliers_beyond_the_fast_log1p_range_match_the_textbook_recursion() {
    // 1e9 and -3e8 put the `log1p` argument of the short runs beyond
    // `LOG1P_FAST_MAX` (those entries are redone with libm) and leave it in
    // range for the long ones; 1e5 stays in range everywhere.
    let mut xs = normals(21, 120);
    xs[60] = 1e9;
    xs[61] = 0.3;
    xs[90] = -3e8;
    xs[100] = 1e5;
    let want = textbook_posteriors(&xs, 50.0);
    let mut b = Bocd::new(&[&unpruned()[..], &[p("hazard-lambda", ParamValue::Float(50.0))]].concat()).unwrap();
    let mut worst = 0.0f64;
    for (t, &x) in xs.iter().enumerate() {
        b.update(x).unwrap();
        let got = b.run_length_posterior();
        assert_eq!(got.len(), want[t].len());
        for (g, w) in got.iter().zip(&want[t]) {
            worst = worst.max((g - w).abs());
        }
    }
    assert!(worst < 1e-12, "largest difference {worst}");
}
