//! The champion and its challengers on the real components: challengers
//! shadow-trade every tick in their own paper accounts; promotion swaps a
//! challenger's warm models and strategy into the champion between two
//! ticks (no tick dropped or seen twice, the state carried over), rollback
//! swaps back, a drawdown after promotion rolls back by itself, and a
//! challenger that traps is quarantined while the champion trades on.

mod common;

use hft_host::config::{EvopConfig, EvopDesignConfig, EvopFactorConfig};
use hft_host::config::{RunConfig, Speed, StrategyConfig};
use hft_host::orchestrator::{ChallengerSpec, EvopCycles, GateSchedule, Orchestrator};
use hft_host::pipeline::Session;
use hft_trading::domain::Money;
use hft_trading::execution::Fill;
use hft_trading::market::MarketEvent;
use std::collections::BTreeMap;
use std::time::Instant;

fn variant(id: &str, params: &[(&str, toml::Value)]) -> ChallengerSpec {
    ChallengerSpec {
        id: id.to_string(),
        strategy_params: params.iter().map(|(k, v)| (k.to_string(), v.clone())).collect(),
        ..Default::default()
    }
}

fn bits(board: &[f64]) -> Vec<u64> {
    board.iter().map(|v| v.to_bits()).collect()
}

/// Every tick of the bundled data.
fn ticks(cfg: &RunConfig) -> Vec<Vec<MarketEvent>> {
    let rt = common::runtime();
    let mut s = Session::open(cfg, &rt, Speed::Max).unwrap();
    let mut out = Vec::new();
    let mut tick = Vec::new();
    while s.next_tick(&mut tick).unwrap() {
        out.push(tick.clone());
    }
    out
}

/// A fresh pipeline on `cfg` (the embedded run's), ticked by hand.
fn pipeline(cfg: &RunConfig) -> hft_host::pipeline::Pipeline {
    Session::open(cfg, &common::runtime(), Speed::Max).unwrap().pipeline
}

#[test]
fn a_challenger_with_the_champions_logic_trades_the_same_book() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = common::default_config(dir.path());
    let rt = common::runtime();
    let mut o = Orchestrator::new(pipeline(&cfg), "champion", 5, None);
    o.add(variant("twin", &[]), &cfg, &rt, Money(cfg.run.initial_capital)).unwrap();
    let mut fills: (Vec<Fill>, Vec<Fill>) = Default::default();
    for t in ticks(&cfg) {
        o.on_tick(&t, Instant::now());
        fills.0.extend_from_slice(o.champion().last_fills());
        fills.1.extend_from_slice(o.challengers()[0].pipeline.last_fills());
    }
    assert!(fills.0.len() > 50);
    assert_eq!(fills.0, fills.1, "same logic, same data, same capital: same fills");
    assert_eq!(o.champion_returns(), o.challengers()[0].returns.as_slice());
    assert!(o.add(variant("twin", &[]), &cfg, &rt, Money(cfg.run.initial_capital)).is_err(), "ids are unique");
}

#[test]
fn promotion_carries_the_challengers_warm_state_and_rollback_swaps_back() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = common::default_config(dir.path());
    let rt = common::runtime();
    let loose = variant("loose", &[("entry-z", toml::Value::Float(1.5)), ("exit-z", toml::Value::Float(0.25))]);
    let data = ticks(&cfg);

    // References: each logic alone, from the first tick, never swapped.
    let mut alone_a = pipeline(&cfg);
    let mut alone_b = pipeline(&loose.apply(&cfg).unwrap());

    let mut o = Orchestrator::new(pipeline(&cfg), "champion", 5, None);
    o.add(loose.clone(), &cfg, &rt, Money(cfg.run.initial_capital)).unwrap();
    let (promote_at, rollback_at) = (data.len() / 3, 2 * data.len() / 3);
    for (n, t) in data.iter().enumerate() {
        if n == promote_at {
            let r = o.promote("loose").unwrap().clone();
            assert_eq!((r.action, r.now_champion.as_str(), r.demoted_to.as_str()), ("promote", "loose", "champion"));
            assert_eq!(o.champion_id(), "loose");
        }
        if n == rollback_at {
            let r = o.rollback().unwrap().clone();
            assert_eq!((r.now_champion.as_str(), r.demoted_to.as_str()), ("champion", "loose"));
        }
        o.on_tick(t, Instant::now());
        alone_a.on_tick(t, Instant::now());
        alone_b.on_tick(t, Instant::now());
        // The champion's models are, at every tick, exactly those of the
        // logic it runs, as if that logic had run alone from the start: the
        // swap carried the state over and no tick was lost or repeated.
        let want = if (promote_at..rollback_at).contains(&n) { &alone_b } else { &alone_a };
        assert_eq!(bits(o.champion().board()), bits(want.board()), "tick {n}");
        let other = if (promote_at..rollback_at).contains(&n) { &alone_a } else { &alone_b };
        assert_eq!(bits(o.challengers()[0].pipeline.board()), bits(other.board()), "challenger at tick {n}");
    }
    assert_eq!(o.champion().counters.ticks as usize, data.len(), "the champion's book saw every tick once");
    assert_eq!(o.swaps.len(), 2);
    assert_eq!(o.swap_pauses.len(), 2);
    o.into_champion().portfolio().reconcile().expect("the books reconcile across the swaps");
}

