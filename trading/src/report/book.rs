//! Signed positions per instrument, rebuilt from fills alone.
//!
//! Both the exposure figure and the round-trip extraction need to know when
//! the whole book is flat; deriving it from fills (rather than trusting the
//! accounting) keeps the report an independent check on the accounting.

use crate::domain::{Decimal, InstrumentId};
use crate::execution::Fill;
use std::collections::HashMap;

/// Net position per instrument and how many are non-zero.
#[derive(Debug, Default, Clone)]
pub(crate) struct Book {
    positions: HashMap<InstrumentId, Decimal>,
    open: usize,
}

impl Book {
    /// The signed position in `instrument` (zero if never traded).
    pub(crate) fn position(&self, instrument: &InstrumentId) -> Decimal {
        self.positions.get(instrument).copied().unwrap_or(Decimal::ZERO)
    }

    /// Whether every position is zero.
    pub(crate) fn is_flat(&self) -> bool {
        self.open == 0
    }

    /// Whether every position other than `instrument`'s is zero.
    pub(crate) fn others_flat(&self, instrument: &InstrumentId) -> bool {
        let own = usize::from(!self.position(instrument).is_zero());
        self.open == own
    }

    /// Apply a fill; returns the position before and after.
    pub(crate) fn apply(&mut self, fill: &Fill) -> (Decimal, Decimal) {
        let before = self.position(&fill.instrument);
        let after = before + fill.side.signed(fill.qty).0;
        match (before.is_zero(), after.is_zero()) {
            (true, false) => self.open += 1,
            (false, true) => self.open -= 1,
            _ => {}
        }
        self.positions.insert(fill.instrument.clone(), after);
        (before, after)
    }
}
