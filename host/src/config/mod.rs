//! The run configuration: one TOML file, every value overridable from the
//! environment, checked once before anything runs.
//!
//! Loading goes raw → merged → validated, as ripgrep's flags do: the TOML
//! text (the embedded default, or a file) is parsed into a `toml::Value`,
//! `HFT_<SECTION>__<KEY>...` environment variables are merged over it
//! ([`env`]), and only then is it deserialised into [`RunConfig`] with
//! unknown keys refused, so a typo fails at start-up and not at market open.
//! The format is documented in `docs/configuration.md`.

mod env;
mod file;
mod input;
mod run;

pub use env::{ENV_PREFIX, apply_env};
pub use file::{ConfigError, DEFAULT_CONFIG, load};
pub use input::{InputSource, InputSpec, InputTransform};
pub use run::{
    BusConfig, DataConfig, EvopConfig, EvopDesignConfig, EvopFactorConfig, IngestConfig, InstrumentConfig, ModelConfig,
    ReportConfig, RunConfig, RunSection, ServerConfig, Speed, StateConfig, StrategyConfig, WebSocketSource,
};
