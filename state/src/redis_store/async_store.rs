use super::config::RedisConfig;
use super::failure::{from_redis, timed_out};
use crate::codec::{decode, encode};
use crate::error::StoreError;
use crate::health::Health;
use crate::keys::{Keys, kind};
use crate::name::{ComponentName, Namespace, StrategyId};
use crate::record::{AccountSnapshot, ComponentSnapshot, KillSwitch, RiskRecord};
use crate::store::FillCommit;
use hft_trading::domain::OrderId;
use hft_trading::execution::Order;
use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use redis::{Cmd, FromRedisValue, Script};
use serde::de::DeserializeOwned;
use std::time::Duration;

/// The Redis store for async callers: the same operations as
/// [`StateStore`](crate::StateStore), as `async fn`s over one
/// auto-reconnecting [`ConnectionManager`].
///
/// Every operation is bounded by [`RedisConfig::op_timeout`], which covers
/// waiting for a reconnection too. Failures to reach Redis come back as
/// [`StoreError::Unavailable`]; the manager keeps reconnecting in the
/// background, so the same store works again once Redis is back.
#[derive(Clone)]
pub struct AsyncRedisStore {
    conn: ConnectionManager,
    keys: Keys,
    timeout: Duration,
    commit_fill: Script,
}

impl std::fmt::Debug for AsyncRedisStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AsyncRedisStore")
            .field("namespace", self.keys.namespace())
            .field("timeout", &self.timeout)
            .finish()
    }
}