#[test]
fn the_gate_promotes_a_better_challenger_by_itself_and_never_a_twin() {
    let dir = tempfile::tempdir().unwrap();
    let base = common::default_config(dir.path());
    // A champion that churns: it enters on every small deviation and pays
    // the taker fee each time. One challenger runs the same logic (no
    // better, must never be promoted); one trades only clear deviations.
    let churn = variant("churn", &[("entry-z", toml::Value::Float(0.3)), ("exit-z", toml::Value::Float(0.05))]);
    let cfg = churn.apply(&base).unwrap();
    let rt = common::runtime();
    let evop = EvopConfig {
        confidence_level: 0.9,
        gate_interval_ticks: 1000,
        gate_looks: 9,
        min_track_record: 2000,
        ..EvopConfig::default()
    };
    let mut o =
        Orchestrator::new(pipeline(&cfg), "champion", 5, None).with_gate(GateSchedule::from_config(&evop).unwrap());
    let capital = Money(cfg.run.initial_capital);
    o.add(variant("twin", &[]), &cfg, &rt, capital).unwrap();
    o.add(
        variant("calm", &[("entry-z", toml::Value::Float(2.0)), ("exit-z", toml::Value::Float(0.5))]),
        &cfg,
        &rt,
        capital,
    )
    .unwrap();
    let mut seen = Vec::new();
    for t in ticks(&cfg) {
        o.on_tick(&t, Instant::now());
        for c in o.challengers() {
            if let Some((at, Ok(d))) = &c.gate.last
                && *at == o.ticks()
            {
                seen.push(format!("tick {at} {}: {}", c.spec.id, d));
            }
        }
    }
    let log = seen.join("\n");
    let actions: Vec<(&str, &str)> = o.swaps.iter().map(|s| (s.action, s.now_champion.as_str())).collect();
    assert_eq!(actions, [("gate-promote", "calm")], "{log}");
    assert_eq!(o.champion_id(), "calm");
    assert!(!log.contains("twin: promotion gate: PROMOTE"), "{log}");
    // After the promotion every window restarted: the next looks are a full
    // interval later, against the new champion.
    let at = o.swaps[0].at_tick;
    for c in o.challengers() {
        assert_eq!(c.gate.window_start, at, "{}", c.spec.id);
    }
}

#[test]
fn a_challengers_evidence_starts_after_the_warm_up_its_strategy_declares() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = common::default_config(dir.path());
    let rt = common::runtime();
    let evop = EvopConfig { gate_interval_ticks: 1000, min_track_record: 500, ..EvopConfig::default() };
    let mut o =
        Orchestrator::new(pipeline(&cfg), "champion", 5, None).with_gate(GateSchedule::from_config(&evop).unwrap());
    let capital = Money(cfg.run.initial_capital);
    let all = ticks(&cfg);
    for t in &all[..500] {
        o.on_tick(t, Instant::now());
    }
    // Started at tick 500: pairs' warm-up export answers its warmup parameter.
    o.add(variant("slow", &[("warmup", toml::Value::Integer(300))]), &cfg, &rt, capital).unwrap();
    o.add(variant("eager", &[("warmup", toml::Value::Integer(0))]), &cfg, &rt, capital).unwrap();
    let standing = |o: &Orchestrator, id: &str| {
        let c = o.challengers().iter().find(|c| c.spec.id == id).unwrap();
        (c.warm_up, c.gate.window_start, c.gate.last.as_ref().map(|(at, _)| *at))
    };
    assert_eq!(standing(&o, "slow"), (300, 800, None));
    assert_eq!(standing(&o, "eager"), (0, 500, None));
    for t in &all[500..1800] {
        o.on_tick(t, Instant::now());
    }
    // The first look is one interval after the evidence starts.
    assert_eq!(standing(&o, "eager"), (0, 500, Some(1500)));
    assert_eq!(standing(&o, "slow"), (300, 800, Some(1800)));
}

