//! Strategy components (`hft:strategy/strategy`) as Rust values.
//!
//! A strategy lives in its own sandboxed instance like a model does; the
//! pipeline calls it once per tick with prices, positions and the signals
//! it subscribed to, and turns its targets into orders.

mod component;
mod slots;

pub use crate::runtime::bindings::strategy::exports::hft::strategy::strategy::{
    Decision, Marker, Slot, StrategyInfo, Target, Tick,
};
pub use component::{StrategyComponent, describe_strategy, warm_up_ticks};
pub use slots::{UnwiredSlot, fit_slots};
