use super::float::WireF64;
use super::{Message, MessageKind};
use hft_trading::domain::Timestamp;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// One named model output (`kalman.beta`, `garch.sigma`, `pairs.z`).
#[derive(Debug, Clone, PartialEq)]
pub struct NamedValue {
    /// `model.output`, as the run configuration names it.
    pub name: String,
    /// The value; NaN means "no estimate yet" and is carried as such.
    pub value: f64,
}

/// What the models computed on one tick for one instrument or pair: the
/// signals topic's body, which the strategy and the report consume.
#[derive(Debug, Clone, PartialEq)]
pub struct Signals {
    /// The tick's timestamp (nanoseconds since the Unix epoch).
    pub ts: Timestamp,
    /// The instrument or pair key, the same key the market data had
    /// (e.g. `BTCUSDT/ETHUSDT`), so signals stay with their pair's consumer.
    pub key: String,
    /// The outputs, in the order the models produced them.
    pub values: Vec<NamedValue>,
}

impl Signals {
    /// The value named `name`, if present.
    pub fn get(&self, name: &str) -> Option<f64> {
        self.values.iter().find(|v| v.name == name).map(|v| v.value)
    }
}

impl Message for Signals {
    const KIND: MessageKind = MessageKind::Signals;
}

#[derive(Serialize, Deserialize)]
struct SignalsV1 {
    ts: i64,
    key: String,
    values: Vec<(String, WireF64)>,
}

impl Serialize for Signals {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        SignalsV1 {
            ts: self.ts.0,
            key: self.key.clone(),
            values: self.values.iter().map(|v| (v.name.clone(), WireF64(v.value))).collect(),
        }
        .serialize(s)
    }
}

impl<'de> Deserialize<'de> for Signals {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Signals, D::Error> {
        let v = SignalsV1::deserialize(d)?;
        Ok(Signals {
            ts: Timestamp(v.ts),
            key: v.key,
            values: v.values.into_iter().map(|(name, value)| NamedValue { name, value: value.0 }).collect(),
        })
    }
}
