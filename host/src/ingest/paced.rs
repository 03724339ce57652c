//! Replay-file ingest: deliver recorded events at a chosen pace.

use super::{EventSink, SinkClosed};
use crate::config::Speed;
use crate::pipeline::Pacer;
use hft_trading::market::{MarketDataError, MarketEvent};
use std::time::Duration;

/// What a paced replay delivered.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PacedReplayStats {
    /// Events handed to the sink.
    pub events: u64,
    /// Wall time from the first event to the last.
    pub wall: Duration,
}

/// Why a paced replay ended early.
#[derive(Debug, thiserror::Error)]
pub enum PacedReplayError {
    /// The data could not be read (I/O, or a bad row under `bad_rows = "fatal"`).
    #[error("market data: {0}")]
    Data(#[from] MarketDataError),
    /// The sink's consumer is gone.
    #[error(transparent)]
    SinkClosed(#[from] SinkClosed),
}

/// Deliver `events` (a [`hft_trading::market::Replay`], or any time-ordered
/// stream) to `sink`, paced by event time the way `hft-host run` paces its
/// replay: with [`Speed::Max`] as fast as the sink takes them; with
/// [`Speed::Multiple`]`(m)` an event stamped `t` is delivered `(t - t0) / m`
/// of wall time after the first one (`t0`), so `1.0` is real time.
///
/// Sleeps the calling thread between events: run it on its own thread (or
/// `tokio::task::spawn_blocking`), never on an async worker.
pub fn replay_paced<I, S>(events: I, speed: Speed, sink: &mut S) -> Result<PacedReplayStats, PacedReplayError>
where
    I: IntoIterator<Item = Result<MarketEvent, MarketDataError>>,
    S: EventSink + ?Sized,
{
    let mut pacer = Pacer::new(speed);
    let mut delivered = 0u64;
    for event in events {
        let event = event?;
        pacer.wait_for(event.ts());
        sink.deliver(event)?;
        delivered += 1;
    }
    Ok(PacedReplayStats { events: delivered, wall: pacer.elapsed() })
}

#[cfg(test)]
mod tests {
    use super::*;
    use hft_trading::domain::{InstrumentId, Price, Quantity, Timestamp};
    use hft_trading::market::Trade;
    use rust_decimal::Decimal;

    fn trade_at(ms: i64) -> Result<MarketEvent, MarketDataError> {
        Ok(MarketEvent::Trade(Trade {
            instrument: InstrumentId::new("BINANCE", "BTCUSDT"),
            ts: Timestamp::from_millis(1_700_000_000_000 + ms),
            price: Price(Decimal::new(1, 0)),
            size: Quantity(Decimal::new(1, 0)),
        }))
    }

    #[test]
    fn a_multiple_of_real_time_spreads_events_by_event_time() {
        // 300 ms of event time at 4x: at least 75 ms of wall time.
        let mut sink: Vec<MarketEvent> = Vec::new();
        let stats = replay_paced([0, 100, 200, 300].map(trade_at), Speed::Multiple(4.0), &mut sink).unwrap();
        assert_eq!(stats.events, 4);
        assert_eq!(sink.len(), 4);
        assert!(stats.wall >= Duration::from_millis(75), "{:?}", stats.wall);
    }

    #[test]
    fn max_speed_does_not_wait() {
        // A day of event time at max speed must not sleep.
        let mut sink: Vec<MarketEvent> = Vec::new();
        let stats = replay_paced([0, 86_400_000].map(trade_at), Speed::Max, &mut sink).unwrap();
        assert_eq!(stats.events, 2);
        assert!(stats.wall < Duration::from_secs(5), "{:?}", stats.wall);
    }

    #[test]
    fn a_data_error_and_a_closed_sink_end_the_replay() {
        let bad = Err(MarketDataError::Io { file: "f.csv".into(), source: std::io::Error::other("gone") });
        let mut sink: Vec<MarketEvent> = Vec::new();
        let err = replay_paced([trade_at(0), bad, trade_at(1)], Speed::Max, &mut sink).unwrap_err();
        assert!(matches!(err, PacedReplayError::Data(_)), "{err}");
        assert_eq!(sink.len(), 1);

        let (tx, rx) = std::sync::mpsc::channel::<MarketEvent>();
        drop(rx);
        let mut tx = tx;
        let err = replay_paced([trade_at(0)], Speed::Max, &mut tx).unwrap_err();
        assert!(matches!(err, PacedReplayError::SinkClosed(_)), "{err}");
    }
}
