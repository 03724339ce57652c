//! A client of the admin API: what `hft-host plugin upload|list|promote|
//! rollback`, `hft-host challenger add|remove`, `hft-host kill-switch` and
//! `hft-host status` call. It speaks to a running host over HTTP with the
//! same bearer tokens the server takes, so an operator scripts a deployment
//! with the binary they already have instead of hand-written `curl` lines.

mod challenger_request;
mod error;
mod status_text;
mod target;

pub use challenger_request::challenger_request;
pub use error::ClientError;
pub use status_text::render_status;
pub use target::{AdminTarget, DEFAULT_URL};

use serde_json::Value;
use std::time::Duration;

/// One connection setting for every call: where the API is and which token
/// to send.
pub struct AdminClient {
    target: AdminTarget,
    agent: ureq::Agent,
}

impl AdminClient {
    /// A client of `target`. Calls give up after `timeout`: an upload is
    /// validated (compiled and smoke-run) before the server answers, so
    /// leave it seconds, not milliseconds.
    pub fn new(target: AdminTarget, timeout: Duration) -> AdminClient {
        let agent = ureq::Agent::config_builder()
            .timeout_global(Some(timeout))
            // Error bodies carry the stable code and message; read them.
            .http_status_as_error(false)
            .build()
            .into();
        AdminClient { target, agent }
    }

    /// Where it talks to.
    pub fn target(&self) -> &AdminTarget {
        &self.target
    }

    /// Upload a component; the server validates it before it stores it.
    /// The record it answers with (sha256, world, name, version, uploader).
    pub fn upload(&self, wasm: &[u8], signature: Option<&str>) -> Result<Value, ClientError> {
        let mut req = self
            .agent
            .post(self.target.url("/plugins"))
            .header("Authorization", self.target.bearer_admin()?)
            .header("Content-Type", "application/wasm");
        if let Some(sig) = signature {
            req = req.header("X-Signature", sig);
        }
        self.finish("POST /plugins", req.send(wasm))
    }

    /// Every stored component.
    pub fn list_plugins(&self) -> Result<Value, ClientError> {
        self.get("/plugins")
    }

    /// One stored component by sha256 or a unique prefix.
    pub fn plugin(&self, id: &str) -> Result<Value, ClientError> {
        self.get(&format!("/plugins/{id}"))
    }

    /// Champion, challengers, risk, positions and swaps.
    pub fn status(&self) -> Result<Value, ClientError> {
        self.get("/status")
    }

    /// Start a challenger (`{"id", "plugin"?, "params"?, "model_params"?}`).
    pub fn add_challenger(&self, request: &Value) -> Result<Value, ClientError> {
        self.post_json("/challengers", request)
    }

    /// Stop a challenger.
    pub fn remove_challenger(&self, id: &str) -> Result<Value, ClientError> {
        let path = format!("/challengers/{id}");
        let req = self.agent.delete(self.target.url(&path)).header("Authorization", self.target.bearer_admin()?);
        self.finish(&format!("DELETE {path}"), req.call())
    }

    /// Make a challenger the champion.
    pub fn promote(&self, id: &str) -> Result<Value, ClientError> {
        self.post_json(&format!("/promote/{id}"), &Value::Null)
    }

    /// Undo the last promotion.
    pub fn rollback(&self) -> Result<Value, ClientError> {
        self.post_json("/rollback", &Value::Null)
    }

    /// Engage (`on`) or release the kill switch, with the reason for the
    /// audit log.
    pub fn kill_switch(&self, on: bool, reason: &str) -> Result<Value, ClientError> {
        self.post_json("/kill-switch", &serde_json::json!({"on": on, "reason": reason}))
    }

    fn get(&self, path: &str) -> Result<Value, ClientError> {
        let req = self.agent.get(self.target.url(path)).header("Authorization", self.target.bearer_read()?);
        self.finish(&format!("GET {path}"), req.call())
    }

    fn post_json(&self, path: &str, body: &Value) -> Result<Value, ClientError> {
        let req = self
            .agent
            .post(self.target.url(path))
            .header("Authorization", self.target.bearer_admin()?)
            .header("Content-Type", "application/json");
        let body = if body.is_null() { String::new() } else { body.to_string() };
        self.finish(&format!("POST {path}"), req.send(body.as_bytes()))
    }

    /// The body as JSON on 2xx; the server's `{"error": {code, message}}`
    /// as [`ClientError::Api`] otherwise.
    fn finish(
        &self,
        call: &str,
        result: Result<ureq::http::Response<ureq::Body>, ureq::Error>,
    ) -> Result<Value, ClientError> {
        let mut response = result.map_err(|e| ClientError::Transport {
            call: call.to_string(),
            url: self.target.base().to_string(),
            reason: e.to_string(),
        })?;
        let status = response.status().as_u16();
        let text = response.body_mut().read_to_string().map_err(|e| ClientError::Transport {
            call: call.to_string(),
            url: self.target.base().to_string(),
            reason: format!("reading the answer: {e}"),
        })?;
        let body: Value = serde_json::from_str(&text).unwrap_or(Value::String(text));
        if (200..300).contains(&status) {
            return Ok(body);
        }
        let code = body["error"]["code"].as_str().unwrap_or("http_error").to_string();
        let message = match body["error"]["message"].as_str() {
            Some(m) => m.to_string(),
            None => body.as_str().map_or_else(|| body.to_string(), str::to_string),
        };
        Err(ClientError::Api { call: call.to_string(), status, code, message })
    }
}
