//! The instruments a run knows, by index: models and strategies refer to
//! them by position in a flat array, never by string on the hot path.

use crate::config::{DataConfig, InstrumentConfig};
use hft_trading::domain::{Decimal, InstrumentId, Symbol, Venue};
use std::collections::BTreeMap;

use super::WiringError;

/// Every instrument of the run, with its lot size.
#[derive(Debug, Clone, Default)]
pub struct Instruments {
    ids: Vec<InstrumentId>,
    lots: Vec<Decimal>,
    /// Venues of sources that carry several symbols (simple CSV without a
    /// symbol): a symbol referred to by name may come from them.
    open_venues: Vec<Venue>,
}

/// The lot size used when `[instruments]` does not name a symbol: fine
/// enough for any crypto quantity, so nothing is silently rounded away.
pub const DEFAULT_LOT: Decimal = Decimal::from_parts(1, 0, 0, false, 8);

impl Instruments {
    /// The instruments the sources declare (a Binance file's symbol, a simple
    /// CSV filtered to one symbol), with lot sizes from `[instruments]`.
    pub fn from_config(
        data: &[DataConfig],
        rules: &BTreeMap<String, InstrumentConfig>,
    ) -> Result<Instruments, WiringError> {
        let mut me = Instruments::default();
        for spec in data {
            match spec.format {
                hft_trading::market::SourceFormat::Simple if spec.symbol.is_none() => {
                    me.open_venues.push(spec.venue.clone());
                }
                hft_trading::market::SourceFormat::Simple => {
                    let symbol = spec.symbol.clone().expect("checked");
                    me.add(InstrumentId { venue: spec.venue.clone(), symbol }, rules);
                }
                _ => {
                    let id = spec.binance_instrument().map_err(|e| WiringError(e.to_string()))?;
                    me.add(id, rules);
                }
            }
        }
        for (symbol, rule) in rules {
            if rule.lot_size <= Decimal::ZERO {
                return Err(WiringError(format!(
                    "[instruments.{symbol}] lot_size must be positive, got {}",
                    rule.lot_size
                )));
            }
        }
        Ok(me)
    }

    fn add(&mut self, id: InstrumentId, rules: &BTreeMap<String, InstrumentConfig>) -> usize {
        if let Some(i) = self.ids.iter().position(|x| *x == id) {
            return i;
        }
        let lot = rules.get(id.symbol.as_str()).map_or(DEFAULT_LOT, |r| r.lot_size);
        self.ids.push(id);
        self.lots.push(lot);
        self.ids.len() - 1
    }

    /// Resolve `SYMBOL` or `VENUE:SYMBOL` to an index. A symbol that only a
    /// multi-symbol source can carry is added with that source's venue.
    pub fn resolve(&mut self, name: &str, rules: &BTreeMap<String, InstrumentConfig>) -> Result<usize, WiringError> {
        let (venue, symbol) = match name.split_once(':') {
            Some((v, s)) => (Some(v), s),
            None => (None, name),
        };
        let matches: Vec<usize> = (0..self.ids.len())
            .filter(|&i| self.ids[i].symbol.as_str() == symbol && venue.is_none_or(|v| &*self.ids[i].venue.0 == v))
            .collect();
        match matches.as_slice() {
            [one] => Ok(*one),
            [] => {
                let open: Vec<&Venue> =
                    self.open_venues.iter().filter(|v| venue.is_none_or(|want| &*v.0 == want)).collect();
                match open.as_slice() {
                    [v] => {
                        let id = InstrumentId { venue: (*v).clone(), symbol: Symbol::new(symbol) };
                        Ok(self.add(id, rules))
                    }
                    _ => Err(WiringError(format!(
                        "no data source provides {name}; the sources provide [{}]",
                        self.ids.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ")
                    ))),
                }
            }
            _ => Err(WiringError(format!("{name} is ambiguous: several venues have it; write VENUE:{symbol}"))),
        }
    }

    /// The index of `id`, if the run knows it.
    pub fn index_of(&self, id: &InstrumentId) -> Option<usize> {
        self.ids.iter().position(|x| x == id)
    }

    /// The instrument at `i`.
    pub fn id(&self, i: usize) -> &InstrumentId {
        &self.ids[i]
    }

    /// The lot size of the instrument at `i`.
    pub fn lot(&self, i: usize) -> Decimal {
        self.lots[i]
    }

    /// How many instruments.
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    /// All of them, by index.
    pub fn ids(&self) -> &[InstrumentId] {
        &self.ids
    }
}
