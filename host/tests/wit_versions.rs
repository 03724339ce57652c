//! The WIT compatibility policy (`wit/README.md`) on a real component built
//! against the previous release: `tests/plugins/pairs-wit-0-1-0` is
//! `plugins/pairs`, the same logic and adapter, with its bindings generated
//! from `wit/history/0.1.0`. This host is built for a later release on the
//! same track, and must load it, validate it, and trade with it exactly as
//! with the current build; an addition of the later release (the optional
//! `warm-up` export) reads as absent.

mod common;

use hft_host::commands::{Backtest, Benchmark, backtest, inspect};
use hft_host::registry::{Registry, RegistryConfig};
use hft_host::runtime::{ComponentKind, PluginError, WIT_VERSION};
use hft_host::strategy::{describe_strategy, warm_up_ticks};

const PREVIOUS: &str = "pairs_wit_0_1_0";

#[test]
fn the_previous_release_is_loaded_as_what_it_is() {
    let rt = common::runtime();
    let old = common::load(&rt, PREVIOUS);
    let new = common::load(&rt, "pairs");
    assert_ne!(WIT_VERSION, "0.1.0", "this test needs a host built for a later release than 0.1.0");
    assert_eq!(old.world.kind, ComponentKind::Strategy);
    assert_eq!(old.world.version, "0.1.0");
    assert_eq!(new.world.version, WIT_VERSION);
    assert_ne!(old.sha256, new.sha256, "two builds, against two releases");

    // Through the host's current bindings, it describes itself as the
    // current build does.
    let (o, n) = (describe_strategy(&old).unwrap(), describe_strategy(&new).unwrap());
    assert_eq!(o.info.name, "pairs");
    let shape = |i: &hft_host::strategy::StrategyInfo| format!("{:?}", (&i.info.params, &i.legs, &i.signals));
    assert_eq!(shape(&o), shape(&n));
    // 0.1.0 has no warm-up interface: the host reads it as none declared.
    assert_eq!(warm_up_ticks(&old, &[]).unwrap(), None);

    let text = inspect(&rt, &common::wasm(PREVIOUS)).unwrap().to_string();
    for want in [
        "world:       hft:strategy/trading-strategy@0.1.0",
        "strategy:    pairs ",
        "warm-up:     none declared (no warm-up export, added in hft:strategy@0.1.1)",
    ] {
        assert!(text.contains(want), "{want:?} not in:\n{text}");
    }

    // The registry's validation (a smoke run included) accepts it.
    let dir = tempfile::tempdir().unwrap();
    let registry = Registry::open(RegistryConfig { dir: dir.path().into(), ..RegistryConfig::default() }).unwrap();
    let bytes = std::fs::read(common::wasm(PREVIOUS)).unwrap();
    let record = registry.upload(&rt, &bytes, "test", None).unwrap_or_else(|e| panic!("refused: {e}"));
    assert_eq!(record.world, "hft:strategy/trading-strategy@0.1.0");
}

/// A `warm-up` export that does not match the interface (here an empty
/// instance: `ticks-needed` is missing) is refused with its name, not read
/// as no warm-up declared.
#[test]
fn a_warm_up_export_that_does_not_match_is_refused() {
    let rt = common::runtime();
    let (strategy, warm_up) =
        (format!("hft:strategy/strategy@{WIT_VERSION}"), format!("hft:strategy/warm-up@{WIT_VERSION}"));
    let bad = rt.load_bytes("bad-warm-up", &common::component_exporting(&[&strategy, &warm_up])).unwrap();
    let e = warm_up_ticks(&bad, &[]).unwrap_err();
    assert!(matches!(e, PluginError::Incompatible(_)), "{e}");
    assert!(e.to_string().contains(&format!("its export {warm_up} does not match hft:strategy/warm-up")), "{e}");
    // Without the export at all: none declared, as for 0.1.0.
    let none = rt.load_bytes("no-warm-up", &common::component_exporting(&[&strategy])).unwrap();
    assert_eq!(warm_up_ticks(&none, &[]).unwrap(), None);
}

#[test]
fn the_previous_release_trades_tick_for_tick_as_the_current_build() {
    let dir = tempfile::tempdir().unwrap();
    let path = common::write_config(dir.path(), "");
    let cfg = hft_host::config::load(Some(&path), Vec::<(String, String)>::new()).unwrap();
    assert!(
        cfg.strategy.plugin.ends_with("pairs") || cfg.strategy.plugin.ends_with("pairs.wasm"),
        "{}",
        cfg.strategy.plugin
    );
    let params = common::strategy_params_text(&cfg);
    // The champion is the current build of pairs; the 0.1.0 build runs
    // beside it as a challenger with the same parameters, as a host runs one.
    let args = Backtest {
        plugin: common::wasm(PREVIOUS),
        params,
        config: Some(path),
        against_champion: true,
        ..Backtest::default()
    };
    let out = backtest(&common::runtime(), &args).unwrap_or_else(|e| panic!("backtest: {e:#}"));
    assert!(out.faulted.is_none());
    assert!(out.world.ends_with("@0.1.0"), "{}", out.world);
    let Benchmark::Champion { summary, .. } = &out.benchmark else { panic!("compared with the champion") };
    assert_eq!(out.returns.len(), 10_000);
    assert_eq!(out.returns, out.benchmark_returns, "the 0.1.0 build trades exactly as the current one");
    assert_eq!(out.run.report.summary().final_equity, summary.final_equity);
    assert!(out.run.counters.fills > 0, "{:?}", out.run.counters);
    assert_eq!(out.warm_up_ticks, 0, "no warm-up export in 0.1.0");
}
