use std::path::PathBuf;

/// Everything a state store operation can fail with.
///
/// The split that matters to callers is [`StoreError::Unavailable`] against
/// the rest: unavailability is transient (the backend may come back, and the
/// store reconnects by itself), so execution and risk stop emitting orders and
/// try again later; every other variant is a bug or damaged data that an
/// operator must look at.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The backend cannot be reached in time (Redis down, a timeout, a
    /// dropped connection, a server still loading its data). Fail closed.
    ///
    /// A write that failed this way may or may not have been applied.
    /// Repeating [`commit_fill`](crate::StateStore::commit_fill) is safe (it
    /// answers `Duplicate` if the first attempt landed, with the books
    /// written); a repeated `mark_executed` answering `false` cannot tell
    /// "landed on the first try" from "executed before", so prefer
    /// `commit_fill` where that matters.
    #[error("state store unavailable ({backend}): {reason}")]
    Unavailable {
        /// `"redis"` or `"file"`.
        backend: &'static str,
        /// What went wrong, for the logs.
        reason: String,
    },
    /// Stored data that cannot be decoded: a damaged file or a foreign value
    /// under one of our keys. `location` names the file or the Redis key.
    #[error("corrupt state in {location}: {reason}")]
    Corrupt {
        /// The file path or Redis key.
        location: String,
        /// The decoder's complaint.
        reason: String,
    },
    /// Stored data written by a newer (or unknown) encoding version.
    #[error("{location} holds encoding version {found}, this build reads version {supported}")]
    UnsupportedVersion {
        /// The file path or Redis key.
        location: String,
        /// The version found.
        found: u32,
        /// The version this build writes and reads.
        supported: u32,
    },
    /// A file-system operation failed (other than a decode error).
    #[error("state file {path}: {source}")]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// A namespace, strategy or component name that cannot be part of a key.
    #[error("invalid {what} {name:?}: {reason}")]
    InvalidName {
        /// `"namespace"`, `"strategy id"` or `"component name"`.
        what: &'static str,
        /// The rejected name.
        name: String,
        /// Why.
        reason: &'static str,
    },
    /// The backend answered with an error that is not about reachability
    /// (a script error, a value of the wrong type under our key).
    #[error("state store backend error ({backend}): {reason}")]
    Backend {
        /// `"redis"` or `"file"`.
        backend: &'static str,
        /// The backend's message.
        reason: String,
    },
}

impl StoreError {
    /// Whether this is the transient "backend not reachable" case, after
    /// which the caller should fail closed and retry later.
    pub fn is_unavailable(&self) -> bool {
        matches!(self, StoreError::Unavailable { .. })
    }
}
