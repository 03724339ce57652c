//! What a live ingest received.

use hft_trading::market::WsParseError;

/// One message that could not be read, kept so an operator can see what
/// the venue sent.
#[derive(Debug, Clone, PartialEq)]
pub struct MalformedMessage {
    /// Why it was rejected.
    pub reason: WsParseError,
    /// The message text, cut to [`MalformedMessage::MAX_TEXT`] characters.
    pub text: String,
}

impl MalformedMessage {
    /// How much of a rejected message is kept.
    pub const MAX_TEXT: usize = 256;

    /// Record `text` rejected for `reason`.
    pub fn new(reason: WsParseError, text: &str) -> MalformedMessage {
        MalformedMessage { reason, text: text.chars().take(Self::MAX_TEXT).collect() }
    }
}

/// Counters of a live ingest, so a thinned or flapping feed is visible next
/// to what was traded on it. Every message read is counted once, in exactly
/// one of `events`, `open_klines`, `replies` or `malformed`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct IngestStats {
    /// Data messages (text or binary) read, over all connections.
    pub messages: u64,
    /// Events handed to the sink.
    pub events: u64,
    /// Of which trades (`trade`, `aggTrade`).
    pub trades: u64,
    /// Of which closed bars.
    pub bars: u64,
    /// Pushes of a bar still in progress, dropped.
    pub open_klines: u64,
    /// Replies to our requests (subscription acknowledgements).
    pub replies: u64,
    /// Messages that could not be read, all of them.
    pub malformed: u64,
    /// The first of them, at most `max_malformed_details`.
    pub malformed_details: Vec<MalformedMessage>,
    /// How many rejected messages are kept in full.
    pub max_malformed_details: usize,
    /// Pings received (each answered with a pong).
    pub pings: u64,
    /// Successful connections, the first included.
    pub connects: u64,
    /// Connections lost or attempts failed, after which ingest reconnected.
    pub reconnects: u64,
    /// Connection attempts that failed in the TLS handshake (a certificate
    /// not signed by a trusted CA, not valid for the URL's host, expired),
    /// also counted in `reconnects` when a retry followed. Unlike a network
    /// drop, these usually need an operator (a CA to trust, a URL to fix).
    pub tls_failures: u64,
}

impl IngestStats {
    /// Empty counters keeping at most `max_malformed_details` rejected messages.
    pub fn new(max_malformed_details: usize) -> IngestStats {
        IngestStats { max_malformed_details, ..IngestStats::default() }
    }

    /// Count a rejected message, keeping it while there is room.
    pub fn record_malformed(&mut self, reason: WsParseError, text: &str) {
        self.malformed += 1;
        if self.malformed_details.len() < self.max_malformed_details {
            self.malformed_details.push(MalformedMessage::new(reason, text));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn malformed_details_are_capped_but_all_counted() {
        let mut s = IngestStats::new(2);
        for _ in 0..5 {
            s.record_malformed(WsParseError::NotAnObject, &"x".repeat(1000));
        }
        assert_eq!(s.malformed, 5);
        assert_eq!(s.malformed_details.len(), 2);
        assert_eq!(s.malformed_details[0].text.len(), MalformedMessage::MAX_TEXT);
    }
}
