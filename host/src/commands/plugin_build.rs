//! `hft-host plugin build`: build a plugin crate into a component.

use crate::scaffold::{Builder, build_component, cargo_component_available};
use std::path::PathBuf;

/// Arguments of `plugin build`.
#[derive(Debug, Clone)]
pub struct PluginBuild {
    /// The crate's directory.
    pub dir: PathBuf,
    /// Build with plain `cargo build --release --target wasm32-wasip2`
    /// even when cargo-component is installed.
    pub plain: bool,
    /// Build into this target directory instead of cargo's choice (what
    /// `CARGO_TARGET_DIR` does).
    pub target_dir: Option<PathBuf>,
}

/// Build the crate and return the path of its `.wasm`.
///
/// `cargo component build --release` when cargo-component is installed,
/// the documented author path; otherwise, or with `plain`, plain cargo for
/// `wasm32-wasip2`, which needs nothing but the Rust target and makes a
/// component the host loads just the same.
pub fn plugin_build(args: &PluginBuild) -> anyhow::Result<PathBuf> {
    let builder = if args.plain {
        Builder::Plain
    } else if cargo_component_available() {
        Builder::CargoComponent
    } else {
        tracing::warn!("cargo-component is not installed; building with `{}` instead", Builder::Plain);
        Builder::Plain
    };
    tracing::info!("building {} with `{builder}`", args.dir.display());
    Ok(build_component(&args.dir, builder, args.target_dir.as_deref())?)
}
