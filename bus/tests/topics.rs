//! Topics configuration: defaults, overrides, validation and key rules.

mod util;

use hft_bus::topics::{Route, TopicsConfig, TopicsConfigError};
use hft_bus::wire::{ControlEvent, StrategyId};
use util::samples;

#[test]
fn defaults_name_every_topic() {
    let t = TopicsConfig::default();
    let names: Vec<&str> = t.all().iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["hft.market-data", "hft.signals", "hft.orders", "hft.fills", "hft.control", "hft.dead-letter"]);
    assert!(t.all().iter().all(|s| s.partitions >= 1));
    t.validate().unwrap();
}

#[test]
fn partial_config_keeps_defaults_and_rejects_typos() {
    let t: TopicsConfig = serde_json::from_str(
        r#"{"orders":{"name":"prod.orders","partitions":12},"pair_keys":{"BTCUSDT":"BTC/ETH","ETHUSDT":"BTC/ETH"}}"#,
    )
    .unwrap();
    assert_eq!(t.orders.name, "prod.orders");
    assert_eq!(t.orders.partitions, 12);
    assert_eq!(t.fills.name, "hft.fills");
    assert!(serde_json::from_str::<TopicsConfig>(r#"{"order":{"name":"x","partitions":1}}"#).is_err());
}

#[test]
fn pair_legs_share_a_key_and_other_symbols_are_their_own() {
    let t = TopicsConfig::default().with_pair(&["BTCUSDT", "ETHUSDT"], "BTCUSDT/ETHUSDT");
    assert_eq!(t.market_key("BTCUSDT"), "BTCUSDT/ETHUSDT");
    assert_eq!(t.market_key("ETHUSDT"), "BTCUSDT/ETHUSDT");
    assert_eq!(t.market_key("SOLUSDT"), "SOLUSDT");
    let btc = samples::trade("BTCUSDT", 0, "1");
    let eth = samples::trade("ETHUSDT", 0, "1");
    assert_eq!(btc.key(&t), eth.key(&t));
    assert_eq!(btc.topic(&t), "hft.market-data");
    let mut order = samples::order(1);
    order.strategy = StrategyId::new("mean-rev");
    assert_eq!((order.topic(&t), order.key(&t)), ("hft.orders", "mean-rev"));
    assert_eq!(samples::dead_letter().key(&t), "hft.orders");
    assert_eq!(ControlEvent::KillSwitch { on: true, reason: String::new() }.topic(&t), "hft.control");
}

#[test]
fn invalid_configs_are_named() {
    let mut t = TopicsConfig::default();
    t.fills.name = "hft.orders".into();
    assert_eq!(t.validate(), Err(TopicsConfigError::DuplicateName("hft.orders".into())));
    let mut t = TopicsConfig::default();
    t.control.partitions = 0;
    assert_eq!(t.validate(), Err(TopicsConfigError::NoPartitions("hft.control".into())));
    let t = TopicsConfig::default().with_prefix("run42.");
    assert_eq!(t.signals.name, "run42.signals");
    t.validate().unwrap();
}
