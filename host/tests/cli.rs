//! The `hft-host` binary as a user runs it: outputs, and clear errors with a
//! non-zero exit (never a panic) on bad input.

mod common;

use hft_models::fixtures::{assert_close, load};
use std::process::{Command, Output};

fn hft(args: &[&str]) -> Output {
    let out = Command::new(env!("CARGO_BIN_EXE_hft-host"))
        .current_dir(common::root())
        .env("HFT_NO_CACHE", "1")
        .args(args)
        .output()
        .expect("running hft-host");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "hft-host panicked: {stderr}");
    out
}

fn wasm(name: &str) -> String {
    common::wasm(name).display().to_string()
}

fn failure(out: &Output) -> String {
    assert!(!out.status.success(), "expected a failure, got success: {}", String::from_utf8_lossy(&out.stdout));
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn write_temp(dir: &tempfile::TempDir, name: &str, text: &str) -> String {
    let p = dir.path().join(name);
    std::fs::write(&p, text).unwrap();
    p.display().to_string()
}

#[test]
fn model_run_streams_the_shipped_pair_and_matches_pykalman() {
    let dir = tempfile::tempdir().unwrap();
    let out_path = dir.path().join("kalman.csv");
    let out = hft(&[
        "model",
        "run",
        "--plugin",
        &wasm("kalman"),
        "--input",
        "data/spx-ndx.csv",
        "--columns",
        "x=log(spx),y=log(ndx)",
        "--keep",
        "date",
        "--params",
        "delta=0.0001,ve=0.001",
        "--out",
        out_path.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = std::fs::read_to_string(&out_path).unwrap();
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    assert_eq!(header[0], "date");
    assert_eq!(&header[1..], hft_host::runtime::ModelKind::HedgeRatio.outputs());
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    assert_eq!(rows.len(), 5031);
    assert_eq!(rows[0][0], "1999-01-04");
    let reference = load("kalman", "spx-ndx");
    for name in ["beta", "zscore", "innovation_var"] {
        let idx = header.iter().position(|h| *h == name).unwrap();
        let got: Vec<f64> = rows.iter().map(|r| r[idx].parse().unwrap()).collect();
        assert_close(&format!("cli {name}"), &got, reference.expected(name), 1e-8, 1e-8);
    }
}

#[test]
fn model_run_writes_to_standard_output_with_a_dash() {
    let dir = tempfile::tempdir().unwrap();
    let input = write_temp(&dir, "in.csv", "x\n0.1\n-0.2\n0.3\n");
    let out = hft(&["model", "run", "--plugin", &wasm("bocd"), "--input", &input, "--out", "-"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(stdout.starts_with("change_prob,map_length,"), "{stdout}");
    assert_eq!(stdout.lines().count(), 4);
}

#[test]
fn bad_cells_missing_columns_and_bad_params_are_clear_errors() {
    let dir = tempfile::tempdir().unwrap();
    let input = write_temp(&dir, "bad.csv", "x\n0.1\n0.2\nzero point three\n");
    let err = failure(&hft(&["model", "run", "--plugin", &wasm("bocd"), "--input", &input]));
    assert!(err.contains("line 4") && err.contains("not a number") && err.contains("zero point three"), "{err}");

    let err = failure(&hft(&["model", "run", "--plugin", &wasm("kalman"), "--input", "data/spx-ndx.csv"]));
    assert!(err.contains("no column \"x\"") && err.contains("date, spx, ndx"), "{err}");

    let err = failure(&hft(&[
        "model",
        "run",
        "--plugin",
        &wasm("kalman"),
        "--input",
        "data/spx-ndx.csv",
        "--columns",
        "x=spx,y=ndx",
        "--params",
        "delta=2",
    ]));
    assert!(err.contains("delta"), "{err}");

    let err = failure(&hft(&[
        "model",
        "run",
        "--plugin",
        &wasm("kalman"),
        "--input",
        "data/spx-ndx.csv",
        "--columns",
        "x=spx,y=ndx",
        "--params",
        "deltta=0.1",
    ]));
    assert!(err.contains("unknown parameter \"deltta\"") && err.contains("delta, ve"), "{err}");

    let err = failure(&hft(&[
        "model",
        "run",
        "--plugin",
        &wasm("kalman"),
        "--input",
        "data/spx-ndx.csv",
        "--columns",
        "x=spx,y=ndx",
        "--params",
        "delta=abc",
    ]));
    assert!(err.contains("expected a number"), "{err}");

    let err = failure(&hft(&[
        "model",
        "run",
        "--plugin",
        &wasm("kalman"),
        "--input",
        "data/nope.csv",
        "--columns",
        "x=a,y=b",
    ]));
    assert!(err.contains("data/nope.csv"), "{err}");
}

#[test]
fn a_corrupt_component_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let bad = write_temp(&dir, "bad.wasm", "definitely not wasm");
    let err = failure(&hft(&["plugin", "inspect", &bad]));
    assert!(err.contains("not WebAssembly"), "{err}");
    let err = failure(&hft(&["model", "run", "--plugin", &bad, "--input", "data/sp500.csv"]));
    assert!(err.contains("invalid component"), "{err}");
}

#[test]
fn plugin_inspect_reports_world_name_version_and_parameters() {
    for (name, world) in [("kalman", "hedge-ratio-model"), ("garch", "volatility-model"), ("bocd", "changepoint-model")]
    {
        let out = hft(&["plugin", "inspect", &wasm(name)]);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let text = String::from_utf8(out.stdout).unwrap();
        assert!(text.contains(&format!("hft:strategy/{world}@0.1.1")), "{text}");
        assert!(text.contains(&format!("model:       {name} 0.1.0")), "{text}");
        let json = hft(&["plugin", "inspect", "--json", &wasm(name)]);
        let v: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
        assert_eq!(v["name"], name);
        assert!(!v["params"].as_array().unwrap().is_empty());
    }
}

#[test]
fn model_fit_reaches_the_arch_optimum_on_the_shipped_sp500() {
    let out = hft(&[
        "model",
        "fit",
        "--plugin",
        &wasm("garch"),
        "--input",
        "data/sp500.csv",
        "--column",
        "pct(adj_close)",
        "--horizon",
        "10",
    ]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let reference = load("garch", "sp500-fit-normal");
    for p in ["mu", "omega", "alpha", "beta"] {
        let got = v["params"][p].as_f64().unwrap();
        let want = reference.scalar(p);
        assert!((got - want).abs() <= 1e-3 * want.abs(), "{p}: {got} vs arch {want}");
    }
    assert!((v["loglik"].as_f64().unwrap() - reference.scalar("loglik")).abs() <= 1e-3);
    assert_eq!(v["nobs"], 5030);
    assert_eq!(v["forecasts"].as_array().unwrap().len(), 10);
    let err = failure(&hft(&["model", "fit", "--plugin", &wasm("kalman"), "--input", "data/sp500.csv"]));
    assert!(err.contains("needs a volatility component"), "{err}");
}

fn plugins_dir() -> String {
    common::wasm("pairs").parent().unwrap().display().to_string()
}

#[test]
fn run_with_no_config_replays_the_bundled_pair_and_prints_the_report() {
    let out = Command::new(env!("CARGO_BIN_EXE_hft-host"))
        .current_dir(common::root())
        .env("HFT_NO_CACHE", "1")
        .env("HFT_RUN__PLUGINS_DIR", plugins_dir())
        .args(["run", "--no-report", "--quiet"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}\n{}", String::from_utf8_lossy(&out.stderr));
    for want in ["Sharpe", "Sortino", "Max drawdown", "Hit rate", "Fees paid", "Regime changes", "reconciles exactly"] {
        assert!(stdout.contains(want), "no {want:?} in the report:\n{stdout}");
    }
    assert!(stdout.contains("Events") && stdout.contains("20000"), "{stdout}");
}

#[test]
fn run_refuses_bad_configuration_with_the_key_and_a_non_zero_exit() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = write_temp(&dir, "typo.toml", "[run]\nspeeed = \"max\"\n");
    let err = failure(&hft(&["run", "--config", &cfg, "--no-report"]));
    assert!(err.contains("speeed"), "{err}");
    let out = Command::new(env!("CARGO_BIN_EXE_hft-host"))
        .current_dir(common::root())
        .env("HFT_RISKS__MAX_DRAWDOWN", "0.1")
        .args(["run", "--no-report"])
        .output()
        .unwrap();
    let err = failure(&out);
    assert!(err.contains("HFT_RISKS__MAX_DRAWDOWN") && err.contains("not a configuration section"), "{err}");
    let err = failure(&hft(&["run", "--no-report", "--speed", "fast"]));
    assert!(err.contains("fast") && err.contains("realtime"), "{err}");
}

#[test]
fn run_paces_the_replay_at_a_multiple_of_real_time() {
    // One hour of minute bars at 3600x takes about a second of wall time;
    // pacing only ever waits, so this bound cannot flake on a slow machine.
    let dir = tempfile::tempdir().unwrap();
    for sym in ["BTCUSDT", "ETHUSDT"] {
        let text = std::fs::read_to_string(common::root().join(format!("data/pair/{sym}-1m-synthetic.csv"))).unwrap();
        let head: Vec<&str> = text.lines().take(62).collect();
        write_temp(&dir, &format!("{sym}-1m-head.csv"), &(head.join("\n") + "\n"));
    }
    let cfg = config_for(&dir, "BTCUSDT-1m-head.csv", "ETHUSDT-1m-head.csv");
    let start = std::time::Instant::now();
    let out = hft(&["run", "--config", &cfg, "--no-report", "--speed", "3600x"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(start.elapsed() >= std::time::Duration::from_millis(950), "{:?}", start.elapsed());
}

/// The embedded default with its data replaced by two files in `dir`.
fn config_for(dir: &tempfile::TempDir, btc: &str, eth: &str) -> String {
    let text = hft_host::config::DEFAULT_CONFIG
        .replace("data/pair/BTCUSDT-1m-synthetic.csv", btc)
        .replace("data/pair/ETHUSDT-1m-synthetic.csv", eth)
        .replace("plugins_dir = \"target/wasm32-wasip2/release\"", &format!("plugins_dir = {:?}", plugins_dir()));
    write_temp(dir, "run.toml", &text)
}
