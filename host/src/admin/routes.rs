//! The routes of the admin API, and the table the OpenAPI document and
//! its test are built from.

use super::audit::AuditLog;
use super::auth::{Access, authorize};
use super::bridge::{AdminBridge, ChallengerRequest, Command};
use super::config::AdminConfig;
use super::error::ApiError;
use crate::registry::{Registry, RegistryError, UploadOptions};
use crate::runtime::Runtime;
use axum::Json;
use axum::Router;
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::routing::{delete, get, post};
use serde::Deserialize;
use serde_json::{Value, json};
use std::sync::Arc;

/// Everything a handler needs.
#[derive(Clone)]
pub struct AdminState {
    /// Tokens and limits.
    pub config: Arc<AdminConfig>,
    /// The event loop.
    pub bridge: AdminBridge,
    /// The audit trail.
    pub audit: Arc<AuditLog>,
    /// The plugin registry, if uploads are served.
    pub plugins: Option<PluginService>,
    /// Where uploads are counted (`hft_plugin_uploads_total`).
    pub telemetry: crate::telemetry::Telemetry,
}

/// The registry and the runtime that validates uploads.
#[derive(Clone)]
pub struct PluginService {
    /// Where accepted components are kept.
    pub registry: Arc<Registry>,
    /// Compiles and smoke-runs uploads (not the event loop's).
    pub runtime: Arc<Runtime>,
}

/// A registry refusal as an API error: 413 for size, 422 for a component
/// that failed validation, 404/400 for lookups.
fn registry_error(e: RegistryError) -> ApiError {
    let status = match e.code() {
        "too_large" => StatusCode::PAYLOAD_TOO_LARGE,
        "not_found" => StatusCode::NOT_FOUND,
        "invalid_id" | "ambiguous_id" => StatusCode::BAD_REQUEST,
        "io" | "corrupt" | "bad_config" | "bad_smoke_data" | "load_failed" => StatusCode::INTERNAL_SERVER_ERROR,
        _ => StatusCode::UNPROCESSABLE_ENTITY,
    };
    ApiError::new(status, e.code(), e.to_string())
}

fn plugins(s: &AdminState) -> Result<&PluginService, ApiError> {
    s.plugins.as_ref().ok_or_else(|| ApiError::unavailable("this process keeps no plugin registry"))
}

async fn upload(
    State(s): State<AdminState>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let caller = authorize(&headers, Access::Admin, &s.config)?;
    let service = plugins(&s)?.clone();
    let signature = headers.get("x-signature").map(|v| v.as_bytes().to_vec());
    let size = body.len();
    let opts = UploadOptions { uploaded_by: caller.as_str().to_string(), signature, smoke_params: Vec::new() };
    let result = tokio::task::spawn_blocking(move || service.registry.upload_with(&service.runtime, &body, &opts))
        .await
        .map_err(|e| ApiError::unavailable(format!("upload task failed: {e}")))?;
    let detail = json!({"bytes": size, "sha256": result.as_ref().ok().map(|u| u.record.sha256.clone())});
    s.audit.record(caller, "upload-plugin", &detail, result.as_ref().map(|_| ()).map_err(|e| e.code()));
    s.telemetry.plugin_uploads(result.as_ref().map_or_else(|e| e.code(), |_| "accepted")).inc();
    let uploaded = result.map_err(registry_error)?;
    let status = if uploaded.created { StatusCode::CREATED } else { StatusCode::OK };
    Ok((status, Json(serde_json::to_value(&uploaded.record).unwrap_or(Value::Null))))
}

async fn list_plugins(State(s): State<AdminState>, headers: HeaderMap) -> Result<Json<Value>, ApiError> {
    authorize(&headers, Access::Read, &s.config)?;
    let records = plugins(&s)?.registry.list();
    Ok(Json(serde_json::to_value(records).unwrap_or(Value::Null)))
}

async fn get_plugin(
    State(s): State<AdminState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    authorize(&headers, Access::Read, &s.config)?;
    let record = plugins(&s)?.registry.get(&id).map_err(registry_error)?;
    Ok(Json(serde_json::to_value(record).unwrap_or(Value::Null)))
}

/// One route: what the OpenAPI document lists and its test checks.
#[derive(Debug, Clone, Copy)]
pub struct RouteDoc {
    /// HTTP method.
    pub method: &'static str,
    /// Path, with `{id}` parameters.
    pub path: &'static str,
    /// Who may call it; `None` is public.
    pub access: Option<Access>,
    /// What it does.
    pub summary: &'static str,
}

