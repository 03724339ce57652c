use super::trading_v1::{MarketEventV1, OrderV1};
use super::{Message, MessageId, MessageKind, StrategyId};
use hft_trading::domain::OrderId;
use hft_trading::execution::Order;
use hft_trading::market::MarketEvent;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// What a strategy asks of its venue, in the order its pipeline did it.
#[derive(Debug, Clone, PartialEq)]
pub enum VenueCommand {
    /// Market events the venue must see before the next command: a
    /// simulated venue fills resting orders against them. The strategy
    /// sends them only while it has orders open (an empty book ignores
    /// market data), so the stream stays small.
    Market(Vec<MarketEvent>),
    /// Accept an order.
    Submit(Order),
    /// Cancel a resting order.
    Cancel(OrderId),
}

/// One step of a strategy's conversation with its venue, on the orders
/// topic (keyed by strategy, so one strategy's steps stay in order).
///
/// Why a stream of steps and not just orders: the paper venue fills an
/// order at the first market event after it, so the execution role must
/// see orders and market events interleaved exactly as the strategy's
/// pipeline did, or its fills would depend on which topic it happened to
/// read first. `seq` numbers the steps from 1 without gaps; execution
/// applies step `n` only after `n - 1` and drops any step it has applied,
/// which is what makes a strategy's replay after a crash harmless.
#[derive(Debug, Clone, PartialEq)]
pub struct VenueMessage {
    /// Whose venue conversation.
    pub strategy: StrategyId,
    /// Position in the conversation, from 1.
    pub seq: u64,
    /// The step.
    pub command: VenueCommand,
}

impl VenueMessage {
    /// The message id of step `seq` of `strategy`: the same step always
    /// gets the same id, so the bus's deduplication drops replays too.
    pub fn message_id(strategy: &StrategyId, seq: u64) -> MessageId {
        MessageId::derive("venue", &[strategy.as_str().as_bytes(), &seq.to_le_bytes()])
    }
}

impl Message for VenueMessage {
    const KIND: MessageKind = MessageKind::Venue;
}

#[derive(Serialize, Deserialize)]
enum VenueCommandV1 {
    Market(Vec<MarketEventV1>),
    Submit(OrderV1),
    Cancel(u64),
}

#[derive(Serialize, Deserialize)]
struct VenueMessageV1 {
    strategy: StrategyId,
    seq: u64,
    command: VenueCommandV1,
}

impl Serialize for VenueMessage {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let command = match &self.command {
            VenueCommand::Market(events) => VenueCommandV1::Market(events.iter().map(Into::into).collect()),
            VenueCommand::Submit(o) => VenueCommandV1::Submit(o.into()),
            VenueCommand::Cancel(id) => VenueCommandV1::Cancel(id.0),
        };
        VenueMessageV1 { strategy: self.strategy.clone(), seq: self.seq, command }.serialize(s)
    }
}

impl<'de> Deserialize<'de> for VenueMessage {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<VenueMessage, D::Error> {
        let v = VenueMessageV1::deserialize(d)?;
        let command = match v.command {
            VenueCommandV1::Market(events) => VenueCommand::Market(events.into_iter().map(Into::into).collect()),
            VenueCommandV1::Submit(o) => VenueCommand::Submit(o.into()),
            VenueCommandV1::Cancel(id) => VenueCommand::Cancel(OrderId(id)),
        };
        Ok(VenueMessage { strategy: v.strategy, seq: v.seq, command })
    }
}
