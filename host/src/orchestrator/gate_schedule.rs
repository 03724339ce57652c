//! When and how the orchestrator asks the promotion gate (`hft_evop::gate`)
//! about a challenger, and what it does with the answer.
//!
//! Each challenger has an evidence window: the ticks since it started, or
//! since the champion's logic last changed (a promotion or rollback makes
//! the old comparison meaningless). The gate looks at the window every
//! `interval_ticks`, at most `looks` times; the Bonferroni correction
//! divides alpha by `looks` times the number of challengers compared with
//! the current champion, so the false-promotion rate over every look and
//! challenger stays at or below 1 - confidence. After its last look a
//! challenger is *exhausted*: it keeps shadow-trading, but only an operator
//! can promote it.

use crate::config::EvopConfig;
use hft_evop::confidence::ConfidenceLevel;
use hft_evop::gate::{GateConfig, GateDecision, PromotionGate, RiskVerdict};
use hft_trading::risk::RiskState;
use serde_json::{Value, json};
use thiserror::Error;

/// An `[evop]` gate setting that cannot work.
#[derive(Debug, Error)]
#[error("[evop] {0}")]
pub struct GateScheduleError(String);

/// The gate's settings and its schedule.
#[derive(Debug, Clone, Copy)]
pub struct GateSchedule {
    /// Confidence, minimum record and batches (the gate's own settings);
    /// `challengers_tried` is filled in at each look.
    pub gate: GateConfig,
    /// Ticks between two looks at a challenger.
    pub interval_ticks: usize,
    /// Promote by itself when the gate passes; otherwise only report.
    pub auto_promote: bool,
}

impl GateSchedule {
    /// From `[evop]`, checked: a gate that could never pass (more looks'
    /// worth of ticks needed than allowed, too few batches) is refused here
    /// rather than discovered after a day of shadow trading.
    pub fn from_config(c: &EvopConfig) -> Result<GateSchedule, GateScheduleError> {
        let confidence = ConfidenceLevel::new(c.confidence_level)
            .map_err(|e| GateScheduleError(format!("confidence_level: {e}")))?;
        if c.gate_interval_ticks == 0 {
            return Err(GateScheduleError("gate_interval_ticks must be at least 1".into()));
        }
        let last_look = c.gate_interval_ticks.saturating_mul(c.gate_looks as usize);
        if c.min_track_record > last_look {
            return Err(GateScheduleError(format!(
                "min_track_record {} is longer than the last look ({} looks every {} ticks = {last_look}): no challenger could ever pass",
                c.min_track_record, c.gate_looks, c.gate_interval_ticks
            )));
        }
        let gate = GateConfig {
            looks: c.gate_looks,
            min_track_record: c.min_track_record,
            min_batches: c.min_batches,
            ..GateConfig::new(confidence)
        };
        PromotionGate::new(gate).map_err(|e| GateScheduleError(e.to_string()))?;
        Ok(GateSchedule { gate, interval_ticks: c.gate_interval_ticks, auto_promote: c.auto_promote })
    }

    /// Is a look due for a window that started at `window_start`, at tick
    /// `now`, with `looks_done` looks taken?
    pub fn due(&self, window_start: usize, now: usize, looks_done: u32) -> bool {
        looks_done < self.gate.looks && now >= window_start + self.interval_ticks * (looks_done as usize + 1)
    }

    /// Ask the gate, with `tried` challengers compared with this champion.
    pub fn evaluate(
        &self,
        champion: &[f64],
        challenger: &[f64],
        tried: u32,
        risk: &RiskVerdict,
    ) -> Result<GateDecision, String> {
        let gate = PromotionGate::new(GateConfig { challengers_tried: tried.max(1), ..self.gate })
            .map_err(|e| e.to_string())?;
        gate.evaluate(champion, challenger, risk).map_err(|e| e.to_string())
    }
}

/// The risk manager's word on promoting: no promotion while the champion's
/// book is halted (the kill switch, a breached limit), nor of a challenger
/// whose own paper book is not trading normally.
pub fn risk_verdict(champion: RiskState, challenger: RiskState) -> RiskVerdict {
    if champion == RiskState::Halted {
        return RiskVerdict::Veto { reason: "the champion's book is halted (kill switch or a limit)".into() };
    }
    if challenger != RiskState::Active {
        return RiskVerdict::Veto { reason: format!("the challenger's paper book is {challenger:?}") };
    }
    RiskVerdict::Allow
}

