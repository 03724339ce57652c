//! A volatility model component (`hft:strategy/volatility`) as a Rust value.

use super::handle::Handle;
use crate::runtime::bindings::types::Param;
use crate::runtime::bindings::volatility::VolatilityModel as Api;
use crate::runtime::{CallClass, LoadedComponent, ModelKind, PluginError};

pub use crate::runtime::bindings::volatility::exports::hft::strategy::volatility::{FitReport, Step, StepBatch};

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
        Ok(VolatilityModel { handle, api })
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
        Ok(VolatilityModel { handle, api })
    }

    /// Feed one raw return.
    pub fn update(&mut self, ret: f64) -> Result<Step, PluginError> {
        let m = self.api.hft_strategy_volatility().model();
        self.handle.call_event("update", |s, r| m.call_update(s, r, ret), |s, r| m.call_last_error(s, r))
    }

    /// Feed raw returns in order; all or nothing.
    pub fn update_batch(&mut self, rets: &[f64]) -> Result<StepBatch, PluginError> {
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
