//! Building a plugin crate into a component, and finding the `.wasm` it
//! produced.
//!
//! The path comes from cargo's own JSON messages (`compiler-artifact` of
//! the crate's `cdylib`), not from a guess at the target directory, so a
//! `CARGO_TARGET_DIR`, a `build.target-dir` in a cargo config or
//! cargo-component's choice of target triple all end up in the right file.

use std::ffi::OsString;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};

/// How a crate is built.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Builder {
    /// `cargo component build --release`: what authors of components
    /// usually have; makes the component from a `wasm32-wasip1` module and
    /// reads `[package.metadata.component]`.
    CargoComponent,
    /// `cargo build --release --target wasm32-wasip2`: needs only the Rust
    /// target, which makes a component directly.
    Plain,
}

impl Builder {
    /// The cargo arguments, without the message format.
    fn args(self) -> &'static [&'static str] {
        match self {
            Builder::CargoComponent => &["component", "build", "--release"],
            Builder::Plain => &["build", "--release", "--target", "wasm32-wasip2"],
        }
    }
}

impl std::fmt::Display for Builder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "cargo {}", self.args().join(" "))
    }
}

/// Why a build gave no component.
#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    /// The directory holds no cargo package.
    #[error("{0} has no Cargo.toml; give the directory of a plugin crate")]
    NotACrate(PathBuf),
    /// cargo (or cargo-component) could not be started.
    #[error("cannot run `{command}`: {source}")]
    Spawn {
        /// The command line.
        command: String,
        /// The operating system's error.
        source: std::io::Error,
    },
    /// The build failed; cargo has printed why on standard error.
    #[error("`{command}` failed ({status}); the compiler's messages are above")]
    Failed {
        /// The command line.
        command: String,
        /// How it ended.
        status: ExitStatus,
    },
    /// The build succeeded but made no `.wasm` for the crate.
    #[error("`{command}` built no .wasm for {manifest}; a plugin crate needs crate-type \"cdylib\" in [lib]")]
    NoComponent {
        /// The command line.
        command: String,
        /// The crate's manifest.
        manifest: PathBuf,
    },
}

/// The cargo to run: the one running us when there is one (tests, `cargo
/// run`), so the same toolchain builds the plugin, else `cargo` from PATH.
fn cargo() -> OsString {
    std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into())
}

/// Whether `cargo component` runs here.
pub fn cargo_component_available() -> bool {
    Command::new(cargo())
        .args(["component", "--version"])
        .stdin(Stdio::null())
        .output()
        .is_ok_and(|o| o.status.success())
}

/// Build the crate in `dir` with `builder` and return the `.wasm` it made.
/// cargo's progress and errors go to standard error as usual; with
/// `target_dir`, the build goes there instead of where cargo would put it.
pub fn build_component(dir: &Path, builder: Builder, target_dir: Option<&Path>) -> Result<PathBuf, BuildError> {
    let manifest = dir.join("Cargo.toml");
    let manifest = std::fs::canonicalize(&manifest).map_err(|_| BuildError::NotACrate(dir.to_path_buf()))?;
    let command = builder.to_string();
    let mut cmd = Command::new(cargo());
    cmd.args(builder.args())
        .args(["--message-format", "json-render-diagnostics"])
        .current_dir(manifest.parent().unwrap_or(dir))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit());
    if let Some(t) = target_dir {
        cmd.env("CARGO_TARGET_DIR", t);
    }
    let mut child = cmd.spawn().map_err(|source| BuildError::Spawn { command: command.clone(), source })?;
    let mut wasm = None;
    if let Some(stdout) = child.stdout.take() {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if let Some(path) = component_artifact(&line, &manifest) {
                wasm = Some(path);
            }
        }
    }
    let status = child.wait().map_err(|source| BuildError::Spawn { command: command.clone(), source })?;
    if !status.success() {
        return Err(BuildError::Failed { command, status });
    }
    wasm.ok_or(BuildError::NoComponent { command, manifest })
}

/// The `.wasm` of a `compiler-artifact` message about the `cdylib` of the
/// crate at `manifest`; `None` for any other line.
fn component_artifact(line: &str, manifest: &Path) -> Option<PathBuf> {
    let msg: serde_json::Value = serde_json::from_str(line).ok()?;
    if msg.get("reason")?.as_str()? != "compiler-artifact" {
        return None;
    }
    let of_crate = std::fs::canonicalize(msg.get("manifest_path")?.as_str()?).ok()? == manifest;
    let cdylib = msg.get("target")?.get("kind")?.as_array()?.iter().any(|k| k.as_str() == Some("cdylib"));
    if !(of_crate && cdylib) {
        return None;
    }
    let files = msg.get("filenames")?.as_array()?;
    files.iter().filter_map(|f| f.as_str()).find(|f| f.ends_with(".wasm")).map(PathBuf::from)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_crates_cdylib_is_its_component() {
        let dir = tempfile::tempdir().unwrap();
        let manifest = dir.path().join("Cargo.toml");
        std::fs::write(&manifest, "").unwrap();
        let manifest = std::fs::canonicalize(manifest).unwrap();
        let msg = |path: &Path, kind: &str, file: &str| {
            serde_json::json!({
                "reason": "compiler-artifact",
                "manifest_path": path,
                "target": { "kind": [kind] },
                "filenames": [format!("/t/{file}.rlib"), format!("/t/{file}.wasm")],
            })
            .to_string()
        };
        assert_eq!(component_artifact(&msg(&manifest, "cdylib", "mine"), &manifest), Some("/t/mine.wasm".into()));
        assert_eq!(component_artifact(&msg(&manifest, "lib", "mine"), &manifest), None);
        assert_eq!(component_artifact(&msg(Path::new("/elsewhere/Cargo.toml"), "cdylib", "dep"), &manifest), None);
        assert_eq!(component_artifact("   Compiling mine v0.1.0", &manifest), None);
        let other = serde_json::json!({ "reason": "build-finished", "success": true }).to_string();
        assert_eq!(component_artifact(&other, &manifest), None);
    }

    #[test]
    fn a_directory_without_a_manifest_is_not_a_crate() {
        let dir = tempfile::tempdir().unwrap();
        let e = build_component(dir.path(), Builder::Plain, None).unwrap_err();
        assert!(matches!(e, BuildError::NotACrate(_)), "{e}");
    }
}
