//! The validated shape of a run configuration.

use super::input::InputSpec;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::str::FromStr;

/// Everything `hft-host run` needs. See `docs/configuration.md`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RunConfig {
    /// Run-wide settings.
    #[serde(default)]
    pub run: RunSection,
    /// Market data sources, merged by timestamp.
    pub data: Vec<DataConfig>,
    /// Per-symbol trading rules (lot size).
    #[serde(default)]
    pub instruments: BTreeMap<String, InstrumentConfig>,
    /// Model components by name; a model's name is how inputs and signals
    /// refer to its outputs (`kalman.zscore`).
    #[serde(default)]
    pub models: BTreeMap<String, ModelConfig>,
    /// The strategy component.
    pub strategy: StrategyConfig,
    /// Pre-trade risk limits.
    #[serde(default)]
    pub risk: hft_trading::risk::RiskLimits,
    /// The paper broker's fees, slippage and latency.
    #[serde(default)]
    pub execution: hft_trading::execution::PaperConfig,
    /// What the report charts.
    #[serde(default)]
    pub report: ReportConfig,
    /// The event bus of distributed mode (roles other than `all`).
    #[serde(default)]
    pub bus: BusConfig,
    /// Where the ingest role reads live market data.
    #[serde(default)]
    pub ingest: IngestConfig,
    /// Where the consuming roles keep their checkpoints, books, risk state
    /// and the kill switch.
    #[serde(default)]
    pub state: StateConfig,
    /// Where a role serves `/health`, `/ready` and `/metrics`.
    #[serde(default)]
    pub server: ServerConfig,
    /// Where uploaded plugins are kept, and how they are validated.
    #[serde(default)]
    pub registry: crate::registry::RegistryConfig,
    /// The champion and its challengers.
    #[serde(default)]
    pub evop: EvopConfig,
}

/// `[evop]`: the champion and its challengers. The deployment guide's
/// variables override it: `EVOP_MAX_CHALLENGERS`, `CHAMPION_INITIAL_CAPITAL`,
/// `EVOP_CONFIDENCE_LEVEL`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct EvopConfig {
    /// Most challengers shadow-trading at once.
    pub max_challengers: usize,
    /// Virtual capital of each challenger's paper account; the champion's
    /// `[run] initial_capital` when unset.
    pub challenger_capital: Option<Decimal>,
    /// Confidence level of the promotion gate.
    pub confidence_level: f64,
    /// A promoted champion whose equity falls this fraction below its
    /// equity at promotion is rolled back by itself.
    pub rollback_drawdown: Option<f64>,
    /// Promote a challenger by itself when the gate passes; when false the
    /// gate only reports, and an operator promotes.
    pub auto_promote: bool,
    /// Ticks between two looks of the gate at a challenger.
    pub gate_interval_ticks: usize,
    /// Looks per challenger (and per champion change) at most; the gate's
    /// significance level is divided by it.
    pub gate_looks: u32,
    /// Ticks of evidence before a challenger can be promoted.
    pub min_track_record: usize,
    /// Batches (of the batch-means test) before a challenger can be promoted.
    pub min_batches: usize,
    /// EVOP: a factorial design around the champion's parameters, run in
    /// cycles; none when unset.
    pub design: Option<EvopDesignConfig>,
}

/// `[evop.design]`: which strategy parameters EVOP varies, and its cycles.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EvopDesignConfig {
    /// One to four parameters, each stepped either side of its value in
    /// `[strategy.params]`.
    pub factors: Vec<EvopFactorConfig>,
    /// Ticks per cycle: each variant's mean per-tick return over a cycle is
    /// one response.
    #[serde(default = "default_cycle_ticks")]
    pub cycle_ticks: usize,
    /// Cycles before the effects are judged (at least 2).
    #[serde(default = "default_min_cycles")]
    pub min_cycles: usize,
}

fn default_cycle_ticks() -> usize {
    720
}

fn default_min_cycles() -> usize {
    3
}

