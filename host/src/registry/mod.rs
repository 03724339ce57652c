//! The plugin registry: uploaded components, stored by sha256 after they
//! pass validation.
//!
//! A challenger strategy or model reaches the host as an uploaded `.wasm`.
//! Before anything may run it, the registry checks it, in order: size,
//! signature, that it is a component, that it implements one of our worlds
//! at a compatible WIT version, that it imports nothing the host does not
//! grant, that it compiles, that it instantiates within the runtime's
//! limits, and that it survives a smoke run on market data (see
//! [`validate`](self#validation) and `docs/registry.md`). Every refusal
//! carries a stable code ([`RegistryError::code`]).
//!
//! What passes is stored as `<sha256>.wasm` plus a JSON [`PluginRecord`]
//! in one directory (see [`store`](self#storage)), so that the orchestrator
//! can [`load`](Registry::load) it by id at any time, in any process that
//! sees the directory, and a restart finds it again.
//!
//! The API is synchronous and `Registry` is `Send + Sync`: the admin API
//! shares one `Arc<Registry>` and calls it from a blocking task (an upload
//! compiles and runs the component for a fraction of a second).
//!
//! ```no_run
//! use hft_host::registry::{Registry, RegistryConfig};
//! use hft_host::runtime::{Runtime, RuntimeConfig};
//!
//! let runtime = Runtime::new(RuntimeConfig::default())?;
//! let registry = Registry::open(RegistryConfig { dir: "var/registry".into(), ..RegistryConfig::default() })?;
//! let bytes = std::fs::read("target/wasm32-wasip2/release/pairs.wasm")?;
//! let record = registry.upload(&runtime, &bytes, "alice", None)?;
//! println!("{} {} is {}", record.name, record.version, record.sha256);
//! let component = registry.load(&runtime, &record.sha256[..12])?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Validation
//! See [`ValidationError`] for the codes and `validate.rs` for the table of
//! steps; the smoke harness is described in [`SmokeData`]'s module.
//!
//! # Storage
//! See [`StoreProblem`] and `store.rs`: two files per component, written
//! atomically; stray or corrupt files are reported, never fatal.

mod config;
mod record;
mod signature;
mod smoke;
mod store;
mod validate;

pub use config::RegistryConfig;
pub use record::{ParamInfo, PluginRecord, RECORD_FORMAT, SlotInfo, Step, StepReport, ValidationReport};
pub use smoke::SmokeData;
pub use store::StoreProblem;
pub use validate::{Rejection, ValidationError};

use crate::runtime::{LoadedComponent, PluginError, Runtime};
use hft_trading::domain::Timestamp;
use signature::TrustedKeys;
use smoke::SmokeLimits;
use std::path::Path;
use std::sync::{Arc, PoisonError, RwLock};
use std::time::Duration;
use store::Store;
use validate::Policy;

/// Why a registry call failed. Every variant has a stable
/// [`code`](RegistryError::code) for the admin API's JSON errors.
#[derive(Debug, thiserror::Error)]
pub enum RegistryError {
    /// Validation refused the upload; nothing was stored.
    #[error("upload refused: {0}")]
    Rejected(Box<Rejection>),
    /// The `[registry]` configuration is invalid (every problem listed).
    #[error("invalid [registry] configuration: {}", .0.join("; "))]
    Config(Vec<String>),
    /// The smoke data could not be read or is unusable.
    #[error("smoke data: {0}")]
    SmokeData(String),
    /// The id is not 8 to 64 hex digits.
    #[error("{0:?} is not a component id: give 8 to 64 hex digits of its sha256")]
    InvalidId(String),
    /// No stored component has this id.
    #[error("no component {0} in the registry")]
    NotFound(String),
    /// The prefix names several components.
    #[error("{prefix} names several components ({}); give more digits", .matches.join(", "))]
    Ambiguous {
        /// The prefix given.
        prefix: String,
        /// Some of the components it matches.
        matches: Vec<String>,
    },
    /// The caller said the component is in use (a champion, a challenger).
    #[error("component {sha256} ({name}) is in use and cannot be removed")]
    InUse {
        /// Its sha256.
        sha256: String,
        /// Its name.
        name: String,
    },
    /// Stored bytes or their record are damaged.
    #[error("stored component {sha256} is corrupt: {why}")]
    Corrupt {
        /// Its sha256.
        sha256: String,
        /// What is wrong.
        why: String,
    },
    /// A file operation failed.
    #[error("{context}: {source}")]
    Io {
        /// What the registry was doing.
        context: String,
        /// The underlying error.
        source: std::io::Error,
    },
    /// A stored component no longer loads (for example a runtime with
    /// other limits).
    #[error("stored component {sha256} does not load: {source}")]
    Load {
        /// Its sha256.
        sha256: String,
        /// The runtime's error.
        source: PluginError,
    },
}

