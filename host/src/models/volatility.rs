//! A volatility model component (`hft:strategy/volatility`) as a Rust value.

use super::handle::Handle;
use crate::runtime::bindings::types::Param;
use crate::runtime::bindings::volatility::VolatilityModel as Api;
use crate::runtime::{CallClass, LoadedComponent, ModelKind, PluginError};

use crate::runtime::bindings::volatility::exports::hft::strategy::volatility::StepBatch as WitStepBatch;
pub use crate::runtime::bindings::volatility::exports::hft::strategy::volatility::{FitReport, Step};

/// A batch of steps as columns, one per field of [`Step`].
///
/// The WIT `step-batch` carries the two flags packed in one byte per step
/// (a `list<u8>` crosses the boundary as one copy); they are unpacked here.
#[derive(Debug, Clone, PartialEq)]
pub struct StepBatch {
    /// Conditional variance of each return, scaled units.
    pub variance: Vec<f64>,
    /// Conditional variance of the next return.
    pub forecast: Vec<f64>,
    /// Conditional mean of each return.
    pub mean: Vec<f64>,
    /// Standardised residuals.
    pub std_resid: Vec<f64>,
    /// Log-likelihood of each return given the past.
    pub loglik: Vec<f64>,
    /// Whether the model had parameters at each step.
    pub ready: Vec<bool>,
    /// Whether the parameters were re-estimated at each step.
    pub refitted: Vec<bool>,
}

/// Bit 0 of a `step-batch` status byte.
pub(crate) const READY: u8 = 1;
/// Bit 1 of a `step-batch` status byte.
pub(crate) const REFITTED: u8 = 2;

impl From<WitStepBatch> for StepBatch {
    fn from(b: WitStepBatch) -> Self {
        StepBatch {
            ready: b.status.iter().map(|f| f & READY != 0).collect(),
            refitted: b.status.iter().map(|f| f & REFITTED != 0).collect(),
            variance: b.variance,
            forecast: b.forecast,
            mean: b.mean,
            std_resid: b.std_resid,
            loglik: b.loglik,
        }
    }
}

/// One volatility model in its own sandboxed instance.
pub struct VolatilityModel {
    handle: Handle,
    api: Api,
}

impl VolatilityModel {
    /// Instantiate `component` and create a model from `params`.
    pub fn create(component: &LoadedComponent, params: &[Param]) -> Result<Self, PluginError> {
        let (handle, api) = Handle::make(
            component,
            ModelKind::Volatility,
            "create",
            |s, i| Api::new(s, i),
            |api: &Api, s| api.hft_strategy_volatility().model().call_create(s, params),
        )?;
        VolatilityModel::activated(handle, api)
    }

    /// Instantiate `component` and rebuild a model from a snapshot.
    pub fn restore(component: &LoadedComponent, snapshot: &[u8]) -> Result<Self, PluginError> {
        let (handle, api) = Handle::make(
            component,
            ModelKind::Volatility,
            "restore",
            |s, i| Api::new(s, i),
            |api: &Api, s| api.hft_strategy_volatility().model().call_restore(s, snapshot),
        )?;
        VolatilityModel::activated(handle, api)
    }

    /// Make the new model its instance's active one, which `update` feeds
    /// through the free function `update-active`.
    fn activated(mut handle: Handle, api: Api) -> Result<Self, PluginError> {
        let i = api.hft_strategy_volatility();
        handle.call_infallible("activate", CallClass::Event, |s, r| i.call_activate(s, r))?;
        Ok(VolatilityModel { handle, api })
    }

    /// Feed one raw return.
    pub fn update(&mut self, ret: f64) -> Result<Step, PluginError> {
        let i = self.api.hft_strategy_volatility();
        self.handle.call_event("update", |s, _| i.call_update_active(s, ret), |s, r| i.model().call_last_error(s, r))
    }

    /// Feed raw returns in order; all or nothing.
    pub fn update_batch(&mut self, rets: &[f64]) -> Result<StepBatch, PluginError> {
        self.update_batch_packed(rets).map(StepBatch::from)
    }

    /// [`update_batch`](Self::update_batch) with the flags still packed, as
    /// the WIT `step-batch` has them.
    pub(crate) fn update_batch_packed(&mut self, rets: &[f64]) -> Result<WitStepBatch, PluginError> {
        let m = self.api.hft_strategy_volatility().model();
        self.handle.call("update-batch", CallClass::Heavy, |s, r| m.call_update_batch(s, r, rets))
    }

    /// Fit by maximum likelihood on these raw returns.
    pub fn fit(&mut self, rets: &[f64]) -> Result<FitReport, PluginError> {
        let m = self.api.hft_strategy_volatility().model();
        self.handle.call("fit", CallClass::Heavy, |s, r| m.call_fit(s, r, rets))
    }

    /// Variance forecasts 1..=horizon steps ahead.
    pub fn forecast(&mut self, horizon: u32) -> Result<Vec<f64>, PluginError> {
        let m = self.api.hft_strategy_volatility().model();
        self.handle.call("forecast", CallClass::Event, |s, r| m.call_forecast(s, r, horizon))
    }

    /// The model's full state.
    pub fn snapshot(&mut self) -> Result<Vec<u8>, PluginError> {
        let m = self.api.hft_strategy_volatility().model();
        self.handle.call_infallible("snapshot", CallClass::Heavy, |s, r| m.call_snapshot(s, r))
    }

    /// The parameters in effect.
    pub fn params(&mut self) -> Result<Vec<Param>, PluginError> {
        let m = self.api.hft_strategy_volatility().model();
        self.handle.call_infallible("params", CallClass::Event, |s, r| m.call_params(s, r))
    }

    /// Whether a fault has made this instance unusable.
    pub fn is_poisoned(&self) -> bool {
        self.handle.instance.is_poisoned()
    }
}
