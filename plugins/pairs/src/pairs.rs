//! The pairs strategy's decisions, in plain Rust so they are tested natively.
//!
//! Legs: `y` (index 0) and `x` (index 1). Signals, in this order: the
//! Kalman z-score of the spread, the Kalman hedge ratio (the predicted beta
//! of `log y = alpha + beta log x`), the GARCH one-step variance forecast of
//! the spread's changes (in the GARCH component's scaled units), and the
//! BOCD changepoint probability.

use hft_models::params::{ParamSpec, ParamValue, Params, check_positive};
use hft_models::{ModelError, snapshot};
use hft_sdk::strategy::{SlotSpec, TickView};
use serde::{Deserialize, Serialize};

/// Component name reported by `describe`.
pub const NAME: &str = "pairs";
/// The strategy's own version.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
/// One paragraph for `plugin inspect`.
pub const DESCRIPTION: &str = "Pairs trading on the Kalman z-score of log prices: enter beyond entry-z, exit inside \
     exit-z or beyond stop-z; size so that one GARCH standard deviation of the spread over `horizon` ticks costs \
     `risk-per-trade`; flatten and stay out while the BOCD changepoint probability is above cp-threshold.";
const SNAPSHOT_FORMAT: u16 = 1;

/// The legs, in target order.
pub const LEGS: [SlotSpec; 2] = [
    SlotSpec { name: "y", description: "the dependent leg: log y = alpha + beta log x" },
    SlotSpec { name: "x", description: "the hedge leg" },
];

/// The signals, in tick order.
pub const SIGNALS: [SlotSpec; 4] = [
    SlotSpec { name: "zscore", description: "Kalman innovation / sqrt(innovation variance)" },
    SlotSpec { name: "hedge-ratio", description: "Kalman predicted beta (log-price units)" },
    SlotSpec { name: "vol-forecast", description: "GARCH next-step variance of the spread's changes, scaled units" },
    SlotSpec { name: "changepoint-prob", description: "BOCD probability that a new regime started recently" },
];

const ZSCORE: usize = 0;
const HEDGE: usize = 1;
const VOL: usize = 2;
const CHANGE: usize = 3;

/// Every parameter, with its default.
pub fn param_specs() -> Vec<ParamSpec> {
    let f = |name, description, v| ParamSpec { name, description, default: ParamValue::Float(v) };
    let i = |name, description, v| ParamSpec { name, description, default: ParamValue::Int(v) };
    vec![
        f("entry-z", "enter when |z-score| exceeds this; > exit-z", 2.0),
        f("exit-z", "exit when the z-score comes back inside this band; >= 0", 0.5),
        f("stop-z", "exit when |z-score| exceeds this (stop loss); > entry-z, or 0 for none", 4.0),
        f("risk-per-trade", "quote currency lost at one spread standard deviation over the horizon; > 0", 1000.0),
        i("horizon", "expected holding period in ticks, for the horizon standard deviation; >= 1", 60),
        f("max-leverage", "cap on each leg's notional, as a multiple of equity; > 0", 1.0),
        f("cp-threshold", "flatten, and do not enter, while the changepoint probability is above this; in (0, 1]", 0.5),
        i("cooldown", "ticks to stay out after the changepoint probability falls back below cp-threshold; >= 0", 0),
        i("warmup", "ticks to observe before the first entry; >= 0", 100),
        f("vol-scale", "the GARCH component's scale: sigma = sqrt(vol-forecast) / vol-scale; > 0", 100.0),
        i("qty-decimals", "decimal places of target quantities; 0..=12", 6),
    ]
}

/// Where the book stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Mode {
    /// No position.
    Flat,
    /// Long y, short x: profits when the spread rises.
    Long,
    /// Short y, long x: profits when the spread falls.
    Short,
}

/// Why a decision was taken.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Action {
    /// Nothing changes.
    Hold,
    /// Open a long-spread position with these leg quantities.
    EnterLong(f64, f64),
    /// Open a short-spread position with these leg quantities.
    EnterShort(f64, f64),
    /// Close on the strategy's own signal.
    Exit,
    /// Close because of regime risk.
    Flatten,
}

/// The strategy and its state.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Pairs {
    entry_z: f64,
    exit_z: f64,
    stop_z: f64,
    risk_per_trade: f64,
    horizon: i64,
    max_leverage: f64,
    cp_threshold: f64,
    cooldown: i64,
    warmup: i64,
    vol_scale: f64,
    qty_decimals: i64,
    mode: Mode,
    ticks: u64,
    entered_at: u64,
    cooldown_left: i64,
}

