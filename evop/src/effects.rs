//! EVOP cycles: one response per design point per cycle, and after n
//! cycles the effects, their standard errors and a recommendation (the
//! worksheet of Box & Draper 1969, with the standard deviation estimated by
//! pooled sample variances rather than by their range shortcut).
//!
//! # Formulas
//!
//! p = 2^k + 1 design points (index 0 the center, then F = 2^k factorial
//! points in standard order), n cycles, y_ij the response of point i in
//! cycle j, ybar_i its mean over the cycles.
//!
//! - Main effect of factor a: E_a = (2/F) sum_f c_fa ybar_f, the mean
//!   response at +1 minus the mean at -1 (c_fa the coded level of a at
//!   factorial point f).
//! - Interaction of a and b: E_ab = (2/F) sum_f c_fa c_fb ybar_f.
//! - Change in mean: CIM = (sum_f ybar_f - F ybar_0) / (F + 1); positive when
//!   the factorial points beat the center on average. A significant negative
//!   CIM says the operating point is near a maximum (curvature).
//! - Standard deviation s, [`VarianceModel::WithinPoint`] (the worksheet):
//!   s^2 = sum_i sum_j (y_ij - ybar_i)^2 / (p (n - 1)), with p (n - 1)
//!   degrees of freedom.
//! - Standard errors: SE(E) = 2 s / sqrt(F n) for every main effect and
//!   interaction (for k = 2: s / sqrt(n), the worksheet's "2 SE = 2s/sqrt(n)");
//!   SE(CIM) = s sqrt(F / ((F + 1) n)) (k = 2: 1.78 s / sqrt(n) as 2 SE).
//! - Significant: |E| > t_{1 - alpha/2, df} SE, alpha = 1 - confidence, each
//!   effect tested two-sided on its own (the worksheet's practice; the
//!   orchestrator's promotion gate is where error rates are controlled).
//!
//! Responses must be "higher is better" (a mean return or a Sharpe ratio
//! over the cycle) and every point's response in a cycle must come from the
//! same events, so that the cycle-to-cycle market variation is common to all
//! points.

use crate::confidence::ConfidenceLevel;
use crate::design::{Design, Level, OperatingPoint};
use crate::dist::StudentT;
use serde::{Deserialize, Serialize};

/// How the response standard deviation s is estimated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VarianceModel {
    /// The EVOP worksheet: each point's sample variance across cycles,
    /// pooled over the points; df = p (n - 1). Valid whatever the cycles
    /// have in common, but a market move that lifts every point in one
    /// cycle counts as noise, so it is conservative when cycles differ.
    #[default]
    WithinPoint,
    /// The residual of the two-way (point x cycle) additive model:
    /// s^2 = sum_ij (y_ij - ybar_i. - ybar_.j + ybar_..)^2 / ((p - 1)(n - 1)).
    /// Cycles are blocks: what a cycle's market did to every point alike
    /// drops out, as it does from the effects themselves (each is a contrast
    /// within cycles). Use it when all points shadow-trade the same events,
    /// as they do here; it assumes the cycle shifts every point equally.
    CycleBlocked,
}

/// How the effects are judged.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EffectsConfig {
    /// Two-sided confidence of each effect's test.
    pub confidence: ConfidenceLevel,
    /// The standard deviation estimator.
    #[serde(default)]
    pub variance: VarianceModel,
}

/// Which effect.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Term {
    /// The main effect of the factor with this index.
    Main(usize),
    /// The interaction of two factors (indices, first < second).
    Interaction(usize, usize),
    /// Center against the factorial points.
    ChangeInMean,
}

/// An estimated effect with its standard error.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Effect {
    /// Which effect.
    pub term: Term,
    /// A label: the factor's name, `a x b` for an interaction, or
    /// `change in mean`.
    pub label: String,
    /// The estimate, in response units.
    pub estimate: f64,
    /// Its standard error.
    pub std_error: f64,
    /// The significance limit t_{1 - alpha/2, df} SE.
    pub limit: f64,
    /// |estimate| > limit.
    pub significant: bool,
}

