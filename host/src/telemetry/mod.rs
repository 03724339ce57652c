//! Health, readiness and metrics of a role, served over HTTP for
//! Kubernetes and Prometheus.
//!
//! Every role (all, ingest, strategy, execution, risk, orchestrator) serves,
//! on the chart's `httpPort` (8000):
//!
//! - `GET /health`, the liveness and startup probe: 200 while the role's
//!   main loop beats its [`Heartbeat`] (at most
//!   [`DEFAULT_HEARTBEAT_STALENESS`] ago by default); 503 before the first
//!   beat (still starting) or once the beat is stale (stuck: restart it).
//! - `GET /ready`, the readiness probe: 200 when every [`ReadyFlag`] the role
//!   registered is set, else 503; the body lists each flag.
//! - `GET /metrics`: the Prometheus text format 0.0.4, with the metric names
//!   the chart's PrometheusRule and Grafana dashboard query (see the
//!   methods of [`Telemetry`]).
//!
//! Any other path is 404, any other method 405. **There is no
//! authentication on these endpoints**: they expose no control and no
//! secrets, and the chart's NetworkPolicy lets only the kubelet and the
//! namespaces selected by `networkPolicy.metricsNamespaceSelector` reach the
//! HTTP port. Do not put anything here that must not be read by them.
//!
//! The roles are synchronous loops, so [`serve`] runs the server (axum) on
//! its own one-thread tokio runtime and returns a [`ServerHandle`]. The hot
//! path only touches atomics through handles taken at setup: [`Counter`],
//! [`Gauge`], [`FlagGauge`], [`RiskStateGauge`], [`Histogram`],
//! [`ReadyFlag`], [`Heartbeat`]; none allocates or locks.
//!
//! ```no_run
//! use hft_host::telemetry::{Telemetry, serve};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let telemetry = Telemetry::new("strategy");
//! let bus_up = telemetry.readiness().flag("bus connected");
//! let ticks = telemetry.ticks();
//! let heartbeat = telemetry.heartbeat().clone();
//! let _server = serve("0.0.0.0:8000".parse()?, telemetry.clone())?;
//! bus_up.set(true);
//! loop {
//!     heartbeat.beat();
//!     // ... poll the bus, handle a tick ...
//!     ticks.inc();
//! #   break;
//! }
//! # Ok(())
//! # }
//! ```

mod error;
mod plugin_faults;
mod readiness;
mod registry;
mod server;

#[cfg(test)]
mod tests;

pub use error::TelemetryError;
pub use plugin_faults::PluginFaultMetrics;
pub use readiness::{DEFAULT_HEARTBEAT_STALENESS, Heartbeat, Liveness, Readiness, ReadinessReport, ReadyFlag};
pub use registry::{Counter, FlagGauge, Gauge, Histogram};
pub use server::{METRICS_CONTENT_TYPE, ServerHandle, router, serve, serve_app};

use std::sync::Arc;
use std::time::Duration;

use hft_trading::risk::RiskState;
use registry::{Desc, Kind, Registry};

/// The telemetry of one process: its metrics, readiness flags and
/// heartbeat, shared by the role's loop and the HTTP server.
///
/// Cheap to clone (an `Arc`). The metric methods find or create the series
/// for their labels and return a handle: call them at setup and keep the
/// handle; calling again with the same labels returns the same series. A
/// series is exported from its first handle on, so take the handles before
/// the loop starts and counters begin at 0 (which `increase()` needs to see
/// the first event).
#[derive(Debug, Clone)]
pub struct Telemetry {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    registry: Registry,
    readiness: Readiness,
    heartbeat: Heartbeat,
}

impl Telemetry {
    /// Telemetry of a process running `role` (the `role` label of
    /// `hft_build_info`), whose heartbeat goes stale after
    /// [`DEFAULT_HEARTBEAT_STALENESS`].
    pub fn new(role: &str) -> Telemetry {
        Telemetry::with_heartbeat_staleness(role, DEFAULT_HEARTBEAT_STALENESS)
    }

    /// As [`Telemetry::new`], with the time `/health` tolerates without a
    /// heartbeat (for a loop that legitimately blocks longer, or for tests).
    pub fn with_heartbeat_staleness(role: &str, staleness: Duration) -> Telemetry {
        let registry = Registry::new(FAMILIES);
        registry.gauge(&BUILD_INFO, &[env!("CARGO_PKG_VERSION"), role]).set(1.0);
        Telemetry {
            inner: Arc::new(Inner { registry, readiness: Readiness::new(), heartbeat: Heartbeat::new(staleness) }),
        }
    }

    /// The readiness flags `/ready` reports; register a role's flags here
    /// (with [`Readiness::flag`]) before serving.
    pub fn readiness(&self) -> &Readiness {
        &self.inner.readiness
    }

