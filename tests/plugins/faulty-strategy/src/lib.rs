//! A strategy that trades a fixed size on leg `y`, flipping its sign every
//! `flip-every` ticks, and misbehaves on cue: it traps at tick `trap-at`,
//! spins forever at `loop-at`, allocates without bound at `hog-at`,
//! refuses (a guest error) at `refuse-at`, and from tick `garbage-at` on
//! sends the garbage target `garbage` on every tick (what a careless or
//! hostile guest makes of a NaN or infinite size, a scale no decimal has,
//! a leg it does not have). An absurd `size` asks for a huge position.
//! The pipeline, registry and hostile-challenger tests use it to check
//! that a faulty strategy is disabled, its book flattened and the run
//! carried on, and that the host's pre-trade checks and risk limits hold
//! against a strategy that asks for nonsense.

wit_bindgen::generate!({
    world: "trading-strategy",
    path: "../../../wit",
    with: { "hft:strategy/types@0.1.1": hft_sdk::types },
});

use exports::hft::strategy::strategy::{
    Decision, Guest, GuestStrategy, Marker, Slot, Strategy, StrategyInfo, Target, Tick,
};
use hft_models::params::{ParamSpec, ParamValue, Params};
use hft_sdk::LastError;
use hft_sdk::strategy::quantity;
use hft_sdk::types::{Decimal, ErrorKind, ModelError, Param};
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
        i("hog-at", "tick at which to allocate memory without bound; 0 = never", 0),
        ParamSpec {
            name: "garbage",
            description: "the garbage target sent from garbage-at on: none | nan | inf | -inf | bad-scale | bad-leg",
            default: ParamValue::Text("none".into()),
        },
        i("garbage-at", "first tick of garbage targets (every tick from then on); 0 = never", 0),
    ]
}

/// A target no sane strategy sends; each is what a guest that sizes in
/// `f64` and skips the SDK's [`quantity`] (which sends zero for anything
/// it cannot represent) puts on the wire.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Garbage {
    None,
    /// A NaN size whose bits are copied into the mantissa: about 9.2e12 units.
    Nan,
    /// An infinite size through Rust's saturating cast: `i64::MAX` units.
    Inf,
    /// Minus infinity, likewise: `i64::MIN` units.
    NegInf,
    /// A scale of 255, which no decimal has (rust_decimal stops at 28).
    BadScale,
    /// A leg index the strategy does not declare.
    BadLeg,
}

impl Garbage {
    fn parse(word: &str) -> Result<Garbage, hft_models::ModelError> {
        Ok(match word {
            "none" => Garbage::None,
            "nan" => Garbage::Nan,
            "inf" => Garbage::Inf,
            "-inf" => Garbage::NegInf,
            "bad-scale" => Garbage::BadScale,
            "bad-leg" => Garbage::BadLeg,
            other => {
                return Err(hft_models::ModelError::InvalidParams(format!(
                    "garbage: {other:?} is not one of none, nan, inf, -inf, bad-scale, bad-leg"
                )));
            }
        })
    }

    /// The target this garbage makes of a strategy that wanted `size`.
    fn target(self, size: f64) -> Target {
        let raw = |mantissa: i64, scale: u8| Target { leg: 0, quantity: Decimal { mantissa, scale } };
        match self {
            Garbage::None => Target { leg: 0, quantity: quantity(size, 6) },
            Garbage::Nan => raw((size * f64::NAN).to_bits() as i64, 6),
            Garbage::Inf => raw((size * f64::INFINITY) as i64, 0),
            Garbage::NegInf => raw((size * f64::NEG_INFINITY) as i64, 0),
            Garbage::BadScale => raw(1, u8::MAX),
            Garbage::BadLeg => Target { leg: u32::MAX, quantity: quantity(size, 6) },
        }
    }
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
    hog_at: i64,
    garbage: Garbage,
    garbage_at: i64,
    hoard: RefCell<Vec<Vec<u8>>>,
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
            hog_at: p.int("hog-at"),
            garbage: Garbage::parse(p.text("garbage")).map_err(ModelError::from)?,
            garbage_at: p.int("garbage-at"),
            hoard: RefCell::new(Vec::new()),
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
        if n == self.hog_at {
            // Touch every byte, so the pages are really used, and keep
            // them, so nothing can be freed: only the host's cap stops this.
            loop {
                self.hoard.borrow_mut().push(vec![1u8; 1 << 20]);
            }
        }
        if n == self.refuse_at {
            return Err(self.last_error.record(hft_models::ModelError::InvalidInput(format!("refusing tick {n}"))));
        }
        if self.garbage != Garbage::None && self.garbage_at > 0 && n >= self.garbage_at {
            let targets = vec![self.garbage.target(self.size)];
            return Ok(Decision { targets, marker: Marker::EnterLong });
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
