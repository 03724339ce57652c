//! Replay pacing: hold a replay to a multiple of real time.

use crate::config::Speed;
use hft_trading::domain::Timestamp;
use std::time::{Duration, Instant};

/// Keeps event time and wall time in step. With [`Speed::Max`] it never
/// waits; with [`Speed::Multiple`]`(m)` an event stamped `t` is due
/// `(t - t0) / m` of wall time after the first one (`t0`), so `1.0` is
/// real time. The main job and the ingest role pace with the same one.
#[derive(Debug, Clone)]
pub struct Pacer {
    speed: Speed,
    start: Instant,
    first: Option<Timestamp>,
}

impl Pacer {
    /// Start the clock now.
    pub fn new(speed: Speed) -> Pacer {
        Pacer { speed, start: Instant::now(), first: None }
    }

    /// Sleep the calling thread until an event stamped `ts` is due.
    pub fn wait_for(&mut self, ts: Timestamp) {
        let Speed::Multiple(m) = self.speed else { return };
        let t0 = *self.first.get_or_insert(ts);
        let due = Duration::from_secs_f64((ts.nanos() - t0.nanos()).max(0) as f64 / 1e9 / m);
        let now = self.start.elapsed();
        if due > now {
            std::thread::sleep(due - now);
        }
    }

    /// Wall time since the pacer started.
    pub fn elapsed(&self) -> Duration {
        self.start.elapsed()
    }
}
