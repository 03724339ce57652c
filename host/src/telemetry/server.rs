//! The HTTP server behind `GET /health`, `GET /ready` and `GET /metrics`:
//! axum on a one-thread tokio runtime of its own, because the roles are
//! synchronous loops and must not host an async runtime for three
//! endpoints.

use std::io;
use std::net::{SocketAddr, TcpListener};
use std::thread::JoinHandle;
use std::time::Duration;

use axum::Router;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use tokio::sync::watch;

use super::readiness::Liveness;
use super::{Telemetry, TelemetryError};

/// Content type of the Prometheus text exposition format.
pub const METRICS_CONTENT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";

const TEXT: &str = "text/plain; charset=utf-8";

/// How long a shutdown waits for open connections (a scrape in progress, an
/// idle keep-alive) before it drops them.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(2);

/// A running telemetry server. Stops it on [`ServerHandle::shutdown`] or on
/// drop, so a role cannot leak the thread or the port.
#[derive(Debug)]
pub struct ServerHandle {
    local_addr: SocketAddr,
    stop: Option<watch::Sender<bool>>,
    thread: Option<JoinHandle<io::Result<()>>>,
}

impl ServerHandle {
    /// The address actually bound: with port 0 asked for, the port the OS
    /// chose (what tests connect to).
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// Stops accepting, gives open connections two seconds to finish,
    /// and waits for the server thread.
    ///
    /// # Errors
    /// [`TelemetryError::Server`] if the server had failed,
    /// [`TelemetryError::Panicked`] if its thread panicked.
    pub fn shutdown(mut self) -> Result<(), TelemetryError> {
        self.stop_and_join()
    }

    fn stop_and_join(&mut self) -> Result<(), TelemetryError> {
        if let Some(stop) = self.stop.take() {
            // Err only if the server already ended; the join says why.
            let _ = stop.send(true);
        }
        let Some(thread) = self.thread.take() else { return Ok(()) };
        let result = match thread.join() {
            Ok(Ok(())) => Ok(()),
            Ok(Err(e)) => Err(TelemetryError::Server(e)),
            Err(_) => Err(TelemetryError::Panicked),
        };
        tracing::info!(addr = %self.local_addr, "telemetry server stopped");
        result
    }
}

impl Drop for ServerHandle {
    fn drop(&mut self) {
        if let Err(e) = self.stop_and_join() {
            tracing::warn!(addr = %self.local_addr, error = %e, "telemetry server ended with an error");
        }
    }
}

/// Serves `/health`, `/ready` and `/metrics` of `telemetry` on `listen`,
/// from a thread of its own, until the returned handle is shut down or
/// dropped.
///
/// Binds before returning, so a port conflict is an error here rather than
/// a log line later, and [`ServerHandle::local_addr`] is known (bind port 0
/// in tests).
///
/// # Errors
/// [`TelemetryError::Bind`] if `listen` cannot be bound,
/// [`TelemetryError::Runtime`] or [`TelemetryError::Spawn`] if the server
/// thread cannot be set up.
pub fn serve(listen: SocketAddr, telemetry: Telemetry) -> Result<ServerHandle, TelemetryError> {
    serve_app(listen, router(telemetry).fallback(not_found), "/health, /ready and /metrics")
}

/// Serves `app` on `listen` the same way (its own thread and runtime,
/// bound before returning, stopped on drop): the admin API uses it with
/// these three routes merged into its own.
///
/// # Errors
/// As [`serve`].
pub fn serve_app(listen: SocketAddr, app: Router, what: &str) -> Result<ServerHandle, TelemetryError> {
    let listener = TcpListener::bind(listen).map_err(|source| TelemetryError::Bind { addr: listen, source })?;
    let local_addr = listener.local_addr().map_err(TelemetryError::Runtime)?;
    listener.set_nonblocking(true).map_err(TelemetryError::Runtime)?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_io()
        .enable_time()
        .thread_name("hft-telemetry")
        .build()
        .map_err(TelemetryError::Runtime)?;
    let (stop, stopped) = watch::channel(false);
    let thread = std::thread::Builder::new()
        .name("hft-telemetry".into())
        .spawn(move || runtime.block_on(run(listener, app, stopped)))
        .map_err(TelemetryError::Spawn)?;
    tracing::info!(addr = %local_addr, "serving {what}");
    Ok(ServerHandle { local_addr, stop: Some(stop), thread: Some(thread) })
}

/// Serves until told to stop, then drains for at most `SHUTDOWN_GRACE`.
async fn run(listener: TcpListener, app: Router, stopped: watch::Receiver<bool>) -> io::Result<()> {
    let listener = tokio::net::TcpListener::from_std(listener)?;
    let mut graceful = stopped.clone();
    let server = axum::serve(listener, app).with_graceful_shutdown(async move {
        // Err means the handle is gone: stop as well.
        let _ = graceful.wait_for(|s| *s).await;
    });
    let mut deadline = stopped;
    tokio::select! {
        result = server.into_future() => result,
        () = async move {
            let _ = deadline.wait_for(|s| *s).await;
            tokio::time::sleep(SHUTDOWN_GRACE).await;
        } => {
            tracing::debug!("telemetry connections still open after the grace period; dropping them");
            Ok(())
        }
    }
}

/// The three routes, for [`serve`] (which answers anything else with 404)
/// or to merge into another router. Anything else is 404; another method on these paths
/// is 405 (HEAD is answered like GET, as HTTP requires).
pub fn router(telemetry: Telemetry) -> Router {
    Router::new()
        .route("/health", get(health))
        .route("/ready", get(ready))
        .route("/metrics", get(metrics))
        .with_state(telemetry)
}

async fn health(State(t): State<Telemetry>) -> Response {
    let hb = t.heartbeat();
    match hb.liveness() {
        Liveness::Alive { age } => text(StatusCode::OK, format!("alive: last heartbeat {} ms ago\n", age.as_millis())),
        Liveness::Starting => text(StatusCode::SERVICE_UNAVAILABLE, "starting: no heartbeat yet\n".to_owned()),
        Liveness::Stale { age } => text(
            StatusCode::SERVICE_UNAVAILABLE,
            format!("stale: last heartbeat {} ms ago, more than {} ms\n", age.as_millis(), hb.staleness().as_millis()),
        ),
    }
}

async fn ready(State(t): State<Telemetry>) -> Response {
    let report = t.readiness().report();
    let status = if report.is_ready() { StatusCode::OK } else { StatusCode::SERVICE_UNAVAILABLE };
    text(status, report.render())
}

async fn metrics(State(t): State<Telemetry>) -> Response {
    ([(header::CONTENT_TYPE, METRICS_CONTENT_TYPE)], t.encode_metrics()).into_response()
}

async fn not_found() -> Response {
    text(StatusCode::NOT_FOUND, "not found: this server has GET /health, /ready and /metrics\n".to_owned())
}

fn text(status: StatusCode, body: String) -> Response {
    (status, [(header::CONTENT_TYPE, TEXT)], body).into_response()
}
