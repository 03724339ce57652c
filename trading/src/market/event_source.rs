use super::{MarketDataError, MarketEvent, ReadStats};

/// A stream of market events in time order that reports what it read. The
/// readers implement it, and [`super::Replay`] merges any number of them.
///
/// An `Err` item ends the stream: it is a fatal bad row or an I/O failure.
pub trait EventSource: Iterator<Item = Result<MarketEvent, MarketDataError>> {
    /// Rows read, events produced and bad rows so far.
    fn stats(&self) -> &ReadStats;
}

impl<S: EventSource + ?Sized> EventSource for Box<S> {
    fn stats(&self) -> &ReadStats {
        (**self).stats()
    }
}
