//! The promotion gate: does a challenger replace the champion?
//!
//! # The test
//!
//! Given the champion's and the challenger's returns over the same n
//! periods (per-period returns, aligned: same events, same timestamps), the
//! challenger is promoted when all of these hold:
//!
//! 1. **Track record**: n >= `min_track_record`.
//! 2. **Batches**: with b = the batch size ([`BatchSize`]), k = floor(n / b)
//!    >= `min_batches`.
//! 3. **Difference of means**: with d_t = r_challenger,t - r_champion,t, the
//!    one-sided batch-means t-test ([`batch_means_test`]) of mean(d) > 0
//!    has p < alpha / (m L), where alpha = 1 - confidence, m =
//!    `challengers_tried` and L = `looks` (Bonferroni over every test that
//!    could have promoted something).
//! 4. **Probabilistic Sharpe ratio**: PSR(SR*) > confidence, with SR and
//!    the skewness and kurtosis of the challenger's returns over all n
//!    periods and SR* the champion's Sharpe ratio over the same periods
//!    ([`probabilistic_sharpe_ratio`]).
//! 5. **Risk**: the risk manager does not veto.
//!
//! # Why it holds its error rate
//!
//! If no challenger is better (mean(d) <= 0 for each), test 3 alone
//! rejects with probability at most alpha / (m L) for each challenger and
//! look, given batches long enough for the batch means to be nearly
//! independent and normal; by Bonferroni's inequality the probability that
//! any of the m challengers is promoted at any of the L looks is at most
//! alpha. Requiring 4 (and 1, 2, 5) as well can only lower it. The PSR is not
//! an error-controlling test on its own here (it treats SR* as known and
//! ignores autocorrelation); it is a second, necessary condition, so that
//! a higher mean bought with more risk, or with fat left tails, does not
//! pass. `tests/false_promotion.rs` measures the false-promotion rate on
//! simulated data.
//!
//! Bonferroni rather than Holm: the gate sees one challenger at a time as
//! its evidence arrives, not a family of p-values at once, and Holm's
//! step-down needs the whole family; with the history of p-values kept,
//! Holm would be uniformly more powerful, and m is the caller's to count.
//!
//! # Looks
//!
//! The test is a fixed-sample test. If the orchestrator evaluates the same
//! challenger repeatedly as its record grows and promotes at the first
//! pass, each evaluation is another chance for a false promotion: set
//! `looks` to the number of evaluations it will make per challenger (e.g.
//! one per EVOP cycle, up to a maximum), or evaluate once at a planned
//! record length.

use crate::batch::{AUTO_MAX_BATCHES, BatchMeansTest, BatchSize, batch_means_test};
use crate::confidence::ConfidenceLevel;
use crate::dist::{StudentT, normal_quantile};
use crate::moments::ReturnMoments;
use crate::psr::{Psr, PsrError, probabilistic_sharpe_ratio};
use serde::{Deserialize, Serialize};
use std::fmt;

/// The gate's configuration as read from configuration files or the API;
/// [`PromotionGate::new`] checks it.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GateConfig {
    /// `EVOP_CONFIDENCE_LEVEL`: the false-promotion rate is held at
    /// 1 - confidence over all challengers and looks, and the PSR must
    /// exceed it.
    pub confidence: ConfidenceLevel,
    /// m: the number of challengers tried so far, including this one, for
    /// the Bonferroni correction. Count every challenger ever compared with
    /// this champion (uploaded components and parameter variants alike),
    /// not only those still running.
    pub challengers_tried: u32,
    /// L: how many times each challenger is evaluated (see the module
    /// documentation). 1 for a single evaluation at a planned record length.
    #[serde(default = "one")]
    pub looks: u32,
    /// Minimum number of periods before a promotion.
    pub min_track_record: usize,
    /// How periods are batched.
    #[serde(default = "auto")]
    pub batch_size: BatchSize,
    /// Minimum number of complete batches (at least 2; Schmeiser
    /// recommends at least 10). With [`BatchSize::Auto`] at most
    /// [`AUTO_MAX_BATCHES`], which is the most that rule makes.
    pub min_batches: usize,
}

fn one() -> u32 {
    1
}

fn auto() -> BatchSize {
    BatchSize::Auto
}

