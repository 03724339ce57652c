//! Between the HTTP thread and the event loop: commands go in a queue the
//! loop drains between two ticks (so a promotion or a kill switch lands
//! at an event boundary), answers come back on a one-shot channel, and the
//! loop publishes a status snapshot the HTTP side reads without waiting.

use super::error::ApiError;
use serde::Deserialize;
use serde_json::Value;
use std::collections::BTreeMap;
use std::sync::mpsc::{Receiver, Sender, channel as std_channel};
use std::sync::{Arc, RwLock};
use std::time::Duration;
use tokio::sync::oneshot;

/// How long the HTTP side waits for the loop to take a command: the loop
/// drains between ticks, so only a stalled loop makes this expire.
const REPLY_WITHIN: Duration = Duration::from_secs(10);

/// A new challenger, as the API takes it.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChallengerRequest {
    /// Its id (letters, digits, `-`, `_`).
    pub id: String,
    /// Another strategy component: a built-in name, or the sha256 (or a
    /// unique prefix) of an uploaded plugin. Default: the champion's.
    #[serde(default)]
    pub plugin: Option<String>,
    /// Strategy parameters to override.
    #[serde(default)]
    pub params: BTreeMap<String, toml::Value>,
    /// Model parameters to override, by model.
    #[serde(default)]
    pub model_params: BTreeMap<String, BTreeMap<String, toml::Value>>,
}

/// What the API asks of the event loop.
#[derive(Debug, Clone)]
pub enum Command {
    /// Start a challenger.
    AddChallenger(ChallengerRequest),
    /// Stop one.
    RemoveChallenger(String),
    /// Promote one.
    Promote(String),
    /// Undo the last promotion.
    Rollback,
    /// Engage (`on`) or release the kill switch.
    KillSwitch {
        /// Engage?
        on: bool,
        /// Why, for the audit trail.
        reason: String,
    },
}

struct Envelope {
    command: Command,
    reply: oneshot::Sender<Result<Value, ApiError>>,
}

/// The HTTP side: send commands, read the status.
#[derive(Clone)]
pub struct AdminBridge {
    tx: Sender<Envelope>,
    status: Arc<RwLock<Value>>,
}

/// The event loop's side: drain commands, publish the status.
pub struct AdminInbox {
    rx: Receiver<Envelope>,
    status: Arc<RwLock<Value>>,
}

/// A connected pair.
pub fn channel() -> (AdminBridge, AdminInbox) {
    let (tx, rx) = std_channel();
    let status = Arc::new(RwLock::new(Value::Null));
    (AdminBridge { tx, status: status.clone() }, AdminInbox { rx, status })
}

impl AdminBridge {
    /// Hand `command` to the loop and wait for its answer.
    pub async fn call(&self, command: Command) -> Result<Value, ApiError> {
        let (reply, answer) = oneshot::channel();
        self.tx.send(Envelope { command, reply }).map_err(|_| ApiError::unavailable("the engine has stopped"))?;
        match tokio::time::timeout(REPLY_WITHIN, answer).await {
            Ok(Ok(result)) => result,
            Ok(Err(_)) => Err(ApiError::unavailable("the engine stopped before answering")),
            Err(_) => Err(ApiError::unavailable("the engine did not take the command in time")),
        }
    }

    /// The last status the loop published.
    pub fn status(&self) -> Value {
        self.status.read().unwrap_or_else(|e| e.into_inner()).clone()
    }
}

impl AdminInbox {
    /// Apply every waiting command with `apply`, answering each.
    pub fn drain(&self, mut apply: impl FnMut(Command) -> Result<Value, ApiError>) -> usize {
        let mut n = 0;
        while let Ok(envelope) = self.rx.try_recv() {
            let result = apply(envelope.command);
            // The caller may have given up (timeout): nothing to tell.
            let _ = envelope.reply.send(result);
            n += 1;
        }
        n
    }

    /// Replace the status the API shows.
    pub fn publish(&self, status: Value) {
        *self.status.write().unwrap_or_else(|e| e.into_inner()) = status;
    }
}
