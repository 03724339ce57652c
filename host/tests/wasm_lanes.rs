//! The model crate's own BOCD unit tests, compiled for wasm32-wasip2 (with
//! `simd128`, as the plugins are) and run in wasmtime as a WASI command.
//!
//! Natively the unit tests check that the portable, SSE2 and AVX2 lanes of
//! the BOCD kernels give the same bits; only a wasm build runs
//! `portable_and_wasm_simd128_agree_to_the_bit`, which checks the `f64x2`
//! lanes the component uses against the portable ones. Without this test
//! that check would run only when someone remembered to run it by hand,
//! and a kernel change tuned for Cranelift's code could break the
//! agreement unnoticed.

mod common;

use std::process::Command;
use wasmtime::component::{Component, Linker, ResourceTable};
use wasmtime::{Engine, Store};
use wasmtime_wasi::p2::bindings::sync::Command as WasiCommand;
use wasmtime_wasi::p2::pipe::MemoryOutputPipe;
use wasmtime_wasi::{WasiCtx, WasiCtxView, WasiView};

/// The test binary's WASI state: arguments and a captured stdout, nothing
/// else (the BOCD unit tests read no files).
struct TestState {
    wasi: WasiCtx,
    table: ResourceTable,
}

impl WasiView for TestState {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView { ctx: &mut self.wasi, table: &mut self.table }
    }
}

/// Build `hft-models`' unit tests for wasm32-wasip2 and return the test
/// binary (a command component).
fn build_unit_tests() -> std::path::PathBuf {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let out = Command::new(cargo)
        .current_dir(common::root())
        .args(["test", "--release", "--locked", "-p", "hft-models", "--lib", "--target", "wasm32-wasip2"])
        .args(["--no-run", "--message-format=json"])
        .output()
        .expect("running cargo to build the model crate's tests for wasm32-wasip2");
    assert!(out.status.success(), "building the tests for wasm failed:\n{}", String::from_utf8_lossy(&out.stderr));
    let stdout = String::from_utf8(out.stdout).unwrap();
    stdout
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter(|m| m["reason"] == "compiler-artifact" && m["profile"]["test"] == true)
        .find_map(|m| m["executable"].as_str().map(std::path::PathBuf::from))
        .expect("cargo reported no test executable")
}

#[test]
fn bocd_kernels_on_wasm_simd128_lanes_agree_with_the_portable_lanes_to_the_bit() {
    let binary = build_unit_tests();
    let engine = Engine::default();
    let mut linker = Linker::<TestState>::new(&engine);
    wasmtime_wasi::p2::add_to_linker_sync(&mut linker).unwrap();
    let component = Component::from_file(&engine, &binary).unwrap();
    let stdout = MemoryOutputPipe::new(1 << 20);
    let wasi = WasiCtx::builder().args(&["hft_models", "bocd::", "--test-threads=1"]).stdout(stdout.clone()).build();
    let mut store = Store::new(&engine, TestState { wasi, table: ResourceTable::new() });
    let command = WasiCommand::instantiate(&mut store, &component, &linker).unwrap();
    // A failing test panics, and a panic aborts a wasm test binary: the run
    // then ends in a trap or an error exit.
    let run = command.wasi_cli_run().call_run(&mut store);
    let text = String::from_utf8_lossy(&stdout.contents()).into_owned();
    assert!(matches!(run, Ok(Ok(()))), "the wasm test binary failed ({run:?}):\n{text}");
    assert!(
        text.contains("bocd::kernels::tests::portable_and_wasm_simd128_agree_to_the_bit ... ok"),
        "the simd128 lane test did not run:\n{text}"
    );
    assert!(text.contains("test result: ok."), "{text}");
}