impl GateConfig {
    /// A configuration at `confidence` with the defaults: one challenger
    /// tried, one look, 500 periods, automatic batches, at least 10 batches.
    /// The period count is a floor, not a recommendation: set it from the
    /// period length and the Sharpe ratios at stake (see
    /// [`Outlook::MorePeriods`]).
    pub fn new(confidence: ConfidenceLevel) -> Self {
        Self {
            confidence,
            challengers_tried: 1,
            looks: 1,
            min_track_record: 500,
            batch_size: BatchSize::Auto,
            min_batches: 10,
        }
    }
}

/// One problem with a [`GateConfig`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ConfigProblem {
    /// m = 0: the challenger being judged counts, so m >= 1.
    #[error("challengers_tried must be at least 1 (the challenger being judged counts)")]
    NoChallengers,
    /// L = 0.
    #[error("looks must be at least 1")]
    NoLooks,
    /// A fixed batch size of 0.
    #[error("a fixed batch size must be at least 1")]
    ZeroBatchSize,
    /// min_batches < 2: no standard error.
    #[error("min_batches {0} is below 2: a batch-means standard error needs 2 batches")]
    TooFewMinBatches(usize),
    /// min_batches above what the automatic rule ever makes.
    #[error("min_batches {0} is above {max}, the most batches the automatic batch size makes", max = AUTO_MAX_BATCHES)]
    UnreachableMinBatches(usize),
}

/// A [`GateConfig`] was refused; every problem is listed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid promotion gate configuration: {}", .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "))]
pub struct GateConfigError(pub Vec<ConfigProblem>);

/// Which series an input error is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Series {
    /// The champion's returns.
    Champion,
    /// The challenger's returns.
    Challenger,
}

impl fmt::Display for Series {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Series::Champion => "champion",
            Series::Challenger => "challenger",
        })
    }
}

/// The return series cannot be compared at all (a caller bug, not a
/// statistical outcome).
#[derive(Debug, Clone, Copy, PartialEq, thiserror::Error)]
pub enum GateInputError {
    /// The series are not aligned.
    #[error("the series are not aligned: champion has {champion} periods, challenger {challenger}")]
    LengthMismatch {
        /// Champion periods.
        champion: usize,
        /// Challenger periods.
        challenger: usize,
    },
    /// A return is NaN or infinite.
    #[error("{series} return at period {index} is not finite ({value})")]
    NonFinite {
        /// Which series.
        series: Series,
        /// Period index.
        index: usize,
        /// The value.
        value: f64,
    },
}

/// The risk manager's say on a promotion.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "verdict")]
pub enum RiskVerdict {
    /// No objection.
    Allow,
    /// Vetoed, with the risk manager's reason (e.g. a limit the challenger's
    /// positions would breach, or the kill switch).
    Veto {
        /// Why.
        reason: String,
    },
}

/// Why a challenger was not promoted; a decision lists every reason that
/// applies, in this order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "refusal")]
pub enum Refusal {
    /// Fewer periods than `min_track_record`.
    TrackRecordTooShort {
        /// Periods observed.
        periods: usize,
        /// Periods required.
        required: usize,
    },
    /// Fewer complete batches than `min_batches`.
    TooFewBatches {
        /// Batches.
        batches: usize,
        /// Batches required.
        required: usize,
    },
    /// The difference-of-means test did not reject (p >= adjusted alpha).
    NotSignificant {
        /// One-sided p-value.
        p_value: f64,
        /// alpha / (m L).
        adjusted_alpha: f64,
    },
    /// The PSR did not exceed the confidence level.
    PsrTooLow {
        /// The PSR.
        psr: f64,
        /// The level it must exceed.
        required: f64,
    },
    /// The PSR could not be computed (too few periods, or a degenerate
    /// series).
    PsrUndefined {
        /// Why.
        error: PsrError,
    },
    /// The risk manager vetoed.
    RiskVeto {
        /// Its reason.
        reason: String,
    },
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Refusal::TrackRecordTooShort { periods, required } => {
                write!(f, "track record too short: {periods} periods, {required} required")
            }
            Refusal::TooFewBatches { batches, required } => {
                write!(f, "too few batches: {batches}, {required} required")
            }
            Refusal::NotSignificant { p_value, adjusted_alpha } => {
                write!(f, "not significant: p = {p_value:.4e} >= adjusted alpha {adjusted_alpha:.4e}")
            }
            Refusal::PsrTooLow { psr, required } => write!(f, "PSR {psr:.4} does not exceed {required}"),
            Refusal::PsrUndefined { error } => write!(f, "PSR undefined: {error}"),
            Refusal::RiskVeto { reason } => write!(f, "vetoed by risk: {reason}"),
        }
    }
}

