use crate::error::StoreError;
use crate::record::KillSwitch;
use crate::store::StateStore;

/// Why [`FailClosed::permit`] refused to let orders out.
#[derive(Debug, thiserror::Error)]
pub enum Blocked {
    /// The store could not be read: without state, no order is safe.
    #[error("no new orders: {0}")]
    Store(#[from] StoreError),
    /// The kill switch is engaged.
    #[error("no new orders: kill switch engaged ({})", .0.reason)]
    KillSwitch(KillSwitch),
}

/// Proof that, at the moment it was issued, the store was reachable and the
/// kill switch released. Execution and risk ask for one before emitting
/// orders; there is no other way to build it.
#[derive(Debug)]
pub struct OrderPermit(());

/// The fail-closed gate in front of order emission.
///
/// Semantics: an order may leave only if the store answers and the kill
/// switch is released. Any store error (unavailable, corrupt, timed out)
/// blocks, exactly like an engaged switch; the gate keeps no cache, so the
/// first check after Redis comes back lets orders through again without a
/// restart.
#[derive(Debug, Clone, Copy)]
pub struct FailClosed<'a, S: StateStore + ?Sized> {
    store: &'a S,
}

impl<'a, S: StateStore + ?Sized> FailClosed<'a, S> {
    /// A gate over `store`.
    pub fn new(store: &'a S) -> Self {
        FailClosed { store }
    }

    /// One round trip: read the kill switch (which also proves the store is
    /// reachable).
    pub fn permit(&self) -> Result<OrderPermit, Blocked> {
        let switch = self.store.kill_switch().inspect_err(|e| {
            tracing::warn!(namespace = %self.store.namespace(), error = %e, "state store unusable: orders blocked");
        })?;
        if switch.engaged {
            tracing::warn!(namespace = %self.store.namespace(), reason = %switch.reason, "kill switch engaged: orders blocked");
            return Err(Blocked::KillSwitch(switch));
        }
        Ok(OrderPermit(()))
    }
}
