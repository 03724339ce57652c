//! A real `redis-server` on loopback, started as a child of a test: the
//! state crate's own tests and the host's distributed-mode tests use it.
//!
//! The binary must be on PATH (`scripts/install-redis.sh` installs it);
//! without it the tests fail with that message rather than skip, so a CI
//! machine that lost Redis cannot pass silently.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// How long a server may take to answer PING after starting.
const READY_WITHIN: Duration = Duration::from_secs(10);

/// `redis-server` on PATH, or a panic that says how to get it.
pub fn redis_server_binary() -> PathBuf {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .map(|dir| dir.join("redis-server"))
        .find(|candidate| candidate.is_file())
        .unwrap_or_else(|| {
            panic!(
                "redis-server is not on PATH; these tests need a real Redis. \
                 Install it with scripts/install-redis.sh (apt-get install -y redis-server)"
            )
        })
}

/// A port nobody listens on right now.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").expect("bind an ephemeral port").local_addr().unwrap().port()
}

/// Persistence of a test server.
#[derive(Debug, Clone)]
pub enum Persistence {
    /// `--save '' --appendonly no`: everything is lost on stop.
    None,
    /// `--appendonly yes --appendfsync always --dir DIR`: every write is on
    /// disk before Redis answers, so even a SIGKILL loses nothing.
    AppendOnly(PathBuf),
}

/// A running (or stopped) `redis-server` child; killed on drop.
pub struct RedisServer {
    port: u16,
    persistence: Persistence,
    child: Option<Child>,
}

impl RedisServer {
    /// Start a server without persistence on a free port.
    pub fn start() -> RedisServer {
        RedisServer::start_with(Persistence::None)
    }

    /// Start a server with `persistence` on a free port.
    pub fn start_with(persistence: Persistence) -> RedisServer {
        let mut server = RedisServer { port: free_port(), persistence, child: None };
        server.restart();
        server
    }

    /// `redis://127.0.0.1:<port>/`.
    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}/", self.port)
    }

    /// The port, kept across restarts.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Kill the server (SIGKILL: a crash, not a clean shutdown) and wait
    /// until its port refuses connections.
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
        let deadline = Instant::now() + Duration::from_secs(5);
        while TcpStream::connect(("127.0.0.1", self.port)).is_ok() {
            assert!(Instant::now() < deadline, "redis-server on port {} did not stop", self.port);
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Start the server again on the same port (stopping it first if it
    /// runs) and wait until it answers PING.
    pub fn restart(&mut self) {
        self.stop();
        let mut cmd = Command::new(redis_server_binary());
        cmd.arg("--port").arg(self.port.to_string()).arg("--bind").arg("127.0.0.1").arg("--save").arg("");
        match &self.persistence {
            Persistence::None => {
                cmd.arg("--appendonly").arg("no");
            }
            Persistence::AppendOnly(dir) => {
                cmd.arg("--appendonly").arg("yes").arg("--appendfsync").arg("always").arg("--dir").arg(dir);
            }
        }
        cmd.stdout(Stdio::null()).stderr(Stdio::null());
        let child = cmd.spawn().unwrap_or_else(|e| panic!("cannot start {}: {e}", redis_server_binary().display()));
        self.child = Some(child);
        self.wait_ready();
    }

    fn wait_ready(&mut self) {
        let deadline = Instant::now() + READY_WITHIN;
        loop {
            if ping(self.port) {
                return;
            }
            if let Some(status) = self.child.as_mut().and_then(|c| c.try_wait().ok().flatten()) {
                panic!("redis-server on port {} exited at start: {status}", self.port);
            }
            assert!(Instant::now() < deadline, "redis-server on port {} not ready in {READY_WITHIN:?}", self.port);
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// The persistence directory, if any.
    pub fn dir(&self) -> Option<&Path> {
        match &self.persistence {
            Persistence::AppendOnly(dir) => Some(dir),
            Persistence::None => None,
        }
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// Whether a server on `port` answers `PING` with `+PONG` (not `-LOADING`).
fn ping(port: u16) -> bool {
    let Ok(mut stream) = TcpStream::connect(("127.0.0.1", port)) else { return false };
    let _ = stream.set_read_timeout(Some(Duration::from_millis(500)));
    if stream.write_all(b"PING\r\n").is_err() {
        return false;
    }
    let mut buf = [0u8; 64];
    matches!(stream.read(&mut buf), Ok(n) if buf[..n].starts_with(b"+PONG"))
}

/// Send one inline command (no spaces in arguments) and return the raw reply,
/// for tests that must put foreign data under a store's key.
pub fn raw_command(port: u16, args: &[&[u8]]) -> Vec<u8> {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).expect("connect to redis-server");
    stream.set_read_timeout(Some(Duration::from_secs(2))).unwrap();
    let mut req = format!("*{}\r\n", args.len()).into_bytes();
    for a in args {
        req.extend_from_slice(format!("${}\r\n", a.len()).as_bytes());
        req.extend_from_slice(a);
        req.extend_from_slice(b"\r\n");
    }
    stream.write_all(&req).unwrap();
    let mut buf = vec![0u8; 4096];
    let n = stream.read(&mut buf).unwrap();
    buf.truncate(n);
    buf
}
