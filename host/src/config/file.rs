//! Reading the configuration: the embedded default or a file, then the
//! environment, then validation.

use super::env::apply_env;
use super::run::RunConfig;
use std::path::{Path, PathBuf};
use thiserror::Error;
use toml::Value;

/// The configuration `hft-host run` uses when it is given none: the
/// bundled BTC/ETH pair through kalman, garch, bocd and pairs. Its paths are
/// relative to the directory `hft-host` runs in (the repository root).
pub const DEFAULT_CONFIG: &str = include_str!("../../../config/default.toml");

/// Why a configuration was refused.
#[derive(Debug, Error)]
pub enum ConfigError {
    /// The file could not be read.
    #[error("cannot read config {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// Not TOML, or not the expected shape (unknown key, wrong type).
    #[error("config {origin}: {message}")]
    Invalid {
        /// The file, or `embedded default`.
        origin: String,
        /// The parser's message, with the key and line where it has them.
        message: String,
    },
    /// An `HFT_...` variable could not be applied.
    #[error("environment variable {var}: {reason}")]
    Env {
        /// The variable.
        var: String,
        /// Why.
        reason: String,
    },
}

/// Load `path` (or the embedded default), merge `HFT_...` variables from
/// `vars` over it, and check it. Relative paths written in a file are
/// relative to that file; everything else is relative to the current
/// directory.
pub fn load(path: Option<&Path>, vars: impl IntoIterator<Item = (String, String)>) -> Result<RunConfig, ConfigError> {
    let (text, origin, base) = match path {
        Some(p) => {
            let text =
                std::fs::read_to_string(p).map_err(|source| ConfigError::Read { path: p.to_path_buf(), source })?;
            (text, p.display().to_string(), p.parent().map(Path::to_path_buf))
        }
        None => (DEFAULT_CONFIG.to_string(), "embedded default".to_string(), None),
    };
    let invalid = |message: String| ConfigError::Invalid { origin: origin.clone(), message };
    let mut root: Value = toml::from_str(&text).map_err(|e| invalid(e.to_string()))?;
    if let Some(base) = base.filter(|b| !b.as_os_str().is_empty()) {
        rebase_paths(&mut root, &base);
    }
    let vars: Vec<(String, String)> = vars.into_iter().collect();
    apply_env(&mut root, vars.iter().cloned())?;
    apply_evop_env(&mut root, &vars)?;
    let config: RunConfig = root.try_into().map_err(|e: toml::de::Error| invalid(e.to_string()))?;
    if config.data.is_empty() {
        return Err(invalid("no [[data]] source: the run has nothing to replay".to_string()));
    }
    Ok(config)
}

/// The deployment guide's variables for the champion and challengers, over
/// `[evop]`: `EVOP_MAX_CHALLENGERS`, `CHAMPION_INITIAL_CAPITAL` (exact
/// decimal) and `EVOP_CONFIDENCE_LEVEL`.
fn apply_evop_env(root: &mut Value, vars: &[(String, String)]) -> Result<(), ConfigError> {
    for (name, raw) in vars {
        let (key, value) = match name.as_str() {
            "EVOP_MAX_CHALLENGERS" => ("max_challengers", raw.trim().parse::<i64>().ok().map(Value::Integer)),
            "CHAMPION_INITIAL_CAPITAL" => (
                "challenger_capital",
                raw.trim().parse::<rust_decimal::Decimal>().ok().map(|d| Value::String(d.normalize().to_string())),
            ),
            "EVOP_CONFIDENCE_LEVEL" => {
                ("confidence_level", raw.trim().parse::<f64>().ok().filter(|c| *c > 0.0 && *c < 1.0).map(Value::Float))
            }
            _ => continue,
        };
        let value = value
            .ok_or_else(|| ConfigError::Env { var: name.clone(), reason: format!("{raw:?} is not valid here") })?;
        let table = root.as_table_mut().expect("a configuration is a table");
        let evop = table.entry("evop").or_insert_with(|| Value::Table(Default::default()));
        evop.as_table_mut()
            .ok_or_else(|| ConfigError::Env { var: name.clone(), reason: "[evop] is not a table".into() })?
            .insert(key.to_string(), value);
    }
    Ok(())
}

/// Make the file's relative paths relative to the file.
fn rebase_paths(root: &mut Value, base: &Path) {
    let join = |v: &mut Value, plugin: bool| {
        if let Value::String(s) = v {
            let is_path = !plugin || s.contains('/') || s.ends_with(".wasm");
            if is_path && Path::new(s.as_str()).is_relative() {
                *s = base.join(s.as_str()).display().to_string();
            }
        }
    };
    if let Some(Value::Array(sources)) = root.get_mut("data") {
        for s in sources {
            if let Some(p) = s.get_mut("path") {
                join(p, false);
            }
        }
    }
    if let Some(run) = root.get_mut("run") {
        for key in ["reports_dir", "plugins_dir"] {
            if let Some(p) = run.get_mut(key) {
                join(p, false);
            }
        }
    }
    if let Some(p) = root.get_mut("ingest").and_then(|s| s.get_mut("websocket")).and_then(|w| w.get_mut("ca_file")) {
        join(p, false);
    }
    for section in ["state", "registry"] {
        if let Some(p) = root.get_mut(section).and_then(|s| s.get_mut("dir")) {
            join(p, false);
        }
    }
    if let Some(Value::Table(models)) = root.get_mut("models") {
        for (_, m) in models.iter_mut() {
            if let Some(p) = m.get_mut("plugin") {
                join(p, true);
            }
        }
    }
    if let Some(p) = root.get_mut("strategy").and_then(|s| s.get_mut("plugin")) {
        join(p, true);
    }
}
