//! Turning one leg's simulated path into bars a venue could have printed:
//! prices on the tick, volumes on the lot, high and low bracketing open and
//! close.

use super::LegSpec;
use crate::domain::{Decimal, InstrumentId, Price, Quantity, Timestamp};
use crate::market::Bar;
use rust_decimal::prelude::ToPrimitive;

/// One leg's bar maker.
pub(crate) struct LegBars {
    instrument: InstrumentId,
    tick: Decimal,
    tick_f64: f64,
    lot: Decimal,
    lot_f64: f64,
    mean_volume: f64,
    bar_ms: i64,
}

impl LegBars {
    /// Bars of `leg` on `venue`, `bar_ms` long.
    pub(crate) fn new(leg: &LegSpec, venue: &str, bar_ms: i64) -> LegBars {
        LegBars {
            instrument: InstrumentId::new(venue, &leg.symbol),
            tick: leg.tick,
            tick_f64: leg.tick.to_f64().unwrap_or(f64::NAN),
            lot: leg.lot,
            lot_f64: leg.lot.to_f64().unwrap_or(f64::NAN),
            mean_volume: leg.mean_volume,
            bar_ms,
        }
    }

    /// A log price as a price on the tick, at least one tick. Rounding is
    /// monotone, so the rounded high and low still bracket open and close.
    fn price(&self, log_price: f64) -> Price {
        let ticks = (libm::exp(log_price) / self.tick_f64).round().max(1.0);
        Price(self.tick * Decimal::from(ticks as i64))
    }

    /// The bar opening at `open_ms` whose log-price path (open first, close
    /// last) is `path`, trading `activity` times the leg's mean volume.
    pub(crate) fn bar(&self, open_ms: i64, path: &[f64], activity: f64) -> Bar {
        let first = path.first().copied().unwrap_or(f64::NAN);
        let last = path.last().copied().unwrap_or(f64::NAN);
        let high = path.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let low = path.iter().copied().fold(f64::INFINITY, f64::min);
        let lots = (self.mean_volume * activity / self.lot_f64).round().max(1.0);
        Bar {
            instrument: self.instrument.clone(),
            ts: Timestamp::from_millis(open_ms + self.bar_ms - 1),
            open_ts: Timestamp::from_millis(open_ms),
            open: self.price(first),
            high: self.price(high),
            low: self.price(low),
            close: self.price(last),
            volume: Quantity(self.lot * Decimal::from(lots as i64)),
        }
    }
}
