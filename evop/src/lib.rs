//! The statistics of hft-host's EVOP orchestrator: which parameter variants
//! to run, what their results say, and whether a challenger may replace the
//! champion. Pure functions of numbers: no I/O, no clock, no async, no wasm,
//! so the orchestrator, the admin API and an author's backtest all reach
//! the same decision from the same returns.
//!
//! - [`design`]: Evolutionary Operation's factorial design (Box 1957): a
//!   2^k full factorial (k <= 4) of small steps around the champion's
//!   parameters, plus the center point.
//! - [`effects`]: the design's responses over cycles; main effects,
//!   two-factor interactions and the change in mean, with standard errors
//!   from the cycle-to-cycle variation (Box & Draper 1969), and a
//!   recommendation to move the operating point or stay.
//! - [`gate`]: the promotion gate: a batch-means t-test on challenger minus
//!   champion returns at a Bonferroni-corrected level, the challenger's
//!   probabilistic Sharpe ratio against the champion's Sharpe ratio, a
//!   minimum track record and a risk veto, with every statistic in the
//!   decision.
//! - [`batch`], [`psr`], [`moments`]: the pieces of the gate, usable alone.
//! - [`dist`]: the normal and Student-t distributions, implemented and
//!   tested here.
//!
//! Conventions: returns are per period (the orchestrator's evaluation
//! period, the same for every strategy compared); Sharpe ratios are per
//! period, not annualized; responses of a design are "higher is better".
//! The exact test and formulas are in `evop/README.md`.
//!
//! ```
//! use hft_evop::confidence::ConfidenceLevel;
//! use hft_evop::design::{Design, Factor, OperatingPoint};
//! use hft_evop::effects::{Cycles, EffectsConfig, Recommendation, VarianceModel};
//! use hft_evop::gate::{GateConfig, PromotionGate, RiskVerdict};
//!
//! let level = ConfidenceLevel::new(0.99).unwrap();
//!
//! // EVOP: two parameters of the champion, one step either side.
//! let champion = OperatingPoint::new().with("entry_z", 2.0).with("window", 50.0);
//! let design = Design::full_factorial(
//!     &champion,
//!     &[Factor::new("entry_z", 0.25).bounded(0.5, 5.0), Factor::new("window", 10.0).integer()],
//! )
//! .unwrap();
//! assert_eq!(design.points().len(), 5); // the center (champion) and 4 challengers
//!
//! // Each cycle: one response per point (e.g. mean return over the cycle).
//! let mut cycles = Cycles::new(design);
//! for noise in [0.0, 0.1, -0.1, 0.05] {
//!     // entry_z up is better, window does nothing.
//!     cycles.record(&[1.0 + noise, 0.5 + noise, 1.5 + noise, 0.5 + noise, 1.5 - noise]).unwrap();
//! }
//! let report = cycles
//!     .analyze(&EffectsConfig { confidence: level, variance: VarianceModel::CycleBlocked })
//!     .unwrap();
//! assert!(report.main_effects[0].significant);
//! assert!(matches!(report.recommendation, Recommendation::Move { .. }));
//!
//! // The gate: challenger against champion over the same periods.
//! let gate = PromotionGate::new(GateConfig { challengers_tried: 4, ..GateConfig::new(level) }).unwrap();
//! let champion_returns: Vec<f64> = (0..1000).map(|t| 0.01 * (t as f64 * 1.3).sin()).collect();
//! let challenger_returns = champion_returns.clone();
//! let decision = gate.evaluate(&champion_returns, &challenger_returns, &RiskVerdict::Allow).unwrap();
//! assert!(!decision.promote); // the same strategy is no better
//! println!("{decision}");
//! ```
#![deny(missing_docs)]

pub mod batch;
pub mod confidence;
pub mod design;
pub mod dist;
pub mod effects;
pub mod gate;
pub mod moments;
pub mod psr;