impl RegistryError {
    /// A short stable code: a [`ValidationError::code`] for a refused
    /// upload, else `bad_config`, `bad_smoke_data`, `invalid_id`,
    /// `not_found`, `ambiguous_id`, `in_use`, `corrupt`, `io`,
    /// `load_failed`.
    pub fn code(&self) -> &'static str {
        match self {
            RegistryError::Rejected(r) => r.error.code(),
            RegistryError::Config(_) => "bad_config",
            RegistryError::SmokeData(_) => "bad_smoke_data",
            RegistryError::InvalidId(_) => "invalid_id",
            RegistryError::NotFound(_) => "not_found",
            RegistryError::Ambiguous { .. } => "ambiguous_id",
            RegistryError::InUse { .. } => "in_use",
            RegistryError::Corrupt { .. } => "corrupt",
            RegistryError::Io { .. } => "io",
            RegistryError::Load { .. } => "load_failed",
        }
    }

    /// The validation error, if this is a refused upload.
    pub fn rejection(&self) -> Option<&Rejection> {
        match self {
            RegistryError::Rejected(r) => Some(r),
            _ => None,
        }
    }
}

impl From<Rejection> for RegistryError {
    fn from(r: Rejection) -> Self {
        RegistryError::Rejected(Box::new(r))
    }
}

/// Everything an upload may carry besides the bytes.
#[derive(Debug, Clone, Default)]
pub struct UploadOptions {
    /// Who uploads (a token's name, a user); stored in the record.
    pub uploaded_by: String,
    /// An ed25519 signature over the component's sha256 digest, as 64 raw
    /// bytes, 128 hex digits or base64.
    pub signature: Option<Vec<u8>>,
    /// `name=value` parameters for the smoke run's `create` instead of the
    /// defaults: to smoke a component under the settings it will trade
    /// with. Each value takes the type of the parameter's default.
    pub smoke_params: Vec<(String, String)>,
}

/// The outcome of an accepted upload.
#[derive(Debug, Clone, PartialEq)]
pub struct Uploaded {
    /// The stored record.
    pub record: PluginRecord,
    /// False when the same bytes were already stored: the existing record
    /// came back and nothing was validated or written again.
    pub created: bool,
}

/// The registry: a checked configuration over one store directory.
#[derive(Debug)]
pub struct Registry {
    config: RegistryConfig,
    policy: Policy,
    store: Store,
    smoke_data: RwLock<Option<Arc<SmokeData>>>,
}

