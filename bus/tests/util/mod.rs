//! Shared test helpers: sample messages and a tansu broker per test.
#![allow(dead_code)]

pub mod samples;
pub mod scenarios;
pub mod tansu;
