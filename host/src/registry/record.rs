//! What the registry keeps about each component: the record (one JSON file
//! beside the bytes) and the validation report inside it.
//!
//! Records are versioned JSON so that a later host can read an older
//! store; every field an API client may show is plain data (strings,
//! numbers), never a host type that could change shape.

use crate::runtime::bindings::types::{ParamSpec, ParamValue};
use serde::{Deserialize, Serialize};

/// The format of the record files this host writes.
pub const RECORD_FORMAT: u32 = 1;

/// Everything known about one accepted component.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PluginRecord {
    /// Format of this record ([`RECORD_FORMAT`]).
    pub format: u32,
    /// sha256 of the component's bytes, 64 lowercase hex digits: its id.
    pub sha256: String,
    /// The component's own name, from `describe` (for example `pairs`).
    pub name: String,
    /// The component's own version, from `describe`.
    pub version: String,
    /// The world it implements, with the WIT version it was built
    /// against, for example `hft:strategy/trading-strategy@0.1.0`.
    pub world: String,
    /// `strategy`, `hedge-ratio`, `volatility` or `changepoint`.
    pub kind: String,
    /// Its declared parameters with their defaults.
    pub params: Vec<ParamInfo>,
    /// Size in bytes.
    pub size: u64,
    /// When it was accepted, UTC, `2024-01-02T03:04:05.678Z`.
    pub uploaded_at: String,
    /// Who uploaded it, as the caller (the admin API's token name, the CLI
    /// user) said.
    pub uploaded_by: String,
    /// The trusted public key (hex) whose signature over the sha256
    /// verified, if the upload was signed.
    pub signed_by: Option<String>,
    /// How it passed validation, step by step.
    pub validation: ValidationReport,
}

/// One declared parameter, as `describe` gave it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ParamInfo {
    /// Its name.
    pub name: String,
    /// `float`, `int`, `flag` or `text`: values given later take this type.
    #[serde(rename = "type")]
    pub ty: String,
    /// The default, as JSON (a non-finite float default is `null`).
    pub default: serde_json::Value,
    /// One line: meaning, unit, valid range.
    pub description: String,
}

impl ParamInfo {
    pub(crate) fn from_spec(spec: &ParamSpec) -> ParamInfo {
        let (ty, default) = match &spec.default_value {
            ParamValue::Float(x) => {
                ("float", serde_json::Number::from_f64(*x).map_or(serde_json::Value::Null, Into::into))
            }
            ParamValue::Int(x) => ("int", serde_json::Value::from(*x)),
            ParamValue::Flag(x) => ("flag", serde_json::Value::from(*x)),
            ParamValue::Text(x) => ("text", serde_json::Value::from(x.clone())),
        };
        ParamInfo { name: spec.name.clone(), ty: ty.to_string(), default, description: spec.description.clone() }
    }
}

/// A named slot of a strategy (a leg it trades or a signal it reads).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SlotInfo {
    /// The slot's name, which configuration maps to a symbol or a model output.
    pub name: String,
    /// One line.
    pub description: String,
}

/// The validation steps, in the order they run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Step {
    /// The size limit, before anything else.
    Size,
    /// The ed25519 signature over the sha256 (skipped when none is given
    /// and none is required).
    Signature,
    /// The bytes are a WebAssembly component (not a core module), well formed.
    Component,
    /// It exports exactly one of our interfaces at a compatible version.
    World,
    /// It imports nothing the host does not grant.
    Imports,
    /// wasmtime compiles it with the runtime's engine and links it.
    Compile,
    /// It instantiates within the runtime's limits and `describe` answers.
    Instantiate,
    /// It survives a short run on market data.
    Smoke,
}

impl Step {
    /// Every step, in order.
    pub const ALL: [Step; 8] = [
        Step::Size,
        Step::Signature,
        Step::Component,
        Step::World,
        Step::Imports,
        Step::Compile,
        Step::Instantiate,
        Step::Smoke,
    ];

    /// The step's name in reports and JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Step::Size => "size",
            Step::Signature => "signature",
            Step::Component => "component",
            Step::World => "world",
            Step::Imports => "imports",
            Step::Compile => "compile",
            Step::Instantiate => "instantiate",
            Step::Smoke => "smoke",
        }
    }
}

impl std::fmt::Display for Step {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How one step went.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StepReport {
    /// Which step.
    pub step: Step,
    /// Whether it passed.
    pub ok: bool,
    /// What it found, for people (the failure's message when it failed).
    pub detail: String,
    /// How long it took, microseconds.
    pub duration_us: u64,
}

/// The outcome of the validation of an accepted component.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ValidationReport {
    /// Every step that ran, in order.
    pub steps: Vec<StepReport>,
    /// The world, as in [`PluginRecord::world`].
    pub world: String,
    /// The kind, as in [`PluginRecord::kind`].
    pub kind: String,
    /// The component's name, from `describe`.
    pub name: String,
    /// The component's version, from `describe`.
    pub version: String,
    /// One paragraph from `describe`.
    pub description: String,
    /// Declared parameters with defaults.
    pub params: Vec<ParamInfo>,
    /// A model's output columns; empty for a strategy.
    pub outputs: Vec<String>,
    /// A strategy's legs; empty for a model.
    pub legs: Vec<SlotInfo>,
    /// A strategy's signals; empty for a model.
    pub signals: Vec<SlotInfo>,
    /// Everything it imports (WASI, our `types`), all granted.
    pub imports: Vec<String>,
    /// Parameters the smoke run used beyond the defaults, `name=value`.
    pub smoke_params: Vec<String>,
    /// Whether a snapshot taken at the end of the smoke run restored into
    /// a fresh instance: if not, a hot swap to this component must warm
    /// it up instead of carrying state over.
    pub restorable: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_serialize_by_name() {
        let r = StepReport { step: Step::Smoke, ok: true, detail: "fine".into(), duration_us: 12 };
        let j = serde_json::to_value(&r).unwrap();
        assert_eq!(j["step"], "smoke");
        assert_eq!(serde_json::from_value::<StepReport>(j).unwrap(), r);
        for s in Step::ALL {
            assert_eq!(serde_json::to_value(s).unwrap(), s.as_str());
        }
    }

    #[test]
    fn param_defaults_keep_their_type() {
        let spec = |v| ParamSpec { name: "p".into(), description: "d".into(), default_value: v };
        assert_eq!(ParamInfo::from_spec(&spec(ParamValue::Float(2.5))).default, serde_json::json!(2.5));
        assert_eq!(ParamInfo::from_spec(&spec(ParamValue::Int(3))).ty, "int");
        assert_eq!(ParamInfo::from_spec(&spec(ParamValue::Float(f64::NAN))).default, serde_json::Value::Null);
        assert_eq!(ParamInfo::from_spec(&spec(ParamValue::Text("t".into()))).default, serde_json::json!("t"));
    }
}
