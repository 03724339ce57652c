//! The broker harness lives in the crate (`hft_bus::testing`) so the host's
//! role tests use the same one.

#[allow(unused_imports)] // not every test binary that includes `util` starts a broker
pub use hft_bus::testing::Tansu;
