//! Tick-to-order latency: how long from a tick's first event reaching the
//! pipeline to its first order reaching the venue.

use std::time::Duration;

/// Every sample of a run, in nanoseconds. A run's ticks number in the
/// millions at most, so keeping them all is cheap and the percentiles exact.
#[derive(Debug, Clone, Default)]
pub struct LatencySamples {
    ns: Vec<u64>,
}

impl LatencySamples {
    /// Add one sample.
    pub fn record(&mut self, d: Duration) {
        self.ns.push(u64::try_from(d.as_nanos()).unwrap_or(u64::MAX));
    }

    /// Number of samples.
    pub fn len(&self) -> usize {
        self.ns.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.ns.is_empty()
    }

    /// The `q` quantile (0..=1) by the nearest-rank method; `None` without samples.
    pub fn quantile(&mut self, q: f64) -> Option<u64> {
        if self.ns.is_empty() {
            return None;
        }
        self.ns.sort_unstable();
        let rank = (q.clamp(0.0, 1.0) * self.ns.len() as f64).ceil() as usize;
        Some(self.ns[rank.saturating_sub(1).min(self.ns.len() - 1)])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank_quantiles() {
        let mut s = LatencySamples::default();
        assert_eq!(s.quantile(0.5), None);
        for n in (1..=100).rev() {
            s.record(Duration::from_nanos(n));
        }
        assert_eq!(s.quantile(0.5), Some(50));
        assert_eq!(s.quantile(0.99), Some(99));
        assert_eq!(s.quantile(1.0), Some(100));
    }
}
