//! The shared suite against [`RedisStore`] on a real `redis-server` child
//! process, plus durability with an append-only file and fail-closed
//! behaviour while the server is down.

mod common;

use common::redis_server::{Persistence, RedisServer, raw_command};
use common::{sample, suite};
use hft_state::{
    AsyncRedisStore, Blocked, FailClosed, FillCommit, Namespace, RedisConfig, RedisStore, StateStore, StoreError,
};
use hft_trading::domain::OrderId;
use std::time::{Duration, Instant};

const TIMEOUT: Duration = Duration::from_millis(300);

fn store(server: &RedisServer, ns: &str) -> RedisStore {
    let config = RedisConfig::new(server.url(), Namespace::new(ns).unwrap()).with_op_timeout(TIMEOUT);
    RedisStore::connect(&config).unwrap()
}

#[test]
fn round_trips_every_kind() {
    let server = RedisServer::start();
    suite::round_trips_every_kind(&store(&server, "paper"));
}

#[test]
fn namespaces_are_isolated() {
    let server = RedisServer::start();
    suite::namespaces_are_isolated(&store(&server, "paper"), &store(&server, "live"));
}

#[test]
fn executed_ids_dedupe() {
    let server = RedisServer::start();
    suite::executed_ids_dedupe(&store(&server, "paper"));
}

#[test]
fn commit_fill_is_atomic_and_deduplicated() {
    let server = RedisServer::start();
    suite::commit_fill_is_atomic_and_deduplicated(&store(&server, "paper"));
}

#[test]
fn concurrent_commits_apply_each_order_once() {
    let server = RedisServer::start();
    suite::concurrent_commits_apply_each_order_once(&store(&server, "paper"));
}

#[test]
fn the_async_store_works_inside_a_callers_runtime() {
    let server = RedisServer::start();
    let config = RedisConfig::new(server.url(), Namespace::new("paper").unwrap()).with_op_timeout(TIMEOUT);
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    runtime.block_on(async {
        let store = AsyncRedisStore::connect_lazy(&config).unwrap();
        assert!(store.health().await.is_available());
        let account = sample::account("pairs", 1);
        assert_eq!(store.commit_fill(&account, OrderId(1)).await.unwrap(), FillCommit::Applied);
        assert_eq!(store.commit_fill(&account, OrderId(1)).await.unwrap(), FillCommit::Duplicate);
        assert_eq!(store.account(&sample::strategy("pairs")).await.unwrap(), Some(account));
    });
    // What the async store wrote, the blocking store reads.
    assert!(store(&server, "paper").is_executed(OrderId(1)).unwrap());
}

#[test]
fn fail_closed_follows_the_kill_switch() {
    let server = RedisServer::start();
    suite::fail_closed_follows_the_kill_switch(&store(&server, "paper"));
}

#[test]
fn keys_follow_the_documented_layout() {
    let server = RedisServer::start();
    let s = store(&server, "paper");
    s.commit_fill(&sample::account("pairs", 1), OrderId(1)).unwrap();
    s.put_open_order(&sample::order(2)).unwrap();
    s.put_snapshot(&sample::snapshot("kalman", 1)).unwrap();
    let reply = raw_command(server.port(), &[b"KEYS", b"*"]);
    let text = String::from_utf8_lossy(&reply);
    for key in ["paper:account:pairs", "paper:orders:executed", "paper:orders:open", "paper:snapshot:kalman"] {
        assert!(text.contains(key), "{key} missing from {text}");
    }
}

#[test]
fn survives_a_restart_with_append_only_persistence() {
    let dir = tempfile::tempdir().unwrap();
    let mut server = RedisServer::start_with(Persistence::AppendOnly(dir.path().to_owned()));
    let before = store(&server, "paper");
    let url = server.url();
    suite::survives_a_restart(&before, || {
        // SIGKILL, not SHUTDOWN: a crash, with `appendfsync always`.
        server.restart();
        let config = RedisConfig::new(url, Namespace::new("paper").unwrap()).with_op_timeout(TIMEOUT);
        Box::new(RedisStore::connect(&config).unwrap())
    });
    // The old store's connection died with the server: its first call may
    // fail as unavailable, then it reconnects by itself.
    let (executed, _) = eventually(Duration::from_secs(5), || before.is_executed(OrderId(8)));
    assert!(executed, "the old store reads the restarted server's data");
}

