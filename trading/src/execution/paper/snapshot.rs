//! The paper broker's checkpoint: its open book and the ids it has seen, so
//! that distributed mode can continue a paper run after the process that
//! ran it crashed.

use super::{PaperBroker, PaperConfig, PaperConfigError, Working};
use crate::domain::{OrderId, Timestamp};
use crate::execution::Order;
use serde::{Deserialize, Serialize};
use std::collections::HashSet;
use thiserror::Error;

/// One open order in a [`PaperBrokerState`], with the simulation state the
/// broker keeps beside it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WorkingOrderState {
    /// The order as it was submitted.
    pub order: Order,
    /// Event time from which it may fill: `created + latency_ns` under the
    /// config it was submitted with (kept, so a config change at restart
    /// does not move orders already at the venue).
    pub live_at: Timestamp,
    /// Whether it has seen an event while live without filling: a rested
    /// limit order fills at its limit as a maker, a fresh one that is
    /// through the market crosses as a taker.
    pub rested: bool,
}

/// A [`PaperBroker`]'s complete state, taken with
/// [`PaperBroker::state_snapshot`] and restored with
/// [`PaperBroker::from_snapshot`].
///
/// Why it exists: distributed mode must survive a crash of the process that
/// runs the pipeline. A broker restored from this and shown the rest of the
/// events produces exactly the fills, open orders and submit results of a
/// broker that never stopped. The config is not part of it: it is given
/// again at restore.
///
/// The book is in submission order (the order fills come out in when one
/// event fills several); the seen ids are ascending so the same state
/// always encodes to the same bytes. Unknown fields are refused when
/// decoding.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PaperBrokerState {
    /// Format version; [`PaperBrokerState::VERSION`] when written by this
    /// build, and the only one it restores.
    pub version: u32,
    /// Open orders, in submission order.
    pub book: Vec<WorkingOrderState>,
    /// Every order id ever accepted (open, filled or cancelled), strictly
    /// ascending: what keeps `submit` idempotent across the restart.
    pub seen: Vec<OrderId>,
}

impl PaperBrokerState {
    /// The format version this build writes and restores.
    pub const VERSION: u32 = 1;
}

/// Why a [`PaperBrokerState`] cannot be restored: the config is invalid,
/// the format is unknown, or the book is one the broker could never have
/// held.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum PaperRestoreError {
    /// The config given with the snapshot is invalid.
    #[error(transparent)]
    Config(#[from] PaperConfigError),
    /// The snapshot was written in a format this build does not read.
    #[error("paper broker snapshot version {found} is not supported (this build reads version {supported})")]
    UnsupportedVersion {
        /// The snapshot's version.
        found: u32,
        /// [`PaperBrokerState::VERSION`].
        supported: u32,
    },
    /// Two open orders share an id.
    #[error("paper broker snapshot has order {0} open twice")]
    DuplicateOpenOrder(OrderId),
    /// An open order's id is not among the seen ids.
    #[error("paper broker snapshot has open order {0} that is not among the seen ids")]
    OpenOrderNotSeen(OrderId),
    /// An open order that `submit` would have refused (non-positive
    /// quantity or limit price).
    #[error("paper broker snapshot has invalid open order {id}: {reason}")]
    InvalidOpenOrder {
        /// The order.
        id: OrderId,
        /// What is wrong with it.
        reason: String,
    },
    /// An open order live before it was created (latency is never
    /// negative).
    #[error("paper broker snapshot has order {id} live at {live_at}, before it was created at {created}")]
    LiveBeforeCreated {
        /// The order.
        id: OrderId,
        /// Its `created` time.
        created: Timestamp,
        /// Its `live_at` time.
        live_at: Timestamp,
    },
    /// The seen ids are not strictly ascending (unsorted or duplicated).
    #[error("paper broker snapshot seen ids are not strictly ascending: {next} follows {previous}")]
    SeenNotAscending {
        /// The earlier id.
        previous: OrderId,
        /// The id after it.
        next: OrderId,
    },
}

impl PaperBroker {
    /// The broker's complete state, for a checkpoint: distributed mode
    /// saves it so that a crash of the pipeline process can be continued
    /// from with [`PaperBroker::from_snapshot`] with exactly the fills of
    /// an uninterrupted run. The config is not included.
    pub fn state_snapshot(&self) -> PaperBrokerState {
        let mut seen: Vec<OrderId> = self.seen.iter().copied().collect();
        seen.sort_unstable();
        PaperBrokerState {
            version: PaperBrokerState::VERSION,
            book: self
                .book
                .iter()
                .map(|w| WorkingOrderState { order: w.order.clone(), live_at: w.live_at, rested: w.rested })
                .collect(),
            seen,
        }
    }

    /// A broker continuing from a checkpoint taken with
    /// [`PaperBroker::state_snapshot`] (crash recovery of distributed mode),
    /// simulating with `config`, which is checked as in [`PaperBroker::new`].
    ///
    /// Refused, with the first problem found, for another format version,
    /// seen ids not strictly ascending, an id open twice, an open id not
    /// among the seen ids, an open order `submit` would have refused, or
    /// one live before it was created (see [`PaperRestoreError`]). The open
    /// orders keep their `live_at`, even if `config` has another latency.
    pub fn from_snapshot(config: PaperConfig, s: PaperBrokerState) -> Result<PaperBroker, PaperRestoreError> {
        config.validate()?;
        if s.version != PaperBrokerState::VERSION {
            return Err(PaperRestoreError::UnsupportedVersion {
                found: s.version,
                supported: PaperBrokerState::VERSION,
            });
        }
        if let Some(w) = s.seen.windows(2).find(|w| w[0] >= w[1]) {
            return Err(PaperRestoreError::SeenNotAscending { previous: w[0], next: w[1] });
        }
        let seen: HashSet<OrderId> = s.seen.into_iter().collect();
        let mut open = HashSet::new();
        for w in &s.book {
            let id = w.order.id;
            if !open.insert(id) {
                return Err(PaperRestoreError::DuplicateOpenOrder(id));
            }
            if !seen.contains(&id) {
                return Err(PaperRestoreError::OpenOrderNotSeen(id));
            }
            if let Some(reason) = PaperBroker::invalid(&w.order) {
                return Err(PaperRestoreError::InvalidOpenOrder { id, reason });
            }
            if w.live_at < w.order.created {
                return Err(PaperRestoreError::LiveBeforeCreated { id, created: w.order.created, live_at: w.live_at });
            }
        }
        let book =
            s.book.into_iter().map(|w| Working { order: w.order, live_at: w.live_at, rested: w.rested }).collect();
        Ok(PaperBroker { config, book, seen })
    }
}
