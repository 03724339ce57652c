//! Market data: the events the pipeline replays, and readers for the
//! formats they come in.

mod event;

pub use event::{Bar, MarketEvent, Trade};
