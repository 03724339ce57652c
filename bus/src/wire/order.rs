use super::trading_v1::OrderV1;
use super::{Message, MessageKind, StrategyId};
use hft_trading::execution::Order;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// An order the risk manager approved, on its way to execution, with the
/// strategy that wants it. Execution dedupes by `order.id`.
#[derive(Debug, Clone, PartialEq)]
pub struct OrderMessage {
    /// Whose order.
    pub strategy: StrategyId,
    /// The order.
    pub order: Order,
}

impl Message for OrderMessage {
    const KIND: MessageKind = MessageKind::Order;
}

#[derive(Serialize, Deserialize)]
struct OrderMessageV1 {
    strategy: StrategyId,
    order: OrderV1,
}

impl Serialize for OrderMessage {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        OrderMessageV1 { strategy: self.strategy.clone(), order: (&self.order).into() }.serialize(s)
    }
}

impl<'de> Deserialize<'de> for OrderMessage {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<OrderMessage, D::Error> {
        let v = OrderMessageV1::deserialize(d)?;
        Ok(OrderMessage { strategy: v.strategy, order: v.order.into() })
    }
}
