//! `plugin new` and `plugin build` end to end. Each kind is scaffolded into
//! a fresh directory outside the repository; the crate's own unit tests
//! run natively; it is built for wasm32-wasip2 with plain cargo, loaded by
//! the host, checked to be the world it claims, and run. Then the
//! `cargo component build` path, on a crate scaffolded inside the
//! repository with one parameter default changed.
//!
//! Every scaffolded crate builds into one target directory
//! (`target/scaffold-tests`), so their dependencies compile once.

mod common;

use hft_host::commands::{PluginBuild, PluginNew, plugin_build, plugin_new};
use hft_host::models::{AnyModel, ChangepointModel, HedgeRatioModel, VolatilityModel, describe, to_wit_params};
use hft_host::pipeline::{RunOptions, run};
use hft_host::runtime::bindings::types::{Param, ParamValue as WitValue};
use hft_host::runtime::{ComponentKind, GuestError, LoadedComponent, ModelKind, PluginError};
use hft_host::scaffold::{cargo_component_available, parse_kind};
use hft_host::strategy::{Marker, StrategyComponent, Tick, describe_strategy};
use hft_models::ParamValue;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Where every scaffolded crate builds.
fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| common::root().join("target"))
        .join("scaffold-tests")
}

fn cargo() -> String {
    std::env::var("CARGO").unwrap_or_else(|_| "cargo".into())
}

/// `plugin new NAME --kind KIND --dir PARENT/NAME --sdk <repo>/sdk`.
fn scaffold(parent: &Path, name: &str, kind: &str) -> PathBuf {
    let args = PluginNew {
        name: name.to_string(),
        kind: parse_kind(kind).unwrap(),
        dir: Some(parent.join(name)),
        sdk: Some(common::root().join("sdk")),
    };
    plugin_new(&args).unwrap_or_else(|e| panic!("plugin new {name} --kind {kind}: {e:#}"))
}

/// `cargo test` in the crate passes, and runs at least `at_least` tests.
/// (Line tables only and no incremental cache, as the repository's own
/// test profile, to keep `target/scaffold-tests` small.)
fn native_tests_pass(dir: &Path, at_least: usize) {
    let out = Command::new(cargo())
        .arg("test")
        .current_dir(dir)
        .env("CARGO_TARGET_DIR", target_dir())
        .env("CARGO_PROFILE_DEV_DEBUG", "line-tables-only")
        .env("CARGO_INCREMENTAL", "0")
        .output()
        .expect("running cargo test");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "cargo test failed in {}:\n{stdout}\n{}",
        dir.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    let passed: usize = stdout
        .lines()
        .find_map(|l| l.strip_prefix("test result: ok. ")?.split(' ').next()?.parse().ok())
        .unwrap_or_else(|| panic!("no test result in:\n{stdout}"));
    assert!(passed >= at_least, "{} ran {passed} tests, expected at least {at_least}:\n{stdout}", dir.display());
}

/// `plugin build --plain`, into the shared target directory.
fn build_plain(dir: &Path) -> PathBuf {
    let args = PluginBuild { dir: dir.to_path_buf(), plain: true, target_dir: Some(target_dir()) };
    let wasm = plugin_build(&args).unwrap_or_else(|e| panic!("plugin build --plain {}: {e:#}", dir.display()));
    assert!(wasm.starts_with(target_dir().join("wasm32-wasip2/release")), "{}", wasm.display());
    wasm
}

/// Scaffold, test natively, build, load, and check the world; the
/// component and its file.
fn scaffold_and_load(parent: &Path, name: &str, kind: &str, tests: usize) -> (LoadedComponent, PathBuf) {
    let dir = scaffold(parent, name, kind);
    assert!(dir.join("README.md").is_file() && dir.join("hft-wit/worlds.wit").is_file());
    native_tests_pass(&dir, tests);
    let wasm = build_plain(&dir);
    assert_eq!(wasm.file_name().unwrap().to_str().unwrap(), format!("{}.wasm", name.replace('-', "_")));
    let component = common::runtime().load_file(&wasm).unwrap_or_else(|e| panic!("loading {}: {e}", wasm.display()));
    assert_eq!(component.world.kind, parse_kind(kind).unwrap());
    assert_eq!(component.world.version, hft_host::runtime::WIT_VERSION);
    (component, wasm)
}

