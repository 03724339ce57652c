//! The files of a scaffolded crate: templates filled in, then written.
//!
//! Templates are plain files under `templates/`, embedded at compile time,
//! with `{{key}}` placeholders. The Rust sources use `env!` for the crate's
//! name and version, so they need no placeholder but the WIT version.

use super::{PluginName, ScaffoldError, SdkCheckout};
use crate::runtime::{ComponentKind, ModelKind};
use std::path::{Path, PathBuf};

/// One file of a scaffolded crate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScaffoldFile {
    /// Path relative to the crate's directory.
    pub path: PathBuf,
    /// The file's text.
    pub contents: String,
}

const CARGO_TOML: &str = include_str!("templates/cargo_toml.tmpl");
const GITIGNORE: &str = include_str!("templates/gitignore.tmpl");
const README: &str = include_str!("templates/readme.md.tmpl");

/// One kind's templates: the component adapter, the logic, and the
/// README's section about what the logic does.
struct KindTemplates {
    lib: &'static str,
    logic: &'static str,
    readme: &'static str,
    /// One line for the crate's `description`.
    description: &'static str,
    /// The world it targets: the kind's, or one that includes it with
    /// optional exports (the strategy's `warm-up`).
    world: &'static str,
}

fn templates(kind: ComponentKind) -> KindTemplates {
    match kind {
        ComponentKind::Strategy => KindTemplates {
            lib: include_str!("templates/strategy/lib.rs.tmpl"),
            logic: include_str!("templates/strategy/logic.rs.tmpl"),
            readme: include_str!("templates/strategy/readme.md.tmpl"),
            description: "A z-score mean-reversion pairs strategy as a WebAssembly component for hft-host.",
            world: "trading-strategy-with-warm-up",
        },
        ComponentKind::Model(ModelKind::HedgeRatio) => KindTemplates {
            lib: include_str!("templates/hedge_ratio/lib.rs.tmpl"),
            logic: include_str!("templates/hedge_ratio/logic.rs.tmpl"),
            readme: include_str!("templates/hedge_ratio/readme.md.tmpl"),
            description: "A rolling OLS hedge-ratio model as a WebAssembly component for hft-host.",
            world: "hedge-ratio-model",
        },
        ComponentKind::Model(ModelKind::Volatility) => KindTemplates {
            lib: include_str!("templates/volatility/lib.rs.tmpl"),
            logic: include_str!("templates/volatility/logic.rs.tmpl"),
            readme: include_str!("templates/volatility/readme.md.tmpl"),
            description: "An EWMA volatility model as a WebAssembly component for hft-host.",
            world: "volatility-model",
        },
        ComponentKind::Model(ModelKind::Changepoint) => KindTemplates {
            lib: include_str!("templates/changepoint/lib.rs.tmpl"),
            logic: include_str!("templates/changepoint/logic.rs.tmpl"),
            readme: include_str!("templates/changepoint/readme.md.tmpl"),
            description: "A CUSUM changepoint model as a WebAssembly component for hft-host.",
            world: "changepoint-model",
        },
    }
}

/// `path` as a TOML basic string, quotes included.
fn toml_string(path: &Path) -> String {
    toml::Value::String(path.display().to_string()).to_string()
}

/// Replace every `{{key}}` of `template` by its value; a placeholder
/// without a value is an error rather than text left in a file.
fn fill(name: &'static str, template: &str, values: &[(&str, String)]) -> Result<String, ScaffoldError> {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let end = after.find("}}").ok_or_else(|| ScaffoldError::Template { template: name, key: after.to_string() })?;
        let key = &after[..end];
        let value = values
            .iter()
            .find(|(k, _)| *k == key)
            .ok_or_else(|| ScaffoldError::Template { template: name, key: key.to_string() })?;
        out.push_str(&value.1);
        rest = &after[end + 2..];
    }
    out.push_str(rest);
    Ok(out)
}

