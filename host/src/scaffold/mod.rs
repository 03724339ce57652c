//! New plugin crates: what `hft-host plugin new` writes and how
//! `hft-host plugin build` builds it.
//!
//! A scaffolded crate is a standalone cargo package (a workspace of its
//! own) that builds a component of one of our worlds, with a small but
//! real example of its kind's logic, parameters with defaults and
//! validation, unit tests that run natively, and a README.
//!
//! How the crate finds the guest SDK: `hft-sdk` and `hft-models` are path
//! dependencies on an hft-host checkout ([`SdkCheckout`]), by absolute path,
//! so the crate builds wherever it is created. The checkout is the one
//! given (`--sdk`), or else the one this binary was built from
//! ([`default_sdk_dir`]). The crate carries a copy of that checkout's WIT
//! package in `hft-wit/`: `hft-sdk` generates the shared types from the
//! same files and the crate reuses them through wit-bindgen's `with`, so
//! both sides must be generated from identical WIT. The checkout's
//! `rust-toolchain.toml`, `Cargo.lock` and `rustfmt.toml` are copied too,
//! so the crate builds with the toolchain and dependency versions the
//! built-in plugins are built with, and formats like them.
//!
//! - [`PluginName`]: a name that is at once a crate, a library and a WIT
//!   package name.
//! - [`SdkCheckout`]: a checked hft-host checkout to depend on.
//! - [`render`] and [`write`]: the crate's files, then onto disk.
//! - [`build_component`]: `cargo component build` or plain cargo, and the
//!   `.wasm` it produced.

mod build;
mod name;
mod render;
mod sdk;

pub use build::{BuildError, Builder, build_component, cargo_component_available};
pub use name::PluginName;
pub use render::{ScaffoldFile, render, write};
pub use sdk::{SdkCheckout, default_sdk_dir};

use crate::runtime::ComponentKind;
use std::path::PathBuf;

/// Why a crate could not be scaffolded. Each case names the input or the
/// file at fault.
#[derive(Debug, thiserror::Error)]
pub enum ScaffoldError {
    /// The plugin name cannot be a crate, library and WIT package name.
    #[error("invalid plugin name {name:?}: {why}")]
    InvalidName {
        /// The name given.
        name: String,
        /// What is wrong with it.
        why: String,
    },
    /// Not one of the kinds a plugin can be.
    #[error("unknown plugin kind {0:?}; the kinds are strategy, hedge-ratio, volatility, changepoint")]
    UnknownKind(String),
    /// The SDK path is not a usable hft-host checkout.
    #[error("{path} is not a usable hft-sdk: {why}")]
    Sdk {
        /// The path given or found.
        path: PathBuf,
        /// What is missing or wrong there.
        why: String,
    },
    /// The destination already holds files.
    #[error("{0} already exists and is not empty; choose another directory")]
    DestinationNotEmpty(PathBuf),
    /// Reading or writing a file failed.
    #[error("{path}: {source}")]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// The operating system's error.
        source: std::io::Error,
    },
    /// A template refers to a value the renderer does not have: a bug in
    /// hft-host, not in the input.
    #[error("template {template} has no value for {{{{{key}}}}}")]
    Template {
        /// The template's file name.
        template: &'static str,
        /// The placeholder without a value.
        key: String,
    },
}

impl ScaffoldError {
    fn io(path: impl Into<PathBuf>) -> impl FnOnce(std::io::Error) -> ScaffoldError {
        let path = path.into();
        move |source| ScaffoldError::Io { path, source }
    }
}

/// The kind named as `plugin new --kind` takes it: the name of the
/// interface the component exports (`strategy`, `hedge-ratio`,
/// `volatility`, `changepoint`). Usable as a clap value parser.
pub fn parse_kind(name: &str) -> Result<ComponentKind, ScaffoldError> {
    ComponentKind::ALL
        .into_iter()
        .find(|k| k.interface() == name)
        .ok_or_else(|| ScaffoldError::UnknownKind(name.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::runtime::ModelKind;

    #[test]
    fn kinds_parse_by_their_interface_name() {
        assert_eq!(parse_kind("strategy").unwrap(), ComponentKind::Strategy);
        assert_eq!(parse_kind("hedge-ratio").unwrap(), ComponentKind::Model(ModelKind::HedgeRatio));
        assert_eq!(parse_kind("volatility").unwrap(), ComponentKind::Model(ModelKind::Volatility));
        assert_eq!(parse_kind("changepoint").unwrap(), ComponentKind::Model(ModelKind::Changepoint));
        let e = parse_kind("garch").unwrap_err().to_string();
        assert!(e.contains("\"garch\"") && e.contains("hedge-ratio"), "{e}");
    }
}
