//! The compiled GARCH component, run through the host, matches Python `arch`.
//! Tolerances as the model crate's own reference test: fixed-parameter
//! variances and log-likelihoods 1e-9, fitted parameters 1e-3 relative,
//! maximised log-likelihood 1e-3 absolute.

mod common;

use hft_host::models::{AnyModel, VolatilityModel, to_model_params, to_wit_params};
use hft_models::ParamValue;
use hft_models::fixtures::{assert_close, cases, load};

#[test]
fn streaming_at_fixed_parameters_matches_arch_per_step() {
    let rt = common::runtime();
    let component = common::load(&rt, "garch");
    let fixed: Vec<String> = cases("garch").into_iter().filter(|c| c.contains("fixed")).collect();
    assert!(fixed.len() >= 2, "{fixed:?}");
    for case in fixed {
        let f = load("garch", &case);
        let mut model = AnyModel::create(&component, &to_wit_params(&f.params)).unwrap();
        let out = model.step_batch(&[f.input("ret").to_vec()]).unwrap();
        for (ours, theirs) in
            [("variance", "stream_variance"), ("loglik", "stream_loglik"), ("std_resid", "stream_std_resid")]
        {
            assert_close(&format!("garch/{case}/{ours}"), out.column(ours).unwrap(), f.expected(theirs), 1e-9, 1e-9);
        }
        // Once the warm-up's backcast has decayed, the stream equals arch's
        // whole-sample `fix` as well.
        let from = f.scalar("stream_matches_fix_from") as usize;
        assert_close(
            &format!("garch/{case}/variance vs fix"),
            &out.column("variance").unwrap()[from..],
            &f.expected("variance")[from..],
            1e-9,
            1e-9,
        );
    }
}

#[test]
fn fit_at_fixed_parameters_gives_arch_loglik_and_forecasts() {
    let rt = common::runtime();
    let component = common::load(&rt, "garch");
    for case in ["sp500-fixed-normal", "sp500-fixed-t"] {
        let f = load("garch", case);
        let mut model = VolatilityModel::create(&component, &to_wit_params(&f.params)).unwrap();
        let report = model.fit(f.input("ret")).unwrap();
        let want = f.scalar("loglik");
        assert!((report.loglik - want).abs() <= 1e-9 * want.abs(), "{case}: loglik {} vs arch {want}", report.loglik);
        let forecasts = model.forecast(10).unwrap();
        assert_close(&format!("garch/{case}/forecasts"), &forecasts, f.expected("forecasts"), 1e-9, 1e-9);
    }
}

#[test]
fn maximum_likelihood_fit_reaches_the_arch_optimum() {
    let rt = common::runtime();
    let component = common::load(&rt, "garch");
    let fits: Vec<String> = cases("garch").into_iter().filter(|c| c.contains("-fit")).collect();
    assert!(fits.len() >= 3, "{fits:?}");
    for case in fits {
        let f = load("garch", &case);
        let mut model = VolatilityModel::create(&component, &to_wit_params(&f.params)).unwrap();
        let report = model.fit(f.input("ret")).unwrap();
        assert!(report.converged, "{case}: did not converge");
        let fitted = to_model_params(&report.params);
        let names: &[&str] = if f.scalars.contains_key("nu") {
            &["mu", "omega", "alpha", "beta", "nu"]
        } else {
            &["mu", "omega", "alpha", "beta"]
        };
        for name in names {
            let got = match fitted.iter().find(|(n, _)| n == name) {
                Some((_, ParamValue::Float(v))) => *v,
                other => panic!("{case}: fitted {name} is {other:?}"),
            };
            let want = f.scalar(name);
            assert!((got - want).abs() <= 1e-3 * want.abs(), "{case}: {name} = {got}, arch {want}");
        }
        let want = f.scalar("loglik");
        assert!((report.loglik - want).abs() <= 1e-3, "{case}: loglik {} vs arch {}", report.loglik, want);
        let forecasts = model.forecast(10).unwrap();
        assert_close(&format!("garch/{case}/forecasts"), &forecasts, f.expected("forecasts"), 0.0, 1e-2);
    }
}

#[test]
fn online_refits_run_through_the_component_and_snapshots_carry_over() {
    let rt = common::runtime();
    let component = common::load(&rt, "garch");
    let f = load("garch", "sp500-fit-t");
    let rets = f.input("ret");
    let params = to_wit_params(&[
        ("dist".into(), ParamValue::Text("t".into())),
        ("window".into(), ParamValue::Int(500)),
        ("min-obs".into(), ParamValue::Int(250)),
        ("refit-every".into(), ParamValue::Int(100)),
    ]);
    let mut whole = VolatilityModel::create(&component, &params).unwrap();
    let all = whole.update_batch(&rets[..1200]).unwrap();
    assert!(!all.ready[248] && all.ready[249], "ready exactly at min-obs");
    let refits: Vec<usize> = all.refitted.iter().enumerate().filter(|(_, r)| **r).map(|(i, _)| i).collect();
    assert_eq!(refits, vec![249, 349, 449, 549, 649, 749, 849, 949, 1049, 1149]);

    let mut first = VolatilityModel::create(&component, &params).unwrap();
    first.update_batch(&rets[..700]).unwrap();
    let snapshot = first.snapshot().unwrap();
    let mut second = VolatilityModel::restore(&component, &snapshot).unwrap();
    // Per-event steps (`update-active` on the model `restore` activated),
    // across the refit at 749, then the batch path on the same model.
    for (i, &r) in rets.iter().enumerate().take(760).skip(700) {
        let s = second.update(r).unwrap();
        assert_eq!(s.variance.to_bits(), all.variance[i].to_bits(), "step {i}");
        assert_eq!(s.refitted, all.refitted[i], "step {i}");
    }
    let rest = second.update_batch(&rets[760..1200]).unwrap();
    for (i, v) in rest.variance.iter().enumerate() {
        assert_eq!(v.to_bits(), all.variance[760 + i].to_bits(), "step {}", 760 + i);
    }
}
