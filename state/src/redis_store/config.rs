use crate::name::Namespace;
use std::time::Duration;

/// How to reach Redis and how long to wait for it.
#[derive(Debug, Clone)]
pub struct RedisConfig {
    /// A `redis://host:port/db` URL.
    pub url: String,
    /// The deployment namespace every key goes under.
    pub namespace: Namespace,
    /// The most one store operation may take, reconnection included; past
    /// it the operation fails with [`StoreError::Unavailable`](crate::StoreError::Unavailable).
    /// Default 500 ms: long enough for a loaded Redis on the same network,
    /// short enough that a tick does not stall on a dead one.
    pub op_timeout: Duration,
    /// The longest pause between two reconnection attempts while Redis is
    /// down, which bounds how long after Redis returns the store notices.
    /// Default 200 ms.
    pub max_reconnect_delay: Duration,
}

impl RedisConfig {
    /// `url` and `namespace` with the default timeouts.
    pub fn new(url: impl Into<String>, namespace: Namespace) -> RedisConfig {
        RedisConfig {
            url: url.into(),
            namespace,
            op_timeout: Duration::from_millis(500),
            max_reconnect_delay: Duration::from_millis(200),
        }
    }

    /// The same with another operation timeout.
    pub fn with_op_timeout(mut self, timeout: Duration) -> RedisConfig {
        self.op_timeout = timeout;
        self
    }
}
