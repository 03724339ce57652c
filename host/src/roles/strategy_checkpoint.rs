//! What the strategy role saves so a restarted process continues exactly.

use crate::orchestrator::ChallengerSpec;
use crate::pipeline::{CheckpointError, PipelineCheckpoint};
use hft_trading::domain::Timestamp;
use serde::{Deserialize, Serialize};

/// The pipeline's checkpoint plus where the role stood: how many venue
/// steps it had published (the next gets `seq + 1`, so a replayed step
/// carries the number execution has already applied and is dropped) and
/// the last tick it processed (events up to it are already in the state
/// and are skipped when redelivered).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StrategyCheckpoint {
    /// Venue steps published so far.
    pub seq: u64,
    /// Time of the last tick processed.
    pub last_tick: Option<Timestamp>,
    /// The pipeline.
    pub pipeline: PipelineCheckpoint,
    /// The champion change the pipeline runs (none: the configuration's
    /// logic): a restart rebuilds that logic before it resumes.
    #[serde(default)]
    pub champion: Option<ChampionState>,
}

/// A champion change a strategy process has applied.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ChampionState {
    /// The record's generation.
    pub generation: u64,
    /// The logic.
    pub spec: ChallengerSpec,
}

impl StrategyCheckpoint {
    /// As bytes (JSON).
    pub fn encode(&self) -> Vec<u8> {
        serde_json::to_vec(self).expect("a checkpoint serialises")
    }

    /// From [`StrategyCheckpoint::encode`]'s bytes.
    pub fn decode(bytes: &[u8]) -> Result<StrategyCheckpoint, CheckpointError> {
        let cp: StrategyCheckpoint =
            serde_json::from_slice(bytes).map_err(|e| CheckpointError::Encoding(e.to_string()))?;
        if cp.pipeline.version != PipelineCheckpoint::VERSION {
            return Err(CheckpointError::Encoding(format!(
                "checkpoint version {}, this build reads {}",
                cp.pipeline.version,
                PipelineCheckpoint::VERSION
            )));
        }
        Ok(cp)
    }
}
