//! hft-host: a trading host that runs its models as sandboxed WebAssembly
//! components.
//!
//! The host owns every capability (files, network, clocks); a model
//! component gets none. This library is the whole host; the `hft-host`
//! binary is a thin command-line shell over it.
//!
//! - [`runtime`]: the wasmtime engine, compile cache, sandboxed instances
//!   with memory and time budgets, typed plugin errors.
//! - [`models`]: typed handles for each model kind (hedge ratio,
//!   volatility, changepoint) over a component instance, and a generic
//!   stepper that streams columns through any of them.
//! - [`table`]: column input from CSV files with clear errors.
//! - [`strategy`]: strategy components (`trading-strategy` world).
//! - [`config`]: the run configuration (TOML plus `HFT_...` overrides).
//! - [`pipeline`]: the main job, replay → models → strategy → risk →
//!   execution → report, over the trading core in `hft-trading`.
//! - [`ingest`]: market data from outside (a Binance-format WebSocket, a
//!   paced replay) into a sink.
//! - [`roles`]: the roles of distributed mode over the event bus (`hft-bus`).
//! - [`commands`]: the CLI's subcommands as library functions.
#![deny(missing_docs)]

pub mod admin;
pub mod admin_client;
pub mod commands;
pub mod config;
pub mod ingest;
pub mod models;
pub mod orchestrator;
pub mod pipeline;
pub mod registry;
pub mod roles;
pub mod runtime;
pub mod scaffold;
pub mod strategy;
pub mod table;
pub mod telemetry;
