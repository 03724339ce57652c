//! Loader for the reference outputs that `tools/reference/*.py` generate with
//! the independent Python libraries (`pykalman`, `arch`,
//! `bayesian-changepoint-detection`) and that the repository commits.
//!
//! One JSON file per case, at `tests/fixtures/reference/<model>/<case>.json`:
//!
//! ```json
//! { "model": "kalman", "case": "spx-ndx", "source": "pykalman 0.11.2",
//!   "params":   { "delta": 0.0001, "ve": 0.001 },
//!   "input":    { "x": [..], "y": [..] },
//!   "expected": { "alpha": [..], "beta": [..] },
//!   "scalars":  { "loglik": -123.4 } }
//! ```
//!
//! Numbers are written with Python's `repr`, which round-trips f64 exactly;
//! NaN is written as `null` (JSON has no NaN) and read back as NaN.

use crate::ParamValue;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// One reference case.
#[derive(Debug, Clone)]
pub struct Fixture {
    /// Model name (`kalman`, `garch`, `bocd`).
    pub model: String,
    /// Case name (file stem).
    pub case: String,
    /// Library and version that produced the numbers.
    pub source: String,
    /// Parameters, by the component's parameter names, in file order.
    pub params: Vec<(String, ParamValue)>,
    /// Input columns.
    pub input: BTreeMap<String, Vec<f64>>,
    /// Expected output columns.
    pub expected: BTreeMap<String, Vec<f64>>,
    /// Expected scalars (log-likelihoods, fitted parameters, ...), and any
    /// non-numeric metadata the case needs, as raw JSON.
    pub scalars: BTreeMap<String, serde_json::Value>,
}

impl Fixture {
    /// An input column, or a panic naming the file and the column.
    pub fn input(&self, name: &str) -> &[f64] {
        self.input.get(name).unwrap_or_else(|| panic!("{}/{}: no input column {name:?}", self.model, self.case))
    }

    /// An expected column, or a panic naming the file and the column.
    pub fn expected(&self, name: &str) -> &[f64] {
        self.expected.get(name).unwrap_or_else(|| panic!("{}/{}: no expected column {name:?}", self.model, self.case))
    }

    /// A numeric scalar, or a panic naming the file and the key.
    pub fn scalar(&self, name: &str) -> f64 {
        self.scalars
            .get(name)
            .and_then(|v| v.as_f64())
            .unwrap_or_else(|| panic!("{}/{}: no numeric scalar {name:?}", self.model, self.case))
    }
}

/// The repository root (this crate lives in `<root>/models`).
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("models/ has a parent").to_path_buf()
}

/// Every case of `model`, sorted by name.
pub fn cases(model: &str) -> Vec<String> {
    let dir = repo_root().join("tests/fixtures/reference").join(model);
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()))
        .filter_map(|e| e.ok())
        .filter_map(|e| e.file_name().to_str().and_then(|n| n.strip_suffix(".json")).map(String::from))
        .collect();
    names.sort();
    names
}

/// Load `tests/fixtures/reference/<model>/<case>.json`.
pub fn load(model: &str, case: &str) -> Fixture {
    let path = repo_root().join("tests/fixtures/reference").join(model).join(format!("{case}.json"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let v: serde_json::Value =
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{} is not JSON: {e}", path.display()));
    let columns = |key: &str| -> BTreeMap<String, Vec<f64>> {
        v.get(key)
            .and_then(|c| c.as_object())
            .map(|obj| {
                obj.iter()
                    .map(|(k, col)| {
                        let col = col
                            .as_array()
                            .unwrap_or_else(|| panic!("{}: {key}.{k} is not an array", path.display()))
                            .iter()
                            .map(|x| x.as_f64().unwrap_or(f64::NAN))
                            .collect();
                        (k.clone(), col)
                    })
                    .collect()
            })
            .unwrap_or_default()
    };
    let params = v
        .get("params")
        .and_then(|p| p.as_object())
        .map(|obj| {
            obj.iter()
                .map(|(k, val)| {
                    let pv = match val {
                        serde_json::Value::Bool(b) => ParamValue::Flag(*b),
                        serde_json::Value::String(s) => ParamValue::Text(s.clone()),
                        serde_json::Value::Number(n) if n.is_i64() => ParamValue::Int(n.as_i64().unwrap()),
                        serde_json::Value::Number(n) => ParamValue::Float(n.as_f64().unwrap()),
                        other => panic!("{}: params.{k} = {other} is not a parameter value", path.display()),
                    };
                    (k.clone(), pv)
                })
                .collect()
        })
        .unwrap_or_default();
    let text_field = |k: &str| v.get(k).and_then(|s| s.as_str()).unwrap_or_default().to_string();
    Fixture {
        model: text_field("model"),
        case: case.to_string(),
        source: text_field("source"),
        params,
        input: columns("input"),
        expected: columns("expected"),
        scalars: v
            .get("scalars")
            .and_then(|s| s.as_object())
            .map(|o| o.iter().map(|(k, x)| (k.clone(), x.clone())).collect())
            .unwrap_or_default(),
    }
}

/// Assert `|got - want| <= abs_tol + rel_tol * |want|` element-wise (NaN
/// matches only NaN), reporting the worst element.
pub fn assert_close(what: &str, got: &[f64], want: &[f64], abs_tol: f64, rel_tol: f64) {
    assert_eq!(got.len(), want.len(), "{what}: {} values, expected {}", got.len(), want.len());
    let mut worst: Option<(usize, f64)> = None;
    for (i, (&g, &w)) in got.iter().zip(want).enumerate() {
        if w.is_nan() && g.is_nan() {
            continue;
        }
        let excess = (g - w).abs() - (abs_tol + rel_tol * w.abs());
        if !(excess <= 0.0) && worst.is_none_or(|(_, e)| excess > e || e.is_nan()) {
            worst = Some((i, excess));
        }
    }
    if let Some((i, _)) = worst {
        panic!(
            "{what}: element {i}: got {:e}, want {:e} (|diff| {:e} > abs {abs_tol:e} + rel {rel_tol:e})",
            got[i],
            want[i],
            (got[i] - want[i]).abs()
        );
    }
}