fn params(p: &[(&str, ParamValue)]) -> Vec<Param> {
    let named: Vec<(String, ParamValue)> = p.iter().map(|(n, v)| (n.to_string(), v.clone())).collect();
    to_wit_params(&named)
}

/// Deterministic, evenly spread noise in [-0.5, 0.5).
fn noise(i: usize) -> f64 {
    (i as f64 * 0.618_033_988_75).fract() - 0.5
}

#[test]
fn a_scaffolded_hedge_ratio_model_fits_a_line_through_the_host() {
    let tmp = tempfile::tempdir().unwrap();
    let (c, _) = scaffold_and_load(tmp.path(), "scaffold-ols", "hedge-ratio", 7);
    let info = describe(&c).unwrap();
    assert_eq!(info.name, "scaffold-ols");
    assert_eq!(info.outputs, ModelKind::HedgeRatio.outputs());
    assert!(matches!(info.params[0].default_value, WitValue::Int(60)), "{:?}", info.params);

    // The per-event path (activate + update-active).
    let mut m = HedgeRatioModel::create(&c, &params(&[("window", ParamValue::Int(20))])).unwrap();
    let points: Vec<(f64, f64)> = (0..40).map(|i| (i as f64, 1.0 + 2.0 * i as f64 + noise(i))).collect();
    let mut estimates = Vec::new();
    for (x, y) in &points {
        estimates.push(m.update(*x, *y).unwrap());
    }
    assert!(estimates[0].beta.is_nan() && estimates[0].pred_beta.is_nan(), "no fit from one point");
    for w in estimates.windows(2).skip(3) {
        assert_eq!(w[1].pred_beta, w[0].beta, "a prediction is the previous fit");
    }
    let last = estimates.last().unwrap();
    assert!((last.beta - 2.0).abs() < 0.02 && (last.alpha - 1.0).abs() < 0.5, "{last:?}");
    assert!(last.zscore.is_finite() && last.innovation_var > 0.0, "{last:?}");

    // A refused observation names its field and leaves the model usable.
    match m.update(f64::NAN, 1.0) {
        Err(PluginError::Guest(GuestError::InvalidInput(msg))) => assert!(msg.contains("x must be"), "{msg}"),
        other => panic!("{other:?}"),
    }
    let snapshot = m.snapshot().unwrap();
    let mut restored = HedgeRatioModel::restore(&c, &snapshot).unwrap();
    let (a, b) = (restored.update(40.0, 81.0).unwrap(), m.update(40.0, 81.0).unwrap());
    assert_eq!(format!("{a:?}"), format!("{b:?}"), "a restored model continues exactly");

    // The batch path gives the same columns as the per-event one.
    let mut batch = AnyModel::create(&c, &params(&[("window", ParamValue::Int(20))])).unwrap();
    let (xs, ys): (Vec<f64>, Vec<f64>) = points.iter().copied().unzip();
    let cols = batch.step_batch(&[xs, ys]).unwrap();
    let betas: Vec<f64> = estimates.iter().map(|e| e.beta).collect();
    assert_eq!(format!("{:?}", cols.column("beta").unwrap()), format!("{betas:?}"));
}

#[test]
fn a_scaffolded_volatility_model_warms_up_steps_and_fits_through_the_host() {
    let tmp = tempfile::tempdir().unwrap();
    let (c, _) = scaffold_and_load(tmp.path(), "scaffold-ewma", "volatility", 7);
    let info = describe(&c).unwrap();
    assert_eq!(info.name, "scaffold-ewma");
    let names: Vec<&str> = info.params.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, ["lambda", "scale", "min-obs"]);

    let p = params(&[("min-obs", ParamValue::Int(4)), ("lambda", ParamValue::Float(0.94))]);
    let mut m = VolatilityModel::create(&c, &p).unwrap();
    for r in [0.01, -0.02, 0.01, 0.02] {
        let s = m.update(r).unwrap();
        assert!(!s.ready && s.variance.is_nan(), "{s:?}");
    }
    // Scaled by 100: 1, -2, 1, 2, whose mean square is 2.5.
    let s = m.update(0.01).unwrap();
    assert!(s.ready && (s.variance - 2.5).abs() < 1e-12, "{s:?}");
    assert!((s.forecast - (0.94 * 2.5 + 0.06)).abs() < 1e-12, "{s:?}");
    assert_eq!(m.forecast(3).unwrap(), vec![s.forecast; 3]);
    assert!(matches!(m.forecast(0), Err(PluginError::Guest(GuestError::InvalidInput(_)))));

    let rets: Vec<f64> = (0..400).map(|i| 0.01 * noise(i) * (1.0 + (i / 100) as f64)).collect();
    let mut fitted = VolatilityModel::create(&c, &[]).unwrap();
    let report = fitted.fit(&rets).unwrap();
    assert!(report.converged && report.nobs == 400 && report.loglik.is_finite(), "{report:?}");
    let forecast = fitted.forecast(2).unwrap();
    assert!(forecast[0] > 0.0 && forecast[0] == forecast[1], "{forecast:?}");
}

