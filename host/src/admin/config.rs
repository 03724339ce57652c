//! Where the admin API listens and who may use it.

use std::net::SocketAddr;
use std::path::PathBuf;
use thiserror::Error;

/// Why the admin API cannot start.
#[derive(Debug, Error)]
pub enum AdminConfigError {
    /// A variable is malformed or a token file unreadable.
    #[error("{var}: {reason}")]
    Var {
        /// The variable.
        var: &'static str,
        /// What is wrong.
        reason: String,
    },
}

/// The admin API's settings, from the environment:
///
/// - `HFT_ADMIN_ADDR`: `host:port` (default `127.0.0.1:8005`; the chart sets
///   `0.0.0.0:8005`);
/// - `HFT_ADMIN_TOKEN` or `HFT_ADMIN_TOKEN_FILE` (a mounted secret): the
///   bearer token that may change things;
/// - `HFT_READ_TOKEN` or `HFT_READ_TOKEN_FILE`: a token that may only read
///   (`GET /status`, `GET /plugins`);
/// - `HFT_ADMIN_AUDIT_LOG`: where every mutating call is appended (default
///   `var/audit.jsonl`).
///
/// Without an admin token there is no admin API: an endpoint that can
/// upload code and move money is never served unauthenticated.
#[derive(Debug, Clone)]
pub struct AdminConfig {
    /// Listen address.
    pub addr: SocketAddr,
    /// The admin bearer token.
    pub admin_token: String,
    /// The read-only bearer token, if any.
    pub read_token: Option<String>,
    /// The audit log (JSON lines).
    pub audit_log: PathBuf,
    /// Largest accepted upload body.
    pub max_upload_bytes: usize,
}

/// Default listen address in embedded mode: loopback only.
pub const DEFAULT_ADDR: &str = "127.0.0.1:8005";

/// Default largest upload: a strategy component is tens to hundreds of KiB.
pub const DEFAULT_MAX_UPLOAD: usize = 8 << 20;

impl AdminConfig {
    /// Read the settings from `vars` (the process environment); `None` when
    /// no admin token is set.
    pub fn from_vars(
        vars: impl IntoIterator<Item = (String, String)>,
    ) -> Result<Option<AdminConfig>, AdminConfigError> {
        let vars: std::collections::BTreeMap<String, String> = vars.into_iter().collect();
        let token = |var: &'static str, file_var: &'static str| -> Result<Option<String>, AdminConfigError> {
            let value = match (vars.get(var), vars.get(file_var)) {
                (Some(v), _) => v.clone(),
                (None, Some(path)) => std::fs::read_to_string(path)
                    .map_err(|e| AdminConfigError::Var { var: file_var, reason: format!("{path}: {e}") })?,
                (None, None) => return Ok(None),
            };
            let value = value.trim().to_string();
            if value.len() < 16 {
                return Err(AdminConfigError::Var {
                    var,
                    reason: "a token must be at least 16 characters (use e.g. `openssl rand -hex 32`)".into(),
                });
            }
            Ok(Some(value))
        };
        let Some(admin_token) = token("HFT_ADMIN_TOKEN", "HFT_ADMIN_TOKEN_FILE")? else { return Ok(None) };
        let read_token = token("HFT_READ_TOKEN", "HFT_READ_TOKEN_FILE")?;
        if read_token.as_deref() == Some(admin_token.as_str()) {
            return Err(AdminConfigError::Var {
                var: "HFT_READ_TOKEN",
                reason: "must differ from the admin token".into(),
            });
        }
        let addr = vars.get("HFT_ADMIN_ADDR").map(String::as_str).unwrap_or(DEFAULT_ADDR);
        let addr = addr
            .parse()
            .map_err(|e| AdminConfigError::Var { var: "HFT_ADMIN_ADDR", reason: format!("{addr:?}: {e}") })?;
        let audit_log = vars.get("HFT_ADMIN_AUDIT_LOG").map_or_else(|| PathBuf::from("var/audit.jsonl"), PathBuf::from);
        Ok(Some(AdminConfig { addr, admin_token, read_token, audit_log, max_upload_bytes: DEFAULT_MAX_UPLOAD }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars(v: &[(&str, &str)]) -> Vec<(String, String)> {
        v.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect()
    }

    #[test]
    fn no_admin_token_means_no_api() {
        assert!(AdminConfig::from_vars(vars(&[("HFT_ADMIN_ADDR", "0.0.0.0:1")])).unwrap().is_none());
    }

    #[test]
    fn tokens_from_variables_or_files_and_checked() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("t");
        std::fs::write(&f, "0123456789abcdef0123\n").unwrap();
        let c = AdminConfig::from_vars(vars(&[("HFT_ADMIN_TOKEN_FILE", f.to_str().unwrap())])).unwrap().unwrap();
        assert_eq!(c.admin_token, "0123456789abcdef0123");
        assert_eq!(c.addr.to_string(), DEFAULT_ADDR);
        assert!(AdminConfig::from_vars(vars(&[("HFT_ADMIN_TOKEN", "short")])).is_err());
        let same = [("HFT_ADMIN_TOKEN", "0123456789abcdef"), ("HFT_READ_TOKEN", "0123456789abcdef")];
        assert!(AdminConfig::from_vars(vars(&same)).unwrap_err().to_string().contains("differ"));
        let bad = [("HFT_ADMIN_TOKEN", "0123456789abcdef"), ("HFT_ADMIN_ADDR", "nowhere")];
        assert!(AdminConfig::from_vars(vars(&bad)).unwrap_err().to_string().contains("HFT_ADMIN_ADDR"));
    }
}
