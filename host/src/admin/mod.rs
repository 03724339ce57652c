//! The admin HTTP API (axum): start, stop, promote and roll back
//! challengers, the kill switch, the status, behind bearer tokens, with an
//! audit log and an OpenAPI document. It runs on its own thread; the event
//! loop applies its commands between two ticks ([`AdminInbox::drain`]).
//!
//! Plugins are uploaded to the registry (validated there, on the API's
//! thread, with a component runtime of its own) and started as challengers
//! by their sha256.
//!
//! Errors are JSON `{"error": {"code", "message"}}` with stable codes
//! ([`ApiError`]). `/health`, `/ready` and `/metrics` are served on the
//! same port without a token.

mod apply;
mod audit;
mod auth;
mod bridge;
mod config;
mod error;
mod openapi;
mod routes;

pub use apply::{EngineContext, apply, status};
pub use audit::AuditLog;
pub use auth::{Access, Caller, authorize};
pub use bridge::{AdminBridge, AdminInbox, ChallengerRequest, Command, channel};
pub use config::{AdminConfig, AdminConfigError, DEFAULT_ADDR, DEFAULT_MAX_UPLOAD};
pub use error::ApiError;
pub use openapi::document as openapi_document;
pub use routes::{AdminState, PluginService, ROUTES, RouteDoc, router};

use crate::telemetry::{ServerHandle, Telemetry, TelemetryError, serve_app};
use std::sync::Arc;

/// Serve the admin API (and `telemetry`'s `/health`, `/ready`, `/metrics`)
/// on `config.addr`. Returns the server (stopped when dropped) and the
/// inbox the event loop drains.
pub fn serve_admin(
    config: AdminConfig,
    telemetry: Telemetry,
    plugins: Option<PluginService>,
) -> Result<(ServerHandle, AdminInbox), TelemetryError> {
    let (bridge, inbox) = channel();
    let addr = config.addr;
    let audit = Arc::new(AuditLog::new(config.audit_log.clone()));
    let state = AdminState { config: Arc::new(config), bridge, audit, plugins, telemetry: telemetry.clone() };
    let app = router(state).merge(crate::telemetry::router(telemetry));
    let server = serve_app(addr, app, "the admin API")?;
    Ok((server, inbox))
}
