use super::BusError;
use std::time::Duration;

/// Writes raw payloads. `send` may buffer; `flush` returns once everything
/// sent so far is acknowledged (durable on the broker), which is the point
/// after which a consumer may commit the input that caused the output.
pub trait Producer: Send {
    /// Queues `payload` for `topic`, partitioned by `key`.
    fn send(&mut self, topic: &str, key: &[u8], payload: &[u8]) -> Result<(), BusError>;

    /// Waits until every queued message is acknowledged, or fails.
    fn flush(&mut self, timeout: Duration) -> Result<(), BusError>;
}
