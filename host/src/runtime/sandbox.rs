//! The per-instance host state: a capability-less WASI context and limits.
//!
//! Components built for `wasm32-wasip2` import WASI (the Rust standard
//! library links it) even when the model does no I/O, so the host must
//! provide WASI. It provides an empty one: no preopened directories (every
//! file open fails), no socket address is allowed (every connect fails), no
//! name lookup, no environment variables, no arguments, stdin closed. Clocks
//! read a fixed zero and randomness is a fixed byte cycle, so a model cannot
//! observe wall time or entropy and a replay is reproducible. Stderr goes to
//! the host log under the plugin's name.

use super::guest_log::GuestLog;
use super::limits::Limits;
use std::time::Duration;
use wasmtime::ResourceLimiter;
use wasmtime::component::ResourceTable;
use wasmtime_wasi::{HostMonotonicClock, HostWallClock, WasiCtx, WasiCtxBuilder, WasiCtxView, WasiView};

/// What each `Store` holds for its one plugin instance.
pub struct SandboxState {
    wasi: WasiCtx,
    table: ResourceTable,
    /// Memory and table caps, consulted by wasmtime on every growth.
    pub(crate) budget: Budget,
}

impl SandboxState {
    /// A fresh state for an instance of `plugin` under `limits`.
    pub fn new(plugin: &str, limits: &Limits) -> Self {
        let log = GuestLog::new(plugin);
        let wasi = WasiCtxBuilder::new()
            .stderr(log)
            .wall_clock(FrozenClock)
            .monotonic_clock(FrozenClock)
            .secure_random(wasmtime_wasi::Deterministic::new(SEED.to_vec()))
            .insecure_random(wasmtime_wasi::Deterministic::new(SEED.to_vec()))
            .insecure_random_seed(0)
            .allow_ip_name_lookup(false)
            .allow_tcp(false)
            .allow_udp(false)
            .build();
        let budget = Budget { memory_bytes: limits.memory_bytes, table_elements: limits.table_elements };
        SandboxState { wasi, table: ResourceTable::new(), budget }
    }
}

impl WasiView for SandboxState {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView { ctx: &mut self.wasi, table: &mut self.table }
    }
}

/// The error a growth past the cap raises. It traps the call at once (no
/// allocator retry loop in the guest) and is recognisable by downcast, so the
/// caller gets `PluginError::OutOfMemory` rather than a generic trap.
#[derive(Debug, thiserror::Error)]
#[error("plugin memory would grow to {desired} bytes, over the cap of {cap} bytes")]
pub struct MemoryCapExceeded {
    /// Requested size of the memory or table.
    pub desired: usize,
    /// The cap.
    pub cap: usize,
}

/// Memory and table caps of one instance.
pub(crate) struct Budget {
    memory_bytes: usize,
    table_elements: usize,
}

impl ResourceLimiter for Budget {
    fn memory_growing(&mut self, _current: usize, desired: usize, _max: Option<usize>) -> wasmtime::Result<bool> {
        if desired > self.memory_bytes {
            return Err(wasmtime::Error::new(MemoryCapExceeded { desired, cap: self.memory_bytes }));
        }
        Ok(true)
    }

    fn table_growing(&mut self, _current: usize, desired: usize, _max: Option<usize>) -> wasmtime::Result<bool> {
        if desired > self.table_elements {
            return Err(wasmtime::Error::new(MemoryCapExceeded { desired, cap: self.table_elements }));
        }
        Ok(true)
    }

    fn instances(&self) -> usize {
        64
    }

    fn memories(&self) -> usize {
        8
    }

    fn tables(&self) -> usize {
        64
    }
}

/// Bytes cycled as "randomness": fixed, so models are deterministic.
const SEED: [u8; 8] = [0x9e, 0x37, 0x79, 0xb9, 0x7f, 0x4a, 0x7c, 0x15];

/// A clock that always reads zero: a model gets no access to time.
struct FrozenClock;

impl HostWallClock for FrozenClock {
    fn resolution(&self) -> Duration {
        Duration::from_secs(1)
    }
    fn now(&self) -> Duration {
        Duration::ZERO
    }
}

impl HostMonotonicClock for FrozenClock {
    fn resolution(&self) -> u64 {
        1_000_000_000
    }
    fn now(&self) -> u64 {
        0
    }
}
