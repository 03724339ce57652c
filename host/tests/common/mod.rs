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

/// Load a built component.
pub fn load(rt: &Runtime, name: &str) -> LoadedComponent {
    rt.load_file(&wasm(name)).unwrap_or_else(|e| panic!("loading {name}: {e}"))
}