#[test]
fn a_scaffolded_changepoint_model_flags_a_level_shift_through_the_host() {
    let tmp = tempfile::tempdir().unwrap();
    let (c, _) = scaffold_and_load(tmp.path(), "scaffold-cusum", "changepoint", 5);
    assert_eq!(describe(&c).unwrap().name, "scaffold-cusum");

    let mut m = ChangepointModel::create(&c, &params(&[("window", ParamValue::Int(5))])).unwrap();
    for i in 0..100 {
        let s = m.update(noise(i)).unwrap();
        assert!(s.change_prob < 1.0 && s.map_length as usize == i + 1, "step {i}: {s:?}");
    }
    let s = m.update(5.0).unwrap();
    assert_eq!((s.change_prob, s.map_length, s.hypotheses), (1.0, 1, 1), "{s:?}");
    assert_eq!(m.change_prob(1).unwrap(), 1.0);
    assert_eq!(m.run_length_posterior().unwrap(), vec![0.0, 1.0]);
    match m.update(f64::INFINITY) {
        Err(PluginError::Guest(GuestError::InvalidInput(msg))) => assert!(msg.contains("finite"), "{msg}"),
        other => panic!("{other:?}"),
    }
}

/// The embedded default run with the scaffolded strategy in place of
/// `pairs`, wired to the Kalman model's z-score and hedge ratio.
fn run_with_strategy(dir: &Path, wasm: &Path) -> hft_host::pipeline::RunOutcome {
    let text = common::default_config_text();
    let start = text.find("\n[strategy]\n").expect("the default config has a [strategy] section");
    let end = start + text[start + 1..].find("\n[").expect("a section after [strategy]") + 1;
    let strategy = format!(
        "\n[strategy]\nplugin = {:?}\nlegs = {{ y = \"BTCUSDT\", x = \"ETHUSDT\" }}\n\
         signals = {{ zscore = \"kalman.zscore\", hedge-ratio = \"kalman.pred_beta\" }}\n\
         params = {{ entry-z = 2.0, warmup = 600 }}\n",
        wasm.display().to_string()
    );
    let text = format!("{}{strategy}{}", &text[..start], &text[end..]);
    let path = dir.join("run.toml");
    std::fs::write(&path, text).unwrap();
    let cfg = hft_host::config::load(Some(&path), Vec::<(String, String)>::new()).expect("config loads");
    run(&cfg, &common::runtime(), &RunOptions::default()).expect("the run completes")
}

#[test]
fn a_scaffolded_strategy_decides_and_trades_in_the_main_job() {
    let tmp = tempfile::tempdir().unwrap();
    let (c, wasm) = scaffold_and_load(tmp.path(), "scaffold-meanrev", "strategy", 7);
    let info = describe_strategy(&c).unwrap();
    assert_eq!(info.info.name, "scaffold-meanrev");
    let slots = |v: &[hft_host::strategy::Slot]| v.iter().map(|s| s.name.clone()).collect::<Vec<_>>();
    assert_eq!(slots(&info.legs), ["y", "x"]);
    assert_eq!(slots(&info.signals), ["zscore", "hedge-ratio"]);

    // One tick beyond entry-z: long the spread, 10000 / 100 of y and
    // 0.5 * 10000 / 50 of x short, as exact decimals with 6 places.
    let mut s = StrategyComponent::create(&c, &params(&[("warmup", ParamValue::Int(0))])).unwrap();
    let d = s.on_tick(&Tick { ts_ns: 0, equity: 100_000.0, values: vec![100.0, 50.0, 0.0, 0.0, -2.5, 0.5] }).unwrap();
    assert_eq!(d.marker, Marker::EnterLong);
    let targets: Vec<(u32, i64, u8)> =
        d.targets.iter().map(|t| (t.leg, t.quantity.mantissa, t.quantity.scale)).collect();
    assert_eq!(targets, [(0, 100_000_000, 6), (1, -100_000_000, 6)]);
    match s.on_tick(&Tick { ts_ns: 1, equity: 100_000.0, values: vec![100.0] }) {
        Err(PluginError::Guest(GuestError::InvalidInput(msg))) => assert!(msg.contains("1 values"), "{msg}"),
        other => panic!("{other:?}"),
    }

    let outcome = run_with_strategy(tmp.path(), &wasm);
    outcome.reconciliation.as_ref().expect("the books reconcile with the fills");
    assert_eq!(outcome.counters.strategy_refusals, 0);
    assert!(outcome.counters.fills > 0, "{:?}", outcome.counters);
    assert!(!outcome.report.trades().is_empty(), "the strategy made round trips");
}

