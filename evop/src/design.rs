//! The factorial design of Evolutionary Operation (Box 1957): small,
//! deliberate changes of a few parameters around the champion's operating
//! point, arranged so that each parameter's effect and each two-parameter
//! interaction can be estimated from the same runs.
//!
//! A [`Design`] is a 2^k full factorial in k <= 4 chosen parameters, each at
//! the champion's value minus and plus its step (coded levels -1 and +1),
//! plus the center point (coded 0: the champion itself). The orchestrator
//! runs one challenger per factorial point; the center's responses come
//! from the champion, which trades the same events.
//!
//! Why no fractional designs for k > 4: a 2^4 design already needs 16
//! challengers beside the champion, about the most a host shadow-trades at
//! once, and a fraction would alias two-parameter interactions with each
//! other or with main effects, which the effects report would then have to
//! qualify. EVOP practice varies two or three parameters at a time and
//! rotates which ones; a design with more than [`Design::MAX_FACTORS`]
//! factors is refused.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Named numeric parameters of a strategy: the champion's current operating
/// point, or a variant of it.
///
/// A sorted map so that the same point always serializes and prints the
/// same way.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct OperatingPoint(BTreeMap<String, f64>);

impl OperatingPoint {
    /// An empty point.
    pub fn new() -> Self {
        Self::default()
    }

    /// This point with `name` set to `value` (builder style).
    pub fn with(mut self, name: impl Into<String>, value: f64) -> Self {
        self.0.insert(name.into(), value);
        self
    }

    /// Sets `name` to `value`, returning the previous value.
    pub fn set(&mut self, name: impl Into<String>, value: f64) -> Option<f64> {
        self.0.insert(name.into(), value)
    }

    /// The value of `name`.
    pub fn get(&self, name: &str) -> Option<f64> {
        self.0.get(name).copied()
    }

    /// The parameters in name order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, f64)> {
        self.0.iter().map(|(k, v)| (k.as_str(), *v))
    }

    /// Number of parameters.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// True when there are no parameters.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl<S: Into<String>> FromIterator<(S, f64)> for OperatingPoint {
    fn from_iter<I: IntoIterator<Item = (S, f64)>>(iter: I) -> Self {
        Self(iter.into_iter().map(|(k, v)| (k.into(), v)).collect())
    }
}

/// Inclusive bounds of a parameter.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Bounds {
    /// Smallest allowed value.
    pub min: f64,
    /// Largest allowed value.
    pub max: f64,
}

/// A parameter chosen for the design, as the operator specifies it: its
/// name in the operating point, the step (the distance from the center to
/// each factorial level), optional bounds, and whether it is an integer.
///
/// Steps should be small enough that a variant trades almost like the
/// champion (EVOP's premise: changes too small to hurt) and large enough
/// that their effect shows within a few cycles.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Factor {
    /// The parameter's name in the operating point.
    pub name: String,
    /// The step, > 0. For an integer parameter it is rounded to the nearest
    /// integer, which must be at least 1.
    pub step: f64,
    /// Bounds the levels are clamped to.
    #[serde(default)]
    pub bounds: Option<Bounds>,
    /// An integer parameter (a window length, a count): levels are integers.
    #[serde(default)]
    pub integer: bool,
}

impl Factor {
    /// A real-valued, unbounded factor.
    pub fn new(name: impl Into<String>, step: f64) -> Self {
        Self { name: name.into(), step, bounds: None, integer: false }
    }

    /// This factor with levels clamped to [min, max].
    pub fn bounded(mut self, min: f64, max: f64) -> Self {
        self.bounds = Some(Bounds { min, max });
        self
    }

    /// This factor as an integer parameter.
    pub fn integer(mut self) -> Self {
        self.integer = true;
        self
    }
}

/// A factor as the design uses it: the actual parameter values at coded
/// levels -1, 0 and +1 after rounding and clamping.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DesignFactor {
    /// The parameter's name.
    pub name: String,
    /// Value at coded level -1.
    pub low: f64,
    /// Value at the center (the champion's).
    pub center: f64,
    /// Value at coded level +1.
    pub high: f64,
    /// An integer parameter.
    pub integer: bool,
}

impl DesignFactor {
    /// The value at a level.
    pub fn value(&self, level: Level) -> f64 {
        match level {
            Level::Low => self.low,
            Level::Center => self.center,
            Level::High => self.high,
        }
    }

    /// False when a bound moved one level closer to the center than the
    /// other; the effect is still the difference between the two actual
    /// levels, but the change-in-mean estimate then also picks up the
    /// asymmetry.
    pub fn is_symmetric(&self) -> bool {
        (self.high - self.center - (self.center - self.low)).abs() <= 1e-12 * (self.high - self.low).abs()
    }
}

