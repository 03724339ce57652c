use super::BadRow;
use std::path::PathBuf;

/// Why market data could not be read. Every variant names the file; row
/// errors also name the line, so the operator can open the file at the spot.
#[derive(Debug, thiserror::Error)]
pub enum MarketDataError {
    /// The file could not be opened or read.
    #[error("{file}: {source}")]
    Io {
        /// The source, usually a file path.
        file: String,
        /// The operating system's error.
        #[source]
        source: std::io::Error,
    },
    /// A bad row under [`super::BadRowPolicy::Fatal`].
    #[error("bad row at {0}")]
    BadRow(BadRow),
    /// The simple format's required header is missing or different.
    #[error("{file}:{line}: expected the header `ts,symbol,price,size`, found {found:?}")]
    Header {
        /// The source, usually a file path.
        file: String,
        /// 1-based line number of the offending row.
        line: u64,
        /// The first row as read.
        found: String,
    },
    /// A Binance file was opened without a symbol and its name does not
    /// follow Binance's `SYMBOL-kind-date.csv` pattern.
    #[error("{}: no symbol given and none can be inferred from the file name", path.display())]
    NoSymbol {
        /// The file.
        path: PathBuf,
    },
}