impl Registry {
    /// Check `config`, open (creating it if needed) and index its `dir`.
    /// Stray or corrupt files are reported by [`Registry::problems`], not
    /// fatal. Configured smoke data files are read now, so a bad path
    /// fails at start-up rather than at the first upload.
    pub fn open(config: RegistryConfig) -> Result<Registry, RegistryError> {
        let mut problems = config.problems();
        let keys = TrustedKeys::parse(&config.trusted_keys).unwrap_or_else(|bad| {
            problems.extend(bad);
            TrustedKeys::default()
        });
        if !problems.is_empty() {
            return Err(RegistryError::Config(problems));
        }
        let smoke_data = match config.smoke_data.as_slice() {
            [a, b] => Some(Arc::new(SmokeData::from_klines(a, b, config.smoke_ticks + 1)?)),
            _ => None,
        };
        let policy = Policy {
            max_bytes: config.max_bytes,
            require_signature: config.require_signature,
            keys,
            refused_imports: config.refused_imports.clone(),
            smoke: SmokeLimits {
                ticks: config.smoke_ticks,
                capital: config.smoke_capital,
                max_leverage: config.smoke_max_leverage,
                max_bad_fraction: config.smoke_max_bad_fraction,
                budget: Duration::from_millis(config.smoke_budget_ms),
            },
        };
        let store = Store::open(&config.dir)?;
        Ok(Registry { config, policy, store, smoke_data: RwLock::new(smoke_data) })
    }

    /// The configuration it was opened with.
    pub fn config(&self) -> &RegistryConfig {
        &self.config
    }

    /// The store's directory.
    pub fn dir(&self) -> &Path {
        self.store.dir()
    }

    /// Validate `bytes` and store them: [`Registry::upload_with`] with
    /// only a name and an optional signature, returning the record.
    pub fn upload(
        &self,
        runtime: &Runtime,
        bytes: &[u8],
        uploaded_by: &str,
        signature: Option<&[u8]>,
    ) -> Result<PluginRecord, RegistryError> {
        let options = UploadOptions {
            uploaded_by: uploaded_by.to_string(),
            signature: signature.map(<[u8]>::to_vec),
            smoke_params: Vec::new(),
        };
        self.upload_with(runtime, bytes, &options).map(|u| u.record)
    }

    /// Validate `bytes` and store them with a record, or refuse them
    /// ([`RegistryError::Rejected`]) and store nothing.
    ///
    /// Idempotent: bytes already stored come back as the existing record
    /// (`created = false`) once the size and signature checks pass, without
    /// validating again. If that record was unsigned and this upload
    /// carries a trusted signature, the record gains `signed_by`.
    pub fn upload_with(
        &self,
        runtime: &Runtime,
        bytes: &[u8],
        options: &UploadOptions,
    ) -> Result<Uploaded, RegistryError> {
        let admitted = validate::admit(bytes, runtime, &self.policy, options.signature.as_deref())?;
        if let Some(mut existing) = self.store.exact(&admitted.sha256) {
            if existing.signed_by.is_none() && admitted.signed_by.is_some() {
                existing.signed_by = admitted.signed_by.clone();
                self.store.update(existing.clone())?;
            }
            return Ok(Uploaded { record: existing, created: false });
        }
        let data = self.smoke_data()?;
        let v = validate::check(admitted, runtime, bytes, &self.policy, &options.smoke_params, &data)?;
        let by = options.uploaded_by.trim();
        let record = PluginRecord {
            format: RECORD_FORMAT,
            sha256: v.sha256,
            name: v.report.name.clone(),
            version: v.report.version.clone(),
            world: v.report.world.clone(),
            kind: v.report.kind.clone(),
            params: v.report.params.clone(),
            size: bytes.len() as u64,
            uploaded_at: now_utc(),
            uploaded_by: if by.is_empty() { "unknown".to_string() } else { by.to_string() },
            signed_by: v.signed_by,
            validation: v.report,
        };
        let (record, created) = self.store.insert(record, bytes)?;
        if created {
            tracing::info!(sha256 = %record.sha256, name = %record.name, kind = %record.kind, by = %record.uploaded_by, "registry: component accepted");
        }
        Ok(Uploaded { record, created })
    }

    /// Run every validation step on `bytes` and store nothing: a dry run
    /// for a CLI `plugin check` or a client that wants the report first.
    pub fn validate(
        &self,
        runtime: &Runtime,
        bytes: &[u8],
        options: &UploadOptions,
    ) -> Result<ValidationReport, RegistryError> {
        let admitted = validate::admit(bytes, runtime, &self.policy, options.signature.as_deref())?;
        let data = self.smoke_data()?;
        Ok(validate::check(admitted, runtime, bytes, &self.policy, &options.smoke_params, &data)?.report)
    }

