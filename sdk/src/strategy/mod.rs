//! Guest-side support for strategy components (`trading-strategy` world).
//!
//! A strategy sees each tick as one flat list of numbers (see the WIT for
//! why); [`TickView`] gives that list names. Targets go back as exact
//! decimals; [`quantity`] makes one from a model's `f64` size.

mod quantity;
mod slot;
mod tick;

pub use quantity::{quantity, quantity_to_f64};
pub use slot::SlotSpec;
pub use tick::TickView;
