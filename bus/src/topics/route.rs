use super::TopicsConfig;
use crate::wire::{AnyMessage, ControlEvent, DeadLetter, FillMessage, MarketData, OrderMessage, Signals, VenueMessage};

/// Where a message goes: its topic and its partition key. The key rules in
/// one place:
///
/// - market data: the symbol, or its pair key ([`TopicsConfig::market_key`]);
/// - signals: their own key (already the instrument or pair key);
/// - orders, venue steps and fills: the strategy id, so one strategy's
///   stream is ordered;
/// - control: the fixed key `control` (one ordered stream);
/// - dead letters: the topic the original came from.
pub trait Route {
    /// The topic name.
    fn topic<'a>(&self, topics: &'a TopicsConfig) -> &'a str;
    /// The partition key.
    fn key<'a>(&'a self, topics: &'a TopicsConfig) -> &'a str;
}

impl Route for MarketData {
    fn topic<'a>(&self, topics: &'a TopicsConfig) -> &'a str {
        &topics.market_data.name
    }

    fn key<'a>(&'a self, topics: &'a TopicsConfig) -> &'a str {
        topics.market_key(self.0.instrument().symbol.as_str())
    }
}

impl Route for Signals {
    fn topic<'a>(&self, topics: &'a TopicsConfig) -> &'a str {
        &topics.signals.name
    }

    fn key<'a>(&'a self, _: &'a TopicsConfig) -> &'a str {
        &self.key
    }
}

impl Route for OrderMessage {
    fn topic<'a>(&self, topics: &'a TopicsConfig) -> &'a str {
        &topics.orders.name
    }

    fn key<'a>(&'a self, _: &'a TopicsConfig) -> &'a str {
        self.strategy.as_str()
    }
}

impl Route for VenueMessage {
    fn topic<'a>(&self, topics: &'a TopicsConfig) -> &'a str {
        &topics.orders.name
    }

    fn key<'a>(&'a self, _: &'a TopicsConfig) -> &'a str {
        self.strategy.as_str()
    }
}

impl Route for FillMessage {
    fn topic<'a>(&self, topics: &'a TopicsConfig) -> &'a str {
        &topics.fills.name
    }

    fn key<'a>(&'a self, _: &'a TopicsConfig) -> &'a str {
        self.strategy.as_str()
    }
}

impl Route for ControlEvent {
    fn topic<'a>(&self, topics: &'a TopicsConfig) -> &'a str {
        &topics.control.name
    }

    fn key<'a>(&'a self, _: &'a TopicsConfig) -> &'a str {
        "control"
    }
}

impl Route for DeadLetter {
    fn topic<'a>(&self, topics: &'a TopicsConfig) -> &'a str {
        &topics.dead_letter.name
    }

    fn key<'a>(&'a self, _: &'a TopicsConfig) -> &'a str {
        &self.topic
    }
}

impl Route for AnyMessage {
    fn topic<'a>(&self, topics: &'a TopicsConfig) -> &'a str {
        match self {
            AnyMessage::MarketData(m) => m.topic(topics),
            AnyMessage::Signals(m) => m.topic(topics),
            AnyMessage::Order(m) => m.topic(topics),
            AnyMessage::Fill(m) => m.topic(topics),
            AnyMessage::Control(m) => m.topic(topics),
            AnyMessage::DeadLetter(m) => m.topic(topics),
            AnyMessage::Venue(m) => m.topic(topics),
        }
    }

    fn key<'a>(&'a self, topics: &'a TopicsConfig) -> &'a str {
        match self {
            AnyMessage::MarketData(m) => m.key(topics),
            AnyMessage::Signals(m) => m.key(topics),
            AnyMessage::Order(m) => m.key(topics),
            AnyMessage::Fill(m) => m.key(topics),
            AnyMessage::Control(m) => m.key(topics),
            AnyMessage::DeadLetter(m) => m.key(topics),
            AnyMessage::Venue(m) => m.key(topics),
        }
    }
}