    /// The heartbeat `/health` checks; clone it into the main loop and beat
    /// it every iteration.
    pub fn heartbeat(&self) -> &Heartbeat {
        &self.inner.heartbeat
    }

    /// The `/metrics` body: every series in the Prometheus text format 0.0.4.
    pub fn encode_metrics(&self) -> String {
        let mut out = String::with_capacity(4096);
        self.inner.registry.encode(&mut out);
        out
    }

    /// `hft_ticks_total`: market-data ticks processed by this process.
    pub fn ticks(&self) -> Counter {
        self.inner.registry.counter(&TICKS, &[])
    }

    /// `hft_orders_total{strategy,outcome}`: orders of `strategy` by
    /// `outcome` (e.g. `submitted`, `rejected`, `cancelled`); keep the set of
    /// outcomes small and fixed, every value is a series.
    pub fn orders(&self, strategy: &str, outcome: &str) -> Counter {
        self.inner.registry.counter(&ORDERS, &[strategy, outcome])
    }

    /// `hft_fills_total{strategy}`: fills received for `strategy`.
    pub fn fills(&self, strategy: &str) -> Counter {
        self.inner.registry.counter(&FILLS, &[strategy])
    }

    /// `hft_equity{strategy}`: the strategy's equity in quote currency (the
    /// drawdown alert divides it by its 24 h maximum).
    pub fn equity(&self, strategy: &str) -> Gauge {
        self.inner.registry.gauge(&EQUITY, &[strategy])
    }

    /// `hft_pnl{strategy}`: the strategy's profit and loss in quote currency.
    pub fn pnl(&self, strategy: &str) -> Gauge {
        self.inner.registry.gauge(&PNL, &[strategy])
    }

    /// `hft_risk_state{strategy}`: 0 active, 1 reducing, 2 halted (the
    /// `HftRiskHalted` alert fires on 2).
    pub fn risk_state(&self, strategy: &str) -> RiskStateGauge {
        RiskStateGauge(self.inner.registry.gauge(&RISK_STATE, &[strategy]))
    }

    /// `hft_kill_switch`: 1 while the kill switch stops all trading.
    pub fn kill_switch(&self) -> FlagGauge {
        FlagGauge::from_gauge(self.inner.registry.gauge(&KILL_SWITCH, &[]))
    }

    /// `hft_tick_to_order_seconds`: time from a tick's arrival to the order
    /// it caused, in seconds (buckets from 1 µs to 1 s).
    pub fn tick_to_order(&self) -> Histogram {
        self.inner.registry.histogram(&TICK_TO_ORDER, &[])
    }

    /// `hft_consumer_lag{topic}`: messages this consumer is behind the end
    /// of `topic`.
    pub fn consumer_lag(&self, topic: &str) -> Gauge {
        self.inner.registry.gauge(&CONSUMER_LAG, &[topic])
    }

    /// `hft_dead_letters_total{topic}`: messages of `topic` that could not
    /// be processed and went to the dead-letter topic.
    pub fn dead_letters(&self, topic: &str) -> Counter {
        self.inner.registry.counter(&DEAD_LETTERS, &[topic])
    }

    /// `hft_plugin_swaps_total{outcome}`: hot swaps of a component by
    /// `outcome` (e.g. `ok`, `failed`).
    pub fn plugin_swaps(&self, outcome: &str) -> Counter {
        self.inner.registry.counter(&PLUGIN_SWAPS, &[outcome])
    }

    /// `hft_drawdown{strategy}`: the book's fall from its peak equity, as
    /// a fraction of that peak.
    pub fn drawdown(&self, strategy: &str) -> Gauge {
        self.inner.registry.gauge(&DRAWDOWN, &[strategy])
    }

    /// `hft_sharpe_per_tick{strategy}`: mean over standard deviation of the
    /// book's per-tick returns (the promotion gate's unit; not annualised).
    pub fn sharpe_per_tick(&self, strategy: &str) -> Gauge {
        self.inner.registry.gauge(&SHARPE, &[strategy])
    }

    /// `hft_position{strategy,instrument}`: the book's position, in units.
    pub fn position(&self, strategy: &str, instrument: &str) -> Gauge {
        self.inner.registry.gauge(&POSITION, &[strategy, instrument])
    }

    /// `hft_risk_rejections_total{strategy,reason}`: orders the pre-trade
    /// risk manager refused, by reason.
    pub fn risk_rejections(&self, strategy: &str, reason: &str) -> Counter {
        self.inner.registry.counter(&RISK_REJECTIONS, &[strategy, reason])
    }

    /// `hft_plugin_call_seconds{strategy,plugin}`: the time of each call
    /// into a component (a model's update, a strategy's decision), per
    /// book and component.
    pub fn plugin_call_seconds(&self, strategy: &str, plugin: &str) -> Histogram {
        self.inner.registry.histogram(&PLUGIN_CALL, &[strategy, plugin])
    }

