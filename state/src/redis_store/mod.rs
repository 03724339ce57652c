//! The distributed-mode store: Redis through the `redis` crate's
//! auto-reconnecting async [`ConnectionManager`](redis::aio::ConnectionManager).

mod async_store;
mod config;
mod failure;

pub use async_store::AsyncRedisStore;
pub use config::RedisConfig;

use crate::error::StoreError;
use crate::health::Health;
use crate::name::{ComponentName, Namespace, StrategyId};
use crate::record::{AccountSnapshot, ComponentSnapshot, KillSwitch, RiskRecord};
use crate::store::{FillCommit, StateStore};
use hft_trading::domain::OrderId;
use hft_trading::execution::Order;
use std::future::Future;

/// The Redis store for the synchronous pipeline: an [`AsyncRedisStore`] and
/// the small current-thread tokio runtime it runs on.
///
/// Each call blocks the calling thread for at most the configured operation
/// timeout. The runtime only runs while a call is in progress, which is
/// enough: the connection manager reconnects when the next call needs the
/// connection. Do not call it from inside another tokio runtime (tokio
/// forbids nested `block_on`); async code uses [`RedisStore::inner`] or its
/// own [`AsyncRedisStore`].
pub struct RedisStore {
    // Declared before `runtime` so the connection is dropped first.
    inner: AsyncRedisStore,
    runtime: tokio::runtime::Runtime,
}

impl std::fmt::Debug for RedisStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisStore").field("inner", &self.inner).finish()
    }
}

impl RedisStore {
    /// Build the store. Redis need not be up: the connection is made on
    /// first use and every operation fails with
    /// [`StoreError::Unavailable`] until it is. Fails only on a malformed URL
    /// or if the runtime cannot start.
    pub fn connect(config: &RedisConfig) -> Result<RedisStore, StoreError> {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().map_err(|e| {
            StoreError::Backend { backend: "redis", reason: format!("cannot start the store's tokio runtime: {e}") }
        })?;
        let inner = {
            let _context = runtime.enter();
            AsyncRedisStore::connect_lazy(config)?
        };
        Ok(RedisStore { inner, runtime })
    }

    /// The async store inside, for callers that already run on tokio.
    pub fn inner(&self) -> &AsyncRedisStore {
        &self.inner
    }

    fn block<T>(&self, f: impl Future<Output = T>) -> T {
        self.runtime.block_on(f)
    }
}

impl StateStore for RedisStore {
    fn namespace(&self) -> &Namespace {
        self.inner.namespace()
    }

    fn health(&self) -> Health {
        self.block(self.inner.health())
    }

    fn put_account(&self, account: &AccountSnapshot) -> Result<(), StoreError> {
        self.block(self.inner.put_account(account))
    }

    fn account(&self, strategy: &StrategyId) -> Result<Option<AccountSnapshot>, StoreError> {
        self.block(self.inner.account(strategy))
    }

    fn put_open_order(&self, order: &Order) -> Result<(), StoreError> {
        self.block(self.inner.put_open_order(order))
    }

    fn remove_open_order(&self, id: OrderId) -> Result<bool, StoreError> {
        self.block(self.inner.remove_open_order(id))
    }

    fn open_orders(&self) -> Result<Vec<Order>, StoreError> {
        self.block(self.inner.open_orders())
    }

    fn mark_executed(&self, id: OrderId) -> Result<bool, StoreError> {
        self.block(self.inner.mark_executed(id))
    }

    fn is_executed(&self, id: OrderId) -> Result<bool, StoreError> {
        self.block(self.inner.is_executed(id))
    }

    fn commit_fill(&self, account: &AccountSnapshot, order: OrderId) -> Result<FillCommit, StoreError> {
        self.block(self.inner.commit_fill(account, order))
    }

    fn put_risk(&self, risk: &RiskRecord) -> Result<(), StoreError> {
        self.block(self.inner.put_risk(risk))
    }

    fn risk(&self) -> Result<Option<RiskRecord>, StoreError> {
        self.block(self.inner.risk())
    }

    fn set_kill_switch(&self, switch: &KillSwitch) -> Result<(), StoreError> {
        self.block(self.inner.set_kill_switch(switch))
    }

    fn kill_switch(&self) -> Result<KillSwitch, StoreError> {
        self.block(self.inner.kill_switch())
    }

    fn put_snapshot(&self, snapshot: &ComponentSnapshot) -> Result<(), StoreError> {
        self.block(self.inner.put_snapshot(snapshot))
    }

    fn snapshot(&self, component: &ComponentName) -> Result<Option<ComponentSnapshot>, StoreError> {
        self.block(self.inner.snapshot(component))
    }
}
