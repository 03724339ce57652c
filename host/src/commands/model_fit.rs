//! `hft-host model fit`: maximum-likelihood fit of a volatility component.

use crate::models::{VolatilityModel, describe, parse_params, to_model_params};
use crate::runtime::{ModelKind, Runtime};
use crate::table::{ColumnReader, ColumnSpec};
use anyhow::bail;
use hft_models::ParamValue;
use std::path::PathBuf;

/// Arguments of `model fit`.
#[derive(Debug, Clone)]
pub struct ModelFit {
    /// The component file (a volatility model).
    pub plugin: PathBuf,
    /// `name=value` parameters.
    pub params: Vec<(String, String)>,
    /// The CSV input.
    pub input: PathBuf,
    /// Where the returns come from, for example `ret=pct(adj_close)`.
    pub column: ColumnSpec,
    /// Forecast horizon in steps.
    pub horizon: u32,
}

/// The fit, as written to JSON.
#[derive(Debug, Clone, serde::Serialize)]
pub struct FitOutput {
    /// The component's file.
    pub plugin: String,
    /// sha256 of the component.
    pub sha256: String,
    /// The input file.
    pub input: String,
    /// Observations used.
    pub nobs: u32,
    /// Estimated parameters.
    pub params: serde_json::Map<String, serde_json::Value>,
    /// Maximised log-likelihood.
    pub loglik: f64,
    /// Optimiser iterations.
    pub iterations: u32,
    /// Whether the optimiser converged.
    pub converged: bool,
    /// Variance forecasts for 1..=horizon steps ahead, in the model's scaled units.
    pub forecasts: Vec<f64>,
}

fn json_value(v: &ParamValue) -> serde_json::Value {
    match v {
        ParamValue::Float(x) => serde_json::json!(x),
        ParamValue::Int(x) => serde_json::json!(x),
        ParamValue::Flag(x) => serde_json::json!(x),
        ParamValue::Text(x) => serde_json::json!(x),
    }
}

/// Fit on the whole input column and forecast from its end.
pub fn model_fit(runtime: &Runtime, args: &ModelFit) -> anyhow::Result<FitOutput> {
    let component = runtime.load_file(&args.plugin)?;
    if component.world.kind.model() != Some(ModelKind::Volatility) {
        bail!("model fit needs a volatility component; {} implements {}", args.plugin.display(), component.world.kind);
    }
    let info = describe(&component)?;
    let params = parse_params(&info.params, &args.params)?;
    let mut model = VolatilityModel::create(&component, &params)?;
    let column = ColumnSpec { input: "ret".into(), ..args.column.clone() };
    let rets: Vec<f64> = ColumnReader::open(&args.input, vec![column], &[])?
        .map(|row| row.map(|r| r.values[0]))
        .collect::<Result<_, _>>()?;
    let report = model.fit(&rets)?;
    let forecasts = if args.horizon > 0 { model.forecast(args.horizon)? } else { Vec::new() };
    Ok(FitOutput {
        plugin: args.plugin.display().to_string(),
        sha256: component.sha256.clone(),
        input: args.input.display().to_string(),
        nobs: report.nobs,
        params: to_model_params(&report.params).iter().map(|(k, v)| (k.clone(), json_value(v))).collect(),
        loglik: report.loglik,
        iterations: report.iterations,
        converged: report.converged,
        forecasts,
    })
}
