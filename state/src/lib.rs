//! The state store of hft-host: what a deployment must not forget when a
//! process restarts.
//!
//! Per deployment namespace it holds each strategy's books (cash, positions,
//! PnL: an [`AccountSnapshot`]), the open orders and the set of order ids
//! already executed (so a replayed order never fills twice), the risk state
//! ([`RiskRecord`]) and the kill switch ([`KillSwitch`]), and model and
//! strategy snapshots ([`ComponentSnapshot`]: bytes plus the input offset
//! they include). The key layout is in [`keys`].
//!
//! Two implementations of one [`StateStore`] trait:
//!
//! * [`FileStore`], embedded mode: JSON files under a directory, every write
//!   atomic (temporary file, fsync, rename);
//! * [`RedisStore`], distributed mode: Redis through the `redis` crate's
//!   auto-reconnecting async `ConnectionManager`; a fill's account update and
//!   executed order id are written by one Lua script.
//!
//! # Sync trait, async Redis inside
//!
//! The host's pipeline is synchronous per tick, and state is written per
//! fill and per snapshot, not per market event. So [`StateStore`] is a plain
//! synchronous, object-safe trait (`Box<dyn StateStore>` picks the backend
//! from configuration), and [`RedisStore`] owns a current-thread tokio
//! runtime and blocks on its [`AsyncRedisStore`] for each call. Async code
//! (a future Kafka consumer, the admin API) uses [`AsyncRedisStore`]
//! directly. An async trait would have forced every synchronous caller to
//! carry a runtime, and `async fn` in traits is not object-safe.
//!
//! # Failing closed
//!
//! Every Redis operation is bounded by a timeout
//! ([`RedisConfig::op_timeout`]); an unreachable Redis gives
//! [`StoreError::Unavailable`] within it, never a hang. Callers that emit
//! orders (execution, risk) must ask [`FailClosed::permit`] first: no permit
//! while the store is unavailable or the kill switch is engaged. Nothing
//! needs rebuilding when Redis returns: the connection manager reconnects on
//! the next call and the next permit succeeds. [`StateStore::health`] probes
//! the backend for dashboards and readiness checks.
//!
//! # Encoding
//!
//! Values are versioned JSON envelopes (`{"v":1,"kind":..,"data":..}`); why
//! JSON and not postcard: state is written per fill, not per tick, so size
//! and speed do not matter, while reading it with `redis-cli` or `cat` during
//! an incident does, and a self-describing format lets a later build add a
//! field without breaking older readers. A value that cannot be
//! decoded is a [`StoreError::Corrupt`] naming the file or key.
//!
//! ```
//! use hft_state::{FailClosed, FileStore, KillSwitch, Namespace, StateStore};
//! use hft_trading::domain::{OrderId, Timestamp};
//!
//! let dir = tempfile::tempdir().unwrap();
//! let store = FileStore::open(dir.path(), Namespace::new("paper").unwrap()).unwrap();
//! assert!(FailClosed::new(&store).permit().is_ok());
//! assert!(store.mark_executed(OrderId(7)).unwrap());
//! assert!(!store.mark_executed(OrderId(7)).unwrap(), "a replayed order is seen as executed");
//! store.set_kill_switch(&KillSwitch::engaged("operator", Timestamp(0))).unwrap();
//! assert!(FailClosed::new(&store).permit().is_err());
//! ```
#![deny(missing_docs)]

mod codec;
mod error;
mod fail_closed;
mod file;
mod health;
pub mod keys;
mod name;
mod record;
mod redis_store;
mod store;
pub mod testing;

pub use error::StoreError;
pub use fail_closed::{Blocked, FailClosed, OrderPermit};
pub use file::FileStore;
pub use health::Health;
pub use name::{ComponentName, Namespace, StrategyId};
pub use record::{AccountSnapshot, ComponentSnapshot, KillSwitch, PositionSnapshot, RiskRecord};
pub use redis_store::{AsyncRedisStore, RedisConfig, RedisStore};
pub use store::{FillCommit, StateStore};
