use super::trading_v1::MarketEventV1;
use super::{Message, MessageKind};
use hft_trading::market::MarketEvent;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A market event (trade or bar) on the market-data topic.
#[derive(Debug, Clone, PartialEq)]
pub struct MarketData(pub MarketEvent);

impl Message for MarketData {
    const KIND: MessageKind = MessageKind::MarketData;
}

impl Serialize for MarketData {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        MarketEventV1::from(&self.0).serialize(s)
    }
}

impl<'de> Deserialize<'de> for MarketData {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<MarketData, D::Error> {
        MarketEventV1::deserialize(d).map(|e| MarketData(e.into()))
    }
}
