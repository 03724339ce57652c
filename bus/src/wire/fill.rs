use super::trading_v1::FillV1;
use super::{Message, MessageKind, StrategyId};
use hft_trading::execution::Fill;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// An execution reported back by the execution role, with the strategy it
/// belongs to, for positions, PnL and risk.
#[derive(Debug, Clone, PartialEq)]
pub struct FillMessage {
    /// Whose fill.
    pub strategy: StrategyId,
    /// The fill.
    pub fill: Fill,
}

impl Message for FillMessage {
    const KIND: MessageKind = MessageKind::Fill;
}

#[derive(Serialize, Deserialize)]
struct FillMessageV1 {
    strategy: StrategyId,
    fill: FillV1,
}

impl Serialize for FillMessage {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        FillMessageV1 { strategy: self.strategy.clone(), fill: (&self.fill).into() }.serialize(s)
    }
}

impl<'de> Deserialize<'de> for FillMessage {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<FillMessage, D::Error> {
        let v = FillMessageV1::deserialize(d)?;
        Ok(FillMessage { strategy: v.strategy, fill: v.fill.into() })
    }
}
