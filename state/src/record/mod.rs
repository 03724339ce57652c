//! What the store holds: plain, serde-encoded records, each built from (or
//! read back into) the trading core's types.

mod account;
mod kill_switch;
mod risk;
mod snapshot;

pub use account::{AccountSnapshot, PositionSnapshot};
pub use kill_switch::KillSwitch;
pub use risk::RiskRecord;
pub use snapshot::ComponentSnapshot;
