//! Bearer tokens: who may read and who may change.

use super::config::AdminConfig;
use super::error::ApiError;
use axum::http::{HeaderMap, StatusCode, header};

/// What a route needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// The read token or the admin token.
    Read,
    /// The admin token.
    Admin,
}

/// Who called, once authenticated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Caller {
    /// The read-only token.
    Reader,
    /// The admin token.
    Admin,
}

impl Caller {
    /// As written in the audit log.
    pub fn as_str(self) -> &'static str {
        match self {
            Caller::Reader => "reader",
            Caller::Admin => "admin",
        }
    }
}

/// Equal in time independent of where they differ, so the token cannot be
/// guessed byte by byte from response times.
fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Check the `Authorization: Bearer` header against `access`: 401 without
/// a valid token, 403 with the read token on an admin route.
pub fn authorize(headers: &HeaderMap, access: Access, config: &AdminConfig) -> Result<Caller, ApiError> {
    let unauthorized = || ApiError::new(StatusCode::UNAUTHORIZED, "unauthorized", "a valid bearer token is required");
    let given = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .ok_or_else(unauthorized)?
        .trim();
    let caller = if same(given.as_bytes(), config.admin_token.as_bytes()) {
        Caller::Admin
    } else if config.read_token.as_deref().is_some_and(|r| same(given.as_bytes(), r.as_bytes())) {
        Caller::Reader
    } else {
        return Err(unauthorized());
    };
    if access == Access::Admin && caller != Caller::Admin {
        return Err(ApiError::new(StatusCode::FORBIDDEN, "forbidden", "this call needs the admin token"));
    }
    Ok(caller)
}
