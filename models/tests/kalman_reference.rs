//! The native Kalman hedge-ratio model against pykalman's outputs.
//!
//! The fixtures in `tests/fixtures/reference/kalman/` are written by
//! `tools/reference/kalman.py` with pykalman's `KalmanFilter.filter()` and
//! `loglikelihood()`. Every output column is compared element-wise at
//! `abs 1e-8 + rel 1e-8`, and the total log-likelihood at a relative 1e-6:
//! tight enough that any difference in convention (the t = 0 prior, the
//! parameterisation of W, the log-likelihood constants) fails, loose enough
//! for the rounding differences between the Joseph-form update here and
//! pykalman's `P - K H P`.

use hft_models::fixtures::{Fixture, assert_close, cases, load};
use hft_models::kalman::{Kalman, OUTPUTS};

const ABS_TOL: f64 = 1e-8;
const REL_TOL: f64 = 1e-8;
const LOGLIK_REL_TOL: f64 = 1e-6;

/// Run the native model over the fixture's input, column by column.
fn run(f: &Fixture) -> Vec<Vec<f64>> {
    let mut model = Kalman::new(&f.params).unwrap_or_else(|e| panic!("{}: {e}", f.case));
    let (x, y) = (f.input("x"), f.input("y"));
    assert_eq!(x.len(), y.len(), "{}: x and y differ in length", f.case);
    let mut columns = vec![Vec::with_capacity(x.len()); OUTPUTS.len()];
    for (t, (&xt, &yt)) in x.iter().zip(y).enumerate() {
        let step = model.update(xt, yt).unwrap_or_else(|e| panic!("{} step {t}: {e}", f.case));
        for (col, v) in columns.iter_mut().zip(step.values()) {
            col.push(v);
        }
    }
    columns
}

/// The largest |got - want| and the largest excess over the tolerance
/// relative to its budget, to report how close the match is even on success.
fn worst(got: &[f64], want: &[f64]) -> (f64, usize, f64) {
    let mut max_abs = 0.0f64;
    let (mut at, mut ratio) = (0usize, 0.0f64);
    for (i, (&g, &w)) in got.iter().zip(want).enumerate() {
        let d = (g - w).abs();
        max_abs = max_abs.max(d);
        let r = d / (ABS_TOL + REL_TOL * w.abs());
        if r > ratio {
            (at, ratio) = (i, r);
        }
    }
    (max_abs, at, ratio)
}

#[test]
fn matches_pykalman_on_every_case() {
    let names = cases("kalman");
    assert!(names.len() >= 3, "expected at least 3 kalman cases, found {names:?}");
    for case in names {
        let f = load("kalman", &case);
        assert_eq!(f.model, "kalman", "{case}: fixture is for model {:?}", f.model);
        assert!(f.source.starts_with("pykalman "), "{case}: source {:?}", f.source);
        let got = run(&f);
        let n = f.input("x").len();
        for (name, col) in OUTPUTS.iter().zip(&got) {
            let want = f.expected(name);
            assert_eq!(want.len(), n, "{case}: expected.{name} has {} values for {n} inputs", want.len());
            let (max_abs, at, ratio) = worst(col, want);
            println!(
                "{case:>14} {name:>15}: max |diff| {max_abs:.3e}, worst at step {at} using {ratio:.2e} of the tolerance"
            );
            assert_close(&format!("kalman/{case}: {name}"), col, want, ABS_TOL, REL_TOL);
        }
        // The total log-likelihood, summed like pykalman's np.sum.
        let total: f64 = got[OUTPUTS.iter().position(|&o| o == "loglik").unwrap()].iter().sum();
        let want = f.scalar("loglik");
        let rel = ((total - want) / want).abs();
        println!("{case:>14} total loglik: got {total:.12}, want {want:.12}, rel diff {rel:.3e}");
        assert!(rel <= LOGLIK_REL_TOL, "{case}: total loglik {total} vs pykalman {want} (rel {rel:e})");
    }
}

#[test]
fn fixtures_cover_every_output_column() {
    for case in cases("kalman") {
        let f = load("kalman", &case);
        for name in OUTPUTS {
            assert!(f.expected.contains_key(*name), "{case}: no expected column {name:?}");
        }
        for (name, _) in &f.params {
            assert!(
                ["delta", "ve", "initial-alpha", "initial-beta", "initial-var"].contains(&name.as_str()),
                "{case}: unexpected parameter {name:?}"
            );
        }
    }
}
