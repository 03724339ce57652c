//! A real Kafka-protocol broker for tests: tansu (Kafka-compatible, in
//! memory) as a child process on a free loopback port, killed when dropped.
//! Every test gets its own broker, so tests run in parallel without sharing
//! topics or groups. The bus crate's tests and the host's role tests both
//! use it; `scripts/install-tansu.sh` puts the binary where it looks.

use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A running broker.
pub struct Tansu {
    child: Child,
    /// `127.0.0.1:PORT`, for `bootstrap.servers`.
    pub bootstrap: String,
}

/// `HFT_TANSU`, else `target/tools/tansu` at the workspace root.
fn binary() -> PathBuf {
    if let Ok(p) = std::env::var("HFT_TANSU") {
        return PathBuf::from(p);
    }
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/tools/tansu")
}

impl Tansu {
    /// Start a broker, or panic saying how to install one: tests that need a
    /// broker fail rather than skip.
    pub fn start() -> Tansu {
        let bin = binary();
        assert!(
            bin.is_file(),
            "tansu broker not found at {} (set HFT_TANSU or run scripts/install-tansu.sh); \
             the Kafka tests need a real broker and are not skipped",
            bin.display()
        );
        for _attempt in 0..5 {
            let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
            let url = format!("tcp://127.0.0.1:{port}");
            let mut child = Command::new(&bin)
                .args(["broker", "--listener-url", &url, "--advertised-listener-url", &url])
                .args(["--storage-engine", "memory://tansu/"])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .unwrap_or_else(|e| panic!("cannot start {}: {e}", bin.display()));
            let deadline = Instant::now() + Duration::from_secs(5);
            while Instant::now() < deadline {
                if let Ok(Some(_)) = child.try_wait() {
                    break; // port taken in the meantime: try another
                }
                if TcpStream::connect(("127.0.0.1", port)).is_ok() {
                    return Tansu { child, bootstrap: format!("127.0.0.1:{port}") };
                }
                std::thread::sleep(Duration::from_millis(20));
            }
            let _ = child.kill();
            let _ = child.wait();
        }
        panic!("tansu did not start listening");
    }
}

impl Drop for Tansu {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
