//! Topic names, partition counts and partition keys: configuration with
//! defaults ([`TopicsConfig`]), and which topic and key each message kind
//! goes to ([`Route`]).

mod config;
mod route;
mod spec;

pub use config::{TopicsConfig, TopicsConfigError};
pub use route::Route;
pub use spec::TopicSpec;
