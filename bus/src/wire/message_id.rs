use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

/// A message's identity, for idempotent processing: a consumer that sees an
/// id twice (a redelivery after a crash, a producer retry, a replayed
/// input) applies it once.
///
/// 128 bits. Derive it from what the message is about
/// ([`MessageId::derive`]), not from a clock or a random source, so that
/// reprocessing the same input after a restart produces the same ids and
/// the downstream dedupe catches them. On the wire: 16 big-endian bytes in
/// binary, 32 lowercase hex digits in JSON.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct MessageId(pub u128);

const FNV_OFFSET: u128 = 0x6c62272e07bb014262b821756295c58d;
const FNV_PRIME: u128 = 0x0000000001000000000000000000013b;

impl MessageId {
    /// An id from two 64-bit halves, e.g. a producer id and its sequence.
    pub const fn from_parts(hi: u64, lo: u64) -> MessageId {
        MessageId(((hi as u128) << 64) | lo as u128)
    }

    /// A stable id from a domain (what kind of thing, e.g. `"order"`) and
    /// the parts that identify it. FNV-1a over 128 bits, with each part
    /// length-prefixed so `["ab","c"]` and `["a","bc"]` differ. The
    /// function is part of the wire contract: it must never change.
    pub fn derive(domain: &str, parts: &[&[u8]]) -> MessageId {
        let mut h = FNV_OFFSET;
        let mut eat = |bytes: &[u8]| {
            for b in (bytes.len() as u64).to_le_bytes().iter().chain(bytes) {
                h ^= *b as u128;
                h = h.wrapping_mul(FNV_PRIME);
            }
        };
        eat(domain.as_bytes());
        for p in parts {
            eat(p);
        }
        MessageId(h)
    }
}

impl fmt::Display for MessageId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:032x}", self.0)
    }
}

impl Serialize for MessageId {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if s.is_human_readable() { s.collect_str(self) } else { self.0.to_be_bytes().serialize(s) }
    }
}

impl<'de> Deserialize<'de> for MessageId {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<MessageId, D::Error> {
        if d.is_human_readable() {
            let s = String::deserialize(d)?;
            if s.len() != 32 {
                return Err(D::Error::custom(format!("message id must be 32 hex digits, got {}", s.len())));
            }
            u128::from_str_radix(&s, 16).map(MessageId).map_err(D::Error::custom)
        } else {
            <[u8; 16]>::deserialize(d).map(|b| MessageId(u128::from_be_bytes(b)))
        }
    }
}
