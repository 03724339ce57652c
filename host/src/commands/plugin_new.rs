//! `hft-host plugin new`: scaffold a standalone plugin crate.

use crate::runtime::ComponentKind;
use crate::scaffold::{PluginName, SdkCheckout, default_sdk_dir, render, write};
use anyhow::Context;
use std::path::PathBuf;

/// Arguments of `plugin new`.
#[derive(Debug, Clone)]
pub struct PluginNew {
    /// The plugin's name: the crate's, the library's and what `describe`
    /// reports (lowercase kebab-case).
    pub name: String,
    /// What it is (`crate::scaffold::parse_kind` reads `--kind`).
    pub kind: ComponentKind,
    /// Where to create the crate; `./<name>` when not given. It must not
    /// exist or be empty.
    pub dir: Option<PathBuf>,
    /// The `hft-sdk` crate (or the hft-host checkout holding it) to depend
    /// on; the checkout this binary was built from when not given.
    pub sdk: Option<PathBuf>,
}

/// Write the crate and return its directory (absolute).
pub fn plugin_new(args: &PluginNew) -> anyhow::Result<PathBuf> {
    let name = PluginName::new(&args.name)?;
    let sdk = match &args.sdk {
        Some(path) => SdkCheckout::locate(path)?,
        None => SdkCheckout::locate(&default_sdk_dir()).context(
            "no --sdk was given, and the hft-host checkout this binary was built from is not usable; \
             give --sdk <hft-host checkout>/sdk",
        )?,
    };
    let files = render(&name, args.kind, &sdk)?;
    let dest = args.dir.clone().unwrap_or_else(|| PathBuf::from(name.as_str()));
    write(&dest, &files)?;
    let dest = std::fs::canonicalize(&dest).with_context(|| format!("cannot resolve {}", dest.display()))?;
    tracing::info!(
        "created {} ({}, {} files) using hft-sdk at {}",
        dest.display(),
        args.kind,
        files.len(),
        sdk.sdk_dir().display()
    );
    Ok(dest)
}
