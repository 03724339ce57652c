//! The hft-host checkout a scaffolded crate depends on: where `hft-sdk`,
//! `hft-models` and the WIT package are, and which versions to pin.

use super::ScaffoldError;
use crate::runtime::{WIT_PACKAGE, WIT_VERSION};
use std::path::{Path, PathBuf};

/// A checked hft-host checkout: the `hft-sdk` crate, the `hft-models` crate
/// of the same workspace, its WIT package, and the versions its workspace
/// pins. Everything a scaffolded crate copies or points at is read here
/// once, so rendering cannot fail half-way on a missing file.
#[derive(Debug, Clone)]
pub struct SdkCheckout {
    root: PathBuf,
    sdk: PathBuf,
    models: PathBuf,
    wit_files: Vec<(String, String)>,
    wit_version: String,
    wit_bindgen: String,
    toolchain: Option<String>,
    rustfmt: Option<String>,
    lock: Option<String>,
}

/// The `sdk/` of the checkout this binary was built from. A binary built
/// from source on the machine that runs it (the usual way to get hft-host
/// today) finds its own repository here; an installed or copied binary
/// needs `--sdk`.
pub fn default_sdk_dir() -> PathBuf {
    let host = Path::new(env!("CARGO_MANIFEST_DIR"));
    host.parent().unwrap_or(host).join("sdk")
}

/// The `[package] name` of the manifest at `path`, if it is one.
fn package_name(path: &Path) -> Option<String> {
    let table: toml::Table = std::fs::read_to_string(path).ok()?.parse().ok()?;
    Some(table.get("package")?.get("name")?.as_str()?.to_string())
}

impl SdkCheckout {
    /// Check `path`: either the `hft-sdk` crate (`<checkout>/sdk`) or the
    /// checkout itself. The error says what is missing.
    pub fn locate(path: &Path) -> Result<SdkCheckout, ScaffoldError> {
        let fail = |why: String| ScaffoldError::Sdk { path: path.to_path_buf(), why };
        let given = std::fs::canonicalize(path).map_err(|e| fail(format!("cannot open it ({e})")))?;
        let is_sdk = |dir: &Path| package_name(&dir.join("Cargo.toml")).as_deref() == Some("hft-sdk");
        let (root, sdk) = if is_sdk(&given) {
            let root = given.parent().ok_or_else(|| fail("the sdk has no parent directory".into()))?.to_path_buf();
            (root, given)
        } else if is_sdk(&given.join("sdk")) {
            (given.clone(), given.join("sdk"))
        } else {
            return Err(fail(
                "neither it nor its sdk/ holds the hft-sdk crate (a Cargo.toml with name = \"hft-sdk\"); \
                 give the sdk/ directory of an hft-host checkout"
                    .into(),
            ));
        };

        let manifest = root.join("Cargo.toml");
        let workspace: toml::Table = std::fs::read_to_string(&manifest)
            .map_err(|e| fail(format!("cannot read the workspace manifest {} ({e})", manifest.display())))?
            .parse()
            .map_err(|e| fail(format!("{} is not valid TOML ({e})", manifest.display())))?;
        let deps = workspace.get("workspace").and_then(|w| w.get("dependencies"));
        let dep = |name: &str| {
            deps.and_then(|d| d.get(name))
                .ok_or_else(|| fail(format!("{} has no {name} in [workspace.dependencies]", manifest.display())))
        };
        let models_rel = dep("hft-models")?
            .get("path")
            .and_then(|p| p.as_str())
            .ok_or_else(|| fail(format!("hft-models in {} is not a path dependency", manifest.display())))?;
        let models = root.join(models_rel);
        if package_name(&models.join("Cargo.toml")).as_deref() != Some("hft-models") {
            return Err(fail(format!("{} does not hold the hft-models crate", models.display())));
        }
        let wit_bindgen = match dep("wit-bindgen")? {
            toml::Value::String(v) => v.clone(),
            other => other
                .get("version")
                .and_then(|v| v.as_str())
                .map(str::to_string)
                .ok_or_else(|| fail(format!("wit-bindgen in {} has no version to match", manifest.display())))?,
        };

        let (wit_files, wit_version) = read_wit(&root.join("wit")).map_err(fail)?;
        if wit_version != WIT_VERSION {
            tracing::warn!(
                "the WIT in {} is {WIT_PACKAGE}@{wit_version} but this hft-host runs {WIT_PACKAGE}@{WIT_VERSION}; \
                 a component built from it may be refused",
                root.display()
            );
        }
        let optional = |name: &str| std::fs::read_to_string(root.join(name)).ok();
        Ok(SdkCheckout {
            toolchain: optional("rust-toolchain.toml"),
            rustfmt: optional("rustfmt.toml"),
            lock: optional("Cargo.lock"),
            root,
            sdk,
            models,
            wit_files,
            wit_version,
            wit_bindgen,
        })
    }