impl Pairs {
    /// Build from parameters; every value is checked and named on error.
    pub fn new(given: &[(String, ParamValue)]) -> Result<Pairs, ModelError> {
        let p = Params::resolve(&param_specs(), given)?;
        let bad = |m: String| Err(ModelError::InvalidParams(m));
        let s = Pairs {
            entry_z: check_positive("entry-z", p.float("entry-z"))?,
            exit_z: p.float("exit-z"),
            stop_z: p.float("stop-z"),
            risk_per_trade: check_positive("risk-per-trade", p.float("risk-per-trade"))?,
            horizon: p.int("horizon"),
            max_leverage: check_positive("max-leverage", p.float("max-leverage"))?,
            cp_threshold: p.float("cp-threshold"),
            cooldown: p.int("cooldown"),
            warmup: p.int("warmup"),
            vol_scale: check_positive("vol-scale", p.float("vol-scale"))?,
            qty_decimals: p.int("qty-decimals"),
            mode: Mode::Flat,
            ticks: 0,
            entered_at: 0,
            cooldown_left: 0,
        };
        if !(s.exit_z >= 0.0 && s.exit_z < s.entry_z) {
            return bad(format!("exit-z = {} must be in [0, entry-z = {})", s.exit_z, s.entry_z));
        }
        if !(s.stop_z == 0.0 || s.stop_z > s.entry_z) {
            return bad(format!("stop-z = {} must be 0 (no stop) or above entry-z = {}", s.stop_z, s.entry_z));
        }
        if s.horizon < 1 {
            return bad(format!("horizon = {} must be at least 1", s.horizon));
        }
        if !(s.cp_threshold > 0.0 && s.cp_threshold <= 1.0) {
            return bad(format!("cp-threshold = {} must be in (0, 1]", s.cp_threshold));
        }
        if s.cooldown < 0 || s.warmup < 0 {
            return bad("cooldown and warmup must be >= 0".to_string());
        }
        if !(0..=12).contains(&s.qty_decimals) {
            return bad(format!("qty-decimals = {} must be in 0..=12", s.qty_decimals));
        }
        Ok(s)
    }

    /// The parameters in effect.
    pub fn params(&self) -> Vec<(String, ParamValue)> {
        let f = |n: &str, v: f64| (n.to_string(), ParamValue::Float(v));
        let i = |n: &str, v: i64| (n.to_string(), ParamValue::Int(v));
        vec![
            f("entry-z", self.entry_z),
            f("exit-z", self.exit_z),
            f("stop-z", self.stop_z),
            f("risk-per-trade", self.risk_per_trade),
            i("horizon", self.horizon),
            f("max-leverage", self.max_leverage),
            f("cp-threshold", self.cp_threshold),
            i("cooldown", self.cooldown),
            i("warmup", self.warmup),
            f("vol-scale", self.vol_scale),
            i("qty-decimals", self.qty_decimals),
        ]
    }

    /// Ticks observed before the first entry (`warmup`): what the
    /// component's `warm-up` export tells the host.
    pub fn warm_up_ticks(&self) -> u32 {
        u32::try_from(self.warmup).unwrap_or(u32::MAX)
    }

    /// Decimal places of target quantities.
    pub fn qty_decimals(&self) -> u8 {
        self.qty_decimals as u8
    }

    /// The current mode.
    pub fn mode(&self) -> Mode {
        self.mode
    }

    /// Decide on one tick and move to the new mode.
    pub fn on_tick(&mut self, t: &TickView<'_>) -> Action {
        self.ticks += 1;
        // An entry's orders fill on the next tick. A book still flat after
        // that means the host did not take them (risk refused): the
        // strategy is flat too, whatever it asked for.
        if self.mode != Mode::Flat && t.is_flat() && self.ticks > self.entered_at + 1 {
            self.mode = Mode::Flat;
        }
        let z = t.signal(ZSCORE);
        let cp = t.signal(CHANGE);
        // A regime change in progress: get out and stay out.
        if cp > self.cp_threshold {
            self.cooldown_left = self.cooldown;
            if self.mode != Mode::Flat {
                self.mode = Mode::Flat;
                return Action::Flatten;
            }
            return Action::Hold;
        }
        match self.mode {
            Mode::Long if z.is_nan() || z >= -self.exit_z || self.stopped(z) => {
                self.mode = Mode::Flat;
                Action::Exit
            }
            Mode::Short if z.is_nan() || z <= self.exit_z || self.stopped(z) => {
                self.mode = Mode::Flat;
                Action::Exit
            }
            Mode::Long | Mode::Short => Action::Hold,
            Mode::Flat => {
                if self.cooldown_left > 0 {
                    self.cooldown_left -= 1;
                    return Action::Hold;
                }
                let quiet = z.is_nan() || z.abs() <= self.entry_z || self.stopped(z);
                if self.ticks <= self.warmup as u64 || quiet || cp.is_nan() {
                    return Action::Hold;
                }
                let Some((qy, qx)) = self.size(t) else { return Action::Hold };
                self.entered_at = self.ticks;
                if z < 0.0 {
                    self.mode = Mode::Long;
                    Action::EnterLong(qy, -qx)
                } else {
                    self.mode = Mode::Short;
                    Action::EnterShort(-qy, qx)
                }
            }
        }
    }

