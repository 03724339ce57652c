use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use thiserror::Error;

/// How the paper broker charges and delays: the simulation model of a venue.
///
/// The defaults are the standard spot tier of a large crypto venue (0.1 %
/// either side), one basis point of slippage and no latency; a backtest that
/// relies on them should still say so in its config, since the defaults are
/// optimistic for large orders.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PaperConfig {
    /// Fee on a taker fill, in basis points (1/10 000) of the fill's
    /// notional at the fill price. May not be negative.
    pub taker_fee_bps: Decimal,
    /// Fee on a maker fill, in basis points of the notional. Negative is a
    /// rebate, which some venues pay.
    pub maker_fee_bps: Decimal,
    /// Price concession of a market order, in basis points of the reference
    /// price, always against the taker: a buy pays `price * (1 + bps/10^4)`,
    /// a sell receives `price * (1 - bps/10^4)`. May not be negative.
    pub slippage_bps: Decimal,
    /// Delay between an order's `created` time and the moment the venue
    /// can fill it, in nanoseconds of event time. May not be negative.
    pub latency_ns: i64,
}

impl Default for PaperConfig {
    fn default() -> PaperConfig {
        PaperConfig {
            taker_fee_bps: Decimal::from(10),
            maker_fee_bps: Decimal::from(10),
            slippage_bps: Decimal::ONE,
            latency_ns: 0,
        }
    }
}

/// Why a [`PaperConfig`] cannot be simulated.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum PaperConfigError {
    /// Slippage in the taker's favour would make market orders beat the tape.
    #[error("slippage_bps must not be negative, got {0}")]
    NegativeSlippage(Decimal),
    /// A taker rebate is not offered by any venue we model.
    #[error("taker_fee_bps must not be negative, got {0}")]
    NegativeTakerFee(Decimal),
    /// Orders cannot reach the venue before they are created.
    #[error("latency_ns must not be negative, got {0}")]
    NegativeLatency(i64),
}

impl PaperConfig {
    /// Check the config once, so the broker can trust it afterwards.
    pub fn validate(&self) -> Result<(), PaperConfigError> {
        if self.slippage_bps < Decimal::ZERO {
            return Err(PaperConfigError::NegativeSlippage(self.slippage_bps));
        }
        if self.taker_fee_bps < Decimal::ZERO {
            return Err(PaperConfigError::NegativeTakerFee(self.taker_fee_bps));
        }
        if self.latency_ns < 0 {
            return Err(PaperConfigError::NegativeLatency(self.latency_ns));
        }
        Ok(())
    }
}