/// A coded level of a factor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    /// Coded -1: center minus step.
    Low,
    /// Coded 0: the champion's value.
    Center,
    /// Coded +1: center plus step.
    High,
}

impl Level {
    /// The coded value, -1, 0 or +1.
    pub fn coded(self) -> i8 {
        match self {
            Level::Low => -1,
            Level::Center => 0,
            Level::High => 1,
        }
    }
}

/// One run of the design: a parameter variant and its coded levels.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DesignPoint {
    /// Coded level of each factor, in the design's factor order.
    pub levels: Vec<Level>,
    /// The full operating point: the champion's parameters with the
    /// factors' values replaced.
    pub params: OperatingPoint,
}

impl DesignPoint {
    /// True for the center point (every level coded 0).
    pub fn is_center(&self) -> bool {
        self.levels.iter().all(|l| *l == Level::Center)
    }
}

/// Why a design was refused.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum DesignError {
    /// No factor was chosen.
    #[error("a design needs at least one factor")]
    NoFactors,
    /// More factors than [`Design::MAX_FACTORS`].
    #[error("{0} factors: at most {max} are supported (a 2^k design beyond that needs more challengers than a host runs; vary fewer parameters per phase)", max = Design::MAX_FACTORS)]
    TooManyFactors(usize),
    /// The same parameter was chosen twice.
    #[error("factor {0:?} is chosen twice")]
    DuplicateFactor(String),
    /// A factor is not a parameter of the operating point.
    #[error("factor {0:?} is not a parameter of the operating point")]
    UnknownParameter(String),
    /// The operating point's value of a factor is NaN or infinite.
    #[error("factor {name:?}: the operating point's value {value} is not finite")]
    NonFiniteCenter {
        /// The factor.
        name: String,
        /// The value.
        value: f64,
    },
    /// A step is not a finite positive number.
    #[error("factor {name:?}: step {step} must be finite and positive")]
    BadStep {
        /// The factor.
        name: String,
        /// The step.
        step: f64,
    },
    /// Bounds are not finite or min > max.
    #[error("factor {name:?}: bounds [{min}, {max}] are not an interval")]
    BadBounds {
        /// The factor.
        name: String,
        /// Lower bound.
        min: f64,
        /// Upper bound.
        max: f64,
    },
    /// The champion's value is outside the factor's bounds.
    #[error("factor {name:?}: the operating point's value {value} is outside [{min}, {max}]")]
    CenterOutOfBounds {
        /// The factor.
        name: String,
        /// The value.
        value: f64,
        /// Lower bound.
        min: f64,
        /// Upper bound.
        max: f64,
    },
    /// An integer factor's value at the center is not an integer.
    #[error("integer factor {name:?}: the operating point's value {value} is not an integer")]
    NonIntegerCenter {
        /// The factor.
        name: String,
        /// The value.
        value: f64,
    },
    /// The low and high levels coincide, so the factor would not vary.
    #[error("factor {name:?} collapses: {why}")]
    Collapsed {
        /// The factor.
        name: String,
        /// Why: the step rounds to zero, or the bounds leave no room.
        why: String,
    },
}

/// A 2^k full factorial design with a center point, around an operating
/// point.
///
/// Point order: index 0 is the center (the champion); indices 1..=2^k are
/// the factorial points in standard (Yates) order, where factorial point j
/// (j = index - 1) has factor i at +1 when bit i of j is set and at -1
/// otherwise, so the first factor alternates fastest: for k = 2 the order
/// is center, (-,-), (+,-), (-,+), (+,+). [`crate::effects::Cycles`]
/// expects responses in this order.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Design {
    center: OperatingPoint,
    factors: Vec<DesignFactor>,
    points: Vec<DesignPoint>,
}

impl Design {
    /// The most factors a design may have.
    pub const MAX_FACTORS: usize = 4;

