//! A pipeline's whole state, so a process that dies mid-stream continues
//! exactly where its last checkpoint was.
//!
//! What is in it: each component's own snapshot (the WIT `snapshot`, which
//! `restore` continues bit for bit), each model input's memory (`diff`
//! needs the previous value), the model-output board and last prices, the
//! books ([`PortfolioState`]), the risk manager ([`RiskManagerState`]),
//! the venue's state when it keeps one (the paper broker does), the order
//! id counter and the counters. What is not: the run report's history (a
//! restarted process reports from its restart on; the books in it are
//! whole).
//!
//! Encoded as JSON: readable in Redis and on disk, and every part already
//! round-trips exactly through it (floats go as their bit patterns, so NaN
//! survives; decimals as strings, keeping their scale).

use super::engine::Counters;
use crate::runtime::PluginError;
use hft_trading::execution::ExchangeError;
use hft_trading::portfolio::{PortfolioRestoreError, PortfolioState};
use hft_trading::risk::{RiskManagerState, RiskRestoreError, RiskState};
use serde::{Deserialize, Serialize};
use thiserror::Error;

/// Why a checkpoint could not be taken or continued from.
#[derive(Debug, Error)]
pub enum CheckpointError {
    /// A component could not save or restore its state.
    #[error("component {0}: {1}")]
    Component(String, PluginError),
    /// The checkpoint is of another wiring (other models, another
    /// component build, other inputs) or inconsistent.
    #[error("checkpoint does not fit this pipeline: {0}")]
    Mismatch(String),
    /// The venue refused its state.
    #[error("venue: {0}")]
    Venue(#[from] ExchangeError),
    /// The books do not reconcile.
    #[error("books: {0}")]
    Portfolio(#[from] PortfolioRestoreError),
    /// The risk state is inconsistent with the limits.
    #[error("risk: {0}")]
    Risk(#[from] RiskRestoreError),
    /// The bytes are not a checkpoint of this version.
    #[error("encoding: {0}")]
    Encoding(String),
}

/// One component in the pipeline.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NodeCheckpoint {
    /// Its name in the configuration (or the strategy's own name).
    pub name: String,
    /// sha256 of the component it ran: a snapshot is only restored into
    /// the same build.
    pub sha256: String,
    /// The component's snapshot; `None` when it had been disabled.
    pub snapshot: Option<Vec<u8>>,
    /// Why it had been disabled, if it had.
    pub disabled: Option<String>,
    /// Steps taken.
    pub steps: u64,
    /// Steps refused.
    pub errors: u64,
    /// Each input's previous source value, as `f64` bits.
    pub memory: Vec<Option<u64>>,
}

impl NodeCheckpoint {
    /// Refuse a checkpoint of another node.
    pub(crate) fn expect_same(&self, name: &str, sha256: &str, inputs: usize) -> Result<(), CheckpointError> {
        if self.name != name {
            return Err(CheckpointError::Mismatch(format!("node {} where {name} runs", self.name)));
        }
        if self.sha256 != sha256 {
            return Err(CheckpointError::Mismatch(format!(
                "{name} was checkpointed with component sha256:{} but runs sha256:{sha256}",
                self.sha256
            )));
        }
        if self.memory.len() != inputs {
            return Err(CheckpointError::Mismatch(format!("{name} had {} inputs, now {inputs}", self.memory.len())));
        }
        Ok(())
    }
}

/// The whole pipeline.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PipelineCheckpoint {
    /// [`PipelineCheckpoint::VERSION`].
    pub version: u32,
    /// The models, in evaluation order.
    pub models: Vec<NodeCheckpoint>,
    /// The strategy.
    pub strategy: NodeCheckpoint,
    /// The model-output board, as `f64` bits.
    pub board: Vec<u64>,
    /// Each instrument's last price, as `f64` bits.
    pub prices: Vec<u64>,
    /// The books.
    pub portfolio: PortfolioState,
    /// The risk manager.
    pub risk: RiskManagerState,
    /// The venue's own state, if it keeps one.
    pub venue: Option<Vec<u8>>,
    /// The next order id.
    pub next_order: u64,
    /// Whether the changepoint probability was above the report's threshold.
    pub in_regime: bool,
    /// The risk state the pipeline last acted on.
    pub last_risk_state: RiskState,
    /// The counters so far.
    pub counters: Counters,
}

impl PipelineCheckpoint {
    /// The layout version; a checkpoint of another version is refused.
    pub const VERSION: u32 = 1;

    /// As bytes.
    pub fn encode(&self) -> Vec<u8> {
        serde_json::to_vec(self).expect("a checkpoint serialises")
    }

    /// From bytes that [`PipelineCheckpoint::encode`] gave.
    pub fn decode(bytes: &[u8]) -> Result<PipelineCheckpoint, CheckpointError> {
        let cp: PipelineCheckpoint =
            serde_json::from_slice(bytes).map_err(|e| CheckpointError::Encoding(e.to_string()))?;
        if cp.version != PipelineCheckpoint::VERSION {
            return Err(CheckpointError::Encoding(format!(
                "checkpoint version {}, this build reads {}",
                cp.version,
                PipelineCheckpoint::VERSION
            )));
        }
        Ok(cp)
    }
}

/// `f64`s as their bit patterns, and back.
pub(crate) fn to_bits(v: &[f64]) -> Vec<u64> {
    v.iter().map(|x| x.to_bits()).collect()
}

/// The inverse of [`to_bits`].
pub(crate) fn from_bits(v: &[u64]) -> Vec<f64> {
    v.iter().map(|&b| f64::from_bits(b)).collect()
}