    fn stopped(&self, z: f64) -> bool {
        self.stop_z > 0.0 && z.abs() > self.stop_z
    }

    /// Leg sizes (both positive) for one unit of spread risk: notional `n`
    /// in y and `beta * n` in x, with `n` such that one standard deviation
    /// of the spread over the horizon is `risk-per-trade`, capped by
    /// leverage. `None` when a signal or price is missing or degenerate.
    fn size(&self, t: &TickView<'_>) -> Option<(f64, f64)> {
        let (py, px) = (t.price(0), t.price(1));
        let beta = t.signal(HEDGE);
        let var = t.signal(VOL);
        if !(py > 0.0 && px > 0.0 && beta.is_finite() && var > 0.0 && t.equity > 0.0) {
            return None;
        }
        let sigma = var.sqrt() / self.vol_scale * (self.horizon as f64).sqrt();
        let cap = self.max_leverage * t.equity / beta.abs().max(1.0);
        let notional = (self.risk_per_trade / sigma).min(cap);
        let qy = notional / py;
        let qx = beta.abs() * notional / px;
        (qy.is_finite() && qx.is_finite() && qy > 0.0).then_some((qy, qx * beta.signum()))
    }

    /// The full state.
    pub fn snapshot(&self) -> Vec<u8> {
        snapshot::encode(NAME, SNAPSHOT_FORMAT, self)
    }

