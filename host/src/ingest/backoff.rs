//! How long to wait before reconnecting.

use std::time::Duration;

/// Exponential reconnect delays: `initial`, then doubled after every failed
/// attempt up to `max`; back to `initial` once a connection has delivered a
/// message. So a brief drop reconnects at once, while a venue that is down
/// is not hammered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backoff {
    /// The first delay after a drop.
    pub initial: Duration,
    /// The longest delay.
    pub max: Duration,
}

impl Default for Backoff {
    /// 100 ms up to 30 s.
    fn default() -> Self {
        Backoff { initial: Duration::from_millis(100), max: Duration::from_secs(30) }
    }
}

impl Backoff {
    /// The delay before reconnect attempt `failures + 1`, after `failures`
    /// attempts in a row that delivered nothing.
    pub fn delay(&self, failures: u32) -> Duration {
        let factor = 1u32.checked_shl(failures.min(31)).unwrap_or(u32::MAX);
        self.initial.saturating_mul(factor).min(self.max)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_double_up_to_the_cap() {
        let b = Backoff { initial: Duration::from_millis(100), max: Duration::from_secs(1) };
        let ms: Vec<u128> = (0..6).map(|n| b.delay(n).as_millis()).collect();
        assert_eq!(ms, [100, 200, 400, 800, 1000, 1000]);
        assert_eq!(b.delay(u32::MAX), Duration::from_secs(1));
    }
}
