//! Behaviour every [`StateStore`] must show, whatever the backend. Each test
//! file runs these against its store; "restart" is backend-specific and
//! passed in as a closure.

use super::sample;
use hft_state::{Blocked, ComponentName, FailClosed, FillCommit, KillSwitch, StateStore};
use hft_trading::domain::{OrderId, Timestamp};

/// Every kind of state written comes back equal; absent state reads as
/// absent (or disengaged, for the kill switch).
pub fn round_trips_every_kind(store: &dyn StateStore) {
    assert!(store.is_available(), "{}", store.health());
    let s = sample::strategy("pairs");
    assert_eq!(store.account(&s).unwrap(), None);
    assert_eq!(store.risk().unwrap(), None);
    assert_eq!(store.kill_switch().unwrap(), KillSwitch::default());
    assert_eq!(store.snapshot(&ComponentName::new("kalman").unwrap()).unwrap(), None);
    assert!(store.open_orders().unwrap().is_empty());

    let account = sample::account("pairs", 3);
    assert!(!account.realised_pnl.0.is_zero(), "the sample should have realised PnL");
    store.put_account(&account).unwrap();
    assert_eq!(store.account(&s).unwrap(), Some(account.clone()));
    let newer = sample::account("pairs", 2);
    store.put_account(&newer).unwrap();
    assert_eq!(store.account(&s).unwrap(), Some(newer), "a put replaces the snapshot");

    for id in [5, 3, 4] {
        store.put_open_order(&sample::order(id)).unwrap();
    }
    let ids: Vec<u64> = store.open_orders().unwrap().iter().map(|o| o.id.0).collect();
    assert_eq!(ids, [3, 4, 5]);
    assert_eq!(store.open_orders().unwrap()[0], sample::order(3));
    assert!(store.remove_open_order(OrderId(4)).unwrap());
    assert!(!store.remove_open_order(OrderId(4)).unwrap());
    assert_eq!(store.open_orders().unwrap(), [sample::order(3), sample::order(5)]);

    store.put_risk(&sample::risk()).unwrap();
    assert_eq!(store.risk().unwrap(), Some(sample::risk()));

    store.set_kill_switch(&sample::kill()).unwrap();
    assert_eq!(store.kill_switch().unwrap(), sample::kill());
    let released = KillSwitch::released("operator: resolved", Timestamp(8));
    store.set_kill_switch(&released).unwrap();
    assert_eq!(store.kill_switch().unwrap(), released);

    let snap = sample::snapshot("kalman", 1_234_567);
    store.put_snapshot(&snap).unwrap();
    store.put_snapshot(&sample::snapshot("garch", 9)).unwrap();
    assert_eq!(store.snapshot(&snap.component).unwrap(), Some(snap));
    assert_eq!(store.snapshot(&ComponentName::new("garch").unwrap()).unwrap().unwrap().sequence, 9);
}

/// Two namespaces on one backend see nothing of each other.
pub fn namespaces_are_isolated(a: &dyn StateStore, b: &dyn StateStore) {
    assert_ne!(a.namespace(), b.namespace());
    a.put_account(&sample::account("pairs", 1)).unwrap();
    a.put_open_order(&sample::order(1)).unwrap();
    assert!(a.mark_executed(OrderId(1)).unwrap());
    a.put_risk(&sample::risk()).unwrap();
    a.set_kill_switch(&sample::kill()).unwrap();
    a.put_snapshot(&sample::snapshot("kalman", 1)).unwrap();

    assert_eq!(b.account(&sample::strategy("pairs")).unwrap(), None);
    assert!(b.open_orders().unwrap().is_empty());
    assert!(!b.is_executed(OrderId(1)).unwrap());
    assert!(b.mark_executed(OrderId(1)).unwrap(), "b has its own executed set");
    assert_eq!(b.risk().unwrap(), None);
    assert!(!b.kill_switch().unwrap().engaged);
    assert_eq!(b.snapshot(&ComponentName::new("kalman").unwrap()).unwrap(), None);
    assert!(FailClosed::new(b).permit().is_ok(), "a's kill switch does not stop b");
    assert!(FailClosed::new(a).permit().is_err());
}

/// An order id is executed once: the second mark says so.
pub fn executed_ids_dedupe(store: &dyn StateStore) {
    assert!(!store.is_executed(OrderId(10)).unwrap());
    assert!(store.mark_executed(OrderId(10)).unwrap());
    assert!(store.is_executed(OrderId(10)).unwrap());
    assert!(!store.mark_executed(OrderId(10)).unwrap(), "a replayed order must be seen as executed");
    assert!(!store.is_executed(OrderId(11)).unwrap());
    assert!(store.mark_executed(OrderId(u64::MAX)).unwrap());
    assert!(store.is_executed(OrderId(u64::MAX)).unwrap());
}

