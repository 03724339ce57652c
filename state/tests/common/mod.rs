//! Shared test support: a real `redis-server` child process, sample state,
//! and the behavioural suite every [`StateStore`] must pass.
#![allow(dead_code)]

pub mod redis_server;
pub mod sample;
pub mod suite;