/// One parameter moved by a recommendation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Move {
    /// The parameter.
    pub factor: String,
    /// Its value now (the center).
    pub from: f64,
    /// Its recommended value (the design's level on the side of the
    /// effect's sign).
    pub to: f64,
    /// The main effect that justifies it.
    pub effect: f64,
}

/// What to do with the operating point.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "action")]
pub enum Recommendation {
    /// No main effect is significant (or none can move, being at a bound):
    /// keep the operating point and run more cycles.
    Stay,
    /// Move each parameter with a significant main effect one step in the
    /// direction that improved the response; the others stay.
    Move {
        /// The new operating point.
        point: OperatingPoint,
        /// The parameters that move.
        moves: Vec<Move>,
        /// The index of the design point equal to the new point, when every
        /// factor moves: that variant has been shadow-trading all along and
        /// its record can go straight to the promotion gate. `None` when the
        /// new point was not run (some factors stay at the center).
        design_point: Option<usize>,
    },
}

/// The effects after n cycles and what they recommend.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EffectsReport {
    /// Cycles n.
    pub cycles: usize,
    /// Mean response of each design point (design order).
    pub point_means: Vec<f64>,
    /// The response standard deviation s.
    pub std_dev: f64,
    /// Its degrees of freedom.
    pub df: usize,
    /// How s was estimated.
    pub variance: VarianceModel,
    /// The critical value t_{1 - alpha/2, df}.
    pub t_critical: f64,
    /// One main effect per factor, in design order.
    pub main_effects: Vec<Effect>,
    /// Every two-factor interaction (a, b), a < b, in lexicographic order.
    pub interactions: Vec<Effect>,
    /// The change-in-mean effect.
    pub change_in_mean: Effect,
    /// What to do.
    pub recommendation: Recommendation,
}

/// Why cycles could not be recorded or analysed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum EffectsError {
    /// A cycle has the wrong number of responses.
    #[error("a cycle needs one response per design point ({expected}), got {got}")]
    WrongLength {
        /// Design points.
        expected: usize,
        /// Responses given.
        got: usize,
    },
    /// A response is NaN or infinite.
    #[error("response for design point {point} is not finite ({value})")]
    NonFinite {
        /// The design point.
        point: usize,
        /// The value.
        value: f64,
    },
    /// Fewer than two cycles: no standard error.
    #[error("{0} cycles: effects need at least 2 for a standard error")]
    NotEnoughCycles(usize),
}

/// The responses of a design over cycles.
///
/// Restart: persist [`Cycles::design`]'s center and factors and
/// [`Cycles::rows`], rebuild the design with
/// [`Design::full_factorial`] and call [`Cycles::from_rows`].
#[derive(Debug, Clone, PartialEq)]
pub struct Cycles {
    design: Design,
    rows: Vec<Vec<f64>>,
}

impl Cycles {
    /// No cycles yet.
    pub fn new(design: Design) -> Self {
        Self { design, rows: Vec::new() }
    }

    /// Cycles restored from their rows, each checked as by [`Cycles::record`].
    pub fn from_rows(design: Design, rows: Vec<Vec<f64>>) -> Result<Self, EffectsError> {
        let mut cycles = Self::new(design);
        for row in rows {
            cycles.record(&row)?;
        }
        Ok(cycles)
    }

    /// Records one cycle: one response per design point, in design order
    /// (index 0 the center).
    pub fn record(&mut self, responses: &[f64]) -> Result<(), EffectsError> {
        let expected = self.design.points().len();
        if responses.len() != expected {
            return Err(EffectsError::WrongLength { expected, got: responses.len() });
        }
        if let Some((point, &value)) = responses.iter().enumerate().find(|(_, v)| !v.is_finite()) {
            return Err(EffectsError::NonFinite { point, value });
        }
        self.rows.push(responses.to_vec());
        Ok(())
    }

