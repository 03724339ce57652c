use crate::domain::{InstrumentId, Money, Quantity, Symbol};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use thiserror::Error;

/// Position and notional caps for one symbol.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SymbolLimits {
    /// Largest absolute position after any trade, in base-asset units.
    pub max_position: Quantity,
    /// Largest absolute value of the position after any trade, at the mark
    /// price, in the quote currency.
    pub max_notional: Money,
}

/// A per-symbol override; a field left out keeps the default.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LimitOverride {
    /// Replaces [`SymbolLimits::max_position`].
    pub max_position: Option<Quantity>,
    /// Replaces [`SymbolLimits::max_notional`].
    pub max_notional: Option<Money>,
}

/// The pre-trade risk limits. Every field has a default (listed on the
/// field) so a config names only what it changes; unknown fields are an
/// error so that a typo cannot silently leave a limit at its default.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RiskLimits {
    /// Caps for symbols without an override. Default: 1 unit, 10 000 quote.
    pub default_limits: SymbolLimits,
    /// Overrides by symbol, applied to that symbol on every venue.
    /// Default: none.
    pub symbols: BTreeMap<Symbol, LimitOverride>,
    /// Most orders accepted in any one-second window of event time (so a
    /// replay is rejected exactly as the live run was). Default: 10.
    pub max_orders_per_second: u32,
    /// Drawdown from peak equity, as a fraction in (0, 1], at which trading
    /// halts. Default: 0.10 (10 %).
    pub max_drawdown: Decimal,
    /// Fraction in (0, 1] of `max_drawdown` at which only reducing orders
    /// pass. Default: 0.8 (reduce from 8 % drawdown with the defaults).
    pub reduce_at: Decimal,
    /// Loss since the start of the UTC day, in the quote currency, at which
    /// only reducing orders pass until the next day. Default: 1 000.
    pub daily_loss_limit: Money,
    /// Whether, once halted, the orders the manager itself generates with
    /// `flatten_orders` may still pass. Default: false.
    pub flatten_on_halt: bool,
}

impl Default for RiskLimits {
    fn default() -> RiskLimits {
        RiskLimits {
            default_limits: SymbolLimits {
                max_position: Quantity(Decimal::ONE),
                max_notional: Money(Decimal::from(10_000)),
            },
            symbols: BTreeMap::new(),
            max_orders_per_second: 10,
            max_drawdown: Decimal::new(10, 2),
            reduce_at: Decimal::new(8, 1),
            daily_loss_limit: Money(Decimal::from(1_000)),
            flatten_on_halt: false,
        }
    }
}

/// What is wrong with a [`RiskLimits`]; all problems are collected.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
#[error("invalid risk limits: {}", .problems.join("; "))]
pub struct RiskConfigError {
    /// One line per problem.
    pub problems: Vec<String>,
}

impl RiskLimits {
    /// The caps that apply to `instrument`.
    pub fn limits_for(&self, instrument: &InstrumentId) -> SymbolLimits {
        let d = self.default_limits;
        match self.symbols.get(&instrument.symbol) {
            Some(o) => SymbolLimits {
                max_position: o.max_position.unwrap_or(d.max_position),
                max_notional: o.max_notional.unwrap_or(d.max_notional),
            },
            None => d,
        }
    }

    /// Check the limits once, so the manager can trust them afterwards.
    pub fn validate(&self) -> Result<(), RiskConfigError> {
        let mut problems = Vec::new();
        let unit = |d: Decimal| d > Decimal::ZERO && d <= Decimal::ONE;
        if !unit(self.max_drawdown) {
            problems.push(format!("max_drawdown must be in (0, 1], got {}", self.max_drawdown));
        }
        if !unit(self.reduce_at) {
            problems.push(format!("reduce_at must be in (0, 1], got {}", self.reduce_at));
        }
        if self.daily_loss_limit <= Money::ZERO {
            problems.push(format!("daily_loss_limit must be positive, got {}", self.daily_loss_limit));
        }
        if self.max_orders_per_second == 0 {
            problems.push("max_orders_per_second must be positive".to_string());
        }
        let d = self.default_limits;
        let caps = std::iter::once(("default".to_string(), Some(d.max_position), Some(d.max_notional)))
            .chain(self.symbols.iter().map(|(s, o)| (s.to_string(), o.max_position, o.max_notional)));
        for (name, position, notional) in caps {
            if let Some(q) = position.filter(|q| *q < Quantity::ZERO) {
                problems.push(format!("{name}: max_position must not be negative, got {q}"));
            }
            if let Some(m) = notional.filter(|m| *m < Money::ZERO) {
                problems.push(format!("{name}: max_notional must not be negative, got {m}"));
            }
        }
        if problems.is_empty() { Ok(()) } else { Err(RiskConfigError { problems }) }
    }
}
