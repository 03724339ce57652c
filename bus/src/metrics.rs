//! Counters the host exports as metrics.

use std::sync::atomic::{AtomicU64, Ordering};

/// What the typed layer did, shared by publishers and subscribers through
/// an `Arc`. Relaxed atomics: counters, not synchronisation.
#[derive(Debug, Default)]
pub struct BusMetrics {
    published: AtomicU64,
    consumed: AtomicU64,
    dead_lettered: AtomicU64,
    duplicates: AtomicU64,
}

/// A copy of the counters at one moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct MetricsSnapshot {
    /// Messages handed to a producer.
    pub published: u64,
    /// Messages decoded and returned to a caller.
    pub consumed: u64,
    /// Malformed messages routed to the dead-letter topic.
    pub dead_lettered: u64,
    /// Messages a [`crate::typed::Deduplicator`] dropped as already seen.
    pub duplicates: u64,
}

impl BusMetrics {
    pub(crate) fn add_published(&self) {
        self.published.fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn add_consumed(&self) {
        self.consumed.fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn add_dead_lettered(&self) {
        self.dead_lettered.fetch_add(1, Ordering::Relaxed);
    }

    /// Counts a duplicate dropped by the caller's dedupe.
    pub fn add_duplicate(&self) {
        self.duplicates.fetch_add(1, Ordering::Relaxed);
    }

    /// The counters now.
    pub fn snapshot(&self) -> MetricsSnapshot {
        MetricsSnapshot {
            published: self.published.load(Ordering::Relaxed),
            consumed: self.consumed.load(Ordering::Relaxed),
            dead_lettered: self.dead_lettered.load(Ordering::Relaxed),
            duplicates: self.duplicates.load(Ordering::Relaxed),
        }
    }
}