    /// `hft_swap_pause_seconds`: how long a promotion or rollback paused
    /// the event loop.
    pub fn swap_pause(&self) -> Histogram {
        self.inner.registry.histogram(&SWAP_PAUSE, &[])
    }

    /// `hft_plugin_uploads_total{outcome}`: components uploaded to the
    /// registry, by outcome (`accepted`, or the refusal's code such as
    /// `ungranted_import`, `not_a_component`, `smoke_failed`).
    pub fn plugin_uploads(&self, outcome: &str) -> Counter {
        self.inner.registry.counter(&PLUGIN_UPLOADS, &[outcome])
    }

    /// `hft_plugin_quarantined_total`: components quarantined after a trap,
    /// timeout or memory exhaustion.
    pub fn plugin_quarantined(&self) -> Counter {
        self.inner.registry.counter(&PLUGIN_QUARANTINED, &[])
    }

    /// `hft_plugin_traps_total{kind}`: plugin calls the sandbox stopped, by
    /// `kind`, the [`PluginError::kind`](crate::runtime::PluginError::kind)
    /// label: `trap` (a panic or any other wasm trap), `timeout` (past the
    /// call's deadline: an endless loop), `out_of_memory` (over the memory
    /// cap). Pipeline nodes count into it through [`PluginFaultMetrics`].
    pub fn plugin_traps(&self, kind: &str) -> Counter {
        self.inner.registry.counter(&PLUGIN_TRAPS, &[kind])
    }

    /// `hft_state_store_up`: 1 while the state store (Redis) is reachable.
    /// Only roles that use the store should take this handle: the
    /// `HftStateStoreDown` alert fires on any 0.
    pub fn state_store_up(&self) -> FlagGauge {
        FlagGauge::from_gauge(self.inner.registry.gauge(&STATE_STORE_UP, &[]))
    }
}

/// `hft_risk_state` for one strategy, typed by the trading core's
/// [`RiskState`] so the number on the dashboard cannot drift from the enum.
#[derive(Debug, Clone)]
pub struct RiskStateGauge(Gauge);

impl RiskStateGauge {
    /// Publishes `state` as 0 (active), 1 (reducing) or 2 (halted).
    #[inline]
    pub fn set(&self, state: RiskState) {
        self.0.set(risk_state_value(state));
    }
}

/// The chart's encoding of a risk state.
fn risk_state_value(state: RiskState) -> f64 {
    match state {
        RiskState::Active => 0.0,
        RiskState::Reducing => 1.0,
        RiskState::Halted => 2.0,
    }
}

// The metric contract with charts/hft-crypto-bot (prometheusrule.yaml and
// dashboards/hft-host.json). Renaming one breaks an alert or a panel.