/// Every route the admin server answers.
pub const ROUTES: &[RouteDoc] = &[
    RouteDoc {
        method: "POST",
        path: "/plugins",
        access: Some(Access::Admin),
        summary: "Upload a component (raw .wasm body; optional X-Signature: ed25519 over its sha256). Validated before it is stored; 201 new, 200 already stored.",
    },
    RouteDoc {
        method: "GET",
        path: "/plugins",
        access: Some(Access::Read),
        summary: "Every stored component with its record.",
    },
    RouteDoc {
        method: "GET",
        path: "/plugins/{id}",
        access: Some(Access::Read),
        summary: "One component by sha256 or a unique prefix (8+ hex digits).",
    },
    RouteDoc {
        method: "GET",
        path: "/status",
        access: Some(Access::Read),
        summary: "Champion, challengers with their live statistics, risk state, positions, swaps.",
    },
    RouteDoc {
        method: "POST",
        path: "/challengers",
        access: Some(Access::Admin),
        summary: "Start a challenger: a parameter variant of the champion or another strategy component (JSON: id, plugin?, params?, model_params?).",
    },
    RouteDoc {
        method: "DELETE",
        path: "/challengers/{id}",
        access: Some(Access::Admin),
        summary: "Stop a challenger.",
    },
    RouteDoc {
        method: "POST",
        path: "/promote/{id}",
        access: Some(Access::Admin),
        summary: "Make a challenger's logic the champion's, between two ticks.",
    },
    RouteDoc {
        method: "POST",
        path: "/rollback",
        access: Some(Access::Admin),
        summary: "Swap back the last promotion.",
    },
    RouteDoc {
        method: "POST",
        path: "/kill-switch",
        access: Some(Access::Admin),
        summary: "Engage or release the kill switch (JSON: on, reason).",
    },
    RouteDoc { method: "GET", path: "/openapi.json", access: None, summary: "This document." },
    RouteDoc { method: "GET", path: "/health", access: None, summary: "200 while the event loop runs." },
    RouteDoc {
        method: "GET",
        path: "/ready",
        access: None,
        summary: "200 once ready to trade; 503 listing what is missing.",
    },
    RouteDoc { method: "GET", path: "/metrics", access: None, summary: "Prometheus metrics." },
];

/// Run `command` on the loop for an admin caller, and audit it.
async fn mutate(
    state: &AdminState,
    headers: &HeaderMap,
    action: &str,
    detail: Value,
    command: Command,
) -> Result<Json<Value>, ApiError> {
    let caller = authorize(headers, Access::Admin, &state.config)?;
    let result = state.bridge.call(command).await;
    state.audit.record(caller, action, &detail, result.as_ref().map(|_| ()).map_err(|e| e.code));
    result.map(Json)
}

async fn status(State(s): State<AdminState>, headers: HeaderMap) -> Result<Json<Value>, ApiError> {
    authorize(&headers, Access::Read, &s.config)?;
    let status = s.bridge.status();
    if status.is_null() {
        return Err(ApiError::unavailable("the engine has not published a status yet"));
    }
    Ok(Json(status))
}

async fn add_challenger(
    State(s): State<AdminState>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Result<Json<Value>, ApiError> {
    // Authenticate before reading what the body says.
    authorize(&headers, Access::Admin, &s.config)?;
    let req: ChallengerRequest =
        serde_json::from_slice(&body).map_err(|e| ApiError::bad_request(format!("challenger: {e}")))?;
    let detail = serde_json::from_slice::<Value>(&body).unwrap_or(Value::Null);
    mutate(&s, &headers, "add-challenger", detail, Command::AddChallenger(req)).await
}

async fn remove_challenger(
    State(s): State<AdminState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    mutate(&s, &headers, "remove-challenger", json!({"id": id}), Command::RemoveChallenger(id.clone())).await
}

async fn promote(
    State(s): State<AdminState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    mutate(&s, &headers, "promote", json!({"id": id}), Command::Promote(id.clone())).await
}

async fn rollback(State(s): State<AdminState>, headers: HeaderMap) -> Result<Json<Value>, ApiError> {
    mutate(&s, &headers, "rollback", Value::Null, Command::Rollback).await
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct KillSwitchRequest {
    on: bool,
    #[serde(default)]
    reason: String,
}

async fn kill_switch(
    State(s): State<AdminState>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Result<Json<Value>, ApiError> {
    authorize(&headers, Access::Admin, &s.config)?;
    let req: KillSwitchRequest =
        serde_json::from_slice(&body).map_err(|e| ApiError::bad_request(format!("kill switch: {e}")))?;
    let detail = json!({"on": req.on, "reason": req.reason});
    mutate(&s, &headers, "kill-switch", detail, Command::KillSwitch { on: req.on, reason: req.reason }).await
}

async fn openapi() -> Json<Value> {
    Json(super::openapi::document())
}

async fn not_found(method: Method, uri: axum::http::Uri) -> ApiError {
    ApiError::not_found(format!("no route {method} {}", uri.path()))
}

async fn method_not_allowed() -> ApiError {
    ApiError::new(StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed", "this path does not take that method")
}

/// The admin routes (without `/health`, `/ready`, `/metrics`, which the
/// server merges in from the telemetry).
pub fn router(state: AdminState) -> Router {
    let limit = state.config.max_upload_bytes;
    Router::new()
        .route("/status", get(status))
        .route("/plugins", post(upload).get(list_plugins))
        .route("/plugins/{id}", get(get_plugin))
        .route("/challengers", post(add_challenger))
        .route("/challengers/{id}", delete(remove_challenger))
        .route("/promote/{id}", post(promote))
        .route("/rollback", post(rollback))
        .route("/kill-switch", post(kill_switch))
        .route("/openapi.json", get(openapi))
        .method_not_allowed_fallback(method_not_allowed)
        .fallback(not_found)
        .layer(DefaultBodyLimit::max(limit))
        .with_state(state)
}
