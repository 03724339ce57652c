use super::{Publisher, Received};
use crate::bus::{BusError, Consumer, Delivery, Producer};
use crate::metrics::BusMetrics;
use crate::wire::{DeadLetter, Decode, DecodeError, Envelope};
use std::marker::PhantomData;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// How long a dead letter may take to become durable.
const DEAD_LETTER_FLUSH: Duration = Duration::from_secs(10);

/// Reads `M`s from a group consumer. A payload that does not decode (or is
/// another kind) is published to the dead-letter topic with the reason,
/// flushed, counted, logged, and skipped: consumption goes on.
///
/// The skipped offset is committed with the next commit on its partition.
/// If the process dies first, it is redelivered and dead-lettered again
/// under the same [`DeadLetter::message_id`], which readers can dedupe.
pub struct Subscriber<M, C, P> {
    consumer: C,
    dead_letters: Publisher<P>,
    metrics: Arc<BusMetrics>,
    _message: PhantomData<fn() -> M>,
}

impl<M: Decode, C: Consumer, P: Producer> Subscriber<M, C, P> {
    /// A subscriber over `consumer`, dead-lettering through `dead_letters`.
    pub fn new(consumer: C, dead_letters: Publisher<P>, metrics: Arc<BusMetrics>) -> Subscriber<M, C, P> {
        Subscriber { consumer, dead_letters, metrics, _message: PhantomData }
    }

    /// The next decodable message within `timeout`, if any.
    pub fn poll(&mut self, timeout: Duration) -> Result<Option<Received<M>>, BusError> {
        let deadline = Instant::now() + timeout;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let Some(delivery) = self.consumer.poll(left)? else { return Ok(None) };
            match M::decode(&delivery.payload) {
                Ok(envelope) => {
                    self.metrics.add_consumed();
                    return Ok(Some(Received { envelope, delivery }));
                }
                Err(e) => self.dead_letter(&delivery, &e)?,
            }
            if Instant::now() >= deadline {
                return Ok(None);
            }
        }
    }

    fn dead_letter(&mut self, d: &Delivery, e: &DecodeError) -> Result<(), BusError> {
        tracing::warn!(topic = %d.topic, partition = d.partition, offset = d.offset, reason = %e, "dead-lettering malformed message");
        let letter = DeadLetter {
            topic: d.topic.to_string(),
            partition: d.partition,
            offset: d.offset,
            reason: e.to_string(),
            payload: d.payload.clone(),
        };
        self.dead_letters.publish(&Envelope::new(letter.message_id(), letter))?;
        self.dead_letters.flush(DEAD_LETTER_FLUSH)?;
        self.metrics.add_dead_lettered();
        Ok(())
    }

    /// Commits `received` and everything before it in its partition: call
    /// once its effects are durable.
    pub fn commit(&mut self, received: &Received<M>) -> Result<(), BusError> {
        self.consumer.commit(&received.delivery)
    }

    /// The consumer underneath, for batch commits and assignment queries.
    pub fn consumer_mut(&mut self) -> &mut C {
        &mut self.consumer
    }

    /// The consumer underneath, for queries that change nothing, such as
    /// its lag ([`crate::bus::LagReporter`]).
    pub fn consumer(&self) -> &C {
        &self.consumer
    }
}
