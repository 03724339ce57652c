//! Why a role stops.

use crate::pipeline::{CheckpointError, RunError};
use hft_bus::bus::BusError;
use hft_state::StoreError;
use hft_trading::execution::PaperConfigError;
use hft_trading::market::MarketDataError;
use thiserror::Error;

/// Why a role could not run.
#[derive(Debug, Error)]
pub enum RoleError {
    /// The configuration lacks what the role needs.
    #[error("{0}")]
    Config(String),
    /// The bus refused or failed.
    #[error("bus: {0}")]
    Bus(#[from] BusError),
    /// Market data could not be read (or a bad row under `bad_rows = "fatal"`).
    #[error("market data: {0}")]
    Data(#[from] MarketDataError),
    /// The pipeline could not be wired or its report written.
    #[error(transparent)]
    Run(#[from] RunError),
    /// The `[execution]` settings are inconsistent.
    #[error("[execution]: {0}")]
    Execution(#[from] PaperConfigError),
    /// The state store refused (a bad name or URL, a corrupt record).
    #[error("state store: {0}")]
    State(#[from] StoreError),
    /// A checkpoint could not be taken or continued from.
    #[error("checkpoint: {0}")]
    Checkpoint(#[from] CheckpointError),
}
