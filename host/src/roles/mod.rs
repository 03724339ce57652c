//! The roles of distributed mode: the same binary and the same pipeline
//! code, with events coming from and going to the bus instead of function
//! calls.
//!
//! - `all` (the default): everything in one process, the embedded mode
//!   ([`crate::pipeline::run`]).
//! - `ingest` ([`ingest`]): the configured market data, replayed at the
//!   configured pace, into the market-data topic.

mod ingest;

pub use ingest::{IngestSummary, RoleError, ingest, market_data_id, run_topics};

/// Which part of the system this process runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// Everything, in one process.
    All,
    /// Market data into the market-data topic.
    Ingest,
}

impl std::str::FromStr for Role {
    type Err = String;

    fn from_str(s: &str) -> Result<Role, String> {
        match s {
            "all" => Ok(Role::All),
            "ingest" => Ok(Role::Ingest),
            other => Err(format!("unknown role {other:?}; this build runs the roles all and ingest")),
        }
    }
}
