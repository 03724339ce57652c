//! A strategy that trades a fixed size on leg `y`, flipping its sign every
//! `flip-every` ticks, and misbehaves on cue: it traps at tick `trap-at`,
//! spins forever at `loop-at`, and refuses (a guest error) at `refuse-at`.
//! The pipeline tests use it to check that a faulty strategy is disabled,
//! its book flattened and the run carried on, and that risk limits hold
//! against a strategy that asks for too much.

wit_bindgen::generate!({
    world: "trading-strategy",
    path: "../../../wit",
    with: { "hft:strategy/types@0.1.0": hft_sdk::types },
});

use exports::hft::strategy::strategy::{
    Decision, Guest, GuestStrategy, Marker, Slot, Strategy, StrategyInfo, Target, Tick,
};
use hft_models::params::{ParamSpec, ParamValue, Params};
use hft_sdk::LastError;
use hft_sdk::strategy::quantity;
use hft_sdk::types::{ErrorKind, ModelError, Param};
use std::cell::{Cell, RefCell};

struct Component;

fn specs() -> Vec<ParamSpec> {
    let i = |name, description, v| ParamSpec { name, description, default: ParamValue::Int(v) };
    vec![
        ParamSpec { name: "size", description: "target quantity of leg y", default: ParamValue::Float(1.0) },
        i("flip-every", "ticks between sign flips; 0 = never", 0),
        i("trap-at", "tick at which to trap; 0 = never", 0),
        i("loop-at", "tick at which to loop forever; 0 = never", 0),
        i("refuse-at", "tick at which to return an error; 0 = never", 0),
    ]
}

impl Guest for Component {
    type Strategy = Faulty;

    fn describe() -> StrategyInfo {
        let outputs: [&str; 0] = [];
        StrategyInfo {
            info: hft_sdk::model_info("faulty", "0.1.0", "misbehaves on cue, for tests", &specs(), &outputs),
            legs: vec![
                Slot { name: "y".into(), description: "the traded leg".into() },
                Slot { name: "x".into(), description: "unused".into() },
            ],
            signals: Vec::new(),
        }
    }
}

struct Faulty {
    params: Vec<(String, ParamValue)>,
    size: f64,
    flip_every: i64,
    trap_at: i64,
    loop_at: i64,
    refuse_at: i64,
    ticks: Cell<i64>,
    last: RefCell<f64>,
    last_error: LastError,
}

impl GuestStrategy for Faulty {
    fn create(params: Vec<Param>) -> Result<Strategy, ModelError> {
        let given = hft_sdk::from_wit_params(params);
        let p = Params::resolve(&specs(), &given).map_err(ModelError::from)?;
        Ok(Strategy::new(Faulty {
            params: p.iter().map(|(n, v)| (n.to_string(), v.clone())).collect(),
            size: p.float("size"),
            flip_every: p.int("flip-every"),
            trap_at: p.int("trap-at"),
            loop_at: p.int("loop-at"),
            refuse_at: p.int("refuse-at"),
            ticks: Cell::new(0),
            last: RefCell::new(f64::NAN),
            last_error: LastError::default(),
        }))
    }

    fn restore(_snapshot: Vec<u8>) -> Result<Strategy, ModelError> {
        Err(ModelError::InvalidSnapshot("the faulty strategy keeps no snapshots".into()))
    }

    fn on_tick(&self, _t: Tick) -> Result<Decision, ErrorKind> {
        let n = self.ticks.get() + 1;
        self.ticks.set(n);
        if n == self.trap_at {
            panic!("faulty strategy: trapping at tick {n} as asked");
        }
        if n == self.loop_at {
            #[allow(clippy::empty_loop)]
            loop {}
        }
        if n == self.refuse_at {
            return Err(self.last_error.record(hft_models::ModelError::InvalidInput(format!("refusing tick {n}"))));
        }
        let sign = if self.flip_every > 0 && (n / self.flip_every) % 2 == 1 { -1.0 } else { 1.0 };
        let want = sign * self.size;
        if *self.last.borrow() == want {
            return Ok(Decision { targets: Vec::new(), marker: Marker::None });
        }
        *self.last.borrow_mut() = want;
        let marker = if sign > 0.0 { Marker::EnterLong } else { Marker::EnterShort };
        Ok(Decision { targets: vec![Target { leg: 0, quantity: quantity(want, 6) }], marker })
    }

    fn last_error(&self) -> String {
        self.last_error.message()
    }

    fn snapshot(&self) -> Vec<u8> {
        Vec::new()
    }

    fn params(&self) -> Vec<Param> {
        hft_sdk::to_wit_params(self.params.clone())
    }
}

export!(Component);
