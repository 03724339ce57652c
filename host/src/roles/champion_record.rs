//! Which logic the champion runs, as the orchestrator role decides it and
//! every strategy process applies it.
//!
//! The record lives in the state store (one key per run, the truth after a
//! restart); a control event (`component-promoted` / `component-rolled-back`
//! with the record's sha256, slot `strategy.<run>`) wakes the strategy
//! processes, which then read it. The record names the logic by its
//! [`ChallengerSpec`] (parameters, and a plugin as a built-in name or a
//! registry sha256), so each process rebuilds it from its own
//! configuration and registry.

use super::RoleError;
use crate::orchestrator::ChallengerSpec;
use hft_bus::wire::Sha256Digest;
use hft_state::{ComponentName, ComponentSnapshot, StateStore};
use hft_trading::domain::Timestamp;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// One champion change.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ChampionRecord {
    /// 1 for the first change of this run, then one more per change: a
    /// strategy process applies a record only if it is newer than its own.
    pub generation: u64,
    /// `promote`, `gate-promote`, `rollback` or `auto-rollback`.
    pub action: String,
    /// The logic that trades the real book from now on.
    pub spec: ChallengerSpec,
    /// The orchestrator's last tick when it decided.
    pub decided_after: Option<Timestamp>,
}

impl ChampionRecord {
    /// The control-event slot of run `run`: `strategy.<run>`.
    pub fn slot(run: &str) -> String {
        format!("strategy.{run}")
    }

    fn key(run: &str) -> Result<ComponentName, RoleError> {
        Ok(ComponentName::new(&format!("champion.{run}"))?)
    }

    /// Its bytes (JSON) and their sha256, which the control event carries.
    pub fn encode(&self) -> (Vec<u8>, Sha256Digest) {
        let bytes = serde_json::to_vec(self).expect("a champion record serialises");
        let digest = Sha256Digest(Sha256::digest(&bytes).into());
        (bytes, digest)
    }

    /// Write it as run `run`'s current champion.
    pub fn save(&self, store: &dyn StateStore, run: &str) -> Result<Sha256Digest, RoleError> {
        let (bytes, digest) = self.encode();
        store.put_snapshot(&ComponentSnapshot {
            component: Self::key(run)?,
            sequence: self.generation,
            taken_at: self.decided_after.unwrap_or(Timestamp(0)),
            bytes,
        })?;
        Ok(digest)
    }

    /// Run `run`'s current champion record, if there was any change.
    pub fn load(store: &dyn StateStore, run: &str) -> Result<Option<ChampionRecord>, RoleError> {
        let Some(s) = store.snapshot(&Self::key(run)?)? else { return Ok(None) };
        serde_json::from_slice(&s.bytes)
            .map(Some)
            .map_err(|e| RoleError::Config(format!("champion record of {run} is unreadable: {e}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hft_state::{FileStore, Namespace};

    #[test]
    fn a_record_round_trips_through_the_store_without_its_resolved_plugin() {
        let dir = tempfile::tempdir().unwrap();
        let store = FileStore::open(dir.path(), Namespace::new("t").unwrap()).unwrap();
        assert!(ChampionRecord::load(&store, "pair").unwrap().is_none());
        let spec = ChallengerSpec {
            id: "loose".into(),
            plugin: Some("0123abcd".into()),
            strategy_params: [("entry-z".to_string(), toml::Value::Float(1.5))].into(),
            ..Default::default()
        };
        let r = ChampionRecord { generation: 3, action: "promote".into(), spec, decided_after: Some(Timestamp(7)) };
        let digest = r.save(&store, "pair").unwrap();
        let back = ChampionRecord::load(&store, "pair").unwrap().unwrap();
        assert_eq!((back.generation, back.action.as_str(), back.spec.id.as_str()), (3, "promote", "loose"));
        assert_eq!(back.spec.plugin.as_deref(), Some("0123abcd"));
        assert_eq!(back.spec.strategy_params["entry-z"], toml::Value::Float(1.5));
        assert_eq!(back.encode().1, digest, "the digest names the bytes");
    }
}
