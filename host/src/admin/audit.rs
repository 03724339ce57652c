//! The audit log: one JSON line per mutating call, appended and flushed
//! before the answer goes out.

use super::auth::Caller;
use hft_trading::domain::Timestamp;
use hft_trading::report::utc_iso;
use serde_json::json;
use std::io::Write;
use std::path::PathBuf;
use std::sync::Mutex;

/// Appends to a JSON-lines file.
#[derive(Debug)]
pub struct AuditLog {
    path: PathBuf,
    lock: Mutex<()>,
}

impl AuditLog {
    /// Log to `path` (its directory is created on first write).
    pub fn new(path: PathBuf) -> AuditLog {
        AuditLog { path, lock: Mutex::new(()) }
    }

    /// Record `caller` doing `action` with `detail`, and the outcome.
    pub fn record(&self, caller: Caller, action: &str, detail: &serde_json::Value, outcome: Result<(), &str>) {
        let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos() as i64);
        let line = json!({
            "at": utc_iso(Timestamp(now)),
            "caller": caller.as_str(),
            "action": action,
            "detail": detail,
            "ok": outcome.is_ok(),
            "error": outcome.err(),
        });
        let _guard = self.lock.lock().unwrap_or_else(|e| e.into_inner());
        let written = (|| -> std::io::Result<()> {
            if let Some(dir) = self.path.parent().filter(|d| !d.as_os_str().is_empty()) {
                std::fs::create_dir_all(dir)?;
            }
            let mut f = std::fs::OpenOptions::new().create(true).append(true).open(&self.path)?;
            writeln!(f, "{line}")?;
            f.sync_data()
        })();
        if let Err(e) = written {
            tracing::error!(path = %self.path.display(), error = %e, %line, "audit log not written");
        }
    }
}
