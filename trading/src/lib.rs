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
#![deny(missing_docs)]

pub mod domain;
pub mod execution;
pub mod market;
pub mod portfolio;
pub mod report;
pub mod risk;
pub mod synthetic;
