//! Where ingested events go.

use hft_trading::market::MarketEvent;

/// The consumer has gone away: nothing more can be delivered, so ingest
/// stops instead of reading a stream nobody listens to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the event sink is closed")]
pub struct SinkClosed;

/// Receives every event an ingest source produces, in the order received.
///
/// One method, called from the ingest task: it must not block for long
/// (hand the event to a channel or a buffer), because a slow sink delays
/// pongs and the venue drops connections that do not answer pings.
pub trait EventSink: Send {
    /// Take one event; `Err(SinkClosed)` stops the source.
    fn deliver(&mut self, event: MarketEvent) -> Result<(), SinkClosed>;
}

/// Collects events in memory: for tests and small batch jobs.
impl EventSink for Vec<MarketEvent> {
    fn deliver(&mut self, event: MarketEvent) -> Result<(), SinkClosed> {
        self.push(event);
        Ok(())
    }
}

/// Hands events to a synchronous consumer thread.
impl EventSink for std::sync::mpsc::Sender<MarketEvent> {
    fn deliver(&mut self, event: MarketEvent) -> Result<(), SinkClosed> {
        self.send(event).map_err(|_| SinkClosed)
    }
}

/// Hands events to an async consumer task without blocking the ingest task.
impl EventSink for tokio::sync::mpsc::UnboundedSender<MarketEvent> {
    fn deliver(&mut self, event: MarketEvent) -> Result<(), SinkClosed> {
        self.send(event).map_err(|_| SinkClosed)
    }
}

impl<S: EventSink + ?Sized> EventSink for Box<S> {
    fn deliver(&mut self, event: MarketEvent) -> Result<(), SinkClosed> {
        (**self).deliver(event)
    }
}
