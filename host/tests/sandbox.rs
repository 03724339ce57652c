//! A plugin gets no capabilities, and a plugin that misbehaves is stopped
//! with a typed error while the host (and other instances) carry on.

mod common;

use hft_host::models::ChangepointModel;
use hft_host::runtime::bindings::types::{Param, ParamValue};
use hft_host::runtime::{GuestError, Limits, PluginError};
use std::time::{Duration, Instant};

fn hostile(rt: &hft_host::runtime::Runtime, mode: &str) -> ChangepointModel {
    let component = common::load(rt, "hostile");
    let params = [Param { name: "mode".into(), value: ParamValue::Text(mode.into()) }];
    ChangepointModel::create(&component, &params).expect("create hostile model")
}

/// The guest's own report that the capability failed; panics on a hole.
fn expect_blocked(rt: &hft_host::runtime::Runtime, mode: &str) -> String {
    match hostile(rt, mode).update(0.0) {
        Err(PluginError::Guest(GuestError::InvalidInput(why))) => why,
        Ok(step) => panic!("{mode}: the plugin reached the capability (change_prob {})", step.change_prob),
        Err(other) => panic!("{mode}: unexpected error {other}"),
    }
}

#[test]
fn a_plugin_cannot_read_files_or_list_directories() {
    let rt = common::runtime();
    // A file that certainly exists and is readable by this test process.
    let manifest = concat!(env!("CARGO_MANIFEST_DIR"), "/Cargo.toml");
    assert!(std::fs::read(manifest).is_ok());
    let component = common::load(&rt, "hostile");
    let params = [
        Param { name: "mode".into(), value: ParamValue::Text("read-file".into()) },
        Param { name: "path".into(), value: ParamValue::Text(manifest.into()) },
    ];
    let err = ChangepointModel::create(&component, &params).unwrap().update(0.0).unwrap_err();
    assert!(matches!(err, PluginError::Guest(GuestError::InvalidInput(_))), "{err}");
    let why = expect_blocked(&rt, "list-dir");
    assert!(!why.is_empty());
}

#[test]
fn a_plugin_cannot_open_a_socket() {
    let rt = common::runtime();
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let addr = listener.local_addr().unwrap();
    let why = expect_blocked(&rt, &format!("connect:{addr}"));
    assert!(why.contains(&addr.to_string()), "{why}");
    // Nothing arrived at the listener.
    std::thread::sleep(Duration::from_millis(50));
    assert!(listener.accept().is_err(), "the plugin's connection reached the host's listener");
}

#[test]
fn a_plugin_sees_no_environment_and_no_clock() {
    let rt = common::runtime();
    // SAFETY: set before the plugin runs; no other thread reads it.
    unsafe { std::env::set_var("HFT_SECRET_FOR_SANDBOX_TEST", "1") };
    expect_blocked(&rt, "env");
    expect_blocked(&rt, "clock");
}

#[test]
fn an_endless_loop_is_stopped_at_the_deadline_and_poisons_only_its_instance() {
    let limits = Limits { call_timeout: Duration::from_millis(100), ..Limits::default() };
    let rt = common::runtime_with(limits);
    let mut looping = hostile(&rt, "loop");
    let started = Instant::now();
    let err = looping.update(0.0).unwrap_err();
    assert!(matches!(err, PluginError::Timeout { call: "update", .. }), "{err}");
    assert!(err.is_fault());
    assert!(started.elapsed() < Duration::from_secs(5), "the deadline did not stop the loop promptly");
    // Never entered again.
    assert!(looping.is_poisoned());
    assert!(matches!(looping.update(0.0).unwrap_err(), PluginError::Poisoned(_)));
    // The host and other instances are unaffected.
    let mut healthy = hostile(&rt, "ok");
    assert_eq!(healthy.update(0.0).unwrap().change_prob, 0.0);
}

#[test]
fn a_memory_hog_is_stopped_at_the_cap() {
    let limits = Limits { memory_bytes: 16 << 20, ..Limits::default() };
    let rt = common::runtime_with(limits);
    let mut hog = hostile(&rt, "hog");
    let err = hog.update(0.0).unwrap_err();
    assert!(matches!(err, PluginError::OutOfMemory { call: "update", .. }), "{err}");
    assert!(hog.is_poisoned());
    assert!(hostile(&rt, "ok").update(0.0).is_ok());
}

#[test]
fn a_panic_is_a_typed_trap() {
    let rt = common::runtime();
    let mut p = hostile(&rt, "panic");
    let err = p.update(0.0).unwrap_err();
    assert!(matches!(err, PluginError::Trap { call: "update", .. }), "{err}");
    assert!(matches!(p.update(0.0).unwrap_err(), PluginError::Poisoned(_)));
}

/// Collects formatted log lines in memory, so the test can read them back.
#[derive(Clone, Default)]
struct Captured(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[test]
fn stderr_goes_to_the_host_log_under_the_plugin_name() {
    let rt = common::runtime();
    let captured = Captured::default();
    let sink = captured.clone();
    let subscriber = tracing_subscriber::fmt().with_writer(move || sink.clone()).with_ansi(false).finish();
    tracing::subscriber::with_default(subscriber, || {
        let mut m = hostile(&rt, "print");
        assert!(m.update(0.0).is_ok(), "writing to stderr must not fail the call");
        drop(m);
    });
    let log = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert!(log.contains("hello from the hostile plugin's stderr"), "log was: {log}");
    assert!(log.contains("plugin=hostile"), "log was: {log}");
}
