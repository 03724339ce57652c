use crate::error::StoreError;
use crate::health::Health;
use crate::name::{ComponentName, Namespace, StrategyId};
use crate::record::{AccountSnapshot, ComponentSnapshot, KillSwitch, RiskRecord};
use hft_trading::domain::OrderId;
use hft_trading::execution::Order;

/// What [`StateStore::commit_fill`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FillCommit {
    /// The order id was new: the account snapshot was written, the id added
    /// to the executed set and removed from the open orders, all at once.
    Applied,
    /// The order id was already executed: nothing was written. A replayed
    /// order never fills twice.
    Duplicate,
}

/// The durable state of one deployment namespace.
///
/// Synchronous on purpose: the host's pipeline is synchronous per tick, and
/// state is touched per fill and per snapshot, not per event. The Redis
/// implementation drives an async connection on its own small runtime (see
/// the crate docs).
///
/// Every method either completes within the store's timeout or fails; a
/// backend that cannot be reached gives [`StoreError::Unavailable`], after
/// which callers fail closed (no new orders) and simply call again later:
/// the store reconnects by itself.
pub trait StateStore: Send + Sync {
    /// The namespace every key of this store lives under.
    fn namespace(&self) -> &Namespace;

    /// Probe the backend now (a Redis `PING`, a directory check).
    fn health(&self) -> Health;

    /// `self.health().is_available()`.
    fn is_available(&self) -> bool {
        self.health().is_available()
    }

    /// Store a strategy's books, replacing the previous snapshot.
    fn put_account(&self, account: &AccountSnapshot) -> Result<(), StoreError>;

    /// A strategy's last stored books.
    fn account(&self, strategy: &StrategyId) -> Result<Option<AccountSnapshot>, StoreError>;

    /// Record an order sent to a venue and not yet done (replaces one with
    /// the same id).
    fn put_open_order(&self, order: &Order) -> Result<(), StoreError>;

    /// Forget an open order (filled or cancelled). `true` if it was open.
    fn remove_open_order(&self, id: OrderId) -> Result<bool, StoreError>;

    /// Every open order, by id.
    fn open_orders(&self) -> Result<Vec<Order>, StoreError>;

    /// Add `id` to the executed set. `true` if it was not there before:
    /// only then may the caller act on the order.
    fn mark_executed(&self, id: OrderId) -> Result<bool, StoreError>;

    /// Whether `id` is in the executed set.
    fn is_executed(&self, id: OrderId) -> Result<bool, StoreError>;

    /// Book a fill atomically: if `order` is not yet executed, store
    /// `account`, add `order` to the executed set and drop it from the open
    /// orders, all or nothing; if it is, change nothing and say
    /// [`FillCommit::Duplicate`].
    fn commit_fill(&self, account: &AccountSnapshot, order: OrderId) -> Result<FillCommit, StoreError>;

    /// Store the risk manager's state.
    fn put_risk(&self, risk: &RiskRecord) -> Result<(), StoreError>;

    /// The last stored risk state.
    fn risk(&self) -> Result<Option<RiskRecord>, StoreError>;

    /// Set the kill switch.
    fn set_kill_switch(&self, switch: &KillSwitch) -> Result<(), StoreError>;

    /// The kill switch; disengaged if it was never set.
    fn kill_switch(&self) -> Result<KillSwitch, StoreError>;

    /// Store a component's snapshot, replacing the previous one.
    fn put_snapshot(&self, snapshot: &ComponentSnapshot) -> Result<(), StoreError>;

    /// A component's last snapshot.
    fn snapshot(&self, component: &ComponentName) -> Result<Option<ComponentSnapshot>, StoreError>;
}
