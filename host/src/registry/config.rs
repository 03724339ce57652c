//! `[registry]`: where accepted components live and what an upload must pass.
//!
//! [`RegistryConfig`] is the raw form (TOML, environment overrides);
//! [`Registry::open`](super::Registry::open) checks it once, parses the
//! trusted keys and loads the smoke data, so nothing later re-validates it.

use serde::Deserialize;
use std::path::PathBuf;

/// `[registry]`: storage, limits, signature policy and the smoke run.
///
/// Every field has a default, so `[registry]` may be omitted; unknown keys
/// are refused (a typo must fail at start-up, not leave a check off).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RegistryConfig {
    /// Directory of the store: `<sha256>.wasm` and `<sha256>.json` per
    /// component. Created if missing. In the chart, a PVC or an emptyDir.
    pub dir: PathBuf,
    /// Largest component accepted, in bytes; checked before anything else
    /// so an oversized upload costs nothing. The runtime's own
    /// `max_component_bytes` caps it too (the smaller one wins).
    pub max_bytes: usize,
    /// Refuse uploads that carry no signature. Needs `trusted_keys`.
    pub require_signature: bool,
    /// Public keys whose ed25519 signature over a component's sha256 is
    /// trusted, as 64 hex digits each. A record's `signed_by` is the key
    /// that verified, in this form.
    pub trusted_keys: Vec<String>,
    /// Import name prefixes refused even though the sandbox links them,
    /// for example `"wasi:sockets"`: the sandbox grants those interfaces
    /// with no capabilities (every connect fails), so they are harmless,
    /// but an operator may prefer a plugin that asks for them never be
    /// accepted at all. Empty by default.
    pub refused_imports: Vec<String>,
    /// Ticks (strategy) or updates (model) of the smoke run.
    pub smoke_ticks: usize,
    /// Two Binance klines files (the pair's legs) whose last `smoke_ticks`
    /// bars feed the smoke run. Empty: the synthetic BTC/ETH-like pair of
    /// `data/pair/`, generated in memory from the same seeded spec, so the
    /// registry needs no data files.
    pub smoke_data: Vec<PathBuf>,
    /// Account equity the smoke run starts a strategy with, quote currency.
    pub smoke_capital: f64,
    /// A strategy's target for one leg may not be worth more than this
    /// multiple of `smoke_capital` at the leg's price; a bigger one is an
    /// absurd quantity and fails the smoke run.
    pub smoke_max_leverage: f64,
    /// Largest fraction of the smoke run's second half (after a warm-up
    /// of half the run) whose steps may be bad: a model step with a
    /// non-finite output or a refusal, a strategy tick refused. More is a
    /// "NaN flood" and fails the smoke run.
    pub smoke_max_bad_fraction: f64,
    /// Wall-clock budget of the whole smoke run, milliseconds. Each call
    /// also has the runtime's own deadline; this bounds a plugin that is
    /// slow on every call without ever hitting it.
    pub smoke_budget_ms: u64,
}

impl Default for RegistryConfig {
    fn default() -> RegistryConfig {
        RegistryConfig {
            dir: PathBuf::from("var/registry"),
            max_bytes: 8 << 20,
            require_signature: false,
            trusted_keys: Vec::new(),
            refused_imports: Vec::new(),
            smoke_ticks: 2_000,
            smoke_data: Vec::new(),
            smoke_capital: 100_000.0,
            smoke_max_leverage: 10.0,
            smoke_max_bad_fraction: 0.1,
            smoke_budget_ms: 5_000,
        }
    }
}

impl RegistryConfig {
    /// Every problem with the values, all at once (not only the first).
    pub(crate) fn problems(&self) -> Vec<String> {
        let mut out = Vec::new();
        if self.max_bytes == 0 {
            out.push("max_bytes must be > 0".to_string());
        }
        if self.require_signature && self.trusted_keys.is_empty() {
            out.push("require_signature = true needs at least one trusted key in trusted_keys".to_string());
        }
        if !(1..=1_000_000).contains(&self.smoke_ticks) {
            out.push(format!("smoke_ticks must be in 1..=1000000, got {}", self.smoke_ticks));
        }
        if !self.smoke_data.is_empty() && self.smoke_data.len() != 2 {
            out.push(format!(
                "smoke_data takes two klines files (one per leg of the pair), got {}",
                self.smoke_data.len()
            ));
        }
        if !(self.smoke_capital.is_finite() && self.smoke_capital > 0.0) {
            out.push(format!("smoke_capital must be finite and > 0, got {}", self.smoke_capital));
        }
        if !(self.smoke_max_leverage.is_finite() && self.smoke_max_leverage > 0.0) {
            out.push(format!("smoke_max_leverage must be finite and > 0, got {}", self.smoke_max_leverage));
        }
        if !(0.0..=1.0).contains(&self.smoke_max_bad_fraction) {
            out.push(format!("smoke_max_bad_fraction must be in [0, 1], got {}", self.smoke_max_bad_fraction));
        }
        if self.smoke_budget_ms == 0 {
            out.push("smoke_budget_ms must be > 0".to_string());
        }
        for p in &self.refused_imports {
            if p.is_empty() {
                out.push("refused_imports holds an empty prefix, which would refuse every import".to_string());
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_valid_and_toml_overrides_them() {
        assert!(RegistryConfig::default().problems().is_empty());
        let c: RegistryConfig = toml::from_str("dir = \"/data/registry\"\nsmoke_ticks = 500\n").unwrap();
        assert_eq!(c.dir, PathBuf::from("/data/registry"));
        assert_eq!(c.smoke_ticks, 500);
        assert_eq!(c.max_bytes, 8 << 20);
    }

    #[test]
    fn unknown_keys_and_bad_values_are_refused() {
        assert!(toml::from_str::<RegistryConfig>("require_signatures = true").is_err());
        let c = RegistryConfig {
            require_signature: true,
            smoke_ticks: 0,
            smoke_max_bad_fraction: 2.0,
            smoke_data: vec![PathBuf::from("one.csv")],
            ..RegistryConfig::default()
        };
        let p = c.problems();
        assert_eq!(p.len(), 4, "{p:?}");
    }
}
