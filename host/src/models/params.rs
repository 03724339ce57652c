//! Parameters between their three forms: `name=value` text from the CLI or
//! configuration, the model crate's typed values, and the WIT records.

use crate::runtime::bindings::types::{Param, ParamSpec, ParamValue as WitValue};
use crate::runtime::{GuestError, PluginError};
use hft_models::ParamValue;

/// Parse `name=value` pairs against a component's parameter specs: each
/// value takes the type of the parameter's default. Unknown names are
/// refused here, with the list of known ones, before the component is asked.
pub fn parse_params(specs: &[ParamSpec], given: &[(String, String)]) -> Result<Vec<Param>, PluginError> {
    given
        .iter()
        .map(|(name, text)| {
            let Some(spec) = specs.iter().find(|s| &s.name == name) else {
                let known: Vec<&str> = specs.iter().map(|s| s.name.as_str()).collect();
                return Err(GuestError::InvalidParams(format!(
                    "unknown parameter {name:?}; this component accepts: {}",
                    known.join(", ")
                ))
                .into());
            };
            let value = from_wit(&spec.default_value)
                .parse_like(text)
                .map_err(|why| GuestError::InvalidParams(format!("parameter {name:?}: {why}")))?;
            Ok(Param { name: name.clone(), value: to_wit(&value) })
        })
        .collect()
}

/// Model-crate parameters as WIT parameters (for fixtures and configuration).
pub fn to_wit_params(params: &[(String, ParamValue)]) -> Vec<Param> {
    params.iter().map(|(name, v)| Param { name: name.clone(), value: to_wit(v) }).collect()
}

/// WIT parameters as model-crate parameters (for reports).
pub fn to_model_params(params: &[Param]) -> Vec<(String, ParamValue)> {
    params.iter().map(|p| (p.name.clone(), from_wit(&p.value))).collect()
}

fn to_wit(v: &ParamValue) -> WitValue {
    match v {
        ParamValue::Float(x) => WitValue::Float(*x),
        ParamValue::Int(x) => WitValue::Int(*x),
        ParamValue::Flag(x) => WitValue::Flag(*x),
        ParamValue::Text(x) => WitValue::Text(x.clone()),
    }
}

fn from_wit(v: &WitValue) -> ParamValue {
    match v {
        WitValue::Float(x) => ParamValue::Float(*x),
        WitValue::Int(x) => ParamValue::Int(*x),
        WitValue::Flag(x) => ParamValue::Flag(*x),
        WitValue::Text(x) => ParamValue::Text(x.clone()),
    }
}