#[test]
fn evop_finds_the_better_direction_and_moves_the_champion_through_the_gate() {
    let dir = tempfile::tempdir().unwrap();
    let base = common::default_config(dir.path());
    // The operating point churns (entry-z 0.6): EVOP steps entry-z and
    // exit-z either side and should find that a higher entry-z pays.
    let cfg = variant("churn", &[("entry-z", toml::Value::Float(0.6)), ("exit-z", toml::Value::Float(0.1))])
        .apply(&base)
        .unwrap();
    let rt = common::runtime();
    let factor = |param: &str, step: f64| EvopFactorConfig {
        param: param.into(),
        step,
        min: Some(0.0),
        max: None,
        integer: false,
    };
    let evop = EvopConfig {
        confidence_level: 0.9,
        gate_interval_ticks: 500,
        gate_looks: 18,
        min_track_record: 1500,
        design: Some(EvopDesignConfig {
            factors: vec![factor("entry-z", 0.25), factor("exit-z", 0.05)],
            cycle_ticks: 500,
            min_cycles: 2,
        }),
        ..EvopConfig::default()
    };
    let mut o = Orchestrator::new(pipeline(&cfg), "champion", 5, None)
        .with_gate(GateSchedule::from_config(&evop).unwrap())
        .with_evop(EvopCycles::from_config(&evop).unwrap().unwrap());
    let capital = Money(cfg.run.initial_capital);
    let mut statuses = Vec::new();
    for (n, t) in ticks(&cfg).iter().enumerate() {
        o.on_tick(t, Instant::now());
        o.run_evop(&cfg, &rt, capital);
        if n == 0 {
            let ids: Vec<&str> = o.challengers().iter().map(|c| c.spec.id.as_str()).collect();
            assert_eq!(
                ids,
                ["evop-g1-p1", "evop-g1-p2", "evop-g1-p3", "evop-g1-p4"],
                "a 2^2 design around the champion: {}",
                o.evop().unwrap().to_json()
            );
        }
        if n % 500 == 499 {
            statuses.push(format!("tick {n}: {}", o.evop().unwrap().to_json()));
        }
        if n == 9_000 {
            // The second phase found the same direction; with every slot
            // taken (the previous champion's logic stays for rollback) its
            // weakest variant made way for the candidate.
            let status = o.evop().unwrap().to_json();
            assert_eq!(status["candidate"], "evop-g2-move", "{status}\n{}", statuses.join("\n"));
            assert!(o.challengers().iter().any(|c| c.spec.id == "champion"), "the rollback target is kept");
            assert_eq!(o.challengers().len(), 5);
            // An operator stops the candidate: the phase ends and a new
            // design starts around the champion at the next tick.
            o.remove("evop-g2-move").unwrap();
        }
        if n == 9_001 {
            let status = o.evop().unwrap().to_json();
            assert_eq!((status["generation"].as_u64(), status["cycles"].as_u64()), (Some(3), Some(0)), "{status}");
            assert_eq!(status["center"]["entry-z"], 0.85, "{status}");
        }
    }
    let log = statuses.join("\n");
    let swaps: Vec<(&str, &str)> = o.swaps.iter().map(|s| (s.action, s.now_champion.as_str())).collect();
    assert!(!swaps.is_empty() && swaps.iter().all(|s| s.0 == "gate-promote"), "{swaps:?}\n{log}");
    let status = o.evop().unwrap().to_json();
    assert!(status["generation"].as_u64().unwrap() >= 3, "{status}\n{log}");
    let entry = status["center"]["entry-z"].as_f64().unwrap();
    assert!(entry > 0.6, "EVOP moved entry-z up from 0.6: {status}\n{log}");
    assert!(log.contains("\"significant\":true"), "{log}");
    // The old generation's variants stopped; the new one runs around the new center.
    assert!(o.challengers().iter().all(|c| !c.spec.id.starts_with("evop-g1-") && !c.spec.id.starts_with("evop-g2-")));
}