    /// The 2^k full factorial around `center` in `factors`, plus the center.
    ///
    /// Levels are center -/+ step, rounded for integer factors (the step is
    /// rounded to an integer first, so the levels stay symmetric) and
    /// clamped to the bounds. Refused: no factor or more than
    /// [`Self::MAX_FACTORS`], a duplicate, a factor that is not a parameter
    /// of `center`, a bad step or bounds, a center outside its bounds or
    /// not an integer for an integer factor, and a factor whose two levels
    /// coincide (an integer step that rounds to 0, or bounds with no room).
    pub fn full_factorial(center: &OperatingPoint, factors: &[Factor]) -> Result<Self, DesignError> {
        if factors.is_empty() {
            return Err(DesignError::NoFactors);
        }
        if factors.len() > Self::MAX_FACTORS {
            return Err(DesignError::TooManyFactors(factors.len()));
        }
        let mut resolved: Vec<DesignFactor> = Vec::with_capacity(factors.len());
        for factor in factors {
            if resolved.iter().any(|f| f.name == factor.name) {
                return Err(DesignError::DuplicateFactor(factor.name.clone()));
            }
            resolved.push(resolve_factor(center, factor)?);
        }
        let k = resolved.len();
        let mut points = Vec::with_capacity((1 << k) + 1);
        points.push(DesignPoint { levels: vec![Level::Center; k], params: center.clone() });
        for j in 0..(1usize << k) {
            let levels: Vec<Level> = (0..k).map(|i| if (j >> i) & 1 == 1 { Level::High } else { Level::Low }).collect();
            let mut params = center.clone();
            for (factor, level) in resolved.iter().zip(&levels) {
                params.set(factor.name.clone(), factor.value(*level));
            }
            points.push(DesignPoint { levels, params });
        }
        Ok(Self { center: center.clone(), factors: resolved, points })
    }

    /// The operating point the design is centered on (the champion's).
    pub fn center(&self) -> &OperatingPoint {
        &self.center
    }

    /// The factors with their actual levels, in design order.
    pub fn factors(&self) -> &[DesignFactor] {
        &self.factors
    }

    /// The number of factors k.
    pub fn k(&self) -> usize {
        self.factors.len()
    }

    /// All 2^k + 1 points: the center first, then the factorial points in
    /// standard order.
    pub fn points(&self) -> &[DesignPoint] {
        &self.points
    }

    /// The 2^k factorial points (the challengers to run).
    pub fn factorial_points(&self) -> &[DesignPoint] {
        &self.points[1..]
    }
}

