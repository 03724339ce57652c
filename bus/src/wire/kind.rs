use serde::{Deserialize, Serialize};
use std::fmt;

/// Which body an envelope carries. Written in the header, so a consumer
/// knows what it got before it reads the body, and a message on the wrong
/// topic is rejected by name instead of being misread.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[repr(u8)]
pub enum MessageKind {
    /// [`super::MarketData`].
    MarketData = 1,
    /// [`super::Signals`].
    Signals = 2,
    /// [`super::OrderMessage`].
    Order = 3,
    /// [`super::FillMessage`].
    Fill = 4,
    /// [`super::ControlEvent`].
    Control = 5,
    /// [`super::DeadLetter`].
    DeadLetter = 6,
    /// [`super::VenueMessage`].
    Venue = 7,
}

impl MessageKind {
    /// Every kind, in code order.
    pub const ALL: [MessageKind; 7] = [
        MessageKind::MarketData,
        MessageKind::Signals,
        MessageKind::Order,
        MessageKind::Fill,
        MessageKind::Control,
        MessageKind::DeadLetter,
        MessageKind::Venue,
    ];

    /// The header byte.
    pub const fn code(self) -> u8 {
        self as u8
    }

    /// The kind for a header byte, if it is one.
    pub fn from_code(code: u8) -> Option<MessageKind> {
        MessageKind::ALL.into_iter().find(|k| k.code() == code)
    }

    /// The name used in JSON (`"kind"`) and in logs.
    pub const fn name(self) -> &'static str {
        match self {
            MessageKind::MarketData => "market-data",
            MessageKind::Signals => "signals",
            MessageKind::Order => "order",
            MessageKind::Fill => "fill",
            MessageKind::Control => "control",
            MessageKind::DeadLetter => "dead-letter",
            MessageKind::Venue => "venue",
        }
    }

    /// The kind for a JSON name, if it is one.
    pub fn from_name(name: &str) -> Option<MessageKind> {
        MessageKind::ALL.into_iter().find(|k| k.name() == name)
    }
}

impl fmt::Display for MessageKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}