impl AsyncRedisStore {
    /// Build the store without contacting Redis: the connection is made on
    /// first use, so a store can be created while Redis is down (its
    /// operations then fail closed until it is up).
    ///
    /// Must be called inside a tokio runtime: the connection manager spawns
    /// a task on it. Fails only on a malformed URL.
    pub fn connect_lazy(config: &RedisConfig) -> Result<AsyncRedisStore, StoreError> {
        let client = redis::Client::open(config.url.as_str()).map_err(|e| StoreError::Backend {
            backend: "redis",
            reason: format!("bad Redis URL {:?}: {e}", config.url),
        })?;
        let manager_config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(config.op_timeout))
            .set_response_timeout(Some(config.op_timeout))
            .set_min_delay(Duration::from_millis(20))
            .set_max_delay(config.max_reconnect_delay)
            .set_number_of_retries(6);
        let conn =
            ConnectionManager::new_lazy_with_config(client, manager_config).map_err(|e| from_redis("connect", e))?;
        tracing::info!(namespace = %config.namespace, timeout = ?config.op_timeout, "redis state store created");
        Ok(AsyncRedisStore {
            conn,
            keys: Keys::new(config.namespace.clone()),
            timeout: config.op_timeout,
            commit_fill: Script::new(include_str!("commit_fill.lua")),
        })
    }

    /// The namespace every key of this store lives under.
    pub fn namespace(&self) -> &Namespace {
        self.keys.namespace()
    }

    /// Run `cmd` with the store's timeout.
    async fn query<T: FromRedisValue>(&self, op: &'static str, cmd: &Cmd) -> Result<T, StoreError> {
        let mut conn = self.conn.clone();
        match tokio::time::timeout(self.timeout, cmd.query_async::<T>(&mut conn)).await {
            Ok(result) => result.map_err(|e| from_redis(op, e)),
            Err(_) => Err(timed_out(op, self.timeout)),
        }
    }

    async fn get<T: DeserializeOwned>(&self, kind: &str, key: String) -> Result<Option<T>, StoreError> {
        let bytes: Option<Vec<u8>> = self.query("GET", redis::cmd("GET").arg(&key)).await?;
        bytes.map(|b| decode(kind, &b, &key)).transpose()
    }

    async fn set(&self, key: String, value: Vec<u8>) -> Result<(), StoreError> {
        self.query("SET", redis::cmd("SET").arg(&key).arg(value)).await
    }

    /// `PING` within the timeout.
    pub async fn health(&self) -> Health {
        match self.query::<String>("PING", &redis::cmd("PING")).await {
            Ok(_) => Health::Available,
            Err(e) => Health::Unavailable { reason: e.to_string() },
        }
    }

    /// See [`StateStore::put_account`](crate::StateStore::put_account).
    pub async fn put_account(&self, account: &AccountSnapshot) -> Result<(), StoreError> {
        self.set(self.keys.account(&account.strategy), encode(kind::ACCOUNT, account)).await
    }

    /// See [`StateStore::account`](crate::StateStore::account).
    pub async fn account(&self, strategy: &StrategyId) -> Result<Option<AccountSnapshot>, StoreError> {
        self.get(kind::ACCOUNT, self.keys.account(strategy)).await
    }

    /// See [`StateStore::put_open_order`](crate::StateStore::put_open_order).
    pub async fn put_open_order(&self, order: &Order) -> Result<(), StoreError> {
        let cmd =
            redis::cmd("HSET").arg(self.keys.open_orders()).arg(order.id.0).arg(encode(kind::ORDER, order)).clone();
        self.query::<i64>("HSET", &cmd).await.map(drop)
    }

    /// See [`StateStore::remove_open_order`](crate::StateStore::remove_open_order).
    pub async fn remove_open_order(&self, id: OrderId) -> Result<bool, StoreError> {
        let removed: i64 = self.query("HDEL", redis::cmd("HDEL").arg(self.keys.open_orders()).arg(id.0)).await?;
        Ok(removed > 0)
    }

    /// See [`StateStore::open_orders`](crate::StateStore::open_orders).
    pub async fn open_orders(&self) -> Result<Vec<Order>, StoreError> {
        let key = self.keys.open_orders();
        let fields: Vec<(String, Vec<u8>)> = self.query("HGETALL", redis::cmd("HGETALL").arg(&key)).await?;
        let mut orders = fields
            .into_iter()
            .map(|(field, bytes)| decode::<Order>(kind::ORDER, &bytes, &format!("{key} field {field}")))
            .collect::<Result<Vec<_>, _>>()?;
        orders.sort_by_key(|o| o.id);
        Ok(orders)
    }

    /// See [`StateStore::mark_executed`](crate::StateStore::mark_executed).
    pub async fn mark_executed(&self, id: OrderId) -> Result<bool, StoreError> {
        let added: i64 = self.query("SADD", redis::cmd("SADD").arg(self.keys.executed()).arg(id.0)).await?;
        Ok(added == 1)
    }

    /// See [`StateStore::is_executed`](crate::StateStore::is_executed).
    pub async fn is_executed(&self, id: OrderId) -> Result<bool, StoreError> {
        self.query("SISMEMBER", redis::cmd("SISMEMBER").arg(self.keys.executed()).arg(id.0)).await
    }

    /// See [`StateStore::commit_fill`](crate::StateStore::commit_fill): one
    /// Lua script (`commit_fill.lua`), which Redis runs atomically.
    pub async fn commit_fill(&self, account: &AccountSnapshot, order: OrderId) -> Result<FillCommit, StoreError> {
        let mut invocation = self.commit_fill.prepare_invoke();
        invocation
            .key(self.keys.executed())
            .key(self.keys.account(&account.strategy))
            .key(self.keys.open_orders())
            .arg(order.0)
            .arg(encode(kind::ACCOUNT, account));
        let mut conn = self.conn.clone();
        let applied: i64 = match tokio::time::timeout(self.timeout, invocation.invoke_async(&mut conn)).await {
            Ok(result) => result.map_err(|e| from_redis("commit_fill", e))?,
            Err(_) => return Err(timed_out("commit_fill", self.timeout)),
        };
        let outcome = if applied == 1 { FillCommit::Applied } else { FillCommit::Duplicate };
        tracing::debug!(namespace = %self.keys.namespace(), %order, ?outcome, "fill committed");
        Ok(outcome)
    }

    /// See [`StateStore::put_risk`](crate::StateStore::put_risk).
    pub async fn put_risk(&self, risk: &RiskRecord) -> Result<(), StoreError> {
        self.set(self.keys.risk(), encode(kind::RISK, risk)).await
    }

    /// See [`StateStore::risk`](crate::StateStore::risk).
    pub async fn risk(&self) -> Result<Option<RiskRecord>, StoreError> {
        self.get(kind::RISK, self.keys.risk()).await
    }

    /// See [`StateStore::set_kill_switch`](crate::StateStore::set_kill_switch).
    pub async fn set_kill_switch(&self, switch: &KillSwitch) -> Result<(), StoreError> {
        tracing::warn!(namespace = %self.keys.namespace(), engaged = switch.engaged, reason = %switch.reason, "kill switch set");
        self.set(self.keys.kill(), encode(kind::KILL, switch)).await
    }

    /// See [`StateStore::kill_switch`](crate::StateStore::kill_switch).
    pub async fn kill_switch(&self) -> Result<KillSwitch, StoreError> {
        Ok(self.get(kind::KILL, self.keys.kill()).await?.unwrap_or_default())
    }

    /// See [`StateStore::put_snapshot`](crate::StateStore::put_snapshot).
    pub async fn put_snapshot(&self, snapshot: &ComponentSnapshot) -> Result<(), StoreError> {
        self.set(self.keys.snapshot(&snapshot.component), encode(kind::SNAPSHOT, snapshot)).await
    }

    /// See [`StateStore::snapshot`](crate::StateStore::snapshot).
    pub async fn snapshot(&self, component: &ComponentName) -> Result<Option<ComponentSnapshot>, StoreError> {
        self.get(kind::SNAPSHOT, self.keys.snapshot(component)).await
    }
}
