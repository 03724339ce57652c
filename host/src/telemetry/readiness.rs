//! What `/ready` and `/health` answer: named readiness flags a role sets as
//! its dependencies come up, and a heartbeat its main loop touches.
//!
//! Both are handles over atomics: setting a flag or beating the heartbeat
//! never locks or allocates, so a role may do it every loop iteration.

use std::fmt::Write as _;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

/// The conditions a role needs before it should count as ready, e.g.
/// "bus connected", "state store up", "components loaded".
///
/// Cheap to clone; clones share the flags. `/ready` answers 200 only when
/// every flag registered so far is set, so a role should register all its
/// flags (with [`Readiness::flag`]) before it starts the server.
#[derive(Debug, Clone, Default)]
pub struct Readiness {
    flags: Arc<Mutex<Vec<(String, ReadyFlag)>>>,
}

/// One readiness condition; starts unset. Cheap to clone; clones share it.
#[derive(Debug, Clone, Default)]
pub struct ReadyFlag(Arc<AtomicBool>);

impl ReadyFlag {
    /// Marks the condition met (`true`) or lost (`false`, e.g. the bus
    /// disconnected).
    #[inline]
    pub fn set(&self, ok: bool) {
        self.0.store(ok, Ordering::Release);
    }

    /// Whether the condition is met.
    pub fn is_set(&self) -> bool {
        self.0.load(Ordering::Acquire)
    }
}

/// The state of every readiness flag at one moment: what `/ready` reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadinessReport {
    /// Each flag's name and whether it is set, in registration order.
    pub flags: Vec<(String, bool)>,
}

impl ReadinessReport {
    /// Whether every flag is set (true when there are none).
    pub fn is_ready(&self) -> bool {
        self.flags.iter().all(|(_, ok)| *ok)
    }

    /// The names of the flags not set.
    pub fn missing(&self) -> impl Iterator<Item = &str> {
        self.flags.iter().filter(|(_, ok)| !ok).map(|(name, _)| name.as_str())
    }

    /// The `/ready` body: `ready` or `not ready`, then one `name: ok` or
    /// `name: missing` line per flag.
    pub fn render(&self) -> String {
        let mut out = String::from(if self.is_ready() { "ready\n" } else { "not ready\n" });
        for (name, ok) in &self.flags {
            let _ = writeln!(out, "{name}: {}", if *ok { "ok" } else { "missing" });
        }
        out
    }
}

impl Readiness {
    /// No flags: ready until one is registered.
    pub fn new() -> Readiness {
        Readiness::default()
    }

    /// The flag named `name`, registered unset on first use; later calls
    /// with the same name return the same flag, so two parts of a role can
    /// share a condition.
    pub fn flag(&self, name: &str) -> ReadyFlag {
        let mut flags = self.flags.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some((_, f)) = flags.iter().find(|(n, _)| n == name) {
            return f.clone();
        }
        let f = ReadyFlag::default();
        flags.push((name.to_owned(), f.clone()));
        f
    }

    /// Every flag's current state.
    pub fn report(&self) -> ReadinessReport {
        let flags = self.flags.lock().unwrap_or_else(PoisonError::into_inner);
        ReadinessReport { flags: flags.iter().map(|(n, f)| (n.clone(), f.is_set())).collect() }
    }
}

/// How long `/health` tolerates no heartbeat before it reports the process
/// stuck (503); the liveness probe then restarts it. Thirty seconds is
/// three liveness periods of the chart and far above any loop iteration.
pub const DEFAULT_HEARTBEAT_STALENESS: Duration = Duration::from_secs(30);

/// Sentinel in [`Heartbeat`]'s atomic: never beaten.
const NEVER: u64 = u64::MAX;

/// Proof that the role's main loop still turns: the loop calls
/// [`Heartbeat::beat`] every iteration (including idle ones, e.g. after a
/// bus poll that timed out), and `/health` fails once the last beat is older
/// than the staleness.
///
/// Cheap to clone; clones share the heartbeat. A beat reads the monotonic
/// clock and stores it in an atomic.
#[derive(Debug, Clone)]
pub struct Heartbeat(Arc<HeartbeatCore>);

#[derive(Debug)]
struct HeartbeatCore {
    origin: Instant,
    /// Nanoseconds from `origin` to the last beat, or [`NEVER`].
    last: AtomicU64,
    staleness: Duration,
}

/// What `/health` reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Liveness {
    /// No beat yet: the role is still starting (loading, compiling
    /// components). `/health` answers 503, which the chart's startup probe
    /// tolerates for minutes, while the liveness probe waits for it.
    Starting,
    /// The last beat is this old, within the staleness.
    Alive {
        /// Time since the last beat.
        age: Duration,
    },
    /// The last beat is this old, beyond the staleness: the loop is stuck.
    Stale {
        /// Time since the last beat.
        age: Duration,
    },
}

impl Liveness {
    /// Whether `/health` answers 200.
    pub fn is_alive(self) -> bool {
        matches!(self, Liveness::Alive { .. })
    }
}

impl Heartbeat {
    /// A heartbeat that has not beaten yet and goes stale `staleness` after
    /// its last beat.
    pub fn new(staleness: Duration) -> Heartbeat {
        Heartbeat(Arc::new(HeartbeatCore { origin: Instant::now(), last: AtomicU64::new(NEVER), staleness }))
    }

    /// Records that the loop is alive now.
    #[inline]
    pub fn beat(&self) {
        let core = &*self.0;
        // Saturates after 584 years; below NEVER so a beat is never "never".
        let nanos = u64::try_from(core.origin.elapsed().as_nanos()).unwrap_or(NEVER - 1).min(NEVER - 1);
        core.last.store(nanos, Ordering::Release);
    }

    /// The staleness this heartbeat was made with.
    pub fn staleness(&self) -> Duration {
        self.0.staleness
    }

    /// Whether the loop is starting, alive or stuck, as of now.
    pub fn liveness(&self) -> Liveness {
        let core = &*self.0;
        let last = core.last.load(Ordering::Acquire);
        if last == NEVER {
            return Liveness::Starting;
        }
        let age = core.origin.elapsed().saturating_sub(Duration::from_nanos(last));
        if age > core.staleness { Liveness::Stale { age } } else { Liveness::Alive { age } }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ready_only_when_every_flag_is_set() {
        let r = Readiness::new();
        assert!(r.report().is_ready(), "no flags: ready");
        let bus = r.flag("bus connected");
        let store = r.flag("state store up");
        assert!(!r.report().is_ready());
        bus.set(true);
        let report = r.report();
        assert!(!report.is_ready());
        assert_eq!(report.missing().collect::<Vec<_>>(), ["state store up"]);
        assert_eq!(report.render(), "not ready\nbus connected: ok\nstate store up: missing\n");
        r.flag("state store up").set(true);
        assert!(store.is_set(), "same name, same flag");
        assert_eq!(r.report().render(), "ready\nbus connected: ok\nstate store up: ok\n");
        bus.set(false);
        assert!(!r.report().is_ready(), "a lost condition makes it unready again");
    }

    #[test]
    fn heartbeat_starts_then_lives_then_goes_stale() {
        let h = Heartbeat::new(Duration::from_secs(1));
        assert_eq!(h.liveness(), Liveness::Starting);
        assert!(!h.liveness().is_alive());
        h.beat();
        assert!(h.liveness().is_alive(), "{:?}", h.liveness());
        std::thread::sleep(Duration::from_millis(1200));
        assert!(matches!(h.liveness(), Liveness::Stale { age } if age >= Duration::from_millis(1200)));
        h.clone().beat();
        assert!(h.liveness().is_alive());
    }
}
