//! The CLI's subcommands as library functions: argument structs in,
//! results out. The binary only parses arguments and prints.

mod backtest;
mod data_generate;
mod inspect;
mod model_fit;
mod model_run;
mod plugin_build;
mod plugin_new;
mod role;
mod run;

pub use backtest::{Backtest, BacktestOutcome, Benchmark, Verdict, backtest};
pub use data_generate::data_generate;
pub use inspect::{Inspection, inspect};
pub use model_fit::{FitOutput, ModelFit, model_fit};
pub use model_run::{ModelRun, RunSummary, model_run};
pub use plugin_build::{PluginBuild, plugin_build};
pub use plugin_new::{PluginNew, plugin_new};
pub use role::{RoleRun, run_role};
pub use run::{Run, run};
