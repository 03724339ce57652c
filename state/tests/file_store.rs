//! The shared suite against [`FileStore`], plus what only files can get
//! wrong: damaged files and the restart of a process.

mod common;

use common::{sample, suite};
use hft_state::{FileStore, Namespace, StateStore, StoreError};
use std::path::Path;

fn open(root: &Path, ns: &str) -> FileStore {
    FileStore::open(root, Namespace::new(ns).unwrap()).unwrap()
}

#[test]
fn round_trips_every_kind() {
    let dir = tempfile::tempdir().unwrap();
    suite::round_trips_every_kind(&open(dir.path(), "paper"));
}

#[test]
fn namespaces_are_isolated() {
    let dir = tempfile::tempdir().unwrap();
    suite::namespaces_are_isolated(&open(dir.path(), "paper"), &open(dir.path(), "live"));
}

#[test]
fn executed_ids_dedupe() {
    let dir = tempfile::tempdir().unwrap();
    suite::executed_ids_dedupe(&open(dir.path(), "paper"));
}

#[test]
fn commit_fill_is_atomic_and_deduplicated() {
    let dir = tempfile::tempdir().unwrap();
    suite::commit_fill_is_atomic_and_deduplicated(&open(dir.path(), "paper"));
}

#[test]
fn concurrent_commits_apply_each_order_once() {
    let dir = tempfile::tempdir().unwrap();
    suite::concurrent_commits_apply_each_order_once(&open(dir.path(), "paper"));
}

#[test]
fn fail_closed_follows_the_kill_switch() {
    let dir = tempfile::tempdir().unwrap();
    suite::fail_closed_follows_the_kill_switch(&open(dir.path(), "paper"));
}

#[test]
fn survives_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let before = open(dir.path(), "paper");
    // A new FileStore on the same directory is what a restarted process opens.
    suite::survives_a_restart(&before, || Box::new(open(dir.path(), "paper")));
}

#[test]
fn a_corrupt_file_is_an_error_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path(), "paper");
    store.put_account(&sample::account("pairs", 1)).unwrap();
    let books = store.dir().join("books.json");
    std::fs::write(&books, b"{\"v\":1,\"kind\":\"books\",\"data\":{\"accounts\":[tru").unwrap();
    let err = store.account(&sample::strategy("pairs")).unwrap_err();
    assert!(matches!(err, StoreError::Corrupt { .. }), "{err:?}");
    assert!(err.to_string().contains(&books.display().to_string()), "{err}");
    // Writes refuse to build on damaged books rather than overwrite them.
    assert!(store.mark_executed(hft_trading::domain::OrderId(1)).is_err());
    assert_eq!(std::fs::read(&books).unwrap().len(), 45, "the damaged file is left for an operator");

    let kill = store.dir().join("kill.json");
    std::fs::write(&kill, br#"{"v":99,"kind":"kill_switch","data":{}}"#).unwrap();
    let err = store.kill_switch().unwrap_err();
    assert!(matches!(err, StoreError::UnsupportedVersion { found: 99, .. }), "{err:?}");
    assert!(err.to_string().contains("kill.json"), "{err}");
    assert!(hft_state::FailClosed::new(&store).permit().is_err(), "unreadable state blocks orders");
}

#[test]
fn files_are_readable_json_and_leave_no_temporaries() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path(), "paper");
    store.commit_fill(&sample::account("pairs", 1), hft_trading::domain::OrderId(1)).unwrap();
    store.put_snapshot(&sample::snapshot("kalman", 3)).unwrap();
    let text = std::fs::read_to_string(store.dir().join("books.json")).unwrap();
    assert!(text.starts_with(r#"{"v":1,"kind":"books""#), "{text}");
    assert!(text.contains(r#""cash":"67496.6999950""#), "decimals are exact strings: {text}");
    let mut names: Vec<String> =
        std::fs::read_dir(store.dir()).unwrap().map(|e| e.unwrap().file_name().into_string().unwrap()).collect();
    names.sort();
    assert_eq!(names, ["books.json", "snapshots"]);
    assert!(store.dir().join("snapshots/kalman.json").is_file());
}