    /// Rebuild from [`Pairs::snapshot`] bytes.
    pub fn restore(bytes: &[u8]) -> Result<Pairs, ModelError> {
        let s: Pairs = snapshot::decode(NAME, SNAPSHOT_FORMAT, bytes)?;
        // Re-validate the parameters a snapshot carries.
        Pairs::new(&s.params())?;
        Ok(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tick(values: &[f64]) -> TickView<'_> {
        TickView::new(0, 100_000.0, 2, values).unwrap()
    }

    /// prices y=100, x=50, positions (1, -1): the host filled the entry
    /// (the strategy only checks positions for being flat), then z, beta,
    /// var, cp.
    fn vals(z: f64, cp: f64) -> [f64; 8] {
        [100.0, 50.0, 1.0, -1.0, z, 1.0, 1.0, cp]
    }

    fn ready(params: &[(&str, ParamValue)]) -> Pairs {
        let mut given: Vec<(String, ParamValue)> = vec![("warmup".into(), ParamValue::Int(0))];
        given.extend(params.iter().map(|(n, v)| (n.to_string(), v.clone())));
        Pairs::new(&given).unwrap()
    }

    #[test]
    fn enters_and_exits_on_the_zscore() {
        let mut s = ready(&[]);
        assert_eq!(s.on_tick(&tick(&vals(1.9, 0.0))), Action::Hold);
        let Action::EnterShort(qy, qx) = s.on_tick(&tick(&vals(2.1, 0.0))) else { panic!("no entry") };
        assert!(qy < 0.0 && qx > 0.0);
        assert_eq!(s.on_tick(&tick(&vals(1.0, 0.0))), Action::Hold);
        assert_eq!(s.on_tick(&tick(&vals(0.4, 0.0))), Action::Exit);
        let Action::EnterLong(qy, qx) = s.on_tick(&tick(&vals(-2.5, 0.0))) else { panic!("no entry") };
        assert!(qy > 0.0 && qx < 0.0);
        assert_eq!(s.on_tick(&tick(&vals(-4.5, 0.0))), Action::Exit, "stop-z");
    }

    #[test]
    fn sizes_to_the_risk_budget() {
        // sigma per tick = sqrt(1)/100 = 1 %, horizon 60 -> 7.746 %;
        // notional = 1000 / 0.07746 = 12_910, y at 100 -> 129.1 units.
        let mut s = ready(&[]);
        let Action::EnterLong(qy, qx) = s.on_tick(&tick(&vals(-3.0, 0.0))) else { panic!() };
        let notional = 1000.0 / (0.01 * 60f64.sqrt());
        assert!((qy - notional / 100.0).abs() < 1e-9, "{qy}");
        assert!((qx + notional / 50.0).abs() < 1e-9, "{qx}");
        // The leverage cap binds with a tiny variance.
        let mut s = ready(&[]);
        let v = [100.0, 50.0, 0.0, 0.0, -3.0, 1.0, 1e-12, 0.0];
        let Action::EnterLong(qy, _) = s.on_tick(&tick(&v)) else { panic!() };
        assert!((qy - 1000.0).abs() < 1e-9, "{qy}");
    }

    #[test]
    fn flattens_and_stays_out_during_a_regime_change() {
        let mut s = ready(&[("cooldown", ParamValue::Int(2))]);
        assert!(matches!(s.on_tick(&tick(&vals(-3.0, 0.1))), Action::EnterLong(..)));
        assert_eq!(s.on_tick(&tick(&vals(-3.0, 0.9))), Action::Flatten);
        assert_eq!(s.on_tick(&tick(&vals(-3.0, 0.9))), Action::Hold, "no entry above the threshold");
        assert_eq!(s.on_tick(&tick(&vals(-3.0, 0.1))), Action::Hold, "cooldown 1");
        assert_eq!(s.on_tick(&tick(&vals(-3.0, 0.1))), Action::Hold, "cooldown 2");
        assert!(matches!(s.on_tick(&tick(&vals(-3.0, 0.1))), Action::EnterLong(..)));
    }

    #[test]
    fn waits_for_warmup_and_signals() {
        let mut s = Pairs::new(&[("warmup".into(), ParamValue::Int(2))]).unwrap();
        assert_eq!(s.on_tick(&tick(&vals(-3.0, 0.0))), Action::Hold);
        assert_eq!(s.on_tick(&tick(&vals(-3.0, 0.0))), Action::Hold);
        assert_eq!(s.on_tick(&tick(&vals(-3.0, f64::NAN))), Action::Hold, "no changepoint signal yet");
        let v = [100.0, 50.0, 0.0, 0.0, -3.0, 1.0, f64::NAN, 0.0];
        assert_eq!(s.on_tick(&tick(&v)), Action::Hold, "no volatility yet");
        assert!(matches!(s.on_tick(&tick(&vals(-3.0, 0.0))), Action::EnterLong(..)));
    }

    #[test]
    fn rejects_bad_parameters_by_name() {
        let e = Pairs::new(&[("exit-z".into(), ParamValue::Float(3.0))]).unwrap_err();
        assert!(e.to_string().contains("exit-z"), "{e}");
        let e = Pairs::new(&[("cp-threshold".into(), ParamValue::Float(0.0))]).unwrap_err();
        assert!(e.to_string().contains("cp-threshold"), "{e}");
    }

    #[test]
    fn goes_flat_when_the_host_did_not_take_the_entry() {
        let mut s = ready(&[]);
        let flat = |z: f64| [100.0, 50.0, 0.0, 0.0, z, 1.0, 1.0, 0.0];
        assert!(matches!(s.on_tick(&tick(&flat(-3.0))), Action::EnterLong(..)));
        assert_eq!(s.on_tick(&tick(&flat(-3.0))), Action::Hold, "the entry fills on this tick");
        assert_eq!(s.mode(), Mode::Long);
        // Still flat one tick later: the entry was refused; enter again.
        assert!(matches!(s.on_tick(&tick(&flat(-3.0))), Action::EnterLong(..)));
    }

    #[test]
    fn never_enters_on_a_missing_zscore() {
        let mut s = ready(&[]);
        assert_eq!(s.on_tick(&tick(&vals(f64::NAN, 0.0))), Action::Hold);
    }

    #[test]
    fn snapshot_restores_the_mode() {
        let mut s = ready(&[]);
        s.on_tick(&tick(&vals(-3.0, 0.0)));
        let r = Pairs::restore(&s.snapshot()).unwrap();
        assert_eq!(r.mode(), Mode::Long);
        assert_eq!(r.snapshot(), s.snapshot());
    }
}
