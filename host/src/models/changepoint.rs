//! A changepoint model component (`hft:strategy/changepoint`) as a Rust value.

use super::handle::Handle;
use crate::runtime::bindings::changepoint::ChangepointModel as Api;
use crate::runtime::bindings::types::Param;
use crate::runtime::{CallClass, LoadedComponent, ModelKind, PluginError};

pub use crate::runtime::bindings::changepoint::exports::hft::strategy::changepoint::{Step, StepBatch};

/// One changepoint model in its own sandboxed instance.
pub struct ChangepointModel {
    handle: Handle,
    api: Api,
}

impl ChangepointModel {
    /// Instantiate `component` and create a model from `params`.
    pub fn create(component: &LoadedComponent, params: &[Param]) -> Result<Self, PluginError> {
        let (handle, api) = Handle::make(
            component,
            ModelKind::Changepoint,
            "create",
            |s, i| Api::new(s, i),
            |api: &Api, s| api.hft_strategy_changepoint().model().call_create(s, params),
        )?;
        Ok(ChangepointModel { handle, api })
    }

    /// Instantiate `component` and rebuild a model from a snapshot.
    pub fn restore(component: &LoadedComponent, snapshot: &[u8]) -> Result<Self, PluginError> {
        let (handle, api) = Handle::make(
            component,
            ModelKind::Changepoint,
            "restore",
            |s, i| Api::new(s, i),
            |api: &Api, s| api.hft_strategy_changepoint().model().call_restore(s, snapshot),
        )?;
        Ok(ChangepointModel { handle, api })
    }

    /// Feed one observation.
    pub fn update(&mut self, x: f64) -> Result<Step, PluginError> {
        let m = self.api.hft_strategy_changepoint().model();
        self.handle.call_event("update", |s, r| m.call_update(s, r, x), |s, r| m.call_last_error(s, r))
    }

    /// Feed observations in order; all or nothing.
    pub fn update_batch(&mut self, xs: &[f64]) -> Result<StepBatch, PluginError> {
        let m = self.api.hft_strategy_changepoint().model();
        self.handle.call("update-batch", CallClass::Heavy, |s, r| m.call_update_batch(s, r, xs))
    }

    /// P(current segment began within the last `window` observations).
    pub fn change_prob(&mut self, window: u32) -> Result<f64, PluginError> {
        let m = self.api.hft_strategy_changepoint().model();
        self.handle.call_infallible("change-prob", CallClass::Event, |s, r| m.call_change_prob(s, r, window))
    }

    /// The dense run-length posterior after the last update.
    pub fn run_length_posterior(&mut self) -> Result<Vec<f64>, PluginError> {
        let m = self.api.hft_strategy_changepoint().model();
        self.handle.call_infallible("run-length-posterior", CallClass::Heavy, |s, r| m.call_run_length_posterior(s, r))
    }

    /// The model's full state.
    pub fn snapshot(&mut self) -> Result<Vec<u8>, PluginError> {
        let m = self.api.hft_strategy_changepoint().model();
        self.handle.call_infallible("snapshot", CallClass::Heavy, |s, r| m.call_snapshot(s, r))
    }

    /// The parameters in effect.
    pub fn params(&mut self) -> Result<Vec<Param>, PluginError> {
        let m = self.api.hft_strategy_changepoint().model();
        self.handle.call_infallible("params", CallClass::Event, |s, r| m.call_params(s, r))
    }

    /// Whether a fault has made this instance unusable.
    pub fn is_poisoned(&self) -> bool {
        self.handle.instance.is_poisoned()
    }
}