/// Everything the gate computed, for the API and for reports.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GateStats {
    /// Periods n.
    pub periods: usize,
    /// Batch size b used.
    pub batch_size: usize,
    /// Complete batches k = floor(n / b).
    pub batches: usize,
    /// The difference-of-means test; `None` with fewer than 2 batches.
    pub difference: Option<BatchMeansTest>,
    /// alpha = 1 - confidence.
    pub alpha: f64,
    /// m L, the number of tests alpha is shared between.
    pub comparisons: u64,
    /// alpha / (m L), the level of the difference test.
    pub adjusted_alpha: f64,
    /// t_{1 - adjusted alpha, k - 1}: the t the difference test needs;
    /// `None` with fewer than 2 batches.
    pub t_critical: Option<f64>,
    /// The challenger's return moments over all n periods (`None` below 2).
    pub challenger: Option<ReturnMoments>,
    /// The champion's return moments over the same periods.
    pub champion: Option<ReturnMoments>,
    /// The challenger's PSR against the champion's Sharpe ratio.
    pub psr: Option<Psr>,
    /// The level the PSR must exceed (the confidence level).
    pub psr_required: f64,
}

/// Could the challenger pass with a longer record? A projection that
/// assumes its current edge and dispersion persist: a rough guide for an
/// author's backtest ("could this ever be promoted?"), not a promise.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "outlook")]
pub enum Outlook {
    /// The statistical conditions (1 to 4) hold now.
    Passes,
    /// About this many periods in total would make conditions 1 to 4 hold:
    /// the largest of `min_track_record`, the periods for `min_batches`
    /// batches, n (t_critical / t)^2 for the difference test (t grows as
    /// sqrt(n) at a constant edge), and the PSR's minimum track record
    /// length (Bailey & Lopez de Prado 2012).
    MorePeriods {
        /// Estimated total periods.
        estimated_periods: u64,
    },
    /// No record length would do at the current estimates.
    NotOnCurrentEvidence {
        /// Why.
        why: String,
    },
    /// Too little data to project (fewer than 2 batches or 2 periods).
    Unknown,
}

impl fmt::Display for Outlook {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Outlook::Passes => f.write_str("passes the statistical conditions now"),
            Outlook::MorePeriods { estimated_periods } => {
                write!(f, "could pass after about {estimated_periods} periods if its edge persists")
            }
            Outlook::NotOnCurrentEvidence { why } => {
                write!(f, "would not pass at any record length on the current estimates: {why}")
            }
            Outlook::Unknown => f.write_str("too little data to tell"),
        }
    }
}

/// The gate's decision on one challenger.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GateDecision {
    /// True when every condition holds: replace the champion.
    pub promote: bool,
    /// Every reason the challenger was not promoted (empty when promoted).
    pub refusals: Vec<Refusal>,
    /// The statistics behind the decision.
    pub stats: GateStats,
    /// What a longer record could do.
    pub outlook: Outlook,
}

impl fmt::Display for GateDecision {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = &self.stats;
        writeln!(f, "promotion gate: {}", if self.promote { "PROMOTE" } else { "refuse" })?;
        writeln!(f, "  periods {}, batches {} of {}", s.periods, s.batches, s.batch_size)?;
        match &s.difference {
            Some(d) => writeln!(
                f,
                "  mean difference {:.6e} per period, batch-means SE {:.6e}, t = {:.4} on {} df, p = {:.4e} (one-sided)",
                d.mean, d.std_error, d.t, d.df, d.p_value
            )?,
            None => writeln!(f, "  difference test: not enough batches")?,
        }
        writeln!(
            f,
            "  alpha {:.4} / {} comparisons = {:.4e}{}",
            s.alpha,
            s.comparisons,
            s.adjusted_alpha,
            s.t_critical.map(|t| format!(", t needed {t:.4}")).unwrap_or_default()
        )?;
        if let Some(p) = &s.psr {
            writeln!(
                f,
                "  Sharpe per period: challenger {:.5}, champion {:.5}; skewness {:.3}, kurtosis {:.3}; PSR {:.5} (must exceed {})",
                p.sharpe, p.benchmark, p.skewness, p.kurtosis, p.psr, s.psr_required
            )?;
        }
        for r in &self.refusals {
            writeln!(f, "  - {r}")?;
        }
        write!(f, "  outlook: {}", self.outlook)
    }
}

