//! Versioned, self-describing model snapshots.
//!
//! A snapshot is what hot swap and crash recovery carry between instances,
//! possibly between builds of a component. It starts with a header (magic,
//! model name, format version) so that restoring a GARCH snapshot into a
//! Kalman model, or a truncated blob, is a clear `InvalidSnapshot` error
//! rather than garbage state. The body is `postcard`: compact, and exact for
//! f64 (bit-for-bit continuation after restore).

use crate::ModelError;
use serde::{Serialize, de::DeserializeOwned};

const MAGIC: &[u8; 4] = b"HFTS";

/// Encode `state` under a header naming `model` and `format` version.
pub fn encode<T: Serialize>(model: &str, format: u16, state: &T) -> Vec<u8> {
    let mut out = Vec::with_capacity(64);
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&format.to_le_bytes());
    out.push(model.len() as u8);
    out.extend_from_slice(model.as_bytes());
    postcard::to_extend(state, out).expect("serialising into a Vec cannot fail")
}

/// Decode a snapshot made by [`encode`] for the same `model` and `format`.
pub fn decode<T: DeserializeOwned>(model: &str, format: u16, bytes: &[u8]) -> Result<T, ModelError> {
    let bad = |m: String| ModelError::InvalidSnapshot(m);
    if bytes.len() < 7 || &bytes[..4] != MAGIC {
        return Err(bad("not an hft-host model snapshot (bad magic)".into()));
    }
    let found_format = u16::from_le_bytes([bytes[4], bytes[5]]);
    let name_len = bytes[6] as usize;
    let name = bytes.get(7..7 + name_len).ok_or_else(|| bad("snapshot truncated in its header".into()))?;
    let name = std::str::from_utf8(name).map_err(|_| bad("snapshot model name is not UTF-8".into()))?;
    if name != model {
        return Err(bad(format!("snapshot is of model {name:?}, not {model:?}")));
    }
    if found_format != format {
        return Err(bad(format!("snapshot format {found_format} of {model:?} is not the supported format {format}")));
    }
    let (state, rest) = postcard::take_from_bytes(&bytes[7 + name_len..])
        .map_err(|e| bad(format!("snapshot body of {model:?} does not decode: {e}")))?;
    if !rest.is_empty() {
        return Err(bad(format!("snapshot of {model:?} has {} trailing bytes", rest.len())));
    }
    Ok(state)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_mismatches() {
        let bytes = encode("kalman", 1, &(1.5f64, vec![2u32, 3]));
        let back: (f64, Vec<u32>) = decode("kalman", 1, &bytes).unwrap();
        assert_eq!(back, (1.5, vec![2, 3]));
        assert!(decode::<(f64, Vec<u32>)>("garch", 1, &bytes).unwrap_err().to_string().contains("not \"garch\""));
        assert!(decode::<(f64, Vec<u32>)>("kalman", 2, &bytes).unwrap_err().to_string().contains("format 1"));
        assert!(decode::<(f64, Vec<u32>)>("kalman", 1, &bytes[..bytes.len() - 1]).is_err());
        assert!(decode::<(f64, Vec<u32>)>("kalman", 1, b"junk").is_err());
    }
}