/// `commit_fill` writes account + executed id + open-order removal
/// together, and a replay of the same order changes nothing.
pub fn commit_fill_is_atomic_and_deduplicated(store: &dyn StateStore) {
    let s = sample::strategy("pairs");
    store.put_open_order(&sample::order(1)).unwrap();
    store.put_open_order(&sample::order(2)).unwrap();
    let after_first = sample::account("pairs", 1);
    assert_eq!(store.commit_fill(&after_first, OrderId(1)).unwrap(), FillCommit::Applied);
    assert_eq!(store.account(&s).unwrap(), Some(after_first.clone()));
    assert!(store.is_executed(OrderId(1)).unwrap());
    assert_eq!(store.open_orders().unwrap(), [sample::order(2)], "the filled order is no longer open");

    // The same order replayed (say after a crash before the offset commit),
    // with the books a second fill would have produced: nothing changes.
    let doubled = sample::account("pairs", 2);
    assert_eq!(store.commit_fill(&doubled, OrderId(1)).unwrap(), FillCommit::Duplicate);
    assert_eq!(store.account(&s).unwrap(), Some(after_first));
    assert_eq!(store.open_orders().unwrap(), [sample::order(2)]);

    // An id marked executed by another path is a duplicate too.
    assert!(store.mark_executed(OrderId(2)).unwrap());
    assert_eq!(store.commit_fill(&doubled, OrderId(2)).unwrap(), FillCommit::Duplicate);
    assert_eq!(store.open_orders().unwrap(), [sample::order(2)], "a duplicate removes nothing");

    assert_eq!(store.commit_fill(&doubled, OrderId(3)).unwrap(), FillCommit::Applied);
    assert_eq!(store.account(&s).unwrap(), Some(doubled));
}

/// Write every kind of state into `before`; `reopen` restarts the backend
/// and returns a fresh store on it, which must see all of it.
pub fn survives_a_restart(before: &dyn StateStore, reopen: impl FnOnce() -> Box<dyn StateStore>) {
    let account = sample::account("pairs", 3);
    before.put_open_order(&sample::order(8)).unwrap();
    before.put_open_order(&sample::order(9)).unwrap();
    assert_eq!(before.commit_fill(&account, OrderId(8)).unwrap(), FillCommit::Applied);
    before.put_risk(&sample::risk()).unwrap();
    before.set_kill_switch(&sample::kill()).unwrap();
    before.put_snapshot(&sample::snapshot("bocd", 77)).unwrap();

    let after = reopen();
    assert_eq!(after.account(&sample::strategy("pairs")).unwrap(), Some(account.clone()));
    assert_eq!(after.open_orders().unwrap(), [sample::order(9)]);
    assert!(after.is_executed(OrderId(8)).unwrap());
    assert_eq!(after.commit_fill(&account, OrderId(8)).unwrap(), FillCommit::Duplicate, "dedupe survives a restart");
    assert_eq!(after.risk().unwrap(), Some(sample::risk()));
    assert_eq!(after.kill_switch().unwrap(), sample::kill());
    assert_eq!(after.snapshot(&ComponentName::new("bocd").unwrap()).unwrap(), Some(sample::snapshot("bocd", 77)));
}

/// The gate lets orders out only with a reachable store and a released
/// kill switch.
pub fn fail_closed_follows_the_kill_switch(store: &dyn StateStore) {
    assert!(FailClosed::new(store).permit().is_ok());
    store.set_kill_switch(&sample::kill()).unwrap();
    match FailClosed::new(store).permit() {
        Err(Blocked::KillSwitch(k)) => assert_eq!(k, sample::kill()),
        other => panic!("expected the kill switch to block, got {other:?}"),
    }
    store.set_kill_switch(&KillSwitch::released("ok", Timestamp(9))).unwrap();
    assert!(FailClosed::new(store).permit().is_ok());
}

/// Two threads committing the same order ids at once (a replay racing the
/// original): every id is applied exactly once.
pub fn concurrent_commits_apply_each_order_once(store: &dyn StateStore) {
    let ids: Vec<u64> = (100..140).collect();
    let applied: Vec<usize> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..2)
            .map(|_| {
                let ids = &ids;
                scope.spawn(move || {
                    ids.iter()
                        .filter(|&&id| {
                            let account = sample::account("pairs", id % 4);
                            store.commit_fill(&account, OrderId(id)).unwrap() == FillCommit::Applied
                        })
                        .count()
                })
            })
            .collect();
        workers.into_iter().map(|w| w.join().unwrap()).collect()
    });
    assert_eq!(applied.iter().sum::<usize>(), ids.len(), "per-thread applied counts: {applied:?}");
    for id in ids {
        assert!(store.is_executed(OrderId(id)).unwrap());
    }
}
