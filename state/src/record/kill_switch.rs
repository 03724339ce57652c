use hft_trading::domain::Timestamp;
use serde::{Deserialize, Serialize};

/// The deployment-wide kill switch, kept apart from the risk record so an
/// operator (or the admin API) can flip it without touching risk state, and
/// every execution and risk process sees it on its next check.
///
/// A namespace that never stored one reads as disengaged
/// ([`KillSwitch::default`]).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct KillSwitch {
    /// Whether trading must stop.
    pub engaged: bool,
    /// Who or what set it, and why: for the audit log.
    pub reason: String,
    /// When it was last set (event or wall time, nanoseconds since the epoch).
    pub ts: Timestamp,
}

impl KillSwitch {
    /// An engaged switch.
    pub fn engaged(reason: impl Into<String>, ts: Timestamp) -> KillSwitch {
        KillSwitch { engaged: true, reason: reason.into(), ts }
    }

    /// A released switch.
    pub fn released(reason: impl Into<String>, ts: Timestamp) -> KillSwitch {
        KillSwitch { engaged: false, reason: reason.into(), ts }
    }
}
