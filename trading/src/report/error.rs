use std::path::PathBuf;

/// Why a report could not be written. Each variant names the file, because
/// a half-written report directory is only useful if you know which part is
/// missing.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// Creating the directory or writing a file failed.
    #[error("writing {path}: {source}")]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// The OS error.
        #[source]
        source: std::io::Error,
    },
    /// A CSV file could not be written.
    #[error("writing CSV {path}: {source}")]
    Csv {
        /// The file.
        path: PathBuf,
        /// The encoder's error.
        #[source]
        source: csv::Error,
    },
    /// The summary could not be encoded as JSON.
    #[error("encoding {path}: {source}")]
    Json {
        /// The file.
        path: PathBuf,
        /// The encoder's error.
        #[source]
        source: serde_json::Error,
    },
}
