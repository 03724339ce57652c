//! The compiled Kalman component, run through the host, matches pykalman.

mod common;

use hft_host::models::{AnyModel, HedgeRatioModel, to_wit_params};
use hft_host::runtime::{GuestError, PluginError};
use hft_models::fixtures::{assert_close, cases, load};

#[test]
fn the_wasm_component_matches_pykalman_on_every_case() {
    let rt = common::runtime();
    let component = common::load(&rt, "kalman");
    let all = cases("kalman");
    assert!(all.len() >= 3, "expected the committed pykalman cases, found {all:?}");
    for case in all {
        let f = load("kalman", &case);
        let mut model = AnyModel::create(&component, &to_wit_params(&f.params)).unwrap();
        let out = model.step_batch(&[f.input("x").to_vec(), f.input("y").to_vec()]).unwrap();
        for (name, want) in &f.expected {
            let got = out.column(name).unwrap_or_else(|| panic!("{case}: the component has no output {name:?}"));
            assert_close(&format!("kalman/{case}/{name}"), got, want, 1e-8, 1e-8);
        }
        let total: f64 = out.column("loglik").unwrap().iter().sum();
        let want = f.scalar("loglik");
        assert!((total - want).abs() <= 1e-6 * want.abs(), "{case}: total loglik {total} vs pykalman {want}");
    }
}

#[test]
fn single_updates_equal_the_batch_and_restore_continues_bit_for_bit() {
    let rt = common::runtime();
    let component = common::load(&rt, "kalman");
    let f = load("kalman", "synthetic");
    let (x, y) = (f.input("x"), f.input("y"));
    let params = to_wit_params(&f.params);

    let mut batch = HedgeRatioModel::create(&component, &params).unwrap();
    let all = batch.update_batch(x, y).unwrap();

    let mut single = HedgeRatioModel::create(&component, &params).unwrap();
    let half = x.len() / 2;
    for i in 0..half {
        let e = single.update(x[i], y[i]).unwrap();
        assert_eq!(e.beta.to_bits(), all.beta[i].to_bits(), "step {i}");
        assert_eq!(e.zscore.to_bits(), all.zscore[i].to_bits(), "step {i}");
    }
    // Move the state into a brand-new instance and carry on there.
    let snapshot = single.snapshot().unwrap();
    drop(single);
    let mut restored = HedgeRatioModel::restore(&component, &snapshot).unwrap();
    // The per-event path (`update-active` on the model `restore` activated)
    // continues too, then the batch path on the same model.
    let e = restored.update(x[half], y[half]).unwrap();
    assert_eq!(e.beta.to_bits(), all.beta[half].to_bits(), "step {half} after restore");
    let rest = restored.update_batch(&x[half + 1..], &y[half + 1..]).unwrap();
    for (i, b) in rest.beta.iter().enumerate() {
        assert_eq!(b.to_bits(), all.beta[half + 1 + i].to_bits(), "step {} after restore", half + 1 + i);
    }
    assert_eq!(restored.params().unwrap().len(), 5);
}

#[test]
fn bad_input_and_bad_params_are_guest_errors_and_leave_the_model_usable() {
    let rt = common::runtime();
    let component = common::load(&rt, "kalman");
    let bad = hft_host::models::parse_params(
        &hft_host::models::describe(&component).unwrap().params,
        &[("delta".into(), "1.5".into())],
    )
    .unwrap();
    let err = HedgeRatioModel::create(&component, &bad).err().unwrap();
    assert!(err.to_string().contains("delta"), "{err}");
    assert!(!err.is_fault());

    let mut m = HedgeRatioModel::create(&component, &[]).unwrap();
    let before = m.snapshot().unwrap();
    let err = m.update_batch(&[1.0, f64::NAN], &[1.0, 1.0]).unwrap_err();
    assert!(err.to_string().contains("batch element 1"), "{err}");
    assert_eq!(m.snapshot().unwrap(), before, "a failed batch changed the state");
    let err = m.update_batch(&[1.0], &[1.0, 2.0]).unwrap_err();
    assert!(err.to_string().contains("x has 1 values but y has 2"), "{err}");
    // A single update reports its kind in the result and its message through `last-error`.
    let err = m.update(f64::NAN, 1.0).unwrap_err();
    assert!(matches!(&err, PluginError::Guest(GuestError::InvalidInput(why)) if why.contains('x')), "{err}");
    assert_eq!(m.snapshot().unwrap(), before, "a failed update changed the state");
    let err = HedgeRatioModel::restore(&component, b"garbage").err().unwrap();
    assert!(err.to_string().contains("invalid snapshot"), "{err}");
    assert!(m.update(1.0, 2.0).is_ok());
}
