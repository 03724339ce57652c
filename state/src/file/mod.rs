//! The embedded-mode store: JSON files under a directory.

mod atomic;
mod books;

use crate::codec::{decode, encode};
use crate::error::StoreError;
use crate::health::Health;
use crate::keys::kind;
use crate::name::{ComponentName, Namespace, StrategyId};
use crate::record::{AccountSnapshot, ComponentSnapshot, KillSwitch, RiskRecord};
use crate::store::{FillCommit, StateStore};
use atomic::{create_dir, read_optional, write_atomic};
use books::Books;
use hft_trading::domain::OrderId;
use hft_trading::execution::Order;
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

/// A [`StateStore`] in files under `<root>/<namespace>/`, for one process
/// (embedded mode): a restart that opens the same directory finds the
/// positions, PnL, orders, risk state and component snapshots it left.
///
/// Every write replaces a whole file atomically (temporary file, fsync,
/// rename, directory fsync), so a crash leaves the old state or the new one.
/// The layout is in [`crate::keys`]'s docs. Reads go to disk every time (no
/// cache to go stale); a mutex serialises read-modify-write cycles within
/// the process. Two processes must not share one namespace directory.
#[derive(Debug)]
pub struct FileStore {
    ns: Namespace,
    dir: PathBuf,
    books: Mutex<()>,
}

impl FileStore {
    /// Open (creating if needed) the store of namespace `ns` under `root`.
    pub fn open(root: impl AsRef<Path>, ns: Namespace) -> Result<FileStore, StoreError> {
        let dir = root.as_ref().join(ns.as_str());
        create_dir(&dir.join("snapshots"))?;
        tracing::info!(dir = %dir.display(), "file state store opened");
        Ok(FileStore { ns, dir, books: Mutex::new(()) })
    }

    /// The namespace's directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn books_path(&self) -> PathBuf {
        self.dir.join("books.json")
    }

    fn snapshot_path(&self, component: &ComponentName) -> PathBuf {
        self.dir.join("snapshots").join(format!("{component}.json"))
    }

    fn read<T: DeserializeOwned>(&self, kind: &str, path: &Path) -> Result<Option<T>, StoreError> {
        read_optional(path)?.map(|bytes| decode(kind, &bytes, &path.display().to_string())).transpose()
    }

    fn write<T: Serialize>(&self, kind: &str, path: &Path, value: &T) -> Result<(), StoreError> {
        write_atomic(path, &encode(kind, value))
    }

    fn lock(&self) -> MutexGuard<'_, ()> {
        // The guard protects no data, only the order of file operations, so a
        // panic elsewhere cannot leave anything half-updated behind it.
        self.books.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Read the books, let `change` edit them, and write them back if it
    /// says so.
    fn update_books<R>(&self, change: impl FnOnce(&mut Books) -> (bool, R)) -> Result<R, StoreError> {
        let _guard = self.lock();
        let path = self.books_path();
        let mut books: Books = self.read(kind::BOOKS, &path)?.unwrap_or_default();
        let (dirty, result) = change(&mut books);
        if dirty {
            self.write(kind::BOOKS, &path, &books)?;
        }
        Ok(result)
    }

    fn books(&self) -> Result<Books, StoreError> {
        let _guard = self.lock();
        Ok(self.read(kind::BOOKS, &self.books_path())?.unwrap_or_default())
    }
}

impl StateStore for FileStore {
    fn namespace(&self) -> &Namespace {
        &self.ns
    }

    fn health(&self) -> Health {
        match std::fs::metadata(&self.dir) {
            Ok(m) if m.is_dir() => Health::Available,
            Ok(_) => Health::Unavailable { reason: format!("{} is not a directory", self.dir.display()) },
            Err(e) => Health::Unavailable { reason: format!("{}: {e}", self.dir.display()) },
        }
    }

    fn put_account(&self, account: &AccountSnapshot) -> Result<(), StoreError> {
        self.update_books(|b| (true, b.accounts.insert(account.strategy.clone(), account.clone())))?;
        Ok(())
    }

    fn account(&self, strategy: &StrategyId) -> Result<Option<AccountSnapshot>, StoreError> {
        Ok(self.books()?.accounts.remove(strategy))
    }

    fn put_open_order(&self, order: &Order) -> Result<(), StoreError> {
        self.update_books(|b| (true, b.open_orders.insert(order.id.0, order.clone())))?;
        Ok(())
    }

    fn remove_open_order(&self, id: OrderId) -> Result<bool, StoreError> {
        self.update_books(|b| {
            let removed = b.open_orders.remove(&id.0).is_some();
            (removed, removed)
        })
    }

    fn open_orders(&self) -> Result<Vec<Order>, StoreError> {
        Ok(self.books()?.open_orders.into_values().collect())
    }

    fn mark_executed(&self, id: OrderId) -> Result<bool, StoreError> {
        self.update_books(|b| {
            let new = b.executed.insert(id.0);
            (new, new)
        })
    }

    fn is_executed(&self, id: OrderId) -> Result<bool, StoreError> {
        Ok(self.books()?.executed.contains(&id.0))
    }

    fn commit_fill(&self, account: &AccountSnapshot, order: OrderId) -> Result<FillCommit, StoreError> {
        let outcome = self.update_books(|b| {
            if !b.executed.insert(order.0) {
                return (false, FillCommit::Duplicate);
            }
            b.open_orders.remove(&order.0);
            b.accounts.insert(account.strategy.clone(), account.clone());
            (true, FillCommit::Applied)
        })?;
        tracing::debug!(namespace = %self.ns, %order, ?outcome, "fill committed");
        Ok(outcome)
    }

    fn put_risk(&self, risk: &RiskRecord) -> Result<(), StoreError> {
        self.write(kind::RISK, &self.dir.join("risk.json"), risk)
    }

    fn risk(&self) -> Result<Option<RiskRecord>, StoreError> {
        self.read(kind::RISK, &self.dir.join("risk.json"))
    }

    fn set_kill_switch(&self, switch: &KillSwitch) -> Result<(), StoreError> {
        tracing::warn!(namespace = %self.ns, engaged = switch.engaged, reason = %switch.reason, "kill switch set");
        self.write(kind::KILL, &self.dir.join("kill.json"), switch)
    }

    fn kill_switch(&self) -> Result<KillSwitch, StoreError> {
        Ok(self.read(kind::KILL, &self.dir.join("kill.json"))?.unwrap_or_default())
    }

    fn put_snapshot(&self, snapshot: &ComponentSnapshot) -> Result<(), StoreError> {
        self.write(kind::SNAPSHOT, &self.snapshot_path(&snapshot.component), snapshot)
    }

    fn snapshot(&self, component: &ComponentName) -> Result<Option<ComponentSnapshot>, StoreError> {
        self.read(kind::SNAPSHOT, &self.snapshot_path(component))
    }
}