/// Every file of a `kind` crate called `name` that depends on `sdk`: the
/// manifest, README, `.gitignore`, `src/lib.rs` and `src/logic.rs` from the
/// templates; `hft-wit/` copied from the checkout, and its
/// `rust-toolchain.toml`, `rustfmt.toml` and `Cargo.lock` if it has them.
pub fn render(name: &PluginName, kind: ComponentKind, sdk: &SdkCheckout) -> Result<Vec<ScaffoldFile>, ScaffoldError> {
    let t = templates(kind);
    let values = [
        ("name", name.as_str().to_string()),
        ("lib_name", name.lib_name()),
        ("component_package", name.component_package()),
        ("kind", kind.interface().to_string()),
        ("world", t.world.to_string()),
        ("description", t.description.to_string()),
        ("wit_version", sdk.wit_version().to_string()),
        ("wit_bindgen", toml::Value::String(sdk.wit_bindgen_requirement().to_string()).to_string()),
        ("sdk_path", toml_string(sdk.sdk_dir())),
        ("models_path", toml_string(sdk.models_dir())),
        ("sdk_dir", sdk.sdk_dir().display().to_string()),
        ("models_dir", sdk.models_dir().display().to_string()),
    ];
    // The kind's section goes into the README first, so its placeholders
    // are filled with the README's.
    let readme = README.replace("{{kind_readme}}", t.readme.trim_end());
    let file = |path: &str, contents: String| ScaffoldFile { path: PathBuf::from(path), contents };
    let mut files = vec![
        file("Cargo.toml", fill("cargo_toml.tmpl", CARGO_TOML, &values)?),
        file("README.md", fill("readme.md.tmpl", &readme, &values)?),
        file(".gitignore", fill("gitignore.tmpl", GITIGNORE, &values)?),
        file("src/lib.rs", fill("lib.rs.tmpl", t.lib, &values)?),
        file("src/logic.rs", fill("logic.rs.tmpl", t.logic, &values)?),
    ];
    for (wit_name, text) in sdk.wit_files() {
        files.push(ScaffoldFile { path: Path::new("hft-wit").join(wit_name), contents: text.clone() });
    }
    if let Some(toolchain) = sdk.toolchain() {
        files.push(file("rust-toolchain.toml", toolchain.to_string()));
    }
    if let Some(rustfmt) = sdk.rustfmt() {
        files.push(file("rustfmt.toml", rustfmt.to_string()));
    }
    if let Some(lock) = sdk.lock() {
        files.push(file("Cargo.lock", lock.to_string()));
    }
    Ok(files)
}

/// Write `files` under `dest`, creating it. `dest` must not exist or be an
/// empty directory: scaffolding never overwrites anyone's work.
pub fn write(dest: &Path, files: &[ScaffoldFile]) -> Result<(), ScaffoldError> {
    match std::fs::read_dir(dest) {
        Ok(mut entries) => {
            if entries.next().is_some() {
                return Err(ScaffoldError::DestinationNotEmpty(dest.to_path_buf()));
            }
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(ScaffoldError::Io { path: dest.to_path_buf(), source: e }),
    }
    for f in files {
        let path = dest.join(&f.path);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(ScaffoldError::io(parent))?;
        }
        std::fs::write(&path, &f.contents).map_err(ScaffoldError::io(&path))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scaffold::default_sdk_dir;

    fn checkout() -> SdkCheckout {
        SdkCheckout::locate(&default_sdk_dir()).unwrap()
    }

    #[test]
    fn every_kind_renders_without_a_placeholder_left() {
        let sdk = checkout();
        let name = PluginName::new("my-plugin").unwrap();
        for kind in ComponentKind::ALL {
            let files = render(&name, kind, &sdk).unwrap();
            for f in &files {
                assert!(!f.contents.contains("{{"), "{kind}: {} keeps a placeholder", f.path.display());
            }
            let get = |p: &str| &files.iter().find(|f| f.path == Path::new(p)).unwrap().contents;
            let manifest: toml::Table = get("Cargo.toml").parse().expect("the manifest is TOML");
            assert_eq!(manifest["package"]["name"].as_str(), Some("my-plugin"));
            assert!(manifest["workspace"].as_table().is_some_and(|w| w.is_empty()), "a workspace of its own");
            let sdk_path = manifest["dependencies"]["hft-sdk"]["path"].as_str().unwrap();
            assert_eq!(Path::new(sdk_path), sdk.sdk_dir());
            let world = templates(kind).world;
            assert!(world.starts_with(kind.world()), "{kind}: {world}");
            assert!(get("src/lib.rs").contains(&format!("world: \"{world}\"")), "{kind}");
            assert!(get("README.md").contains(&format!("`{world}`")), "{kind}");
            assert!(files.iter().any(|f| f.path == Path::new("hft-wit/worlds.wit")));
        }
    }

    #[test]
    fn fill_refuses_an_unknown_placeholder() {
        let e = fill("t", "a {{nope}} b", &[("name", "x".into())]).unwrap_err().to_string();
        assert!(e.contains("{{nope}}"), "{e}");
        assert_eq!(fill("t", "a {{name}} b", &[("name", "x".into())]).unwrap(), "a x b");
    }

    #[test]
    fn write_refuses_a_directory_with_files_in_it() {
        let dir = tempfile::tempdir().unwrap();
        let files = [ScaffoldFile { path: "src/a.rs".into(), contents: "x".into() }];
        write(dir.path(), &files).expect("an empty directory is fine");
        assert_eq!(std::fs::read_to_string(dir.path().join("src/a.rs")).unwrap(), "x");
        let e = write(dir.path(), &files).unwrap_err();
        assert!(matches!(e, ScaffoldError::DestinationNotEmpty(_)), "{e}");
    }
}
