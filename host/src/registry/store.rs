//! The store: one directory, two files per component.
//!
//! ```text
//! <dir>/<sha256>.wasm   the component's bytes, exactly as uploaded
//! <dir>/<sha256>.json   its PluginRecord (pretty JSON)
//! ```
//!
//! Every file is written to a temporary name (`.<name>.tmp-<pid>-<n>`),
//! flushed to disk, renamed into place and the directory flushed, so a
//! crash leaves either the old state or the new one, never a torn file.
//! The bytes go first and the record second: a record on disk always has
//! its bytes; a crash in between leaves an orphan `.wasm`, which the next
//! scan reports. Removal deletes the record first, for the same reason.
//!
//! The index (sha → record) lives in memory and is rebuilt by a scan of
//! the directory at open. Files that are not part of a valid record are
//! reported as [`StoreProblem`]s and otherwise ignored: a stray file must
//! not stop a trading host from starting. A lookup by a full sha that the
//! index lacks reads the directory again, so a process that only loads
//! (a strategy role) sees what another process (the orchestrator) stored.

use super::RegistryError;
use super::record::{PluginRecord, RECORD_FORMAT};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, PoisonError, RwLock};

/// A file in the store's directory that is not part of a valid record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoreProblem {
    /// The file.
    pub path: PathBuf,
    /// What is wrong with it.
    pub problem: String,
}

impl std::fmt::Display for StoreProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.path.display(), self.problem)
    }
}

/// The directory, its index and what the last scan found wrong.
#[derive(Debug)]
pub(crate) struct Store {
    dir: PathBuf,
    index: RwLock<BTreeMap<String, PluginRecord>>,
    problems: Mutex<Vec<StoreProblem>>,
    tmp_counter: AtomicU64,
}

/// Shortest id prefix accepted: 8 hex digits (32 bits).
pub(crate) const MIN_PREFIX: usize = 8;

fn io_error(context: String) -> impl FnOnce(io::Error) -> RegistryError {
    move |source| RegistryError::Io { context, source }
}

