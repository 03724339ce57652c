//! The main job: market data through model components, a strategy
//! component, the risk manager and a venue, one tick at a time.
//!
//! - [`Wiring`] turns a [`RunConfig`](crate::config::RunConfig) into live
//!   components resolved to indices.
//! - [`Pipeline`] is the per-tick state machine (see its module docs for
//!   the order of a tick).
//! - [`run`] replays the configured data through it and builds the report.

mod book_metrics;
mod checkpoint;
mod driver;
mod engine;
mod instruments;
mod latency;
mod model_node;
mod pacer;
mod strategy_node;
mod wiring;

pub use book_metrics::BookMetrics;
pub use checkpoint::{CheckpointError, NodeCheckpoint, PipelineCheckpoint};
pub use driver::{AdminRun, Feed, RunError, RunOptions, RunOutcome, Session, assemble, conclude, run, run_served};
pub use engine::{Counters, Pipeline};
pub use instruments::{DEFAULT_LOT, Instruments};
pub use latency::LatencySamples;
pub use model_node::{InputRef, ModelNode, NodeState, Source, StepOutcome};
pub use pacer::Pacer;
pub use strategy_node::{DecideOutcome, StrategyNode};
pub use wiring::{ReportSlots, Wiring, WiringError, fit_strategy_wiring, plugin_path};
