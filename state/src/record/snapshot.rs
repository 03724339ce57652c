use crate::name::ComponentName;
use hft_trading::domain::Timestamp;
use serde::{Deserialize, Serialize};

/// A model or strategy component's saved state: opaque bytes (the
/// component's own `save-state` output) plus the input offset or sequence
/// number they include, so recovery is "restore the snapshot, then replay
/// the messages after `sequence`".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ComponentSnapshot {
    /// Which component.
    pub component: ComponentName,
    /// The last input included (offset or sequence number).
    pub sequence: u64,
    /// When it was taken (event time).
    pub taken_at: Timestamp,
    /// The component's state, hex in the JSON encoding.
    #[serde(with = "hex_bytes")]
    pub bytes: Vec<u8>,
}

/// Bytes as a lowercase hex string: half the size of a JSON number array and
/// still readable with `redis-cli` or `cat`.
mod hex_bytes {
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(bytes: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&hex::encode(bytes))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        let s = String::deserialize(d)?;
        hex::decode(s).map_err(serde::de::Error::custom)
    }
}