/// One factor of the EVOP design.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EvopFactorConfig {
    /// The strategy parameter.
    pub param: String,
    /// The step either side of the center.
    pub step: f64,
    /// Lowest value allowed.
    #[serde(default)]
    pub min: Option<f64>,
    /// Highest value allowed.
    #[serde(default)]
    pub max: Option<f64>,
    /// Whole numbers only (a window length).
    #[serde(default)]
    pub integer: bool,
}

impl Default for EvopConfig {
    fn default() -> EvopConfig {
        EvopConfig {
            max_challengers: 5,
            challenger_capital: None,
            confidence_level: 0.99,
            rollback_drawdown: Some(0.05),
            auto_promote: true,
            // A day of minute bars between looks, two days before a promotion.
            gate_interval_ticks: 1440,
            gate_looks: 10,
            min_track_record: 2880,
            min_batches: 10,
            design: None,
        }
    }
}

/// `[server]`: the health and metrics endpoints of a role process.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ServerConfig {
    /// `host:port` to serve `GET /health`, `/ready` and `/metrics` on
    /// (the chart uses `0.0.0.0:8000`); none when unset.
    pub listen: Option<std::net::SocketAddr>,
}

/// `[state]`: the state store of distributed mode. Redis when `redis_url`
/// is set, else files under `dir` (one machine).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct StateConfig {
    /// `redis://host:port/db`; without it the store is the file store.
    pub redis_url: Option<String>,
    /// The file store's directory.
    pub dir: PathBuf,
    /// Every key (and file) lives under this, so deployments can share a
    /// Redis: ASCII letters, digits, `_`, `-`, `.`.
    pub namespace: String,
    /// The longest one Redis operation may take before it counts as
    /// Redis being unavailable.
    pub op_timeout_ms: u64,
}

impl Default for StateConfig {
    fn default() -> StateConfig {
        StateConfig {
            redis_url: None,
            dir: PathBuf::from("var/state"),
            namespace: "hft".to_string(),
            op_timeout_ms: 500,
        }
    }
}

/// `[ingest]`: the ingest role's live source. Without one, the ingest role
/// replays `[[data]]`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct IngestConfig {
    /// A WebSocket stream in Binance's public market-stream format.
    pub websocket: Option<WebSocketSource>,
}

/// `[ingest.websocket]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WebSocketSource {
    /// `ws://host:port/path` or `wss://host:port/path` (for example
    /// `wss://stream.binance.com:9443/ws`); `wss://` verifies the server's certificate.
    pub url: String,
    /// For `wss://`: a PEM file of CA certificates trusted besides the platform's roots
    /// (a private or test CA). Relative to the config file.
    #[serde(default)]
    pub ca_file: Option<PathBuf>,
    /// The venue the events are stamped with.
    pub venue: String,
    /// Streams to `SUBSCRIBE` to after connecting (`btcusdt@trade`); none sends no request.
    #[serde(default)]
    pub subscribe: Vec<String>,
    /// Stop after publishing this many events (for tests and captures); runs until killed otherwise.
    #[serde(default)]
    pub max_events: Option<u64>,
}

/// `[bus]`: where the roles of distributed mode exchange events.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct BusConfig {
    /// The Kafka cluster (`bootstrap_servers` and client settings). Without
    /// it there is no bus and everything runs in one process.
    pub kafka: Option<hft_bus::kafka::KafkaConfig>,
    /// Topic names, partition counts and partition keys.
    pub topics: hft_bus::topics::TopicsConfig,
    /// Message encoding: `binary` (postcard, the hot path) or `json`.
    pub format: hft_bus::wire::Format,
    /// Consumer groups are `<group_prefix>-strategy`, `<group_prefix>-execution`:
    /// two deployments on one cluster need different prefixes.
    pub group_prefix: String,
    /// A tick whose completion cannot be seen (trades, a missing leg) is
    /// processed after the stream has been quiet this long.
    pub tick_flush_ms: u64,
    /// How often a consumer makes its effects durable (flushes what it
    /// published, then commits its offsets). Shorter means less to redo
    /// after a crash; longer means fewer round trips to the broker.
    pub commit_interval_ms: u64,
}

