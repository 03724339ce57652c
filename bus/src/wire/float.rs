use serde::de::Visitor;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

/// An `f64` that survives JSON: models emit NaN (no estimate yet) and
/// infinities, which JSON numbers cannot hold, so in JSON those three are
/// the strings `"NaN"`, `"inf"` and `"-inf"`. In binary it is the 8 IEEE
/// bytes, so every value including NaN payload bits round-trips.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct WireF64(pub f64);

impl Serialize for WireF64 {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let v = self.0;
        if !s.is_human_readable() || v.is_finite() {
            s.serialize_f64(v)
        } else if v.is_nan() {
            s.serialize_str("NaN")
        } else if v > 0.0 {
            s.serialize_str("inf")
        } else {
            s.serialize_str("-inf")
        }
    }
}

impl<'de> Deserialize<'de> for WireF64 {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<WireF64, D::Error> {
        if d.is_human_readable() {
            d.deserialize_any(FloatVisitor).map(WireF64)
        } else {
            f64::deserialize(d).map(WireF64)
        }
    }
}

struct FloatVisitor;

impl<'de> Visitor<'de> for FloatVisitor {
    type Value = f64;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a number or one of \"NaN\", \"inf\", \"-inf\"")
    }

    fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<f64, E> {
        Ok(v)
    }

    fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<f64, E> {
        Ok(v as f64)
    }

    fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<f64, E> {
        Ok(v as f64)
    }

    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<f64, E> {
        match v {
            "NaN" => Ok(f64::NAN),
            "inf" => Ok(f64::INFINITY),
            "-inf" => Ok(f64::NEG_INFINITY),
            other => Err(E::custom(format!("not a float: {other:?}"))),
        }
    }
}