/// The promotion gate with a checked configuration.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PromotionGate {
    config: GateConfig,
}

impl PromotionGate {
    /// Checks `config`, listing every problem.
    pub fn new(config: GateConfig) -> Result<Self, GateConfigError> {
        let mut problems = Vec::new();
        if config.challengers_tried == 0 {
            problems.push(ConfigProblem::NoChallengers);
        }
        if config.looks == 0 {
            problems.push(ConfigProblem::NoLooks);
        }
        if config.batch_size == BatchSize::Fixed(0) {
            problems.push(ConfigProblem::ZeroBatchSize);
        }
        if config.min_batches < 2 {
            problems.push(ConfigProblem::TooFewMinBatches(config.min_batches));
        }
        if config.batch_size == BatchSize::Auto && config.min_batches > AUTO_MAX_BATCHES {
            problems.push(ConfigProblem::UnreachableMinBatches(config.min_batches));
        }
        if problems.is_empty() { Ok(Self { config }) } else { Err(GateConfigError(problems)) }
    }

    /// The configuration.
    pub fn config(&self) -> &GateConfig {
        &self.config
    }

    /// m L.
    pub fn comparisons(&self) -> u64 {
        u64::from(self.config.challengers_tried) * u64::from(self.config.looks)
    }

    /// alpha / (m L): the level of the difference-of-means test.
    pub fn adjusted_alpha(&self) -> f64 {
        self.config.confidence.alpha() / self.comparisons() as f64
    }

    /// Judges a challenger against the champion over the same periods.
    ///
    /// `champion[t]` and `challenger[t]` are the two strategies' returns in
    /// period t (per-period returns of their books, champion on the real
    /// book, challenger on its paper book, over the same events). An error
    /// only for inputs that cannot be compared (different lengths, NaN or
    /// infinite values); every statistical outcome is a [`GateDecision`].
    pub fn evaluate(
        &self,
        champion: &[f64],
        challenger: &[f64],
        risk: &RiskVerdict,
    ) -> Result<GateDecision, GateInputError> {
        if champion.len() != challenger.len() {
            return Err(GateInputError::LengthMismatch { champion: champion.len(), challenger: challenger.len() });
        }
        for (series, values) in [(Series::Champion, champion), (Series::Challenger, challenger)] {
            if let Some((index, &value)) = values.iter().enumerate().find(|(_, v)| !v.is_finite()) {
                return Err(GateInputError::NonFinite { series, index, value });
            }
        }
        let cfg = &self.config;
        let periods = champion.len();
        let batch_size = cfg.batch_size.resolve(periods);
        let batches = periods / batch_size;
        let alpha = cfg.confidence.alpha();
        let adjusted_alpha = self.adjusted_alpha();

        let diff: Vec<f64> = challenger.iter().zip(champion).map(|(c, h)| c - h).collect();
        // Inputs are finite and batch_size >= 1, so the only failure is too
        // few batches, which the decision reports.
        let difference = batch_means_test(&diff, batch_size).ok();
        let t_critical = difference
            .as_ref()
            .and_then(|d| StudentT::new(d.df as f64).ok())
            .and_then(|t| t.quantile(1.0 - adjusted_alpha).ok());

        let challenger_moments = ReturnMoments::of(challenger).ok();
        let champion_moments = ReturnMoments::of(champion).ok();
        let psr = match (&challenger_moments, &champion_moments) {
            (Some(c), Some(h)) => match h.sharpe() {
                Some(benchmark) => probabilistic_sharpe_ratio(c, benchmark),
                None => Err(PsrError::BenchmarkUndefined),
            },
            _ => Err(PsrError::TooFewPeriods { periods }),
        };

        let mut refusals = Vec::new();
        if periods < cfg.min_track_record {
            refusals.push(Refusal::TrackRecordTooShort { periods, required: cfg.min_track_record });
        }
        if batches < cfg.min_batches {
            refusals.push(Refusal::TooFewBatches { batches, required: cfg.min_batches });
        }
        if let Some(d) = &difference
            && d.p_value >= adjusted_alpha
        {
            refusals.push(Refusal::NotSignificant { p_value: d.p_value, adjusted_alpha });
        }
        match &psr {
            Ok(p) if p.psr > cfg.confidence.level() => {}
            Ok(p) => refusals.push(Refusal::PsrTooLow { psr: p.psr, required: cfg.confidence.level() }),
            Err(error) => refusals.push(Refusal::PsrUndefined { error: *error }),
        }
        let statistical_pass = refusals.is_empty();
        if let RiskVerdict::Veto { reason } = risk {
            refusals.push(Refusal::RiskVeto { reason: reason.clone() });
        }

        let stats = GateStats {
            periods,
            batch_size,
            batches,
            difference,
            alpha,
            comparisons: self.comparisons(),
            adjusted_alpha,
            t_critical,
            challenger: challenger_moments,
            champion: champion_moments,
            psr: psr.ok(),
            psr_required: cfg.confidence.level(),
        };
        let outlook = if statistical_pass { Outlook::Passes } else { self.project(&stats) };
        Ok(GateDecision { promote: refusals.is_empty(), refusals, stats, outlook })
    }