fn resolve_factor(center: &OperatingPoint, factor: &Factor) -> Result<DesignFactor, DesignError> {
    let name = factor.name.clone();
    let value = center.get(&factor.name).ok_or_else(|| DesignError::UnknownParameter(name.clone()))?;
    if !value.is_finite() {
        return Err(DesignError::NonFiniteCenter { name, value });
    }
    if !(factor.step.is_finite() && factor.step > 0.0) {
        return Err(DesignError::BadStep { name, step: factor.step });
    }
    let (mut min, mut max) = (f64::NEG_INFINITY, f64::INFINITY);
    if let Some(b) = factor.bounds {
        if !(b.min.is_finite() && b.max.is_finite() && b.min <= b.max) {
            return Err(DesignError::BadBounds { name, min: b.min, max: b.max });
        }
        if value < b.min || value > b.max {
            return Err(DesignError::CenterOutOfBounds { name, value, min: b.min, max: b.max });
        }
        (min, max) = (b.min, b.max);
    }
    let step = if factor.integer {
        if value.fract() != 0.0 {
            return Err(DesignError::NonIntegerCenter { name, value });
        }
        let step = factor.step.round();
        if step < 1.0 {
            return Err(DesignError::Collapsed { name, why: format!("integer step {} rounds to 0", factor.step) });
        }
        (min, max) = (min.ceil(), max.floor());
        step
    } else {
        factor.step
    };
    let low = (value - step).max(min);
    let high = (value + step).min(max);
    if low >= high {
        let why = if factor.bounds.is_some() {
            format!("the bounds leave no room around {value}")
        } else {
            format!("step {step} is below the resolution of {value}")
        };
        return Err(DesignError::Collapsed { name, why });
    }
    Ok(DesignFactor { name, low, center: value, high, integer: factor.integer })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn champion() -> OperatingPoint {
        OperatingPoint::new().with("threshold", 1.5).with("window", 20.0).with("alpha", 0.1).with("fixed", 7.0)
    }

    #[test]
    fn two_factor_design_in_standard_order() {
        let d = Design::full_factorial(
            &champion(),
            &[Factor::new("threshold", 0.25), Factor::new("window", 4.0).integer()],
        )
        .unwrap();
        assert_eq!(d.k(), 2);
        assert_eq!(d.points().len(), 5);
        assert!(d.points()[0].is_center());
        assert_eq!(d.points()[0].params, champion());
        let coded: Vec<Vec<i8>> =
            d.factorial_points().iter().map(|p| p.levels.iter().map(|l| l.coded()).collect()).collect();
        assert_eq!(coded, vec![vec![-1, -1], vec![1, -1], vec![-1, 1], vec![1, 1]]);
        let p = &d.points()[2]; // (+, -)
        assert_eq!(p.params.get("threshold"), Some(1.75));
        assert_eq!(p.params.get("window"), Some(16.0));
        assert_eq!(p.params.get("alpha"), Some(0.1), "parameters outside the design keep the champion's value");
        assert_eq!(p.params.get("fixed"), Some(7.0));
    }

    #[test]
    fn four_factors_and_the_limit() {
        let f = [
            Factor::new("threshold", 0.1),
            Factor::new("window", 2.0),
            Factor::new("alpha", 0.01),
            Factor::new("fixed", 1.0),
        ];
        let d = Design::full_factorial(&champion(), &f).unwrap();
        assert_eq!(d.points().len(), 17);
        // Every column is balanced and every pair of columns orthogonal.
        for i in 0..4 {
            assert_eq!(d.factorial_points().iter().map(|p| i32::from(p.levels[i].coded())).sum::<i32>(), 0);
            for j in 0..i {
                let dot: i32 =
                    d.factorial_points().iter().map(|p| i32::from(p.levels[i].coded() * p.levels[j].coded())).sum();
                assert_eq!(dot, 0);
            }
        }
        let five = OperatingPoint::from_iter((0..5).map(|i| (format!("p{i}"), 1.0)));
        let f5: Vec<Factor> = (0..5).map(|i| Factor::new(format!("p{i}"), 0.1)).collect();
        assert_eq!(Design::full_factorial(&five, &f5).unwrap_err(), DesignError::TooManyFactors(5));
    }

    #[test]
    fn clamping_to_bounds() {
        let d = Design::full_factorial(&champion(), &[Factor::new("alpha", 0.2).bounded(0.0, 1.0)]).unwrap();
        let f = &d.factors()[0];
        assert_eq!((f.low, f.center, f.high), (0.0, 0.1, 0.30000000000000004));
        assert!(!f.is_symmetric());
        let sym = Design::full_factorial(&champion(), &[Factor::new("threshold", 0.5)]).unwrap();
        assert!(sym.factors()[0].is_symmetric());
        // Integer bounds are rounded inwards.
        let w =
            Design::full_factorial(&champion(), &[Factor::new("window", 5.0).integer().bounded(17.5, 22.5)]).unwrap();
        assert_eq!((w.factors()[0].low, w.factors()[0].high), (18.0, 22.0));
    }

    #[test]
    fn refusals() {
        let c = champion();
        let err = |f: &[Factor]| Design::full_factorial(&c, f).unwrap_err();
        assert_eq!(err(&[]), DesignError::NoFactors);
        assert!(matches!(err(&[Factor::new("window", 0.4).integer()]), DesignError::Collapsed { .. }));
        assert!(matches!(err(&[Factor::new("fixed", 1.0).bounded(7.0, 7.0)]), DesignError::Collapsed { .. }));
        assert!(matches!(err(&[Factor::new("threshold", 1e-300)]), DesignError::Collapsed { .. }));
        assert_eq!(err(&[Factor::new("nope", 1.0)]), DesignError::UnknownParameter("nope".into()));
        assert_eq!(
            err(&[Factor::new("alpha", 0.1), Factor::new("alpha", 0.2)]),
            DesignError::DuplicateFactor("alpha".into())
        );
        assert!(matches!(err(&[Factor::new("alpha", 0.0)]), DesignError::BadStep { .. }));
        assert!(matches!(err(&[Factor::new("alpha", f64::NAN)]), DesignError::BadStep { .. }));
        assert!(matches!(err(&[Factor::new("alpha", 0.1).bounded(1.0, 0.0)]), DesignError::BadBounds { .. }));
        assert!(matches!(err(&[Factor::new("alpha", 0.1).bounded(0.5, 1.0)]), DesignError::CenterOutOfBounds { .. }));
        assert!(matches!(err(&[Factor::new("threshold", 1.0).integer()]), DesignError::NonIntegerCenter { .. }));
        let nan = OperatingPoint::new().with("x", f64::NAN);
        assert!(matches!(
            Design::full_factorial(&nan, &[Factor::new("x", 1.0)]),
            Err(DesignError::NonFiniteCenter { .. })
        ));
    }

    #[test]
    fn factor_specs_deserialize() {
        let f: Factor =
            serde_json::from_str(r#"{"name":"window","step":2,"integer":true,"bounds":{"min":5,"max":50}}"#).unwrap();
        assert_eq!(f, Factor::new("window", 2.0).integer().bounded(5.0, 50.0));
        assert!(serde_json::from_str::<Factor>(r#"{"name":"w","step":2,"stepp":3}"#).is_err());
    }
}