impl Default for BusConfig {
    fn default() -> BusConfig {
        BusConfig {
            kafka: None,
            topics: Default::default(),
            format: Default::default(),
            group_prefix: "hft".to_string(),
            tick_flush_ms: 100,
            commit_interval_ms: 200,
        }
    }
}

/// `[run]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RunSection {
    /// Name of the run; reports go to `<reports_dir>/<name>-<timestamp>/`.
    pub name: String,
    /// Replay pacing: `max`, `realtime`, or a multiple of real time (`60x`).
    pub speed: Speed,
    /// Starting cash in the quote currency, an exact decimal.
    pub initial_capital: Decimal,
    /// Where reports are written.
    pub reports_dir: PathBuf,
    /// Where built-in plugin names (`kalman`) are looked up as `<name>.wasm`.
    pub plugins_dir: PathBuf,
}

impl Default for RunSection {
    fn default() -> Self {
        RunSection {
            name: "run".to_string(),
            speed: Speed::Max,
            initial_capital: Decimal::from(100_000),
            reports_dir: PathBuf::from("reports"),
            plugins_dir: PathBuf::from("target/wasm32-wasip2/release"),
        }
    }
}

/// Replay pacing.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Speed {
    /// As fast as the pipeline goes.
    Max,
    /// Event time advances at this multiple of wall time (1 = real time).
    Multiple(f64),
}

impl FromStr for Speed {
    type Err = String;

    fn from_str(s: &str) -> Result<Speed, String> {
        match s.trim() {
            "max" => Ok(Speed::Max),
            "realtime" | "real-time" => Ok(Speed::Multiple(1.0)),
            other => {
                let m = other.strip_suffix('x').unwrap_or(other);
                match m.parse::<f64>() {
                    Ok(v) if v > 0.0 && v.is_finite() => Ok(Speed::Multiple(v)),
                    _ => Err(format!("speed {s:?}: use max, realtime, or a positive multiple such as 60x")),
                }
            }
        }
    }
}

impl<'de> Deserialize<'de> for Speed {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Speed, D::Error> {
        String::deserialize(d)?.parse().map_err(serde::de::Error::custom)
    }
}

/// One `[[data]]` source.
pub type DataConfig = hft_trading::market::SourceSpec;

/// `[instruments.<SYMBOL>]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InstrumentConfig {
    /// Smallest tradable quantity step; targets are rounded toward zero onto it.
    pub lot_size: Decimal,
}

/// `[models.<name>]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModelConfig {
    /// A built-in name (`kalman`, looked up in `run.plugins_dir`) or a path to a `.wasm`.
    pub plugin: String,
    /// Each model input (`x`, `y`, `ret`) and where it comes from.
    pub inputs: BTreeMap<String, InputSpec>,
    /// Parameters passed to `create`; names as `plugin inspect` lists them.
    #[serde(default)]
    pub params: BTreeMap<String, toml::Value>,
}

/// `[strategy]`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StrategyConfig {
    /// A built-in name or a path to a `.wasm`.
    pub plugin: String,
    /// Each leg the strategy declares, mapped to a symbol (`BTCUSDT`) or `VENUE:SYMBOL`.
    pub legs: BTreeMap<String, String>,
    /// Each signal the strategy declares, mapped to `<model>.<output>`.
    pub signals: BTreeMap<String, String>,
    /// Parameters passed to `create`.
    #[serde(default)]
    pub params: BTreeMap<String, toml::Value>,
}

/// `[report]`: which model outputs the report charts.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ReportConfig {
    /// The pair's spread (for a Kalman pair: `kalman.innovation`).
    pub spread: Option<String>,
    /// The z-score the strategy trades on.
    pub zscore: Option<String>,
    /// The hedge ratio.
    pub hedge_ratio: Option<String>,
    /// The volatility forecast.
    pub vol_forecast: Option<String>,
    /// The changepoint probability.
    pub changepoint_prob: Option<String>,
    /// A regime change is reported when the changepoint probability crosses this upward.
    pub regime_threshold: Option<f64>,
}