fn is_sha(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

impl Store {
    /// Create `dir` if needed and index it.
    pub(crate) fn open(dir: &Path) -> Result<Store, RegistryError> {
        fs::create_dir_all(dir).map_err(io_error(format!("cannot create the registry directory {}", dir.display())))?;
        let store = Store {
            dir: dir.to_path_buf(),
            index: RwLock::new(BTreeMap::new()),
            problems: Mutex::new(Vec::new()),
            tmp_counter: AtomicU64::new(0),
        };
        store.rescan()?;
        Ok(store)
    }

    /// The directory.
    pub(crate) fn dir(&self) -> &Path {
        &self.dir
    }

    fn wasm_path(&self, sha: &str) -> PathBuf {
        self.dir.join(format!("{sha}.wasm"))
    }

    fn record_path(&self, sha: &str) -> PathBuf {
        self.dir.join(format!("{sha}.json"))
    }

    /// Rebuild the index from the directory; returns (and keeps) what is wrong.
    pub(crate) fn rescan(&self) -> Result<Vec<StoreProblem>, RegistryError> {
        let mut index = self.index.write().unwrap_or_else(PoisonError::into_inner);
        let (found, problems) = self.scan()?;
        *index = found;
        for p in &problems {
            tracing::warn!(path = %p.path.display(), problem = %p.problem, "registry: ignoring a file");
        }
        *self.problems.lock().unwrap_or_else(PoisonError::into_inner) = problems.clone();
        Ok(problems)
    }

    /// What the last scan found wrong.
    pub(crate) fn problems(&self) -> Vec<StoreProblem> {
        self.problems.lock().unwrap_or_else(PoisonError::into_inner).clone()
    }

    fn scan(&self) -> Result<(BTreeMap<String, PluginRecord>, Vec<StoreProblem>), RegistryError> {
        let context = || format!("cannot read the registry directory {}", self.dir.display());
        let mut records = BTreeMap::new();
        let mut wasm = BTreeMap::new();
        let mut problems = Vec::new();
        let mut problem = |path: PathBuf, what: &str| problems.push(StoreProblem { path, problem: what.to_string() });
        for entry in fs::read_dir(&self.dir).map_err(io_error(context()))? {
            let entry = entry.map_err(io_error(context()))?;
            let path = entry.path();
            let name = entry.file_name().to_string_lossy().into_owned();
            if !entry.file_type().map(|t| t.is_file()).unwrap_or(false) {
                problem(path, "not a regular file");
                continue;
            }
            if name.starts_with('.') && name.contains(".tmp-") {
                problem(path, "leftover temporary file of an interrupted write");
                continue;
            }
            match name.rsplit_once('.') {
                Some((sha, "wasm")) if is_sha(sha) => {
                    wasm.insert(sha.to_string(), path);
                }
                Some((sha, "json")) if is_sha(sha) => match self.read_record(sha) {
                    Ok(r) => {
                        records.insert(sha.to_string(), r);
                    }
                    Err(why) => problem(path, &why),
                },
                _ => problem(path, "not a registry file (<sha256>.wasm or <sha256>.json)"),
            }
        }
        records.retain(|sha, record| match wasm.remove(sha) {
            None => {
                problem(self.record_path(sha), "a record without its component file");
                false
            }
            Some(path) => match fs::metadata(&path) {
                Ok(m) if m.len() == record.size => true,
                Ok(m) => {
                    problem(path, &format!("{} bytes, but its record says {}", m.len(), record.size));
                    false
                }
                Err(e) => {
                    problem(path, &format!("unreadable: {e}"));
                    false
                }
            },
        });
        for (_, path) in wasm {
            problem(path, "a component without a record (an interrupted upload or removal)");
        }
        Ok((records, problems))
    }

    /// Read and check `<sha>.json`; the error says what is wrong with it.
    fn read_record(&self, sha: &str) -> Result<PluginRecord, String> {
        let text = fs::read(self.record_path(sha)).map_err(|e| format!("unreadable: {e}"))?;
        let record: PluginRecord = serde_json::from_slice(&text).map_err(|e| format!("a corrupt record: {e}"))?;
        if record.format > RECORD_FORMAT {
            return Err(format!(
                "a record of format {} (this host reads up to {RECORD_FORMAT}); written by a newer host",
                record.format
            ));
        }
        if record.sha256 != sha {
            return Err(format!("a record of another component ({})", record.sha256));
        }
        Ok(record)
    }

    /// Every record, oldest upload first.
    pub(crate) fn list(&self) -> Vec<PluginRecord> {
        let index = self.index.read().unwrap_or_else(PoisonError::into_inner);
        let mut all: Vec<PluginRecord> = index.values().cloned().collect();
        all.sort_by(|a, b| a.uploaded_at.cmp(&b.uploaded_at).then_with(|| a.sha256.cmp(&b.sha256)));
        all
    }

    /// The record with exactly this sha, if indexed.
    pub(crate) fn exact(&self, sha: &str) -> Option<PluginRecord> {
        self.index.read().unwrap_or_else(PoisonError::into_inner).get(sha).cloned()
    }

    /// The one record whose sha starts with `id` (at least 8 hex digits,
    /// any case).
    pub(crate) fn resolve(&self, id: &str) -> Result<PluginRecord, RegistryError> {
        let id = id.trim().to_ascii_lowercase();
        if !(MIN_PREFIX..=64).contains(&id.len()) || !id.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(RegistryError::InvalidId(id));
        }
        let matches: Vec<PluginRecord> = {
            let index = self.index.read().unwrap_or_else(PoisonError::into_inner);
            index.range(id.clone()..).take_while(|(k, _)| k.starts_with(&id)).map(|(_, r)| r.clone()).take(5).collect()
        };
        match matches.len() {
            1 => Ok(matches.into_iter().next().expect("one match")),
            0 if id.len() == 64 => self.adopt(&id),
            0 => Err(RegistryError::NotFound(id)),
            _ => Err(RegistryError::Ambiguous { prefix: id, matches: matches.into_iter().map(|r| r.sha256).collect() }),
        }
    }

    /// A record another process stored since the last scan.
    fn adopt(&self, sha: &str) -> Result<PluginRecord, RegistryError> {
        if !self.record_path(sha).is_file() {
            return Err(RegistryError::NotFound(sha.to_string()));
        }
        let record = self.read_record(sha).map_err(|why| RegistryError::Corrupt { sha256: sha.to_string(), why })?;
        self.index.write().unwrap_or_else(PoisonError::into_inner).insert(sha.to_string(), record.clone());
        Ok(record)
    }

    /// Store `bytes` and `record` unless the sha is already stored; either
    /// way, the stored record and whether it is new.
    pub(crate) fn insert(&self, record: PluginRecord, bytes: &[u8]) -> Result<(PluginRecord, bool), RegistryError> {
        let mut index = self.index.write().unwrap_or_else(PoisonError::into_inner);
        if let Some(existing) = index.get(&record.sha256) {
            return Ok((existing.clone(), false));
        }
        let sha = record.sha256.clone();
        self.write_atomic(&format!("{sha}.wasm"), bytes)?;
        self.write_record(&record)?;
        index.insert(sha, record.clone());
        Ok((record, true))
    }

    /// Rewrite the record of a stored component (for example to add who
    /// signed it).
    pub(crate) fn update(&self, record: PluginRecord) -> Result<(), RegistryError> {
        let mut index = self.index.write().unwrap_or_else(PoisonError::into_inner);
        if !index.contains_key(&record.sha256) {
            return Err(RegistryError::NotFound(record.sha256));
        }
        self.write_record(&record)?;
        index.insert(record.sha256.clone(), record);
        Ok(())
    }

    /// Remove the component `id` names, unless `in_use` says it is used.
    pub(crate) fn remove(
        &self,
        id: &str,
        in_use: impl FnOnce(&PluginRecord) -> bool,
    ) -> Result<PluginRecord, RegistryError> {
        let record = self.resolve(id)?;
        let mut index = self.index.write().unwrap_or_else(PoisonError::into_inner);
        if in_use(&record) {
            return Err(RegistryError::InUse { sha256: record.sha256, name: record.name });
        }
        let sha = &record.sha256;
        for path in [self.record_path(sha), self.wasm_path(sha)] {
            match fs::remove_file(&path) {
                Ok(()) => {}
                Err(e) if e.kind() == io::ErrorKind::NotFound => {}
                Err(e) => return Err(io_error(format!("cannot remove {}", path.display()))(e)),
            }
            sync_dir(&self.dir).map_err(io_error(format!("cannot flush {}", self.dir.display())))?;
        }
        index.remove(sha);
        Ok(record)
    }

    /// The bytes of a stored component, checked against its sha.
    pub(crate) fn read_bytes(&self, record: &PluginRecord) -> Result<Vec<u8>, RegistryError> {
        let path = self.wasm_path(&record.sha256);
        let bytes = fs::read(&path).map_err(io_error(format!("cannot read {}", path.display())))?;
        let actual = hex::encode(Sha256::digest(&bytes));
        if actual != record.sha256 {
            return Err(RegistryError::Corrupt {
                sha256: record.sha256.clone(),
                why: format!("{} now hashes to {actual} ({} bytes)", path.display(), bytes.len()),
            });
        }
        Ok(bytes)
    }

    fn write_record(&self, record: &PluginRecord) -> Result<(), RegistryError> {
        let mut json = serde_json::to_vec_pretty(record).map_err(|e| RegistryError::Io {
            context: format!("cannot encode the record of {}", record.sha256),
            source: io::Error::other(e),
        })?;
        json.push(b'\n');
        self.write_atomic(&format!("{}.json", record.sha256), &json)
    }

    /// Write `data` as `<dir>/<name>`: temporary file, flush, rename,
    /// flush the directory.
    fn write_atomic(&self, name: &str, data: &[u8]) -> Result<(), RegistryError> {
        let n = self.tmp_counter.fetch_add(1, Ordering::Relaxed);
        let tmp = self.dir.join(format!(".{name}.tmp-{}-{n}", std::process::id()));
        let target = self.dir.join(name);
        let write = || -> io::Result<()> {
            let mut f = OpenOptions::new().write(true).create_new(true).open(&tmp)?;
            f.write_all(data)?;
            f.sync_all()?;
            drop(f);
            fs::rename(&tmp, &target)?;
            sync_dir(&self.dir)
        };
        write().map_err(|e| {
            let _ = fs::remove_file(&tmp);
            io_error(format!("cannot write {}", target.display()))(e)
        })
    }
}

/// Make a rename or removal in `dir` durable.
fn sync_dir(dir: &Path) -> io::Result<()> {
    File::open(dir)?.sync_all()
}
