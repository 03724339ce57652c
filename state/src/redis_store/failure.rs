//! Sorting Redis failures into "unreachable, fail closed and retry" and
//! "something is wrong with the data or the script".

use crate::error::StoreError;
use redis::RedisError;
use std::time::Duration;

/// Server error codes that mean "not now" rather than "never".
const TRANSIENT_CODES: [&str; 7] = ["LOADING", "BUSY", "MASTERDOWN", "TRYAGAIN", "CLUSTERDOWN", "READONLY", "MISCONF"];

/// Map a Redis client error onto [`StoreError`].
pub(crate) fn from_redis(op: &'static str, e: RedisError) -> StoreError {
    let transient = e.is_io_error()
        || e.is_timeout()
        || e.is_connection_dropped()
        || e.is_connection_refusal()
        || e.is_unrecoverable_error()
        || e.code().is_some_and(|c| TRANSIENT_CODES.contains(&c));
    if transient {
        StoreError::Unavailable { backend: "redis", reason: format!("{op}: {e}") }
    } else {
        StoreError::Backend { backend: "redis", reason: format!("{op}: {e}") }
    }
}

/// The error for an operation that outlived the store's timeout.
pub(crate) fn timed_out(op: &'static str, timeout: Duration) -> StoreError {
    StoreError::Unavailable { backend: "redis", reason: format!("{op}: no answer within {timeout:?}") }
}
