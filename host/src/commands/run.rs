//! `hft-host run`: the main job on a configuration (the embedded default
//! when none is given).

use crate::config::{self, Speed};
use crate::pipeline::{self, RunOptions, RunOutcome};
use crate::runtime::Runtime;
use anyhow::Context;
use std::path::PathBuf;

/// Arguments of `run`.
#[derive(Debug, Clone, Default)]
pub struct Run {
    /// The configuration file; the embedded default when `None`.
    pub config: Option<PathBuf>,
    /// Overrides `[run] speed`.
    pub speed: Option<Speed>,
    /// Do not write report files.
    pub no_report: bool,
    /// Draw a progress bar.
    pub progress: bool,
}

/// Load the configuration (with `HFT_...` overrides from the process
/// environment), run it, and return the outcome.
pub fn run(runtime: &Runtime, args: &Run) -> anyhow::Result<RunOutcome> {
    let cfg = config::load(args.config.as_deref(), std::env::vars())?;
    let options = RunOptions { speed: args.speed, write_report: !args.no_report, progress: args.progress };
    let outcome = pipeline::run(&cfg, runtime, &options).with_context(|| match &args.config {
        Some(p) => format!("run of {}", p.display()),
        None => "run of the embedded default configuration".to_string(),
    })?;
    Ok(outcome)
}
