// The pairs strategy's adapter to `hft:strategy/strategy`, included by
// `lib.rs` after the bindings are generated, and by
// `tests/plugins/pairs-wit-0-1-0`, which generates them from the frozen
// WIT 0.1.0 (wit/history/0.1.0): the same code built against the previous
// contract, which the host must still run.

use crate::pairs::{self, Action, Pairs};
use exports::hft::strategy::strategy::{
    Decision, Guest, GuestStrategy, Marker, Slot, Strategy, StrategyInfo, Target, Tick,
};
use hft_sdk::LastError;
use hft_sdk::strategy::{SlotSpec, TickView, quantity};
use hft_sdk::types::{ErrorKind, ModelError, Param};
use std::cell::RefCell;

struct Component;

fn slots(specs: &[SlotSpec]) -> Vec<Slot> {
    specs.iter().map(|s| Slot { name: s.name.to_string(), description: s.description.to_string() }).collect()
}

impl Guest for Component {
    type Strategy = PairsStrategy;

    fn describe() -> StrategyInfo {
        let outputs: [&str; 0] = [];
        StrategyInfo {
            info: hft_sdk::model_info(
                pairs::NAME,
                pairs::VERSION,
                pairs::DESCRIPTION,
                &pairs::param_specs(),
                &outputs,
            ),
            legs: slots(&pairs::LEGS),
            signals: slots(&pairs::SIGNALS),
        }
    }
}

struct PairsStrategy {
    inner: RefCell<Pairs>,
    last_error: LastError,
}

impl PairsStrategy {
    fn wrap(p: Pairs) -> Strategy {
        Strategy::new(PairsStrategy { inner: RefCell::new(p), last_error: LastError::default() })
    }
}

impl GuestStrategy for PairsStrategy {
    fn create(params: Vec<Param>) -> Result<Strategy, ModelError> {
        Ok(PairsStrategy::wrap(Pairs::new(&hft_sdk::from_wit_params(params))?))
    }

    fn restore(snapshot: Vec<u8>) -> Result<Strategy, ModelError> {
        Ok(PairsStrategy::wrap(Pairs::restore(&snapshot)?))
    }

    fn on_tick(&self, t: Tick) -> Result<Decision, ErrorKind> {
        let Some(view) = TickView::new(t.ts_ns, t.equity, pairs::LEGS.len(), &t.values) else {
            let e = hft_models::ModelError::InvalidInput(format!(
                "tick has {} values; a pair needs at least {}",
                t.values.len(),
                2 * pairs::LEGS.len()
            ));
            return Err(self.last_error.record(e));
        };
        let mut s = self.inner.borrow_mut();
        let dp = s.qty_decimals();
        let both = |y: f64, x: f64| {
            vec![Target { leg: 0, quantity: quantity(y, dp) }, Target { leg: 1, quantity: quantity(x, dp) }]
        };
        Ok(match s.on_tick(&view) {
            Action::Hold => Decision { targets: Vec::new(), marker: Marker::None },
            Action::EnterLong(y, x) => Decision { targets: both(y, x), marker: Marker::EnterLong },
            Action::EnterShort(y, x) => Decision { targets: both(y, x), marker: Marker::EnterShort },
            Action::Exit => Decision { targets: both(0.0, 0.0), marker: Marker::Exit },
            Action::Flatten => Decision { targets: both(0.0, 0.0), marker: Marker::Flatten },
        })
    }

    fn last_error(&self) -> String {
        self.last_error.message()
    }

    fn snapshot(&self) -> Vec<u8> {
        self.inner.borrow().snapshot()
    }

    fn params(&self) -> Vec<Param> {
        hft_sdk::to_wit_params(self.inner.borrow().params())
    }
}

export!(Component);
