//! The component's parameters: the spec table and the checked settings.

use crate::params::check_positive;
use crate::{ModelError, ParamSpec, ParamValue, Params};

use super::Dist;
use super::recursion::GarchParams;

/// Largest accepted `window`: 10 million returns (80 MB of buffer), far
/// beyond any sensible fit window, but a guard against a typo exhausting
/// memory.
pub const MAX_WINDOW: i64 = 10_000_000;

/// The parameters the component accepts, with defaults and valid ranges.
///
/// One table serves `describe()`, [`super::Garch::new`]'s checking and
/// [`super::Garch::params`], so the three cannot disagree.
pub fn param_specs() -> Vec<ParamSpec> {
    vec![
        ParamSpec {
            name: "dist",
            description: "error distribution: \"normal\" or \"t\" (Student-t scaled to unit variance, as arch)",
            default: ParamValue::Text("normal".into()),
        },
        ParamSpec {
            name: "scale",
            description: "raw returns are multiplied by this before anything else; 100 = percent, as arch users do; > 0",
            default: ParamValue::Float(100.0),
        },
        ParamSpec {
            name: "window",
            description: "fit window: refits use the last `window` returns; 1..=10000000",
            default: ParamValue::Int(1000),
        },
        ParamSpec {
            name: "min-obs",
            description: "returns buffered before the first fit and the first ready step; 1..=window (>= 2 when estimate=true)",
            default: ParamValue::Int(250),
        },
        ParamSpec {
            name: "refit-every",
            description: "re-estimate on the trailing window every k updates after the first fit; 0 = never; must be 0 when estimate=false",
            default: ParamValue::Int(0),
        },
        ParamSpec {
            name: "estimate",
            description: "true: estimate mu, omega, alpha, beta (, nu) by maximum likelihood; false: use the fixed values below",
            default: ParamValue::Flag(true),
        },
        ParamSpec {
            name: "mu",
            description: "fixed constant mean, scaled units (used only when estimate=false)",
            default: ParamValue::Float(0.05),
        },
        ParamSpec {
            name: "omega",
            description: "fixed variance intercept, scaled units squared; > 0 (used only when estimate=false)",
            default: ParamValue::Float(0.02),
        },
        ParamSpec {
            name: "alpha",
            description: "fixed ARCH weight; >= 0, alpha + beta < 1 (used only when estimate=false)",
            default: ParamValue::Float(0.1),
        },
        ParamSpec {
            name: "beta",
            description: "fixed GARCH weight; >= 0, alpha + beta < 1 (used only when estimate=false)",
            default: ParamValue::Float(0.88),
        },
        ParamSpec {
            name: "nu",
            description: "fixed Student-t degrees of freedom; > 2 (used only when estimate=false and dist=t)",
            default: ParamValue::Float(8.0),
        },
    ]
}

/// The checked settings of one model instance.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub(crate) struct Config {
    pub dist: Dist,
    pub scale: f64,
    pub window: u32,
    pub min_obs: u32,
    pub refit_every: u32,
    pub estimate: bool,
    /// The fixed parameters (used only when `estimate` is false).
    pub fixed: GarchParams,
}

fn int_in(name: &str, v: i64, lo: i64, hi: i64) -> Result<u32, ModelError> {
    if v < lo || v > hi {
        return Err(ModelError::InvalidParams(format!("{name} must be in [{lo}, {hi}], got {v}")));
    }
    u32::try_from(v).map_err(|_| ModelError::InvalidParams(format!("{name} = {v} is too large")))
}

impl Config {
    /// Resolve `given` against [`param_specs`] and check every range.
    pub fn from_params(given: &[(String, ParamValue)]) -> Result<Config, ModelError> {
        let p = Params::resolve(&param_specs(), given)?;
        let config = Config {
            dist: Dist::parse(p.text("dist"))?,
            scale: p.float("scale"),
            window: int_in("window", p.int("window"), 1, MAX_WINDOW)?,
            min_obs: int_in("min-obs", p.int("min-obs"), 1, MAX_WINDOW)?,
            refit_every: int_in("refit-every", p.int("refit-every"), 0, u32::MAX as i64)?,
            estimate: p.flag("estimate"),
            fixed: GarchParams {
                mu: p.float("mu"),
                omega: p.float("omega"),
                alpha: p.float("alpha"),
                beta: p.float("beta"),
                nu: p.float("nu"),
            },
        };
        config.check()?;
        Ok(config)
    }

    /// The cross-parameter checks, shared with snapshot restore.
    pub fn check(&self) -> Result<(), ModelError> {
        let bad = |m: String| Err(ModelError::InvalidParams(m));
        check_positive("scale", self.scale)?;
        if self.window == 0 || self.window as i64 > MAX_WINDOW {
            return bad(format!("window must be in [1, {MAX_WINDOW}], got {}", self.window));
        }
        if self.min_obs == 0 || self.min_obs > self.window {
            return bad(format!("min-obs must be in [1, window = {}], got {}", self.window, self.min_obs));
        }
        if self.estimate && self.min_obs < 2 {
            return bad(format!(
                "min-obs must be >= 2 when estimate=true (a fit needs returns that vary), got {}",
                self.min_obs
            ));
        }
        if !self.estimate && self.refit_every != 0 {
            return bad(format!(
                "refit-every must be 0 when estimate=false (fixed parameters are never re-estimated), got {}",
                self.refit_every
            ));
        }
        for (name, v) in [
            ("mu", self.fixed.mu),
            ("omega", self.fixed.omega),
            ("alpha", self.fixed.alpha),
            ("beta", self.fixed.beta),
            ("nu", self.fixed.nu),
        ] {
            if !v.is_finite() {
                return bad(format!("{name} must be a finite number, got {v}"));
            }
        }
        if !self.estimate {
            self.fixed.check(self.dist)?;
        }
        Ok(())
    }

    /// The parameter list in spec order, with `in_use` as mu .. nu.
    pub fn to_params(&self, in_use: &GarchParams) -> Vec<(String, ParamValue)> {
        let f = |n: &str, v: f64| (n.to_string(), ParamValue::Float(v));
        vec![
            ("dist".to_string(), ParamValue::Text(self.dist.name().to_string())),
            f("scale", self.scale),
            ("window".to_string(), ParamValue::Int(self.window as i64)),
            ("min-obs".to_string(), ParamValue::Int(self.min_obs as i64)),
            ("refit-every".to_string(), ParamValue::Int(self.refit_every as i64)),
            ("estimate".to_string(), ParamValue::Flag(self.estimate)),
            f("mu", in_use.mu),
            f("omega", in_use.omega),
            f("alpha", in_use.alpha),
            f("beta", in_use.beta),
            f("nu", in_use.nu),
        ]
    }
}