#[test]
fn cargo_component_builds_a_scaffolded_crate_with_a_changed_default() {
    if !cargo_component_available() {
        assert!(
            std::env::var_os("HFT_REQUIRE_CARGO_COMPONENT").is_none(),
            "cargo-component is required (HFT_REQUIRE_CARGO_COMPONENT is set) but not installed"
        );
        eprintln!("SKIPPED: cargo-component is not installed; scripts/test.sh installs it");
        return;
    }
    // Inside the repository, whose workspace the crate must not join.
    std::fs::create_dir_all(target_dir()).unwrap();
    let tmp = tempfile::tempdir_in(target_dir()).unwrap();
    let dir = scaffold(tmp.path(), "scaffold-component", "strategy");
    let logic = dir.join("src/logic.rs");
    let text = std::fs::read_to_string(&logic).unwrap();
    let (from, to) = ("pub const ENTRY_Z: f64 = 2.0;", "pub const ENTRY_Z: f64 = 2.75;");
    assert!(text.contains(from), "the default is where the README says");
    std::fs::write(&logic, text.replace(from, to)).unwrap();
    native_tests_pass(&dir, 7);

    let args = PluginBuild { dir: dir.clone(), plain: false, target_dir: Some(target_dir()) };
    let wasm = plugin_build(&args).unwrap_or_else(|e| panic!("plugin build: {e:#}"));
    assert!(wasm.starts_with(target_dir().join("wasm32-wasip1/release")), "{}", wasm.display());
    assert!(!dir.join("src/bindings.rs").exists(), "cargo component generated no second set of bindings");
    let c = common::runtime().load_file(&wasm).unwrap();
    assert_eq!(c.world.kind, ComponentKind::Strategy);
    let info = describe_strategy(&c).unwrap();
    let entry = info.info.params.iter().find(|p| p.name == "entry-z").unwrap();
    assert!(matches!(entry.default_value, WitValue::Float(v) if v == 2.75), "{entry:?}");
}

#[test]
fn plugin_new_refuses_a_bad_name_a_taken_directory_and_a_missing_sdk() {
    let tmp = tempfile::tempdir().unwrap();
    let new = |name: &str, dir: &Path, sdk: &Path| {
        plugin_new(&PluginNew {
            name: name.into(),
            kind: ComponentKind::Strategy,
            dir: Some(dir.to_path_buf()),
            sdk: Some(sdk.to_path_buf()),
        })
    };
    let sdk = common::root().join("sdk");
    let e = new("My_Plugin", &tmp.path().join("a"), &sdk).unwrap_err().to_string();
    assert!(e.contains("My_Plugin") && e.contains("lowercase"), "{e}");
    std::fs::write(tmp.path().join("keep.txt"), "mine").unwrap();
    let e = new("taken", tmp.path(), &sdk).unwrap_err().to_string();
    assert!(e.contains("not empty"), "{e}");
    assert_eq!(std::fs::read_to_string(tmp.path().join("keep.txt")).unwrap(), "mine", "nothing was overwritten");
    let e = format!("{:#}", new("lost", &tmp.path().join("b"), &tmp.path().join("nowhere")).unwrap_err());
    assert!(e.contains("nowhere") && e.contains("hft-sdk"), "{e}");
    assert!(!tmp.path().join("b").exists(), "nothing is written when the sdk is not usable");
}
