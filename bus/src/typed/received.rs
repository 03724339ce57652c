use crate::bus::Delivery;
use crate::wire::Envelope;

/// A decoded message and the delivery it came in, which is what the caller
/// commits once the message's effects are durable.
#[derive(Debug, Clone, PartialEq)]
pub struct Received<M> {
    /// The message.
    pub envelope: Envelope<M>,
    /// Where it came from.
    pub delivery: Delivery,
}
