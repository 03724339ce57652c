use super::DeliveryTracker;
use crate::bus::{BusError, Producer};
use rdkafka::error::{KafkaError, RDKafkaErrorCode};
use rdkafka::producer::{BaseProducer, BaseRecord, Producer as _};
use std::time::Duration;

/// An idempotent Kafka producer. `send` queues (waiting while librdkafka's
/// queue is full) and serves delivery reports; `flush` waits for every
/// acknowledgement and reports any failed delivery.
pub struct KafkaProducer {
    pub(super) inner: BaseProducer<DeliveryTracker>,
}

impl KafkaProducer {
    /// The delivery counters.
    pub fn tracker(&self) -> &DeliveryTracker {
        self.inner.context()
    }
}

impl Producer for KafkaProducer {
    fn send(&mut self, topic: &str, key: &[u8], payload: &[u8]) -> Result<(), BusError> {
        let mut record = BaseRecord::<[u8], [u8]>::to(topic).key(key).payload(payload);
        loop {
            match self.inner.send(record) {
                Ok(()) => break,
                Err((KafkaError::MessageProduction(RDKafkaErrorCode::QueueFull), back)) => {
                    record = back;
                    self.inner.poll(Duration::from_millis(5));
                }
                Err((e, _)) => return Err(e.into()),
            }
        }
        self.inner.poll(Duration::ZERO);
        Ok(())
    }

    fn flush(&mut self, timeout: Duration) -> Result<(), BusError> {
        match self.inner.flush(timeout) {
            Ok(()) => {}
            Err(KafkaError::Flush(_)) => return Err(BusError::FlushTimeout(self.inner.in_flight_count())),
            Err(e) => return Err(e.into()),
        }
        match self.tracker().take_failures() {
            Some((failed, last_error)) => Err(BusError::DeliveryFailed { failed, last_error }),
            None => Ok(()),
        }
    }
}
