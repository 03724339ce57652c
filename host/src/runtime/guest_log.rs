//! A plugin's stderr, routed into the host's log.
//!
//! Guests may print diagnostics (a Rust panic message goes to stderr). We
//! keep them, line by line, under the plugin's name in `tracing`, and bound
//! how much one instance may log so a chatty or hostile plugin cannot flood
//! the host's log or memory.

use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use wasmtime_wasi::cli::{IsTerminal, StdoutStream};
use wasmtime_wasi::p2::{OutputStream, Pollable, StreamResult};

/// Longest line kept; the rest of a longer line is cut.
const MAX_LINE: usize = 4096;
/// Bytes one instance may log over its life; the rest is counted and dropped.
const MAX_TOTAL: usize = 1 << 20;

/// A clonable sink for one instance's stderr.
#[derive(Clone)]
pub struct GuestLog {
    inner: Arc<Mutex<LogState>>,
}

struct LogState {
    plugin: String,
    line: Vec<u8>,
    logged: usize,
    dropped: u64,
}

impl GuestLog {
    /// A sink whose lines are logged under `plugin`.
    pub fn new(plugin: impl Into<String>) -> Self {
        GuestLog {
            inner: Arc::new(Mutex::new(LogState { plugin: plugin.into(), line: Vec::new(), logged: 0, dropped: 0 })),
        }
    }

    /// Bytes dropped because the instance exceeded its log budget.
    #[cfg(test)]
    fn dropped_bytes(&self) -> u64 {
        self.inner.lock().map(|s| s.dropped).unwrap_or(0)
    }

    fn write(&self, bytes: &[u8]) {
        let Ok(mut s) = self.inner.lock() else { return };
        for &b in bytes {
            if s.logged >= MAX_TOTAL {
                s.dropped += 1;
                continue;
            }
            s.logged += 1;
            if b == b'\n' {
                s.emit();
            } else if s.line.len() < MAX_LINE {
                s.line.push(b);
            }
        }
    }
}

impl LogState {
    fn emit(&mut self) {
        let text = String::from_utf8_lossy(&self.line);
        tracing::warn!(target: "hft_host::plugin_stderr", plugin = %self.plugin, "{text}");
        self.line.clear();
    }
}

impl Drop for LogState {
    fn drop(&mut self) {
        if !self.line.is_empty() {
            self.emit();
        }
        if self.dropped > 0 {
            tracing::warn!(plugin = %self.plugin, dropped_bytes = self.dropped, "plugin stderr exceeded its log budget");
        }
    }
}

impl IsTerminal for GuestLog {
    fn is_terminal(&self) -> bool {
        false
    }
}

impl StdoutStream for GuestLog {
    fn p2_stream(&self) -> Box<dyn OutputStream> {
        Box::new(self.clone())
    }

    fn async_stream(&self) -> Box<dyn tokio::io::AsyncWrite + Send + Sync> {
        Box::new(self.clone())
    }
}

#[wasmtime_wasi::async_trait]
impl OutputStream for GuestLog {
    fn write(&mut self, bytes: bytes::Bytes) -> StreamResult<()> {
        GuestLog::write(self, &bytes);
        Ok(())
    }

    fn flush(&mut self) -> StreamResult<()> {
        Ok(())
    }

    fn check_write(&mut self) -> StreamResult<usize> {
        Ok(64 * 1024)
    }
}

#[wasmtime_wasi::async_trait]
impl Pollable for GuestLog {
    async fn ready(&mut self) {}
}

impl tokio::io::AsyncWrite for GuestLog {
    fn poll_write(self: Pin<&mut Self>, _: &mut Context<'_>, buf: &[u8]) -> Poll<std::io::Result<usize>> {
        GuestLog::write(&self, buf);
        Poll::Ready(Ok(buf.len()))
    }

    fn poll_flush(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    fn poll_shutdown(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Poll::Ready(Ok(()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn budget_is_enforced() {
        let log = GuestLog::new("test");
        log.write(&vec![b'x'; MAX_TOTAL + 10]);
        assert_eq!(log.dropped_bytes(), 10);
    }
}
