use super::{Message, MessageKind, Sha256Digest};
use serde::{Deserialize, Serialize};

/// Plugin and orchestrator events on the control topic: every role reads
/// them, so a kill switch or a model promotion reaches all processes.
/// The variant order is the binary layout (schema version 1).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ControlEvent {
    /// The kill switch was engaged (`on`) or released: no new orders while on.
    KillSwitch {
        /// Engaged?
        on: bool,
        /// Who or what flipped it, for the audit trail.
        reason: String,
    },
    /// A component build became active for a model or strategy slot.
    ComponentActivated {
        /// The slot, e.g. `kalman`.
        name: String,
        /// The build.
        sha256: Sha256Digest,
    },
    /// A candidate build was promoted to champion.
    ComponentPromoted {
        /// The slot.
        name: String,
        /// The build.
        sha256: Sha256Digest,
    },
    /// A build was rolled back; `sha256` is the build now active again.
    ComponentRolledBack {
        /// The slot.
        name: String,
        /// The build now active.
        sha256: Sha256Digest,
    },
}

impl Message for ControlEvent {
    const KIND: MessageKind = MessageKind::Control;
}