#[test]
fn a_restored_orchestrator_continues_exactly_as_one_never_stopped() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = common::default_config(dir.path());
    let rt = common::runtime();
    let capital = Money(cfg.run.initial_capital);
    let make = || {
        let mut o = Orchestrator::new(pipeline(&cfg), "champion", 5, None);
        o.add(variant("loose", &[("entry-z", toml::Value::Float(1.5))]), &cfg, &rt, capital).unwrap();
        o.add(variant("tight", &[("entry-z", toml::Value::Float(2.5))]), &cfg, &rt, capital).unwrap();
        o
    };
    let data = ticks(&cfg);
    let (cut, promote_at) = (4_000, 2_000);
    let mut never_stopped = make();
    let mut first_life = make();
    for (n, t) in data.iter().enumerate() {
        if n == promote_at {
            never_stopped.promote("loose").unwrap();
            first_life.promote("loose").unwrap();
        }
        if n == cut {
            break;
        }
        never_stopped.on_tick(t, Instant::now());
        first_life.on_tick(t, Instant::now());
    }
    // Through the bytes a store would hold.
    let bytes = first_life.checkpoint().unwrap().encode();
    drop(first_life);
    let cp = hft_host::orchestrator::OrchestratorCheckpoint::decode(&bytes).unwrap();
    let champion_cfg = cp.champion_spec.apply(&cfg).unwrap();
    let mut second_life = Orchestrator::new(pipeline(&champion_cfg), "champion", 5, None);
    second_life.restore(cp, &cfg, &rt, capital, None).unwrap();
    assert_eq!(second_life.champion_id(), "loose");
    for t in &data[cut..] {
        never_stopped.on_tick(t, Instant::now());
        second_life.on_tick(t, Instant::now());
    }
    assert_eq!(bits(second_life.champion().board()), bits(never_stopped.champion().board()));
    assert_eq!(second_life.champion_returns(), never_stopped.champion_returns());
    assert_eq!(second_life.ticks(), data.len());
    for (a, b) in second_life.challengers().iter().zip(never_stopped.challengers()) {
        assert_eq!((a.spec.id.as_str(), a.started_at_tick), (b.spec.id.as_str(), b.started_at_tick));
        assert_eq!(a.returns, b.returns, "{}", a.spec.id);
        assert_eq!(a.pipeline.last_fills(), b.pipeline.last_fills());
        assert_eq!(bits(a.pipeline.board()), bits(b.pipeline.board()), "{}", a.spec.id);
    }
    assert_eq!(second_life.swaps.len(), 1);
    second_life.rollback().unwrap();
    assert_eq!(second_life.champion_id(), "champion", "the rollback target survived the restart");
}

#[test]
fn a_drawdown_after_promotion_rolls_back_by_itself() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = common::default_config(dir.path());
    let rt = common::runtime();
    // Any loss at all after promotion breaches this bound.
    let mut o = Orchestrator::new(pipeline(&cfg), "champion", 5, Some(1e-9));
    o.add(variant("loose", &[("entry-z", toml::Value::Float(1.0))]), &cfg, &rt, Money(cfg.run.initial_capital))
        .unwrap();
    for (n, t) in ticks(&cfg).iter().enumerate() {
        if n == 1_000 {
            o.promote("loose").unwrap();
        }
        o.on_tick(t, Instant::now());
    }
    let actions: Vec<&str> = o.swaps.iter().map(|s| s.action).collect();
    assert_eq!(actions, ["promote", "auto-rollback"]);
    assert_eq!(o.champion_id(), "champion");
}

#[test]
fn a_challenger_that_traps_is_quarantined_and_the_champion_trades_on() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = common::default_config(dir.path());
    let rt = common::runtime();
    let faulty = ChallengerSpec {
        id: "faulty".to_string(),
        strategy: Some(StrategyConfig {
            plugin: "faulty_strategy".to_string(),
            legs: BTreeMap::from([("y".to_string(), "BTCUSDT".to_string()), ("x".to_string(), "ETHUSDT".to_string())]),
            signals: BTreeMap::new(),
            params: BTreeMap::from([
                ("size".to_string(), toml::Value::Float(0.5)),
                ("trap-at".to_string(), toml::Value::Integer(300)),
            ]),
        }),
        ..Default::default()
    };
    let mut alone = pipeline(&cfg);
    let telemetry = hft_host::telemetry::Telemetry::new("all");
    let mut o = Orchestrator::new(pipeline(&cfg), "champion", 5, None).with_telemetry(&telemetry);
    o.add(faulty, &cfg, &rt, Money(cfg.run.initial_capital)).unwrap();
    let mut fills: (Vec<Fill>, Vec<Fill>) = Default::default();
    for t in ticks(&cfg) {
        o.on_tick(&t, Instant::now());
        alone.on_tick(&t, Instant::now());
        fills.0.extend_from_slice(o.champion().last_fills());
        fills.1.extend_from_slice(alone.last_fills());
    }
    let c = &o.challengers()[0];
    let why = c.quarantined.as_deref().expect("quarantined");
    assert!(why.contains("trap") || why.contains("unreachable"), "{why}");
    assert!(o.promote("faulty").is_err(), "a quarantined challenger cannot be promoted");
    assert_eq!(fills.0, fills.1, "the champion traded exactly as it would alone");
    // Counted where Prometheus reads it: a challenger added after the
    // metrics were attached counts into them too.
    let metrics = telemetry.encode_metrics();
    assert!(metrics.contains("hft_plugin_quarantined_total 1"), "{metrics}");
    assert!(metrics.contains("hft_plugin_traps_total{kind=\"trap\"} 1"), "{metrics}");
}
