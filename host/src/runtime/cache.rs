//! On-disk cache of precompiled components.
//!
//! Compiling a component takes milliseconds; deserialising a precompiled one
//! takes tens of microseconds. Entries are keyed by the component's sha256
//! and by the engine's compatibility hash (compiler settings such as epoch
//! interruption change the machine code), so a changed engine never loads a
//! stale artefact. Loading precompiled code is `unsafe` in wasmtime because
//! the bytes are trusted as machine code: each entry carries the sha256 of
//! its own bytes, checked before loading, so a truncated or tampered file is
//! recompiled instead of executed.

use sha2::{Digest, Sha256};
use std::hash::{DefaultHasher, Hash, Hasher};
use std::path::{Path, PathBuf};
use wasmtime::Engine;
use wasmtime::component::Component;

/// A directory of `<sha256>-<engine>.cwasm` files with `.sha256` sidecars.
pub(crate) struct CompileCache {
    dir: PathBuf,
    engine_key: String,
}

impl CompileCache {
    /// The directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// A cache in `dir` (created if missing) for components of `engine`.
    pub(crate) fn open(dir: &Path, engine: &Engine) -> std::io::Result<Self> {
        std::fs::create_dir_all(dir)?;
        let mut h = DefaultHasher::new();
        engine.precompile_compatibility_hash().hash(&mut h);
        Ok(CompileCache { dir: dir.to_path_buf(), engine_key: format!("{:016x}", h.finish()) })
    }

    fn paths(&self, sha256: &str) -> (PathBuf, PathBuf) {
        let stem = format!("{sha256}-{}", self.engine_key);
        (self.dir.join(format!("{stem}.cwasm")), self.dir.join(format!("{stem}.sha256")))
    }

    /// The cached component for `sha256`, if present and intact.
    pub(crate) fn get(&self, engine: &Engine, sha256: &str) -> Option<Component> {
        let (artefact, sidecar) = self.paths(sha256);
        let bytes = std::fs::read(&artefact).ok()?;
        let expected = std::fs::read_to_string(&sidecar).ok()?;
        if hex::encode(Sha256::digest(&bytes)) != expected.trim() {
            tracing::warn!(path = %artefact.display(), "precompiled component failed its checksum; recompiling");
            return None;
        }
        // SAFETY: the bytes were produced by `Engine::precompile_component` of
        // an engine with the same compatibility hash (it is in the file name),
        // and their checksum matches what we recorded when writing them.
        match unsafe { Component::deserialize(engine, &bytes) } {
            Ok(c) => Some(c),
            Err(e) => {
                tracing::warn!(path = %artefact.display(), error = %e, "cannot load precompiled component; recompiling");
                None
            }
        }
    }

    /// Store `component` for `sha256`. Failures are logged, not returned: a
    /// cache that cannot be written only costs a recompile next time.
    pub(crate) fn put(&self, sha256: &str, component: &Component) {
        let (artefact, sidecar) = self.paths(sha256);
        let result = (|| -> std::io::Result<()> {
            let bytes = component.serialize().map_err(std::io::Error::other)?;
            let tmp = artefact.with_extension(format!("tmp{}", std::process::id()));
            std::fs::write(&tmp, &bytes)?;
            std::fs::write(&sidecar, hex::encode(Sha256::digest(&bytes)))?;
            std::fs::rename(&tmp, &artefact)
        })();
        if let Err(e) = result {
            tracing::warn!(dir = %self.dir.display(), error = %e, "cannot write the compile cache");
        }
    }
}
