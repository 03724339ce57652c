//! Shared test support: a real `redis-server` child process, sample state,
//! and the behavioural suite every [`StateStore`] must pass.
#![allow(dead_code)]

#[allow(unused_imports)]
pub use hft_state::testing as redis_server;
pub mod sample;
pub mod suite;
