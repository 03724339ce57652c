//! The model math behind hft-host's strategy components, as plain Rust.
//!
//! Each model lives here once and is used twice: wrapped by a WebAssembly
//! component in `plugins/` (what the host runs, sandboxed), and called
//! directly by native code (benchmarks, references, tests). Keeping the math
//! free of WIT and of I/O is what lets the benchmark compare wasm against
//! native on exactly the same code.
//!
//! - [`kalman`]: dynamic regression `y = alpha + beta * x` (pairs hedge ratio).
//! - [`garch`]: GARCH(1,1) with a constant mean, normal or Student-t errors.
//! - [`bocd`]: Bayesian online changepoint detection (Adams & MacKay 2007).
//!
//! Conventions (initialisation, scaling, parameterisation) are stated in each
//! module and in the plugin READMEs; they follow the Python reference
//! libraries (`pykalman`, `arch`, `bayesian-changepoint-detection`).
#![deny(missing_docs)]
// `!(a <= b)` is deliberate throughout: it is true for NaN, which must fail
// the check. Index loops mirror the linear algebra they implement.
#![allow(clippy::neg_cmp_op_on_partial_ord, clippy::needless_range_loop)]

pub mod bocd;
pub mod error;
#[cfg(feature = "reference-fixtures")]
pub mod fixtures;
pub mod garch;
pub mod kalman;
pub mod params;
pub mod snapshot;

pub use error::ModelError;
pub use params::{ParamSpec, ParamValue, Params};
