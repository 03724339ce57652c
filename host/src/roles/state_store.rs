//! The state store a role runs against, from `[state]`.

use super::RoleError;
use crate::config::StateConfig;
use hft_state::{FileStore, Namespace, RedisConfig, RedisStore, StateStore};
use std::time::Duration;

/// Redis when `[state] redis_url` is set, else the file store under
/// `[state] dir`. Neither needs its backend up yet: Redis connects on
/// first use and reconnects by itself, and every operation fails while it
/// is down (callers fail closed).
pub fn open_store(config: &StateConfig) -> Result<Box<dyn StateStore>, RoleError> {
    let ns = Namespace::new(&config.namespace)?;
    Ok(match &config.redis_url {
        Some(url) => {
            let redis = RedisConfig::new(url.clone(), ns).with_op_timeout(Duration::from_millis(config.op_timeout_ms));
            Box::new(RedisStore::connect(&redis)?)
        }
        None => Box::new(FileStore::open(&config.dir, ns)?),
    })
}
