//! The versioned encoding every stored value goes through.
//!
//! A value is stored as JSON: `{"v":1,"kind":"account","data":{...}}`.
//! JSON rather than postcard because state is written per fill or per
//! snapshot, not per tick, so its cost does not matter, while being able to
//! read it with `redis-cli GET` or `cat` during an incident does; and
//! because JSON is self-describing, a field added later (with a serde
//! default) does not break an older reader, where postcard would misparse.
//! Decimals are strings (`hft-trading` enables `rust_decimal`'s
//! `serde-with-str`), so money round-trips exactly.
//!
//! `v` is checked before the payload is parsed: a value written by a newer
//! build is reported as [`StoreError::UnsupportedVersion`], not as garbage.

use crate::error::StoreError;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

/// The encoding version this build writes and reads.
pub(crate) const VERSION: u32 = 1;

#[derive(Serialize)]
struct EnvelopeOut<'a, T> {
    v: u32,
    kind: &'a str,
    data: &'a T,
}

#[derive(Deserialize)]
struct Header {
    v: u32,
    kind: String,
}

#[derive(Deserialize)]
struct EnvelopeIn<T> {
    data: T,
}

/// Encode `value` as a version-1 envelope of `kind`.
pub(crate) fn encode<T: Serialize>(kind: &str, value: &T) -> Vec<u8> {
    // Serialising our own records cannot fail: no maps with non-string keys,
    // no non-finite floats.
    serde_json::to_vec(&EnvelopeOut { v: VERSION, kind, data: value }).expect("state records always serialise")
}

/// Decode an envelope of `kind` read from `location` (a file path or a Redis
/// key, named in every error).
pub(crate) fn decode<T: DeserializeOwned>(kind: &str, bytes: &[u8], location: &str) -> Result<T, StoreError> {
    let corrupt = |reason: String| StoreError::Corrupt { location: location.to_owned(), reason };
    let header: Header = serde_json::from_slice(bytes).map_err(|e| corrupt(format!("not a state envelope: {e}")))?;
    if header.v != VERSION {
        return Err(StoreError::UnsupportedVersion {
            location: location.to_owned(),
            found: header.v,
            supported: VERSION,
        });
    }
    if header.kind != kind {
        return Err(corrupt(format!("holds a {:?} record, expected {kind:?}", header.kind)));
    }
    let envelope: EnvelopeIn<T> =
        serde_json::from_slice(bytes).map_err(|e| corrupt(format!("bad {kind} record: {e}")))?;
    Ok(envelope.data)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_names_the_location_on_errors() {
        let bytes = encode("n", &42u32);
        assert_eq!(decode::<u32>("n", &bytes, "k").unwrap(), 42);
        let err = decode::<u32>("n", b"{oops", "some/file.json").unwrap_err();
        assert!(err.to_string().contains("some/file.json"), "{err}");
        let err = decode::<u32>("n", br#"{"v":2,"kind":"n","data":1}"#, "k").unwrap_err();
        assert!(matches!(err, StoreError::UnsupportedVersion { found: 2, .. }), "{err}");
        assert!(decode::<u32>("m", &bytes, "k").is_err());
    }
}
