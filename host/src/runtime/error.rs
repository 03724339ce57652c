//! Typed failures of plugin calls.
//!
//! The caller (a pipeline stage, the orchestrator) must tell apart a plugin
//! that misbehaved (trap, timeout, memory exhaustion: quarantine it) from a
//! plugin that politely refused (a `model-error`: report it) and from a host
//! problem (bad file, cache I/O). Those are different variants here, decided
//! from wasmtime's typed `Trap` rather than by parsing messages.

use std::time::Duration;

/// The error a model's own code reported through the WIT `model-error`.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum GuestError {
    /// A parameter is unknown, of the wrong type, or out of range.
    #[error("invalid parameters: {0}")]
    InvalidParams(String),
    /// An observation is unusable.
    #[error("invalid input: {0}")]
    InvalidInput(String),
    /// A snapshot is corrupt or from another model.
    #[error("invalid snapshot: {0}")]
    InvalidSnapshot(String),
    /// The model cannot answer yet.
    #[error("not ready: {0}")]
    NotReady(String),
    /// The model's math failed.
    #[error("numerical failure: {0}")]
    Numerical(String),
}

/// Why a plugin could not be loaded or a call into it failed.
#[derive(Debug, thiserror::Error)]
pub enum PluginError {
    /// The bytes are not a loadable component (corrupt, core module, too big,
    /// or rejected by the compiler).
    #[error("invalid component: {0}")]
    InvalidComponent(String),
    /// The component does not implement one of our worlds at a supported version.
    #[error("incompatible component: {0}")]
    Incompatible(String),
    /// Instantiation failed (a missing import, or the initial memory exceeds the cap).
    #[error("cannot instantiate plugin: {0}")]
    Instantiate(String),
    /// The model refused the call; the instance is still usable.
    #[error("{0}")]
    Guest(#[from] GuestError),
    /// The call ran past its deadline and was interrupted.
    #[error("plugin call `{call}` exceeded its {limit:?} deadline and was stopped")]
    Timeout {
        /// The WIT function being called.
        call: &'static str,
        /// The deadline that was exceeded.
        limit: Duration,
    },
    /// The plugin tried to grow its memory beyond the cap.
    #[error("plugin call `{call}` ran out of memory (cap {limit_bytes} bytes) and was stopped")]
    OutOfMemory {
        /// The WIT function being called.
        call: &'static str,
        /// The memory cap in bytes.
        limit_bytes: usize,
    },
    /// The plugin trapped (a panic, an out-of-bounds access, unreachable).
    #[error("plugin call `{call}` trapped: {message}")]
    Trap {
        /// The WIT function being called.
        call: &'static str,
        /// wasmtime's description, with the guest backtrace when available.
        message: String,
    },
    /// An earlier trap, timeout or memory exhaustion left this instance
    /// unusable; it is never entered again.
    #[error("plugin instance is poisoned by an earlier failure ({0}); create a new instance")]
    Poisoned(String),
    /// A host-side I/O failure (reading the file, the compile cache).
    #[error("{context}: {source}")]
    Io {
        /// What the host was doing.
        context: String,
        /// The underlying error.
        source: std::io::Error,
    },
}

impl PluginError {
    /// Whether the instance misbehaved (and must be quarantined) rather than
    /// refused politely.
    pub fn is_fault(&self) -> bool {
        matches!(
            self,
            PluginError::Timeout { .. }
                | PluginError::OutOfMemory { .. }
                | PluginError::Trap { .. }
                | PluginError::Poisoned(_)
        )
    }

    /// A short stable label for metrics and logs.
    pub fn kind(&self) -> &'static str {
        match self {
            PluginError::InvalidComponent(_) => "invalid_component",
            PluginError::Incompatible(_) => "incompatible",
            PluginError::Instantiate(_) => "instantiate",
            PluginError::Guest(_) => "guest_error",
            PluginError::Timeout { .. } => "timeout",
            PluginError::OutOfMemory { .. } => "out_of_memory",
            PluginError::Trap { .. } => "trap",
            PluginError::Poisoned(_) => "poisoned",
            PluginError::Io { .. } => "io",
        }
    }
}
