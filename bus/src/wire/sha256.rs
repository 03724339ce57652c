use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

/// A component's SHA-256, as the plugin registry and the orchestrator name
/// a build: control events say which exact binary was activated or rolled
/// back. 32 raw bytes in binary, 64 hex digits in JSON.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Sha256Digest(pub [u8; 32]);

impl Sha256Digest {
    /// Parses 64 hex digits (either case).
    pub fn from_hex(s: &str) -> Result<Sha256Digest, hex::FromHexError> {
        let mut out = [0u8; 32];
        hex::decode_to_slice(s, &mut out)?;
        Ok(Sha256Digest(out))
    }
}

impl fmt::Display for Sha256Digest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&hex::encode(self.0))
    }
}

impl Serialize for Sha256Digest {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if s.is_human_readable() { s.collect_str(self) } else { self.0.serialize(s) }
    }
}

impl<'de> Deserialize<'de> for Sha256Digest {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Sha256Digest, D::Error> {
        if d.is_human_readable() {
            Sha256Digest::from_hex(&String::deserialize(d)?).map_err(D::Error::custom)
        } else {
            <[u8; 32]>::deserialize(d).map(Sha256Digest)
        }
    }
}
