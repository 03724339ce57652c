//! `hft-host plugin inspect`: what a component is, before anyone runs it.

use crate::models::describe;
use crate::runtime::bindings::types::{ModelInfo, ParamValue};
use crate::runtime::{ComponentKind, PluginError, Runtime, WIT_PACKAGE};
use crate::strategy::{describe_strategy, warm_up_ticks};
use std::fmt::Write as _;
use std::path::Path;

/// Everything `inspect` found out.
#[derive(Debug, Clone)]
pub struct Inspection {
    /// The file.
    pub path: String,
    /// Its size in bytes.
    pub bytes: u64,
    /// sha256 of the bytes.
    pub sha256: String,
    /// The world it implements.
    pub world: String,
    /// The WIT package version it was built against.
    pub wit_version: String,
    /// Its imports (WASI only, granted empty).
    pub imports: Vec<String>,
    /// What the component says about itself.
    pub info: ModelInfo,
    /// A strategy's legs, `(name, description)`; empty for a model.
    pub legs: Vec<(String, String)>,
    /// A strategy's signals, `(name, description)`; empty for a model.
    pub signals: Vec<(String, String)>,
    /// A strategy's warm-up with its default parameters, if it exports
    /// `warm-up` (WIT 0.1.1); `None` for a model or a strategy without it.
    pub warm_up_ticks: Option<u32>,
}

/// Load, check and describe a component.
pub fn inspect(runtime: &Runtime, path: &Path) -> Result<Inspection, PluginError> {
    let component = runtime.load_file(path)?;
    let (info, legs, signals, warm_up_ticks) = if component.world.kind == ComponentKind::Strategy {
        let s = describe_strategy(&component)?;
        let pairs = |v: Vec<crate::strategy::Slot>| v.into_iter().map(|x| (x.name, x.description)).collect();
        let warm_up = warm_up_ticks(&component, &[])?;
        (s.info, pairs(s.legs), pairs(s.signals), warm_up)
    } else {
        (describe(&component)?, Vec::new(), Vec::new(), None)
    };
    let bytes = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
    Ok(Inspection {
        path: path.display().to_string(),
        bytes,
        sha256: component.sha256.clone(),
        world: component.world.kind.world().to_string(),
        wit_version: component.world.version.clone(),
        imports: component.world.imports.clone(),
        info,
        legs,
        signals,
        warm_up_ticks,
    })
}

fn show(v: &ParamValue) -> String {
    match v {
        ParamValue::Float(x) => format!("{x:?}"),
        ParamValue::Int(x) => x.to_string(),
        ParamValue::Flag(x) => x.to_string(),
        ParamValue::Text(x) => format!("{x:?}"),
    }
}

fn type_name(v: &ParamValue) -> &'static str {
    match v {
        ParamValue::Float(_) => "float",
        ParamValue::Int(_) => "int",
        ParamValue::Flag(_) => "flag",
        ParamValue::Text(_) => "text",
    }
}

impl Inspection {
    /// The report as JSON, for tools.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::json!({
            "path": self.path,
            "bytes": self.bytes,
            "sha256": self.sha256,
            "world": format!("{WIT_PACKAGE}/{}@{}", self.world, self.wit_version),
            "name": self.info.name,
            "version": self.info.version,
            "description": self.info.description,
            "params": self.info.params.iter().map(|p| serde_json::json!({
                "name": p.name,
                "type": type_name(&p.default_value),
                "default": show(&p.default_value),
                "description": p.description,
            })).collect::<Vec<_>>(),
            "outputs": self.info.outputs,
            "legs": self.legs.iter().map(|(n, d)| serde_json::json!({"name": n, "description": d})).collect::<Vec<_>>(),
            "signals": self.signals.iter().map(|(n, d)| serde_json::json!({"name": n, "description": d})).collect::<Vec<_>>(),
            "warm_up_ticks": self.warm_up_ticks,
            "imports": self.imports,
        })
    }
}

impl std::fmt::Display for Inspection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut s = String::new();
        let _ = writeln!(s, "file:        {} ({} bytes)", self.path, self.bytes);
        let _ = writeln!(s, "sha256:      {}", self.sha256);
        let _ = writeln!(s, "world:       {WIT_PACKAGE}/{}@{}", self.world, self.wit_version);
        let what = if self.legs.is_empty() { "model:    " } else { "strategy: " };
        let _ = writeln!(s, "{what}   {} {}", self.info.name, self.info.version);
        let _ = writeln!(s, "about:       {}", self.info.description);
        let _ = writeln!(s, "parameters:");
        let width = self.info.params.iter().map(|p| p.name.len()).max().unwrap_or(0);
        for p in &self.info.params {
            let _ = writeln!(
                s,
                "  {:width$}  {:5}  default {:<10}  {}",
                p.name,
                type_name(&p.default_value),
                show(&p.default_value),
                p.description
            );
        }
        if self.legs.is_empty() {
            let _ = writeln!(s, "outputs:     {}", self.info.outputs.join(", "));
        } else {
            for (title, slots) in [("legs:", &self.legs), ("signals:", &self.signals)] {
                let _ = writeln!(s, "{title}");
                for (n, d) in slots {
                    let _ = writeln!(s, "  {n:width$}  {d}");
                }
            }
            let _ = match self.warm_up_ticks {
                Some(n) => writeln!(s, "warm-up:     {n} ticks with the defaults (its warm-up export)"),
                None => writeln!(s, "warm-up:     none declared (no warm-up export, added in {WIT_PACKAGE}@0.1.1)"),
            };
        }
        let _ = writeln!(s, "imports:     {} WASI interfaces, granted with no capabilities", self.imports.len());
        f.write_str(&s)
    }
}
