//! The roles of distributed mode: the same binary and the same pipeline
//! code, with events coming from and going to the bus instead of function
//! calls.
//!
//! - `all` (the default): everything in one process, the embedded mode
//!   ([`crate::pipeline::run`]).
//! - `ingest` ([`ingest`]): the configured market data, replayed at the
//!   configured pace, into the market-data topic.
//! - `strategy` ([`run_strategy`]): market data through the models, the
//!   strategy and pre-trade risk; venue steps to the orders topic, model
//!   outputs to the signals topic.
//! - `execution` ([`run_execution`]): the venue steps into the venue (the
//!   paper broker), fills to the fills topic.
//! - `risk` ([`run_risk`]): the strategy's books from the fills, marked at
//!   the market, against the drawdown and daily-loss limits; the kill
//!   switch when they are breached.
//! - `orchestrator` ([`run_orchestrator`]): the champion's logic and the
//!   challengers in shadow, the promotion gate and EVOP, the admin API;
//!   each champion change to the state store and the control topic, which
//!   every strategy process follows without a restart.

mod champion_record;
mod commit_tracker;
mod error;
mod execution;
mod ingest;
mod options;
mod orchestrator;
mod risk;
mod role_metrics;
mod shared_plugin;
mod state_store;
mod strategy;
mod strategy_checkpoint;
mod tick_assembler;
mod venue_tap;

pub use champion_record::ChampionRecord;
pub use commit_tracker::CommitTracker;
pub use error::RoleError;
pub use execution::{ExecutionSummary, run_execution};
pub use ingest::{IngestSummary, ingest, ingest_on, market_data_id, run_topics};
pub use options::{ConsumeOptions, Probe};
pub use orchestrator::{OrchestratorAdmin, OrchestratorSummary, run_orchestrator};
pub use risk::{RiskSummary, run_risk};
pub use state_store::open_store;
pub use strategy::{StrategySummary, run_strategy};
pub use strategy_checkpoint::StrategyCheckpoint;
pub use tick_assembler::{Tick, TickAssembler};
pub use venue_tap::VenueTap;

/// Readiness flag of a role that has reached its bus (Kafka). One name for
/// the role that sets it and for [`Role::readiness_flags`], which registers
/// it before `/ready` is served.
pub(crate) const READY_BUS: &str = "bus";

/// Readiness flag of a role whose strategy components are loaded.
pub(crate) const READY_COMPONENTS: &str = "components";

/// Which part of the system this process runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// Everything, in one process.
    All,
    /// Market data into the market-data topic.
    Ingest,
    /// Models, strategy and pre-trade risk between market data and orders.
    Strategy,
    /// Orders into the venue, fills out.
    Execution,
    /// The books from the fills, the drawdown and loss limits, the kill switch.
    Risk,
    /// The champion's logic and the challengers in shadow, the promotion
    /// gate and EVOP, the admin API; champion changes to every strategy.
    Orchestrator,
}

impl Role {
    /// The readiness flags this role sets as its dependencies come up.
    /// `/ready` answers 200 while no flag is registered, so a process
    /// registers these before it starts serving `/ready`: a probe that
    /// comes in before the role has reached its bus must see "not ready".
    pub fn readiness_flags(self) -> &'static [&'static str] {
        match self {
            Role::Strategy | Role::Orchestrator => &[READY_BUS, READY_COMPONENTS],
            Role::Execution | Role::Risk => &[READY_BUS],
            Role::All | Role::Ingest => &[],
        }
    }
}

impl std::str::FromStr for Role {
    type Err = String;

    fn from_str(s: &str) -> Result<Role, String> {
        match s {
            "all" => Ok(Role::All),
            "ingest" => Ok(Role::Ingest),
            "strategy" => Ok(Role::Strategy),
            "execution" => Ok(Role::Execution),
            "risk" => Ok(Role::Risk),
            "orchestrator" => Ok(Role::Orchestrator),
            other => Err(format!(
                "unknown role {other:?}; the roles are all, ingest, strategy, execution, risk and orchestrator"
            )),
        }
    }
}