#[test]
fn a_foreign_value_is_an_error_naming_the_key() {
    let server = RedisServer::start();
    let s = store(&server, "paper");
    raw_command(server.port(), &[b"SET", b"paper:risk", b"not json"]);
    let err = s.risk().unwrap_err();
    assert!(matches!(err, StoreError::Corrupt { .. }), "{err:?}");
    assert!(err.to_string().contains("paper:risk"), "{err}");
    raw_command(server.port(), &[b"SET", b"paper:orders:executed", b"x"]);
    let err = s.mark_executed(OrderId(1)).unwrap_err();
    assert!(matches!(err, StoreError::Backend { .. }), "WRONGTYPE is not an outage: {err:?}");
}

/// Wait until `op` succeeds, at most `within`.
fn eventually<T>(within: Duration, mut op: impl FnMut() -> Result<T, StoreError>) -> (T, Duration) {
    let start = Instant::now();
    loop {
        match op() {
            Ok(v) => return (v, start.elapsed()),
            Err(e) => {
                assert!(e.is_unavailable(), "only unavailability is expected while recovering: {e}");
                assert!(start.elapsed() < within, "store did not recover within {within:?}: {e}");
                std::thread::sleep(Duration::from_millis(50));
            }
        }
    }
}

#[test]
fn fails_closed_while_redis_is_down_and_recovers_by_itself() {
    let mut server = RedisServer::start();
    let s = store(&server, "paper");
    s.put_account(&sample::account("pairs", 1)).unwrap();
    assert!(FailClosed::new(&s).permit().is_ok());

    server.stop();
    for attempt in 0..3 {
        let start = Instant::now();
        let err = s.account(&sample::strategy("pairs")).unwrap_err();
        let took = start.elapsed();
        assert!(err.is_unavailable(), "attempt {attempt}: {err:?}");
        assert!(took < TIMEOUT + Duration::from_millis(200), "attempt {attempt} took {took:?}");
        let start = Instant::now();
        assert!(matches!(s.commit_fill(&sample::account("pairs", 2), OrderId(5)), Err(e) if e.is_unavailable()));
        assert!(matches!(FailClosed::new(&s).permit(), Err(Blocked::Store(e)) if e.is_unavailable()));
        assert!(!s.is_available());
        assert!(start.elapsed() < 3 * (TIMEOUT + Duration::from_millis(200)), "took {:?}", start.elapsed());
    }

    server.restart();
    let (_, took) = eventually(Duration::from_secs(5), || {
        FailClosed::new(&s).permit().map_err(|b| match b {
            Blocked::Store(e) => e,
            Blocked::KillSwitch(k) => panic!("unexpected kill switch {k:?}"),
        })
    });
    eprintln!("recovered {took:?} after the restart");
    assert!(s.is_available());
    // The restarted server kept nothing (no persistence); the same store
    // object writes and reads again.
    assert_eq!(s.account(&sample::strategy("pairs")).unwrap(), None);
    assert_eq!(s.commit_fill(&sample::account("pairs", 2), OrderId(5)).unwrap(), FillCommit::Applied);
    assert_eq!(s.account(&sample::strategy("pairs")).unwrap(), Some(sample::account("pairs", 2)));
}

#[test]
fn a_store_built_while_redis_is_down_fails_closed_then_works() {
    let mut server = RedisServer::start();
    server.stop();
    let s = store(&server, "paper");
    let start = Instant::now();
    assert!(matches!(s.kill_switch(), Err(e) if e.is_unavailable()));
    assert!(start.elapsed() < TIMEOUT + Duration::from_millis(200), "took {:?}", start.elapsed());
    server.restart();
    eventually(Duration::from_secs(5), || s.mark_executed(OrderId(1)));
    assert!(s.is_executed(OrderId(1)).unwrap());
}