    fn project(&self, stats: &GateStats) -> Outlook {
        let (Some(d), Some(t_crit), Some(psr)) = (&stats.difference, stats.t_critical, &stats.psr) else {
            return Outlook::Unknown;
        };
        if d.mean <= 0.0 {
            return Outlook::NotOnCurrentEvidence {
                why: "the challenger does not beat the champion on mean return".into(),
            };
        }
        if psr.sharpe <= psr.benchmark {
            return Outlook::NotOnCurrentEvidence {
                why: "the challenger's Sharpe ratio is not above the champion's".into(),
            };
        }
        let cfg = &self.config;
        let used = (d.batches * d.batch_size) as f64;
        let for_t = if d.t.is_finite() { used * (t_crit / d.t).powi(2) } else { used };
        // PSR > level at n - 1 = variance term (z / edge)^2 (MinTRL).
        let z = normal_quantile(cfg.confidence.level()).unwrap_or(f64::INFINITY);
        let variance_term = (psr.sharpe_std_error * psr.sharpe_std_error) * (psr.periods as f64 - 1.0);
        let edge = psr.sharpe - psr.benchmark;
        let for_psr = 1.0 + variance_term * (z / edge) * (z / edge);
        let needed = for_t.max(for_psr).max(cfg.min_track_record as f64).max(self.periods_for_batches() as f64);
        if !needed.is_finite() || needed > 1e15 {
            return Outlook::NotOnCurrentEvidence { why: "the edge is too small to measure".into() };
        }
        // Margin of one period for rounding at the boundary.
        Outlook::MorePeriods { estimated_periods: needed.ceil() as u64 + 1 }
    }