/// A challenger's standing with the gate.
#[derive(Debug, Clone, Default)]
pub struct GateStanding {
    /// The tick its evidence window starts at.
    pub window_start: usize,
    /// Looks taken in this window.
    pub looks_done: u32,
    /// The last look: at which tick, and what the gate said (or why it
    /// could not say).
    pub last: Option<(usize, Result<GateDecision, String>)>,
}

impl GateStanding {
    /// A fresh window from `tick`.
    pub fn restart(&mut self, tick: usize) {
        *self = GateStanding { window_start: tick, ..GateStanding::default() };
    }

    /// For `/status`: the verdict (`waiting`, `promote`, `refuse`,
    /// `exhausted`, `error`), a one-line reason, and the numbers.
    pub fn to_json(&self, schedule: &GateSchedule) -> Value {
        let looks = format!("{} of {}", self.looks_done, schedule.gate.looks);
        let Some((at, result)) = &self.last else {
            let next = self.window_start + schedule.interval_ticks;
            return json!({"verdict": "waiting", "reason": format!("first look at tick {next}"), "looks": looks});
        };
        match result {
            Err(e) => json!({"verdict": "error", "reason": e, "looks": looks, "at_tick": at}),
            Ok(d) => {
                let verdict = if d.promote {
                    "promote"
                } else if self.looks_done >= schedule.gate.looks {
                    "exhausted"
                } else {
                    "refuse"
                };
                let reason = d.refusals.first().map_or_else(|| d.outlook.to_string(), ToString::to_string);
                json!({
                    "verdict": verdict,
                    "reason": reason,
                    "looks": looks,
                    "at_tick": at,
                    "periods": d.stats.periods,
                    "p_value": d.stats.difference.as_ref().map(|t| t.p_value),
                    "adjusted_alpha": d.stats.adjusted_alpha,
                    "psr": d.stats.psr.as_ref().map(|p| p.psr),
                    "outlook": d.outlook.to_string(),
                })
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config() -> EvopConfig {
        EvopConfig { gate_interval_ticks: 100, gate_looks: 5, min_track_record: 200, ..EvopConfig::default() }
    }

    #[test]
    fn looks_fall_every_interval_up_to_the_limit() {
        let s = GateSchedule::from_config(&config()).unwrap();
        assert!(!s.due(50, 149, 0));
        assert!(s.due(50, 150, 0));
        assert!(!s.due(50, 150, 1));
        assert!(s.due(50, 250, 1));
        assert!(!s.due(50, 10_000, 5), "no sixth look");
    }

    #[test]
    fn a_gate_that_could_never_pass_is_refused_up_front() {
        let e = GateSchedule::from_config(&EvopConfig { min_track_record: 501, ..config() }).unwrap_err();
        assert!(e.to_string().contains("no challenger could ever pass"), "{e}");
        assert!(GateSchedule::from_config(&EvopConfig { confidence_level: 1.5, ..config() }).is_err());
        assert!(GateSchedule::from_config(&EvopConfig { min_batches: 1, ..config() }).is_err());
        assert!(GateSchedule::from_config(&EvopConfig { gate_interval_ticks: 0, ..config() }).is_err());
    }

    #[test]
    fn risk_vetoes_a_halted_champion_and_an_unhealthy_challenger() {
        assert_eq!(risk_verdict(RiskState::Active, RiskState::Active), RiskVerdict::Allow);
        assert!(matches!(risk_verdict(RiskState::Halted, RiskState::Active), RiskVerdict::Veto { .. }));
        assert!(matches!(risk_verdict(RiskState::Reducing, RiskState::Reducing), RiskVerdict::Veto { .. }));
        assert_eq!(risk_verdict(RiskState::Reducing, RiskState::Active), RiskVerdict::Allow);
    }

    #[test]
    fn the_status_says_what_the_gate_said() {
        let s = GateSchedule::from_config(&config()).unwrap();
        let mut g = GateStanding::default();
        g.restart(10);
        assert_eq!(g.to_json(&s)["reason"], "first look at tick 110");
        let same: Vec<f64> = (0..300).map(|t| 0.001 * (t as f64).sin()).collect();
        let d = s.evaluate(&same, &same, 1, &RiskVerdict::Allow).unwrap();
        g.looks_done = 1;
        g.last = Some((310, Ok(d)));
        let j = g.to_json(&s);
        assert_eq!(j["verdict"], "refuse", "{j}");
        assert_eq!(j["looks"], "1 of 5");
        assert!(j["reason"].as_str().unwrap().contains("not significant"), "{j}");
    }
}
