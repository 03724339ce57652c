//! The budget every plugin instance runs under.
//!
//! A model is untrusted code on the trading hot path: it gets a bounded
//! amount of memory and a bounded time per call. Time is enforced with
//! wasmtime's epoch interruption (a ticker thread advances the engine's
//! epoch; a call past its deadline traps), which costs far less per call than
//! fuel and bounds wall-clock latency, which is what trading cares about.

use std::time::Duration;

/// Resource limits for one plugin instance and its calls.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// Largest total linear memory an instance may grow to, in bytes.
    pub memory_bytes: usize,
    /// Largest table an instance may grow to, in elements.
    pub table_elements: usize,
    /// Deadline for a per-event call (`update`, `change-prob`, ...).
    pub call_timeout: Duration,
    /// Deadline for calls whose work grows with their input (`create`,
    /// `restore`, `fit`, batches, `snapshot`).
    pub heavy_call_timeout: Duration,
    /// Granularity of the epoch ticker. Deadlines are rounded up to it.
    pub epoch_tick: Duration,
    /// Largest component file accepted, in bytes.
    pub max_component_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            memory_bytes: 64 << 20,
            table_elements: 100_000,
            call_timeout: Duration::from_millis(250),
            heavy_call_timeout: Duration::from_secs(10),
            epoch_tick: Duration::from_millis(5),
            max_component_bytes: 16 << 20,
        }
    }
}

impl Limits {
    /// Epoch ticks that cover `timeout` (at least one, rounded up).
    pub fn ticks(&self, timeout: Duration) -> u64 {
        let tick = self.epoch_tick.as_nanos().max(1);
        (timeout.as_nanos().div_ceil(tick) as u64).max(1)
    }
}

/// How heavy a call is, which decides its deadline.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CallClass {
    /// A per-event call: `call_timeout`.
    Event,
    /// A call whose work grows with its input: `heavy_call_timeout`.
    Heavy,
}

impl CallClass {
    /// The deadline for this class under `limits`.
    pub fn timeout(self, limits: &Limits) -> Duration {
        match self {
            CallClass::Event => limits.call_timeout,
            CallClass::Heavy => limits.heavy_call_timeout,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_round_up_and_never_reach_zero() {
        let l = Limits { epoch_tick: Duration::from_millis(5), ..Limits::default() };
        assert_eq!(l.ticks(Duration::from_millis(250)), 50);
        assert_eq!(l.ticks(Duration::from_millis(251)), 51);
        assert_eq!(l.ticks(Duration::ZERO), 1);
    }
}
