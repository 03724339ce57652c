use super::{EventSource, MarketDataError, MarketEvent, ReadStats, SourceSpec};
use crate::domain::Timestamp;
use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::path::Path;

/// Several event sources merged into one stream in time order, holding one
/// pending event per source, never a whole file.
///
/// Ties are stable: events with equal timestamps come out in the order of
/// their sources in the list, and within one source in file order. So a
/// configuration that lists the leg to be priced first gets it first, run
/// after run.
///
/// Each source must be in time order itself, which the readers enforce. The
/// first `Err` from any source is passed on and ends the replay: it is an I/O
/// failure or a bad row under [`super::BadRowPolicy::Fatal`].
pub struct Replay<S: EventSource> {
    sources: Vec<S>,
    heads: Vec<Option<MarketEvent>>,
    queue: BinaryHeap<Reverse<(Timestamp, usize)>>,
    pending_error: Option<MarketDataError>,
    started: bool,
    done: bool,
}

impl<S: EventSource> Replay<S> {
    /// Merge `sources`; their order breaks timestamp ties.
    pub fn new(sources: Vec<S>) -> Replay<S> {
        let heads = sources.iter().map(|_| None).collect();
        Replay { sources, heads, queue: BinaryHeap::new(), pending_error: None, started: false, done: false }
    }

    /// What each source has read so far, in source order: after the replay
    /// ends, the data-quality part of a run report.
    pub fn stats(&self) -> Vec<&ReadStats> {
        self.sources.iter().map(EventSource::stats).collect()
    }

    /// Take the next event of source `i` into the queue.
    fn pull(&mut self, i: usize) -> Result<(), MarketDataError> {
        match self.sources[i].next() {
            Some(Ok(event)) => {
                self.queue.push(Reverse((event.ts(), i)));
                self.heads[i] = Some(event);
                Ok(())
            }
            Some(Err(e)) => Err(e),
            None => Ok(()),
        }
    }

    /// End the replay with `e`.
    fn fail(&mut self, e: MarketDataError) -> Option<Result<MarketEvent, MarketDataError>> {
        self.done = true;
        Some(Err(e))
    }
}

impl Replay<Box<dyn EventSource + Send>> {
    /// Open every source in `specs`, relative paths from `base`, and merge
    /// them in the order given.
    pub fn open(specs: &[SourceSpec], base: &Path) -> Result<Self, MarketDataError> {
        let sources = specs.iter().map(|spec| spec.open_from(base)).collect::<Result<Vec<_>, _>>()?;
        Ok(Replay::new(sources))
    }
}

impl<S: EventSource> Iterator for Replay<S> {
    type Item = Result<MarketEvent, MarketDataError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        if let Some(e) = self.pending_error.take() {
            return self.fail(e);
        }
        if !self.started {
            self.started = true;
            for i in 0..self.sources.len() {
                if let Err(e) = self.pull(i) {
                    return self.fail(e);
                }
            }
        }
        let Some(Reverse((_, i))) = self.queue.pop() else {
            self.done = true;
            return None;
        };
        let event = self.heads[i].take();
        if let Err(e) = self.pull(i) {
            self.pending_error = Some(e);
        }
        event.map(Ok)
    }
}
