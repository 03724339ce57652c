use super::TopicSpec;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use thiserror::Error;

/// Every topic the roles use, and the partition-key map for pairs.
///
/// In TOML (every key optional; these are the defaults):
///
/// ```toml
/// market_data = { name = "hft.market-data", partitions = 6 }
/// signals = { name = "hft.signals", partitions = 6 }
/// orders = { name = "hft.orders", partitions = 3 }
/// fills = { name = "hft.fills", partitions = 3 }
/// control = { name = "hft.control", partitions = 1 }
/// dead_letter = { name = "hft.dead-letter", partitions = 1 }
/// replication = 1
/// [pair_keys]
/// BTCUSDT = "BTCUSDT/ETHUSDT"
/// ETHUSDT = "BTCUSDT/ETHUSDT"
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TopicsConfig {
    /// Trades and bars, keyed by symbol or pair key.
    pub market_data: TopicSpec,
    /// Model outputs, keyed like the market data they came from.
    pub signals: TopicSpec,
    /// Approved orders, keyed by strategy.
    pub orders: TopicSpec,
    /// Fills, keyed by strategy.
    pub fills: TopicSpec,
    /// Plugin and orchestrator events (one partition keeps them in order).
    pub control: TopicSpec,
    /// Messages that could not be decoded, keyed by their source topic.
    pub dead_letter: TopicSpec,
    /// Replication factor for topics this crate creates.
    pub replication: u16,
    /// Symbol → partition key. A pair's legs map to one key so that both
    /// reach the same consumer, which needs both prices on every tick.
    /// Symbols not listed are their own key.
    pub pair_keys: BTreeMap<String, String>,
}

impl Default for TopicsConfig {
    fn default() -> Self {
        TopicsConfig {
            market_data: TopicSpec::new("hft.market-data", 6),
            signals: TopicSpec::new("hft.signals", 6),
            orders: TopicSpec::new("hft.orders", 3),
            fills: TopicSpec::new("hft.fills", 3),
            control: TopicSpec::new("hft.control", 1),
            dead_letter: TopicSpec::new("hft.dead-letter", 1),
            replication: 1,
            pair_keys: BTreeMap::new(),
        }
    }
}

/// A topics configuration that cannot work.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum TopicsConfigError {
    /// Two roles would share one topic under different meanings.
    #[error("topic name {0:?} is used twice")]
    DuplicateName(String),
    /// Empty names are not topics.
    #[error("a topic name is empty")]
    EmptyName,
    /// A topic needs a partition.
    #[error("topic {0:?} has 0 partitions")]
    NoPartitions(String),
    /// Replication 0 is not a thing.
    #[error("replication must be at least 1")]
    NoReplication,
}

impl TopicsConfig {
    /// The six topics, in a fixed order.
    pub fn all(&self) -> [&TopicSpec; 6] {
        [&self.market_data, &self.signals, &self.orders, &self.fills, &self.control, &self.dead_letter]
    }

    /// Checks names and counts once, so the bus can trust them.
    pub fn validate(&self) -> Result<(), TopicsConfigError> {
        let mut seen = BTreeSet::new();
        for t in self.all() {
            if t.name.is_empty() {
                return Err(TopicsConfigError::EmptyName);
            }
            if t.partitions == 0 {
                return Err(TopicsConfigError::NoPartitions(t.name.clone()));
            }
            if !seen.insert(t.name.as_str()) {
                return Err(TopicsConfigError::DuplicateName(t.name.clone()));
            }
        }
        if self.replication == 0 {
            return Err(TopicsConfigError::NoReplication);
        }
        Ok(())
    }

    /// Maps both legs of a pair to `pair_key`.
    pub fn with_pair(mut self, legs: &[&str], pair_key: &str) -> TopicsConfig {
        for leg in legs {
            self.pair_keys.insert((*leg).to_string(), pair_key.to_string());
        }
        self
    }

    /// Every topic renamed with a prefix, e.g. for one test run or one
    /// deployment sharing a cluster: `prefix` + `market-data` …
    pub fn with_prefix(mut self, prefix: &str) -> TopicsConfig {
        for t in [
            &mut self.market_data,
            &mut self.signals,
            &mut self.orders,
            &mut self.fills,
            &mut self.control,
            &mut self.dead_letter,
        ] {
            let base = t.name.strip_prefix("hft.").unwrap_or(&t.name).to_string();
            t.name = format!("{prefix}{base}");
        }
        self
    }

    /// The partition key of market data (and signals) for `symbol`: its
    /// pair key if it is a pair leg, else the symbol itself.
    pub fn market_key<'a>(&'a self, symbol: &'a str) -> &'a str {
        self.pair_keys.get(symbol).map_or(symbol, String::as_str)
    }
}