    /// Every stored component, oldest upload first.
    pub fn list(&self) -> Vec<PluginRecord> {
        self.store.list()
    }

    /// The record of the component whose sha256 is or starts with `id`
    /// (8 to 64 hex digits; a prefix must name exactly one).
    pub fn get(&self, id: &str) -> Result<PluginRecord, RegistryError> {
        self.store.resolve(id)
    }

    /// The stored bytes of `id`, checked against their sha256.
    pub fn bytes(&self, id: &str) -> Result<Vec<u8>, RegistryError> {
        let record = self.store.resolve(id)?;
        self.store.read_bytes(&record)
    }

    /// Compile (or take from the runtime's cache) and pre-link the stored
    /// component `id`, after checking its bytes against its sha256: what
    /// the orchestrator hot-loads. Its log name is `<name>-<sha prefix>`,
    /// so a champion and a challenger of the same name stay apart.
    pub fn load(&self, runtime: &Runtime, id: &str) -> Result<LoadedComponent, RegistryError> {
        let record = self.store.resolve(id)?;
        let bytes = self.store.read_bytes(&record)?;
        let name = format!("{}-{}", record.name, &record.sha256[..store::MIN_PREFIX]);
        let component = runtime
            .load_bytes(&name, &bytes)
            .map_err(|source| RegistryError::Load { sha256: record.sha256.clone(), source })?;
        if component.world.kind.interface() != record.kind {
            return Err(RegistryError::Corrupt {
                sha256: record.sha256,
                why: format!("its record says {} but it implements {}", record.kind, component.world.kind),
            });
        }
        Ok(component)
    }

    /// Delete the component `id` (record first, then bytes), unless
    /// `in_use` says it is in use: the orchestrator passes a predicate
    /// that checks its champion, challengers and rollback target, and the
    /// registry asks it under its write lock, after resolving the id.
    pub fn remove(&self, id: &str, in_use: impl FnOnce(&PluginRecord) -> bool) -> Result<PluginRecord, RegistryError> {
        let removed = self.store.remove(id, in_use)?;
        tracing::info!(sha256 = %removed.sha256, name = %removed.name, "registry: component removed");
        Ok(removed)
    }

    /// Files the last scan ignored, and why.
    pub fn problems(&self) -> Vec<StoreProblem> {
        self.store.problems()
    }

    /// Re-read the directory (for a process that shares it with the one
    /// that uploads); returns what it ignored.
    pub fn rescan(&self) -> Result<Vec<StoreProblem>, RegistryError> {
        self.store.rescan()
    }

    /// Smoke later uploads on `data` (for example the last hours of the
    /// live feed, through [`SmokeData::from_events`]).
    pub fn set_smoke_data(&self, data: SmokeData) {
        *self.smoke_data.write().unwrap_or_else(PoisonError::into_inner) = Some(Arc::new(data));
    }

    /// The data the next smoke run uses: what was set or configured, else
    /// the synthetic pair, generated on first use.
    pub fn smoke_data(&self) -> Result<Arc<SmokeData>, RegistryError> {
        if let Some(d) = self.smoke_data.read().unwrap_or_else(PoisonError::into_inner).as_ref() {
            return Ok(d.clone());
        }
        let mut slot = self.smoke_data.write().unwrap_or_else(PoisonError::into_inner);
        if let Some(d) = slot.as_ref() {
            return Ok(d.clone());
        }
        let data = Arc::new(SmokeData::synthetic(self.config.smoke_ticks + 1)?);
        *slot = Some(data.clone());
        Ok(data)
    }
}

/// Now, UTC, `2024-01-02T03:04:05.678Z`.
fn now_utc() -> String {
    let ns = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos().min(i64::MAX as u128) as i64);
    hft_trading::report::utc_iso(Timestamp(ns))
}
