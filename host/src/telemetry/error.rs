//! Why the telemetry server could not start or stop.

use std::io;
use std::net::SocketAddr;

/// Why [`serve`](super::serve) or [`ServerHandle::shutdown`](super::ServerHandle::shutdown)
/// failed; typed so a role can tell a port conflict (fix the config) from a
/// server that died.
#[derive(Debug, thiserror::Error)]
pub enum TelemetryError {
    /// The listen address could not be bound (in use, not local, no
    /// permission).
    #[error("cannot listen on {addr} for /health, /ready and /metrics")]
    Bind {
        /// The address asked for.
        addr: SocketAddr,
        /// What the OS said.
        #[source]
        source: io::Error,
    },
    /// The server's tokio runtime or its listener could not be set up.
    #[error("cannot set up the telemetry server's runtime")]
    Runtime(#[source] io::Error),
    /// The server thread could not be spawned.
    #[error("cannot spawn the telemetry server thread")]
    Spawn(#[source] io::Error),
    /// The server stopped with an I/O error.
    #[error("the telemetry server failed")]
    Server(#[source] io::Error),
    /// The server thread panicked.
    #[error("the telemetry server thread panicked")]
    Panicked,
}
