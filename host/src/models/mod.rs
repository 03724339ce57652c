//! Typed handles over model component instances.
//!
//! Each handle owns one sandboxed instance and one model resource inside it,
//! and exposes the WIT methods as plain Rust methods returning
//! [`PluginError`](crate::runtime::PluginError). [`AnyModel`] erases the kind
//! for tools that stream columns through whatever component they are given.

mod any;
mod changepoint;
mod handle;
mod hedge_ratio;
mod params;
mod volatility;

pub use any::{AnyModel, StepColumns};
pub use changepoint::ChangepointModel;
pub use volatility::VolatilityModel;

pub use handle::describe;
pub(crate) use handle::{Handle, flatten};
pub use hedge_ratio::{HedgeRatioModel, estimate_outputs};
pub use params::{parse_params, to_model_params, to_wit_params};
