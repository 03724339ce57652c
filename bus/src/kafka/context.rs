use rdkafka::ClientContext;
use rdkafka::producer::{DeliveryResult, ProducerContext};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

/// Counts delivery reports. librdkafka reports each message's fate
/// asynchronously; `flush` turns a failure since the last flush into an
/// error, so the caller does not commit input whose output was lost.
#[derive(Debug, Default)]
pub struct DeliveryTracker {
    acked: AtomicU64,
    failed: AtomicU64,
    last_error: Mutex<String>,
}

impl DeliveryTracker {
    /// Messages acknowledged by the broker so far.
    pub fn acked(&self) -> u64 {
        self.acked.load(Ordering::Relaxed)
    }

    /// Failures since the last call, with the last reason; resets the count.
    pub(super) fn take_failures(&self) -> Option<(u64, String)> {
        let failed = self.failed.swap(0, Ordering::AcqRel);
        (failed > 0).then(|| (failed, self.last_error.lock().map(|e| e.clone()).unwrap_or_default()))
    }
}

impl ClientContext for DeliveryTracker {}

impl ProducerContext for DeliveryTracker {
    type DeliveryOpaque = ();

    fn delivery(&self, result: &DeliveryResult<'_>, _: ()) {
        match result {
            Ok(_) => {
                self.acked.fetch_add(1, Ordering::Relaxed);
            }
            Err((e, _)) => {
                tracing::error!(error = %e, "kafka delivery failed");
                if let Ok(mut last) = self.last_error.lock() {
                    *last = e.to_string();
                }
                self.failed.fetch_add(1, Ordering::AcqRel);
            }
        }
    }
}