    /// The design.
    pub fn design(&self) -> &Design {
        &self.design
    }

    /// The recorded cycles, each one response per design point.
    pub fn rows(&self) -> &[Vec<f64>] {
        &self.rows
    }

    /// Number of cycles recorded.
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// True before the first cycle.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// Effects, standard errors and the recommendation (formulas in the
    /// module documentation). Needs at least 2 cycles.
    pub fn analyze(&self, config: &EffectsConfig) -> Result<EffectsReport, EffectsError> {
        let n = self.rows.len();
        if n < 2 {
            return Err(EffectsError::NotEnoughCycles(n));
        }
        let points = self.design.points();
        let p = points.len();
        let k = self.design.k();
        let f = (p - 1) as f64;
        let nf = n as f64;
        let point_means: Vec<f64> = (0..p).map(|i| self.rows.iter().map(|r| r[i]).sum::<f64>() / nf).collect();
        let (ss, df) = match config.variance {
            VarianceModel::WithinPoint => {
                let ss: f64 = self
                    .rows
                    .iter()
                    .map(|r| r.iter().zip(&point_means).map(|(y, m)| (y - m) * (y - m)).sum::<f64>())
                    .sum();
                (ss, p * (n - 1))
            }
            VarianceModel::CycleBlocked => {
                let grand = point_means.iter().sum::<f64>() / p as f64;
                let ss: f64 = self
                    .rows
                    .iter()
                    .map(|r| {
                        let cycle_mean = r.iter().sum::<f64>() / p as f64;
                        r.iter().zip(&point_means).map(|(y, m)| (y - m - cycle_mean + grand).powi(2)).sum::<f64>()
                    })
                    .sum();
                (ss, (p - 1) * (n - 1))
            }
        };
        let std_dev = (ss / df as f64).sqrt();
        let alpha = config.confidence.alpha();
        // df >= 1 and 0.5 <= 1 - alpha/2 < 1, inside both domains.
        let t_critical = StudentT::new(df as f64).and_then(|t| t.quantile(1.0 - alpha / 2.0)).unwrap_or(f64::INFINITY);
        let effect_se = 2.0 * std_dev / (f * nf).sqrt();
        let judge = |term: Term, label: String, estimate: f64, std_error: f64| {
            let limit = t_critical * std_error;
            Effect { term, label, estimate, std_error, limit, significant: estimate.abs() > limit }
        };
        let contrast = |coef: &dyn Fn(&[Level]) -> f64| -> f64 {
            points[1..].iter().zip(&point_means[1..]).map(|(pt, m)| coef(&pt.levels) * m).sum::<f64>() * 2.0 / f
        };
        let factors = self.design.factors();
        let main_effects: Vec<Effect> = (0..k)
            .map(|a| {
                let e = contrast(&|l: &[Level]| f64::from(l[a].coded()));
                judge(Term::Main(a), factors[a].name.clone(), e, effect_se)
            })
            .collect();
        let mut interactions = Vec::new();
        for a in 0..k {
            for b in a + 1..k {
                let e = contrast(&|l: &[Level]| f64::from(l[a].coded() * l[b].coded()));
                let label = format!("{} x {}", factors[a].name, factors[b].name);
                interactions.push(judge(Term::Interaction(a, b), label, e, effect_se));
            }
        }
        let cim = (point_means[1..].iter().sum::<f64>() - f * point_means[0]) / (f + 1.0);
        let cim_se = std_dev * (f / ((f + 1.0) * nf)).sqrt();
        let change_in_mean = judge(Term::ChangeInMean, "change in mean".into(), cim, cim_se);
        let recommendation = self.recommend(&main_effects);
        Ok(EffectsReport {
            cycles: n,
            point_means,
            std_dev,
            df,
            variance: config.variance,
            t_critical,
            main_effects,
            interactions,
            change_in_mean,
            recommendation,
        })
    }

