//! Shared by the host's integration tests: building the plugin components
//! and making runtimes.
#![allow(dead_code)]

use hft_host::runtime::{Limits, LoadedComponent, Runtime, RuntimeConfig};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

/// The workspace root.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

/// Path of a built component, building every test component once per test
/// binary with the same command the README gives (cargo's own up-to-date
/// check makes repeat builds cheap).
pub fn wasm(name: &str) -> PathBuf {
    static BUILT: OnceLock<()> = OnceLock::new();
    BUILT.get_or_init(|| {
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        let status = Command::new(cargo)
            .current_dir(root())
            .args(["build", "--release", "--target", "wasm32-wasip2"])
            .args([
                "-p",
                "kalman",
                "-p",
                "garch",
                "-p",
                "bocd",
                "-p",
                "pairs",
                "-p",
                "hostile",
                "-p",
                "faulty-strategy",
            ])
            .status()
            .expect("running cargo to build the plugin components");
        assert!(status.success(), "building the plugin components failed");
    });
    let target = std::env::var_os("CARGO_TARGET_DIR").map(PathBuf::from).unwrap_or_else(|| root().join("target"));
    target.join("wasm32-wasip2/release").join(format!("{name}.wasm"))
}

/// A runtime with default limits and no compile cache.
pub fn runtime() -> Runtime {
    runtime_with(Limits::default())
}

/// A runtime with these limits and no compile cache.
pub fn runtime_with(limits: Limits) -> Runtime {
    Runtime::new(RuntimeConfig { limits, cache_dir: None, parallel_compilation: true }).expect("runtime")
}

/// A hand-built component exporting an empty instance under each of
/// `exports`: enough for the runtime's world check, and it instantiates,
/// but no function is there to call.
pub fn component_exporting(exports: &[&str]) -> Vec<u8> {
    use wasm_encoder::{Component, ComponentExportKind, ComponentExportSection, ComponentInstanceSection};
    let mut c = Component::new();
    let mut instances = ComponentInstanceSection::new();
    for _ in exports {
        instances.export_items(Vec::<(&str, ComponentExportKind, u32)>::new());
    }
    c.section(&instances);
    let mut section = ComponentExportSection::new();
    for (i, name) in exports.iter().enumerate() {
        section.export(*name, ComponentExportKind::Instance, i as u32, None);
    }
    c.section(&section);
    c.finish()
}

/// Load a built component.
pub fn load(rt: &Runtime, name: &str) -> LoadedComponent {
    rt.load_file(&wasm(name)).unwrap_or_else(|e| panic!("loading {name}: {e}"))
}

/// The embedded default configuration with absolute data and plugin paths,
/// so a test (or a role process it starts) runs it from any directory.
pub fn default_config_text() -> String {
    let plugins = wasm("pairs").parent().unwrap().to_path_buf();
    hft_host::config::DEFAULT_CONFIG
        .replace("data/pair/", &format!("{}/data/pair/", root().display()))
        .replace("plugins_dir = \"target/wasm32-wasip2/release\"", &format!("plugins_dir = {plugins:?}"))
}

/// [`default_config_text`] plus `extra` TOML, written to `dir/run.toml`.
pub fn write_config(dir: &Path, extra: &str) -> PathBuf {
    let path = dir.join("run.toml");
    std::fs::write(&path, default_config_text() + extra).unwrap();
    path
}

/// [`write_config`] with nothing extra, loaded.
pub fn default_config(dir: &Path) -> hft_host::config::RunConfig {
    let path = write_config(dir, "");
    hft_host::config::load(Some(&path), Vec::<(String, String)>::new()).expect("config loads")
}

/// `cfg`'s `[strategy] params` as the `name=value` pairs `--params` takes.
pub fn strategy_params_text(cfg: &hft_host::config::RunConfig) -> Vec<(String, String)> {
    cfg.strategy
        .params
        .iter()
        .map(|(k, v)| (k.clone(), v.as_str().map_or_else(|| v.to_string(), str::to_string)))
        .collect()
}
