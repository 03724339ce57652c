//! The key layout, one place for every backend.
//!
//! | Redis key | type | holds | file (under `<root>/<namespace>/`) |
//! |---|---|---|---|
//! | `<ns>:account:<strategy>` | string | [`AccountSnapshot`](crate::AccountSnapshot) envelope | `books.json` → `accounts.<strategy>` |
//! | `<ns>:orders:open` | hash | order id (decimal) → `Order` envelope | `books.json` → `open_orders` |
//! | `<ns>:orders:executed` | set | executed order ids (decimal) | `books.json` → `executed` |
//! | `<ns>:risk` | string | [`RiskRecord`](crate::RiskRecord) envelope | `risk.json` |
//! | `<ns>:kill` | string | [`KillSwitch`](crate::KillSwitch) envelope | `kill.json` |
//! | `<ns>:snapshot:<component>` | string | [`ComponentSnapshot`](crate::ComponentSnapshot) envelope | `snapshots/<component>.json` |
//!
//! Names are key-safe ([`crate::Namespace`]), so `:` only ever separates.
//! The file store keeps accounts, open orders and executed ids in one file
//! because a fill must update the account and the executed set together,
//! and one `rename` is the file system's only atomic multi-value write.

use crate::name::{ComponentName, Namespace, StrategyId};

/// Every Redis key of one namespace.
#[derive(Debug, Clone)]
pub(crate) struct Keys {
    ns: Namespace,
}

impl Keys {
    pub(crate) fn new(ns: Namespace) -> Keys {
        Keys { ns }
    }

    pub(crate) fn namespace(&self) -> &Namespace {
        &self.ns
    }

    pub(crate) fn account(&self, strategy: &StrategyId) -> String {
        format!("{}:account:{strategy}", self.ns)
    }

    pub(crate) fn open_orders(&self) -> String {
        format!("{}:orders:open", self.ns)
    }

    pub(crate) fn executed(&self) -> String {
        format!("{}:orders:executed", self.ns)
    }

    pub(crate) fn risk(&self) -> String {
        format!("{}:risk", self.ns)
    }

    pub(crate) fn kill(&self) -> String {
        format!("{}:kill", self.ns)
    }

    pub(crate) fn snapshot(&self, component: &ComponentName) -> String {
        format!("{}:snapshot:{component}", self.ns)
    }
}

/// Record kinds, written into each envelope so a value under the wrong key
/// is caught.
pub(crate) mod kind {
    pub(crate) const ACCOUNT: &str = "account";
    pub(crate) const ORDER: &str = "order";
    pub(crate) const RISK: &str = "risk";
    pub(crate) const KILL: &str = "kill_switch";
    pub(crate) const SNAPSHOT: &str = "component_snapshot";
    pub(crate) const BOOKS: &str = "books";
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_prefixed_by_the_namespace() {
        let k = Keys::new(Namespace::new("live").unwrap());
        assert_eq!(k.account(&StrategyId::new("pairs").unwrap()), "live:account:pairs");
        assert_eq!(k.open_orders(), "live:orders:open");
        assert_eq!(k.executed(), "live:orders:executed");
        assert_eq!(k.risk(), "live:risk");
        assert_eq!(k.kill(), "live:kill");
        assert_eq!(k.snapshot(&ComponentName::new("kalman").unwrap()), "live:snapshot:kalman");
    }
}
