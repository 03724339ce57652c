//! Guest-side support for hft-host components.
//!
//! Every model component speaks the shared `hft:strategy/types` vocabulary
//! (parameters, model info, errors). This crate generates those bindings
//! once, and converts them to and from the plain-Rust types of
//! [`hft_models`], so a component is only its model plus a thin adapter.
//! Components reuse these exact types through wit-bindgen's `with` option:
//!
//! ```ignore
//! wit_bindgen::generate!({
//!     world: "hedge-ratio-model",
//!     path: "../../wit",
//!     with: { "hft:strategy/types@0.1.1": hft_sdk::types },
//! });
//! ```
#![deny(missing_docs)]

#[allow(missing_docs)]
mod bindings {
    wit_bindgen::generate!({
        world: "guest-types",
        path: "../wit",
    });
}

/// The generated `hft:strategy/types` types, shared by all components.
pub use bindings::hft::strategy::types;

pub mod strategy;

use hft_models::{ModelError, ParamSpec, ParamValue};

impl From<ModelError> for types::ModelError {
    fn from(e: ModelError) -> Self {
        match e {
            ModelError::InvalidParams(m) => types::ModelError::InvalidParams(m),
            ModelError::InvalidInput(m) => types::ModelError::InvalidInput(m),
            ModelError::InvalidSnapshot(m) => types::ModelError::InvalidSnapshot(m),
            ModelError::NotReady(m) => types::ModelError::NotReady(m),
            ModelError::Numerical(m) => types::ModelError::Numerical(m),
        }
    }
}

/// The message of a resource's last failed per-event call.
///
/// Per-event calls return only a [`types::ErrorKind`] (see the WIT for why);
/// the message waits here until the host asks for it with `last-error`.
#[derive(Debug, Default)]
pub struct LastError(std::cell::RefCell<String>);

impl LastError {
    /// Keep `e`'s message and return its kind, for the WIT result.
    pub fn record(&self, e: ModelError) -> types::ErrorKind {
        let (kind, message) = match e {
            ModelError::InvalidParams(m) => (types::ErrorKind::InvalidParams, m),
            ModelError::InvalidInput(m) => (types::ErrorKind::InvalidInput, m),
            ModelError::InvalidSnapshot(m) => (types::ErrorKind::InvalidSnapshot, m),
            ModelError::NotReady(m) => (types::ErrorKind::NotReady, m),
            ModelError::Numerical(m) => (types::ErrorKind::Numerical, m),
        };
        *self.0.borrow_mut() = message;
        kind
    }

    /// The last message (empty if nothing failed).
    pub fn message(&self) -> String {
        self.0.borrow().clone()
    }
}

/// A model-crate value as a WIT value.
pub fn to_wit_value(v: &ParamValue) -> types::ParamValue {
    match v {
        ParamValue::Float(x) => types::ParamValue::Float(*x),
        ParamValue::Int(x) => types::ParamValue::Int(*x),
        ParamValue::Flag(x) => types::ParamValue::Flag(*x),
        ParamValue::Text(x) => types::ParamValue::Text(x.clone()),
    }
}

/// WIT parameters as the model crate takes them.
pub fn from_wit_params(params: Vec<types::Param>) -> Vec<(String, ParamValue)> {
    params
        .into_iter()
        .map(|p| {
            let v = match p.value {
                types::ParamValue::Float(x) => ParamValue::Float(x),
                types::ParamValue::Int(x) => ParamValue::Int(x),
                types::ParamValue::Flag(x) => ParamValue::Flag(x),
                types::ParamValue::Text(x) => ParamValue::Text(x),
            };
            (p.name, v)
        })
        .collect()
}

/// Model-crate parameters as WIT parameters.
pub fn to_wit_params(params: Vec<(String, ParamValue)>) -> Vec<types::Param> {
    params.iter().map(|(name, v)| types::Param { name: name.clone(), value: to_wit_value(v) }).collect()
}

/// Build the `model-info` record a component's `describe` returns.
pub fn model_info(
    name: &str,
    version: &str,
    description: &str,
    specs: &[ParamSpec],
    outputs: &[&str],
) -> types::ModelInfo {
    types::ModelInfo {
        name: name.to_string(),
        version: version.to_string(),
        description: description.to_string(),
        params: specs
            .iter()
            .map(|s| types::ParamSpec {
                name: s.name.to_string(),
                description: s.description.to_string(),
                default_value: to_wit_value(&s.default),
            })
            .collect(),
        outputs: outputs.iter().map(|o| o.to_string()).collect(),
    }
}

/// Run `step` over every element of a batch, all or nothing: on the first
/// error the model is put back as it was before the batch, which is what the
/// WIT `update-batch` contract promises.
pub fn all_or_nothing<M: Clone, T>(
    model: &mut M,
    n: usize,
    mut step: impl FnMut(&mut M, usize) -> Result<T, ModelError>,
    mut push: impl FnMut(T),
) -> Result<(), types::ModelError> {
    let backup = model.clone();
    for i in 0..n {
        match step(model, i) {
            Ok(out) => push(out),
            Err(e) => {
                *model = backup;
                return Err(annotate(e, i).into());
            }
        }
    }
    Ok(())
}

/// Prefix an error's message with the batch index it happened at.
fn annotate(e: ModelError, index: usize) -> ModelError {
    let at = |m: String| format!("batch element {index}: {m}");
    match e {
        ModelError::InvalidParams(m) => ModelError::InvalidParams(at(m)),
        ModelError::InvalidInput(m) => ModelError::InvalidInput(at(m)),
        ModelError::InvalidSnapshot(m) => ModelError::InvalidSnapshot(at(m)),
        ModelError::NotReady(m) => ModelError::NotReady(at(m)),
        ModelError::Numerical(m) => ModelError::Numerical(at(m)),
    }
}
