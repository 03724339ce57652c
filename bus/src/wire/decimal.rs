//! Exact decimals on the wire.
//!
//! Binary: the 96-bit mantissa as a zigzag varint `i128` and the scale as
//! one byte, so `67123.45` takes 5 bytes and every value, scale included
//! (`1.50` stays `1.50`), comes back bit for bit. JSON: the decimal string
//! (`"67123.45"`), never a float. Decoding checks the scale (at most 28)
//! and the mantissa range and rejects anything else with a reason.
//!
//! Why not `rust_decimal`'s own serde: its `Deserialize` (without the
//! workspace-wide `serde-str` feature) calls `deserialize_any`, which
//! postcard does not support, and its `Serialize` writes a string, which is
//! larger than the varint pair.

use rust_decimal::Decimal;
use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

pub(crate) fn serialize<S: Serializer>(d: &Decimal, s: S) -> Result<S::Ok, S::Error> {
    if s.is_human_readable() {
        s.collect_str(d)
    } else {
        // The scale is at most 28, so it fits a byte.
        (d.mantissa(), d.scale() as u8).serialize(s)
    }
}

pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Decimal, D::Error> {
    if d.is_human_readable() {
        let s = String::deserialize(d)?;
        Decimal::from_str_exact(&s).map_err(|e| D::Error::custom(format!("decimal {s:?}: {e}")))
    } else {
        let (mantissa, scale) = <(i128, u8)>::deserialize(d)?;
        Decimal::try_from_i128_with_scale(mantissa, u32::from(scale))
            .map_err(|e| D::Error::custom(format!("decimal mantissa {mantissa} scale {scale}: {e}")))
    }
}
