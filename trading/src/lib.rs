//! The trading core of hft-host, free of WebAssembly and I/O frameworks.
//!
//! The host runtime (`hft-host`) wires sandboxed model and strategy
//! components into a pipeline; everything that decides what happens to
//! money lives here instead, in plain Rust that tests can drive event by
//! event: market data types and readers, the pre-trade risk manager, the
//! paper broker behind the [`execution::Exchange`] trait, the accounting,
//! and the run report.
//!
//! Money, prices and quantities are exact decimals ([`rust_decimal`]);
//! model inputs derived from them are `f64`.
//!
//! # Checkpoints
//!
//! Distributed mode must survive a crash of the process that runs the
//! pipeline: it saves a checkpoint and a new process continues from it. The
//! three stateful components each have an exact snapshot for that:
//! [`risk::RiskManagerState`], [`execution::PaperBrokerState`] and
//! [`portfolio::PortfolioState`], taken with `state_snapshot()` and restored
//! with `from_snapshot(..)`. The semantics:
//!
//! * **Exact.** Running N events, snapshotting, restoring into a fresh
//!   object and running the rest gives the same fills, rejections, states,
//!   transitions and books as a run that never stopped. Decimals are encoded
//!   as strings, which keep sign and scale, so a JSON round trip loses
//!   nothing.
//! * **Deterministic.** Sets are written sorted and maps in key order: the
//!   same state always encodes to the same bytes.
//! * **Configuration apart.** Risk limits and the paper config are not in
//!   the snapshots; they are given again at restore and checked as at
//!   construction.
//! * **Versioned and checked.** Each snapshot carries a `version` (the
//!   type's `VERSION`); another version, an unknown field, or a state no run
//!   could reach is refused with a typed error rather than continued from.
//! * **Not included:** where the input stream was (offset, sequence); the
//!   caller saves that beside the snapshots, taken at the same point.
#![deny(missing_docs)]

pub mod domain;
pub mod execution;
pub mod market;
pub mod portfolio;
pub mod report;
pub mod risk;
pub mod synthetic;
