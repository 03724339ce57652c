//! Uploaded components for strategy processes that do not share the
//! orchestrator's registry directory (in Kubernetes the registry volume is
//! the orchestrator's alone).
//!
//! When a champion change names an uploaded plugin, the orchestrator role
//! puts the component's bytes in the state store (key `plugin.<sha256
//! prefix>`) before it publishes the change. A strategy process that lacks
//! the component reads it from there, checks that the bytes hash to the
//! sha256 the change names, and uploads it into its own registry, which
//! validates it again (component, world, imports, compile, instantiate,
//! smoke run) before anything runs it.

use super::RoleError;
use crate::registry::{Registry, UploadOptions};
use crate::runtime::Runtime;
use hft_state::{ComponentName, ComponentSnapshot, StateStore};
use hft_trading::domain::Timestamp;
use sha2::{Digest, Sha256};

/// Hex digits of the sha256 in the store key (the key's length is capped
/// at 64 characters; 56 digits are 224 bits).
const KEY_DIGITS: usize = 56;

fn key(sha256: &str) -> Result<ComponentName, RoleError> {
    Ok(ComponentName::new(&format!("plugin.{}", &sha256[..KEY_DIGITS.min(sha256.len())]))?)
}

/// Whether `reference` names an uploaded plugin (a sha256 or a prefix of
/// 8+ hex digits) rather than a built-in.
pub fn is_uploaded(reference: &str) -> bool {
    reference.len() >= 8 && reference.chars().all(|c| c.is_ascii_hexdigit())
}

/// Put uploaded plugin `reference` (as the operator named it) from
/// `registry` into `store`, and return its full sha256.
pub fn share(store: &dyn StateStore, registry: &Registry, reference: &str) -> Result<String, RoleError> {
    let record = registry.get(reference).map_err(|e| RoleError::Config(format!("plugin {reference}: {e}")))?;
    let bytes = registry.bytes(&record.sha256).map_err(|e| RoleError::Config(format!("plugin {reference}: {e}")))?;
    store.put_snapshot(&ComponentSnapshot {
        component: key(&record.sha256)?,
        sequence: 0,
        taken_at: Timestamp(0),
        bytes,
    })?;
    Ok(record.sha256)
}

/// Make sure plugin `sha256` is in `registry`: if it is not, fetch it from
/// `store`, check its hash, and upload it (validated as any upload).
pub fn fetch(store: &dyn StateStore, registry: &Registry, runtime: &Runtime, sha256: &str) -> Result<(), RoleError> {
    if registry.get(sha256).is_ok() {
        return Ok(());
    }
    let Some(snapshot) = store.snapshot(&key(sha256)?)? else {
        return Err(RoleError::Config(format!(
            "plugin {sha256} is neither in this process's registry nor in the state store"
        )));
    };
    let actual = hex::encode(Sha256::digest(&snapshot.bytes));
    if actual != sha256 {
        return Err(RoleError::Config(format!("plugin {sha256} in the state store hashes to {actual}: refused")));
    }
    let opts = UploadOptions { uploaded_by: "orchestrator (state store)".into(), ..Default::default() };
    registry
        .upload_with(runtime, &snapshot.bytes, &opts)
        .map_err(|e| RoleError::Config(format!("plugin {sha256} from the state store refused: {e}")))?;
    tracing::info!(%sha256, "uploaded plugin fetched from the state store and validated");
    Ok(())
}
