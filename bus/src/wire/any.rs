use super::{ControlEvent, DeadLetter, FillMessage, MarketData, MessageKind, OrderMessage, Signals, VenueMessage};

/// Any body, for consumers that read several topics (risk reads orders and
/// fills) and for tools that dump a topic.
#[derive(Debug, Clone, PartialEq)]
pub enum AnyMessage {
    /// A market event.
    MarketData(MarketData),
    /// Model outputs.
    Signals(Signals),
    /// An order.
    Order(OrderMessage),
    /// A fill.
    Fill(FillMessage),
    /// A control event.
    Control(ControlEvent),
    /// A dead letter.
    DeadLetter(DeadLetter),
    /// A step of a strategy's venue conversation.
    Venue(VenueMessage),
}

impl AnyMessage {
    /// Which kind it is.
    pub fn kind(&self) -> MessageKind {
        match self {
            AnyMessage::MarketData(_) => MessageKind::MarketData,
            AnyMessage::Signals(_) => MessageKind::Signals,
            AnyMessage::Order(_) => MessageKind::Order,
            AnyMessage::Fill(_) => MessageKind::Fill,
            AnyMessage::Control(_) => MessageKind::Control,
            AnyMessage::DeadLetter(_) => MessageKind::DeadLetter,
            AnyMessage::Venue(_) => MessageKind::Venue,
        }
    }
}