    /// The fewest periods that give `min_batches` complete batches.
    fn periods_for_batches(&self) -> usize {
        let need = self.config.min_batches;
        match self.config.batch_size {
            BatchSize::Fixed(b) => need.saturating_mul(b),
            BatchSize::Auto => (need..need.saturating_mul(1000))
                .find(|&n| n / BatchSize::Auto.resolve(n) >= need)
                .unwrap_or(usize::MAX),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gate(level: f64, m: u32) -> PromotionGate {
        let mut c = GateConfig::new(ConfidenceLevel::new(level).unwrap());
        c.challengers_tried = m;
        c.min_track_record = 100;
        PromotionGate::new(c).unwrap()
    }

    /// A deterministic, wiggly but not random series for unit tests.
    fn wiggle(n: usize, mean: f64, amp: f64, phase: f64) -> Vec<f64> {
        (0..n)
            .map(|t| mean + amp * ((t as f64) * 1.7 + phase).sin() * (1.0 + 0.3 * ((t as f64) * 0.37).cos()))
            .collect()
    }

    #[test]
    fn identical_strategies_are_not_promoted() {
        let r = wiggle(1000, 0.001, 0.01, 0.0);
        let d = gate(0.95, 1).evaluate(&r, &r, &RiskVerdict::Allow).unwrap();
        assert!(!d.promote);
        let diff = d.stats.difference.unwrap();
        assert_eq!((diff.t, diff.p_value), (0.0, 0.5));
        assert_eq!(d.stats.psr.unwrap().psr, 0.5);
        assert!(matches!(d.outlook, Outlook::NotOnCurrentEvidence { .. }), "{}", d.outlook);
    }

    #[test]
    fn leverage_is_not_an_edge() {
        // Twice the champion's returns: a higher mean when it is positive,
        // so the difference test passes, but exactly the same Sharpe ratio.
        let champion = wiggle(2000, 0.002, 0.01, 0.3);
        let levered: Vec<f64> = champion.iter().map(|r| 2.0 * r).collect();
        let d = gate(0.95, 1).evaluate(&champion, &levered, &RiskVerdict::Allow).unwrap();
        assert!(d.stats.difference.unwrap().p_value < 1e-6);
        let psr = d.stats.psr.unwrap();
        assert!((psr.psr - 0.5).abs() < 1e-9, "{}", psr.psr);
        assert!(!d.promote);
        assert!(matches!(d.refusals[..], [Refusal::PsrTooLow { .. }]), "{:?}", d.refusals);
    }

    #[test]
    fn a_clear_edge_is_promoted_and_every_statistic_is_reported() {
        let champion = wiggle(1000, 0.0, 0.01, 0.0);
        let edge = wiggle(1000, 0.003, 0.002, 1.1);
        let challenger: Vec<f64> = champion.iter().zip(&edge).map(|(a, b)| a + b).collect();
        let g = gate(0.99, 4);
        let d = g.evaluate(&champion, &challenger, &RiskVerdict::Allow).unwrap();
        assert!(d.promote, "{d}");
        assert!(d.refusals.is_empty());
        assert_eq!(d.outlook, Outlook::Passes);
        let s = &d.stats;
        assert_eq!((s.periods, s.batch_size, s.batches), (1000, 50, 20));
        assert_eq!(s.comparisons, 4);
        assert!((s.adjusted_alpha - 0.0025).abs() < 1e-15);
        let t_crit = StudentT::new(19.0).unwrap().quantile(1.0 - 0.0025).unwrap();
        assert_eq!(s.t_critical, Some(t_crit));
        let text = d.to_string();
        assert!(text.contains("PROMOTE") && text.contains("PSR"), "{text}");
    }

    #[test]
    fn the_risk_veto_overrides_the_statistics() {
        let champion = wiggle(1000, 0.0, 0.01, 0.0);
        let challenger: Vec<f64> = champion.iter().map(|r| r + 0.003).collect::<Vec<_>>();
        let challenger: Vec<f64> = challenger.iter().zip(wiggle(1000, 0.0, 0.002, 2.0)).map(|(a, b)| a + b).collect();
        let veto = RiskVerdict::Veto { reason: "gross exposure above limit".into() };
        let d = gate(0.99, 1).evaluate(&champion, &challenger, &veto).unwrap();
        assert!(!d.promote);
        assert_eq!(d.refusals, vec![Refusal::RiskVeto { reason: "gross exposure above limit".into() }]);
        assert_eq!(d.outlook, Outlook::Passes, "the statistics pass; only risk said no");
    }

    #[test]
    fn short_records_are_refused_with_a_projection() {
        let champion = wiggle(60, 0.0, 0.01, 0.0);
        let challenger: Vec<f64> = champion.iter().zip(wiggle(60, 0.0005, 0.01, 0.5)).map(|(a, b)| a + b).collect();
        let d = gate(0.99, 1).evaluate(&champion, &challenger, &RiskVerdict::Allow).unwrap();
        assert!(!d.promote);
        assert!(matches!(d.refusals[0], Refusal::TrackRecordTooShort { periods: 60, required: 100 }));
        match d.outlook {
            Outlook::MorePeriods { estimated_periods } => assert!(estimated_periods >= 100),
            other => panic!("{other:?}"),
        }
        let tiny = gate(0.99, 1).evaluate(&[0.1], &[0.2], &RiskVerdict::Allow).unwrap();
        assert!(!tiny.promote);
        assert_eq!(tiny.outlook, Outlook::Unknown);
        assert!(tiny.refusals.iter().any(|r| matches!(r, Refusal::PsrUndefined { .. })));
        let empty = gate(0.99, 1).evaluate(&[], &[], &RiskVerdict::Allow).unwrap();
        assert!(!empty.promote);
    }

    #[test]
    fn bonferroni_divides_alpha_by_challengers_and_looks() {
        let mut c = GateConfig::new(ConfidenceLevel::new(0.99).unwrap());
        c.challengers_tried = 5;
        c.looks = 4;
        let g = PromotionGate::new(c).unwrap();
        assert_eq!(g.comparisons(), 20);
        assert!((g.adjusted_alpha() - 0.01 / 20.0).abs() < 1e-18);
    }

    #[test]
    fn bad_inputs_are_errors_not_decisions() {
        let g = gate(0.95, 1);
        assert_eq!(
            g.evaluate(&[0.0; 3], &[0.0; 4], &RiskVerdict::Allow).unwrap_err(),
            GateInputError::LengthMismatch { champion: 3, challenger: 4 }
        );
        assert!(matches!(
            g.evaluate(&[0.0, f64::NAN], &[0.0; 2], &RiskVerdict::Allow),
            Err(GateInputError::NonFinite { series: Series::Champion, index: 1, .. })
        ));
        assert!(matches!(
            g.evaluate(&[0.0; 2], &[f64::INFINITY, 0.0], &RiskVerdict::Allow),
            Err(GateInputError::NonFinite { series: Series::Challenger, index: 0, .. })
        ));
    }

    #[test]
    fn config_problems_are_all_listed() {
        let mut c = GateConfig::new(ConfidenceLevel::new(0.99).unwrap());
        c.challengers_tried = 0;
        c.looks = 0;
        c.min_batches = 1;
        let err = PromotionGate::new(c).unwrap_err();
        assert_eq!(
            err.0,
            vec![ConfigProblem::NoChallengers, ConfigProblem::NoLooks, ConfigProblem::TooFewMinBatches(1)]
        );
        c = GateConfig::new(ConfidenceLevel::new(0.99).unwrap());
        c.min_batches = 21;
        assert_eq!(PromotionGate::new(c).unwrap_err().0, vec![ConfigProblem::UnreachableMinBatches(21)]);
        c.batch_size = BatchSize::Fixed(0);
        assert!(PromotionGate::new(c).unwrap_err().0.contains(&ConfigProblem::ZeroBatchSize));
        c.batch_size = BatchSize::Fixed(10);
        assert!(PromotionGate::new(c).is_ok(), "21 batches of 10 are reachable");
    }

    #[test]
    fn config_from_json() {
        let c: GateConfig = serde_json::from_str(
            r#"{"confidence":0.99,"challengers_tried":3,"min_track_record":2000,"min_batches":20,"batch_size":{"fixed":50}}"#,
        )
        .unwrap();
        assert_eq!(c.looks, 1);
        assert_eq!(c.batch_size, BatchSize::Fixed(50));
        assert!(
            serde_json::from_str::<GateConfig>(
                r#"{"confidence":99,"challengers_tried":3,"min_track_record":1,"min_batches":2}"#
            )
            .is_err()
        );
        assert!(
            serde_json::from_str::<GateConfig>(
                r#"{"confidence":0.9,"challengers_tried":3,"min_track_record":1,"min_batches":2,"typo":1}"#
            )
            .is_err()
        );
    }

    #[test]
    fn decisions_serialize_for_the_api() {
        let r = wiggle(300, 0.001, 0.01, 0.0);
        let d = gate(0.95, 1).evaluate(&r, &r, &RiskVerdict::Veto { reason: "kill switch".into() }).unwrap();
        let json = serde_json::to_string(&d).unwrap();
        assert!(json.contains(r#""refusal":"risk_veto""#), "{json}");
        let back: GateDecision = serde_json::from_str(&json).unwrap();
        assert_eq!(back, d);
    }
}