static BUILD_INFO: Desc = Desc {
    name: "hft_build_info",
    help: "Build of this process; always 1, the labels carry the version and the role.",
    kind: Kind::Gauge,
    labels: &["version", "role"],
    buckets: &[],
};
static TICKS: Desc = Desc {
    name: "hft_ticks_total",
    help: "Market-data ticks processed.",
    kind: Kind::Counter,
    labels: &[],
    buckets: &[],
};
static ORDERS: Desc = Desc {
    name: "hft_orders_total",
    help: "Orders by strategy and outcome.",
    kind: Kind::Counter,
    labels: &["strategy", "outcome"],
    buckets: &[],
};
static FILLS: Desc = Desc {
    name: "hft_fills_total",
    help: "Fills by strategy.",
    kind: Kind::Counter,
    labels: &["strategy"],
    buckets: &[],
};
static EQUITY: Desc = Desc {
    name: "hft_equity",
    help: "Equity of the strategy, in quote currency.",
    kind: Kind::Gauge,
    labels: &["strategy"],
    buckets: &[],
};
static PNL: Desc = Desc {
    name: "hft_pnl",
    help: "Profit and loss of the strategy, in quote currency.",
    kind: Kind::Gauge,
    labels: &["strategy"],
    buckets: &[],
};
static RISK_STATE: Desc = Desc {
    name: "hft_risk_state",
    help: "Risk state of the strategy: 0 active, 1 reducing, 2 halted.",
    kind: Kind::Gauge,
    labels: &["strategy"],
    buckets: &[],
};
static KILL_SWITCH: Desc = Desc {
    name: "hft_kill_switch",
    help: "1 while the kill switch stops all trading, else 0.",
    kind: Kind::Gauge,
    labels: &[],
    buckets: &[],
};
static TICK_TO_ORDER: Desc = Desc {
    name: "hft_tick_to_order_seconds",
    help: "Time from a tick's arrival to the order it caused, in seconds.",
    kind: Kind::Histogram,
    labels: &[],
    buckets: &[
        1e-6, 2.5e-6, 5e-6, 1e-5, 2.5e-5, 5e-5, 1e-4, 2.5e-4, 5e-4, 1e-3, 2.5e-3, 5e-3, 1e-2, 2.5e-2, 5e-2, 0.1, 0.25,
        0.5, 1.0,
    ],
};
static CONSUMER_LAG: Desc = Desc {
    name: "hft_consumer_lag",
    help: "Messages the consumer is behind the end of the topic.",
    kind: Kind::Gauge,
    labels: &["topic"],
    buckets: &[],
};
static DEAD_LETTERS: Desc = Desc {
    name: "hft_dead_letters_total",
    help: "Messages that could not be processed and were dead-lettered, by source topic.",
    kind: Kind::Counter,
    labels: &["topic"],
    buckets: &[],
};
static PLUGIN_SWAPS: Desc = Desc {
    name: "hft_plugin_swaps_total",
    help: "Hot swaps of components, by outcome.",
    kind: Kind::Counter,
    labels: &["outcome"],
    buckets: &[],
};
static DRAWDOWN: Desc = Desc {
    name: "hft_drawdown",
    help: "Fall of the strategy's equity from its peak, as a fraction of the peak.",
    kind: Kind::Gauge,
    labels: &["strategy"],
    buckets: &[],
};
static SHARPE: Desc = Desc {
    name: "hft_sharpe_per_tick",
    help: "Mean over standard deviation of the strategy's per-tick returns (not annualised).",
    kind: Kind::Gauge,
    labels: &["strategy"],
    buckets: &[],
};
static POSITION: Desc = Desc {
    name: "hft_position",
    help: "Position of the strategy in the instrument, in units.",
    kind: Kind::Gauge,
    labels: &["strategy", "instrument"],
    buckets: &[],
};
static RISK_REJECTIONS: Desc = Desc {
    name: "hft_risk_rejections_total",
    help: "Orders refused by the pre-trade risk manager, by strategy and reason.",
    kind: Kind::Counter,
    labels: &["strategy", "reason"],
    buckets: &[],
};
static PLUGIN_CALL: Desc = Desc {
    name: "hft_plugin_call_seconds",
    help: "Time of each call into a component (model update, strategy decision), by strategy and component.",
    kind: Kind::Histogram,
    labels: &["strategy", "plugin"],
    buckets: &[5e-7, 1e-6, 2.5e-6, 5e-6, 1e-5, 2.5e-5, 5e-5, 1e-4, 2.5e-4, 1e-3, 1e-2, 0.1, 1.0],
};
static SWAP_PAUSE: Desc = Desc {
    name: "hft_swap_pause_seconds",
    help: "Pause of the event loop for a promotion or rollback.",
    kind: Kind::Histogram,
    labels: &[],
    buckets: &[1e-7, 2.5e-7, 5e-7, 1e-6, 2.5e-6, 5e-6, 1e-5, 5e-5, 1e-4, 1e-3],
};
static PLUGIN_UPLOADS: Desc = Desc {
    name: "hft_plugin_uploads_total",
    help: "Components uploaded to the registry, by outcome (accepted or the refusal's code).",
    kind: Kind::Counter,
    labels: &["outcome"],
    buckets: &[],
};
static PLUGIN_QUARANTINED: Desc = Desc {
    name: "hft_plugin_quarantined_total",
    help: "Components quarantined after a trap, timeout or memory exhaustion.",
    kind: Kind::Counter,
    labels: &[],
    buckets: &[],
};
static PLUGIN_TRAPS: Desc = Desc {
    name: "hft_plugin_traps_total",
    help: "Plugin calls stopped by the sandbox, by kind: trap, timeout (deadline), out_of_memory (memory cap).",
    kind: Kind::Counter,
    labels: &["kind"],
    buckets: &[],
};
static STATE_STORE_UP: Desc = Desc {
    name: "hft_state_store_up",
    help: "1 while the state store is reachable, else 0.",
    kind: Kind::Gauge,
    labels: &[],
    buckets: &[],
};

/// Every family, in exposition order.
static FAMILIES: &[&Desc] = &[
    &BUILD_INFO,
    &TICKS,
    &ORDERS,
    &FILLS,
    &EQUITY,
    &PNL,
    &RISK_STATE,
    &KILL_SWITCH,
    &TICK_TO_ORDER,
    &CONSUMER_LAG,
    &DEAD_LETTERS,
    &PLUGIN_SWAPS,
    &PLUGIN_QUARANTINED,
    &PLUGIN_TRAPS,
    &STATE_STORE_UP,
    &PLUGIN_UPLOADS,
    &DRAWDOWN,
    &SHARPE,
    &POSITION,
    &RISK_REJECTIONS,
    &PLUGIN_CALL,
    &SWAP_PAUSE,
];
