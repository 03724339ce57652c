use super::{MessageId, MessageKind};
use serde::Serialize;
use serde::de::DeserializeOwned;

/// A body type that can travel on the bus. Its serde impls are its layout
/// in the current schema version; `KIND` goes in the header.
pub trait Message: Serialize + DeserializeOwned {
    /// The header's kind byte for this body.
    const KIND: MessageKind;
}

/// One message: who it is (`id`) and what it says (`body`). The schema
/// version and the kind are not fields: [`super::encode`] writes the
/// current version and `M::KIND`, and [`super::decode`] checks both.
#[derive(Debug, Clone, PartialEq)]
pub struct Envelope<M> {
    /// Identity for dedupe; see [`MessageId`].
    pub id: MessageId,
    /// The payload.
    pub body: M,
}

impl<M> Envelope<M> {
    /// An envelope from its id and body.
    pub fn new(id: MessageId, body: M) -> Envelope<M> {
        Envelope { id, body }
    }
}