    /// The checkout's root directory.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The `hft-sdk` crate's directory (absolute).
    pub fn sdk_dir(&self) -> &Path {
        &self.sdk
    }

    /// The `hft-models` crate's directory (absolute).
    pub fn models_dir(&self) -> &Path {
        &self.models
    }

    /// The WIT files, `(file name, text)`, sorted by name.
    pub fn wit_files(&self) -> &[(String, String)] {
        &self.wit_files
    }

    /// The version of the checkout's `hft:strategy` WIT package.
    pub fn wit_version(&self) -> &str {
        &self.wit_version
    }

    /// The wit-bindgen version requirement of the checkout's workspace,
    /// which the scaffolded crate must share to reuse `hft-sdk`'s types.
    pub fn wit_bindgen_requirement(&self) -> &str {
        &self.wit_bindgen
    }

    /// The checkout's `rust-toolchain.toml`, if it has one.
    pub fn toolchain(&self) -> Option<&str> {
        self.toolchain.as_deref()
    }

    /// The checkout's `rustfmt.toml`, if it has one: the templates are
    /// formatted with it, so `cargo fmt` leaves a new crate as it is.
    pub fn rustfmt(&self) -> Option<&str> {
        self.rustfmt.as_deref()
    }

    /// The checkout's `Cargo.lock`, if it has one.
    pub fn lock(&self) -> Option<&str> {
        self.lock.as_deref()
    }
}

/// The `*.wit` files of `dir` and the version of the `hft:strategy`
/// package they declare (every file must declare the same one).
fn read_wit(dir: &Path) -> Result<(Vec<(String, String)>, String), String> {
    let entries =
        std::fs::read_dir(dir).map_err(|e| format!("cannot read the WIT directory {} ({e})", dir.display()))?;
    let mut files = Vec::new();
    for entry in entries {
        let path = entry.map_err(|e| format!("cannot read {} ({e})", dir.display()))?.path();
        let Some(name) = path.file_name().and_then(|n| n.to_str()).filter(|n| n.ends_with(".wit")) else { continue };
        let text = std::fs::read_to_string(&path).map_err(|e| format!("cannot read {} ({e})", path.display()))?;
        files.push((name.to_string(), text));
    }
    files.sort();
    let mut version: Option<String> = None;
    for (name, text) in &files {
        let declared = text
            .lines()
            .find_map(|l| l.trim().strip_prefix("package ")?.trim().strip_suffix(';')?.strip_prefix(WIT_PACKAGE))
            .and_then(|rest| rest.strip_prefix('@'))
            .ok_or_else(|| format!("{name} in {} does not declare package {WIT_PACKAGE}@<version>", dir.display()))?;
        match &version {
            Some(v) if v != declared => {
                return Err(format!("{name} declares {WIT_PACKAGE}@{declared}, another file {WIT_PACKAGE}@{v}"));
            }
            _ => version = Some(declared.to_string()),
        }
    }
    let version = version.ok_or_else(|| format!("{} has no .wit files", dir.display()))?;
    Ok((files, version))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn this_repository_is_a_checkout_from_its_sdk_or_its_root() {
        let from_sdk = SdkCheckout::locate(&default_sdk_dir()).unwrap();
        let from_root = SdkCheckout::locate(from_sdk.root()).unwrap();
        assert_eq!(from_sdk.sdk_dir(), from_root.sdk_dir());
        assert!(from_sdk.sdk_dir().is_absolute() && from_sdk.models_dir().ends_with("models"));
        assert_eq!(from_sdk.wit_version(), WIT_VERSION);
        assert!(from_sdk.wit_files().iter().any(|(n, _)| n == "worlds.wit"), "{:?}", from_sdk.wit_files());
        assert!(!from_sdk.wit_bindgen_requirement().is_empty());
    }

    #[test]
    fn a_directory_without_the_sdk_is_refused_with_the_reason() {
        let dir = tempfile::tempdir().unwrap();
        let e = SdkCheckout::locate(dir.path()).unwrap_err().to_string();
        assert!(e.contains("hft-sdk") && e.contains(&dir.path().display().to_string()), "{e}");
        let e = SdkCheckout::locate(&dir.path().join("missing")).unwrap_err().to_string();
        assert!(e.contains("cannot open"), "{e}");
    }

    #[test]
    fn the_wit_must_declare_one_version_of_our_package() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a.wit"), "package hft:strategy@0.1.0;\n").unwrap();
        assert_eq!(read_wit(dir.path()).unwrap().1, "0.1.0");
        std::fs::write(dir.path().join("b.wit"), "package hft:strategy@0.2.0;\n").unwrap();
        assert!(read_wit(dir.path()).unwrap_err().contains("0.2.0"));
        std::fs::write(dir.path().join("b.wit"), "package other:thing@0.1.0;\n").unwrap();
        assert!(read_wit(dir.path()).unwrap_err().contains("does not declare"));
    }
}