    fn recommend(&self, main_effects: &[Effect]) -> Recommendation {
        let mut point = self.design.center().clone();
        let mut moves = Vec::new();
        let mut levels = vec![Level::Center; self.design.k()];
        for (i, (effect, factor)) in main_effects.iter().zip(self.design.factors()).enumerate() {
            if !effect.significant {
                continue;
            }
            let level = if effect.estimate > 0.0 { Level::High } else { Level::Low };
            let to = factor.value(level);
            if to == factor.center {
                continue; // at a bound: the improving side is the center itself
            }
            levels[i] = level;
            point.set(factor.name.clone(), to);
            moves.push(Move { factor: factor.name.clone(), from: factor.center, to, effect: effect.estimate });
        }
        if moves.is_empty() {
            return Recommendation::Stay;
        }
        let design_point = self.design.points().iter().position(|p| p.levels == levels);
        Recommendation::Move { point, moves, design_point }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::design::Factor;

    fn design2() -> Design {
        let c = OperatingPoint::new().with("a", 10.0).with("b", 1.0);
        Design::full_factorial(&c, &[Factor::new("a", 2.0), Factor::new("b", 0.5)]).unwrap()
    }

    fn config() -> EffectsConfig {
        EffectsConfig { confidence: ConfidenceLevel::new(0.95).unwrap(), variance: VarianceModel::WithinPoint }
    }

    /// A 2^2 example computed by hand. Points: center, (-,-), (+,-), (-,+),
    /// (+,+). Cycle 1: 5, 3, 7, 4, 9; cycle 2: 6, 4, 8, 5, 9.
    #[test]
    fn hand_computed_two_factor_worksheet() {
        let mut c = Cycles::new(design2());
        c.record(&[5.0, 3.0, 7.0, 4.0, 9.0]).unwrap();
        c.record(&[6.0, 4.0, 8.0, 5.0, 9.0]).unwrap();
        let r = c.analyze(&config()).unwrap();
        // Means: 5.5, 3.5, 7.5, 4.5, 9.
        assert_eq!(r.point_means, vec![5.5, 3.5, 7.5, 4.5, 9.0]);
        // E_a = (7.5 + 9 - 3.5 - 4.5) / 2 = 4.25; E_b = (4.5 + 9 - 3.5 - 7.5) / 2 = 1.25;
        // E_ab = (3.5 - 7.5 - 4.5 + 9) / 2 = 0.25; CIM = (24.5 - 4 * 5.5) / 5 = 0.5.
        assert!((r.main_effects[0].estimate - 4.25).abs() < 1e-12);
        assert!((r.main_effects[1].estimate - 1.25).abs() < 1e-12);
        assert!((r.interactions[0].estimate - 0.25).abs() < 1e-12);
        assert_eq!(r.interactions[0].label, "a x b");
        assert!((r.change_in_mean.estimate - 0.5).abs() < 1e-12);
        // Within-point: deviations of +-0.5 in both cycles for the first
        // four points, none for the last: ss = 8 * 0.25 = 2, df = 5 (2 - 1) = 5,
        // s^2 = 0.4.
        assert_eq!(r.df, 5);
        assert!((r.std_dev - 0.4_f64.sqrt()).abs() < 1e-15);
        // SE(E) = 2 s / sqrt(F n) = 2 s / sqrt(8) = s / sqrt(2) = sqrt(0.2).
        assert!((r.main_effects[0].std_error - 0.2_f64.sqrt()).abs() < 1e-15);
        // SE(CIM) = s sqrt(4 / (5 * 2)) = sqrt(0.4 * 0.4) = 0.4.
        assert!((r.change_in_mean.std_error - 0.4).abs() < 1e-15);
        // t_{0.975, 5} = 2.5705818...; limit 1.1496 for effects, 1.0282 for CIM.
        assert!((r.t_critical - 2.570_581_835_636_314_8).abs() < 1e-12);
        assert!(r.main_effects[0].significant && r.main_effects[1].significant);
        assert!(!r.interactions[0].significant && !r.change_in_mean.significant);
        // Both main effects positive and significant: move to (+,+), point 4.
        match r.recommendation {
            Recommendation::Move { point, moves, design_point } => {
                assert_eq!(point, OperatingPoint::new().with("a", 12.0).with("b", 1.5));
                assert_eq!(moves.len(), 2);
                assert_eq!(design_point, Some(4));
            }
            Recommendation::Stay => panic!("should move"),
        }
    }

    #[test]
    fn cycle_blocked_variance_removes_a_common_cycle_shift() {
        // The same responses, the second cycle shifted by +10 for every
        // point: within-point variance explodes, blocked variance does not.
        let mut c = Cycles::new(design2());
        c.record(&[5.0, 3.0, 7.0, 4.0, 9.0]).unwrap();
        c.record(&[16.0, 14.0, 18.0, 15.0, 19.0]).unwrap();
        let within = c.analyze(&config()).unwrap();
        let blocked = c.analyze(&EffectsConfig { variance: VarianceModel::CycleBlocked, ..config() }).unwrap();
        assert!(within.std_dev > 3.0);
        // Residuals: cycle 2 minus cycle 1 is 11,11,11,11,10: blocked ss from the one 1-unit deviation.
        assert_eq!(blocked.df, 4);
        assert!(blocked.std_dev < 0.5, "{}", blocked.std_dev);
        assert_eq!(within.main_effects[0].estimate, blocked.main_effects[0].estimate);
        assert!(blocked.main_effects[0].significant && !within.main_effects[0].significant);
    }

    #[test]
    fn negative_effect_moves_down_and_partial_moves_are_off_design() {
        let mut c = Cycles::new(design2());
        // Response falls with a, b does nothing.
        c.record(&[5.0, 7.0, 3.0, 7.1, 3.1]).unwrap();
        c.record(&[5.1, 7.1, 3.0, 7.0, 3.0]).unwrap();
        c.record(&[5.0, 7.0, 3.1, 7.0, 3.0]).unwrap();
        let r = c.analyze(&config()).unwrap();
        match r.recommendation {
            Recommendation::Move { point, moves, design_point } => {
                assert_eq!(point, OperatingPoint::new().with("a", 8.0).with("b", 1.0));
                assert_eq!(moves[0].factor, "a");
                assert!(moves[0].effect < 0.0);
                assert_eq!(design_point, None);
            }
            Recommendation::Stay => panic!("should move"),
        }
    }

    #[test]
    fn a_bound_blocks_the_move() {
        let c = OperatingPoint::new().with("a", 1.0);
        let d = Design::full_factorial(&c, &[Factor::new("a", 0.5).bounded(0.0, 1.0)]).unwrap();
        let mut cy = Cycles::new(d);
        // Points: center 1.0, low 0.5, high 1.0 (clamped). High equals the center.
        cy.record(&[2.0, 1.0, 2.0]).unwrap();
        cy.record(&[2.1, 1.1, 2.1]).unwrap();
        let r = cy.analyze(&config()).unwrap();
        assert!(r.main_effects[0].significant && r.main_effects[0].estimate > 0.0);
        assert_eq!(r.recommendation, Recommendation::Stay);
    }

    #[test]
    fn input_errors() {
        let mut c = Cycles::new(design2());
        assert_eq!(c.record(&[1.0; 4]), Err(EffectsError::WrongLength { expected: 5, got: 4 }));
        assert!(matches!(c.record(&[1.0, 1.0, f64::NAN, 1.0, 1.0]), Err(EffectsError::NonFinite { point: 2, .. })));
        c.record(&[1.0; 5]).unwrap();
        assert_eq!(c.analyze(&config()).unwrap_err(), EffectsError::NotEnoughCycles(1));
        let restored = Cycles::from_rows(design2(), c.rows().to_vec()).unwrap();
        assert_eq!(restored, c);
    }
}
