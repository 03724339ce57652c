//! The compiled BOCD component, run through the host, matches the reference
//! implementation (hildensia `bayesian-changepoint-detection`) to 1e-9
//! unpruned, and with default pruning computes what the native model does
//! (whose error against the reference is bounded in the model crate's test).

mod common;

use hft_host::models::{AnyModel, ChangepointModel, to_wit_params};
use hft_models::ParamValue;
use hft_models::bocd::Bocd;
use hft_models::fixtures::{assert_close, cases, load};

#[test]
fn unpruned_component_matches_the_reference_posterior() {
    let rt = common::runtime();
    let component = common::load(&rt, "bocd");
    let all = cases("bocd");
    assert!(all.len() >= 2, "{all:?}");
    for case in all {
        let f = load("bocd", &case);
        let x = f.input("x");
        let steps: Vec<usize> =
            f.scalars["posterior_steps"].as_array().unwrap().iter().map(|v| v.as_u64().unwrap() as usize).collect();
        let mut model = ChangepointModel::create(&component, &to_wit_params(&f.params)).unwrap();
        let (mut change_prob, mut map_length, mut mean, mut var) = (vec![], vec![], vec![], vec![]);
        let mut done = 0;
        // Feed in batches that end at each step whose posterior the reference recorded.
        for &t in steps.iter().chain(std::iter::once(&(x.len() - 1))) {
            if t + 1 > done {
                let b = model.update_batch(&x[done..=t]).unwrap();
                change_prob.extend(b.change_prob);
                map_length.extend(b.map_length.iter().map(|&m| m as f64));
                mean.extend(b.segment_mean);
                var.extend(b.segment_var);
                done = t + 1;
            }
            if let Some(want) = f.expected.get(&format!("r_{t}")) {
                let got = model.run_length_posterior().unwrap();
                assert_close(&format!("bocd/{case}/r_{t}"), &got, want, 1e-9, 0.0);
            }
        }
        assert_close(&format!("bocd/{case}/change_prob"), &change_prob, f.expected("change_prob"), 1e-9, 0.0);
        assert_close(&format!("bocd/{case}/segment_mean"), &mean, f.expected("segment_mean"), 1e-9, 1e-9);
        assert_close(&format!("bocd/{case}/segment_var"), &var, f.expected("segment_var"), 1e-9, 1e-9);
        assert_eq!(map_length, f.expected("map_length"), "bocd/{case}/map_length");
    }
}

#[test]
fn pruned_component_computes_what_the_native_model_does() {
    let rt = common::runtime();
    let component = common::load(&rt, "bocd");
    let f = load("bocd", "sp500");
    let params: Vec<(String, ParamValue)> =
        f.params.iter().filter(|(n, _)| n != "prune-threshold" && n != "max-hypotheses").cloned().collect();
    let mut wasm = AnyModel::create(&component, &to_wit_params(&params)).unwrap();
    let out = wasm.step_batch(&[f.input("x").to_vec()]).unwrap();
    let mut native = Bocd::new(&params).unwrap();
    let steps: Vec<_> = f.input("x").iter().map(|&x| native.update(x).unwrap()).collect();
    let pruned: f64 = out.column("pruned_mass").unwrap().iter().sum();
    assert!(pruned > 0.0, "default pruning should drop something on the S&P 500 series");
    for (name, native_col) in [
        ("change_prob", steps.iter().map(|s| s.change_prob).collect::<Vec<_>>()),
        ("segment_mean", steps.iter().map(|s| s.segment_mean).collect()),
        ("pruned_mass", steps.iter().map(|s| s.pruned_mass).collect()),
        ("hypotheses", steps.iter().map(|s| s.hypotheses as f64).collect()),
    ] {
        assert_close(&format!("bocd pruned {name}"), out.column(name).unwrap(), &native_col, 1e-12, 1e-12);
    }
}

#[test]
fn snapshot_moves_the_posterior_to_a_new_instance() {
    let rt = common::runtime();
    let component = common::load(&rt, "bocd");
    let f = load("bocd", "synthetic");
    let x = f.input("x");
    let mut a = ChangepointModel::create(&component, &[]).unwrap();
    let whole = a.update_batch(x).unwrap();
    let mut b = ChangepointModel::create(&component, &[]).unwrap();
    b.update_batch(&x[..400]).unwrap();
    let mut c = ChangepointModel::restore(&component, &b.snapshot().unwrap()).unwrap();
    let rest = c.update_batch(&x[400..]).unwrap();
    for (i, p) in rest.change_prob.iter().enumerate() {
        assert_eq!(p.to_bits(), whole.change_prob[400 + i].to_bits(), "step {}", 400 + i);
    }
    assert_eq!(c.change_prob(5).unwrap().to_bits(), whole.change_prob.last().unwrap().to_bits());
}
