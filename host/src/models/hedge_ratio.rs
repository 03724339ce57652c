//! A hedge-ratio model component (`hft:strategy/hedge-ratio`) as a Rust value.

use super::handle::Handle;
use crate::runtime::bindings::hedge_ratio::HedgeRatioModel as Api;
use crate::runtime::bindings::types::Param;
use crate::runtime::{CallClass, LoadedComponent, ModelKind, PluginError};

pub use crate::runtime::bindings::hedge_ratio::exports::hft::strategy::hedge_ratio::{
    Estimate, EstimateBatch, Observation,
};

/// An estimate's values in [`ModelKind::outputs`] order: the columns of
/// the pipeline's board and of `model run`, written in one place.
pub fn estimate_outputs(e: &Estimate) -> [f64; 12] {
    [
        e.pred_alpha,
        e.pred_beta,
        e.pred_y,
        e.innovation,
        e.innovation_var,
        e.zscore,
        e.alpha,
        e.beta,
        e.p_aa,
        e.p_ab,
        e.p_bb,
        e.loglik,
    ]
}

/// One hedge-ratio model in its own sandboxed instance.
pub struct HedgeRatioModel {
    handle: Handle,
    api: Api,
}

impl HedgeRatioModel {
    /// Instantiate `component` and create a model from `params`.
    pub fn create(component: &LoadedComponent, params: &[Param]) -> Result<Self, PluginError> {
        let (handle, api) = Handle::make(
            component,
            ModelKind::HedgeRatio,
            "create",
            |s, i| Api::new(s, i),
            |api: &Api, s| api.hft_strategy_hedge_ratio().model().call_create(s, params),
        )?;
        HedgeRatioModel::activated(handle, api)
    }

    /// Instantiate `component` and rebuild a model from a snapshot.
    pub fn restore(component: &LoadedComponent, snapshot: &[u8]) -> Result<Self, PluginError> {
        let (handle, api) = Handle::make(
            component,
            ModelKind::HedgeRatio,
            "restore",
            |s, i| Api::new(s, i),
            |api: &Api, s| api.hft_strategy_hedge_ratio().model().call_restore(s, snapshot),
        )?;
        HedgeRatioModel::activated(handle, api)
    }

    /// Make the new model its instance's active one, which `update` feeds
    /// through the free function `update-active`.
    fn activated(mut handle: Handle, api: Api) -> Result<Self, PluginError> {
        let i = api.hft_strategy_hedge_ratio();
        handle.call_infallible("activate", CallClass::Event, |s, r| i.call_activate(s, r))?;
        Ok(HedgeRatioModel { handle, api })
    }

    /// Feed one observation.
    pub fn update(&mut self, x: f64, y: f64) -> Result<Estimate, PluginError> {
        let i = self.api.hft_strategy_hedge_ratio();
        self.handle.call_event(
            "update",
            |s, _| i.call_update_active(s, Observation { x, y }),
            |s, r| i.model().call_last_error(s, r),
        )
    }

    /// Feed `x[i], y[i]` in order; all or nothing.
    pub fn update_batch(&mut self, x: &[f64], y: &[f64]) -> Result<EstimateBatch, PluginError> {
        let m = self.api.hft_strategy_hedge_ratio().model();
        self.handle.call("update-batch", CallClass::Heavy, |s, r| m.call_update_batch(s, r, x, y))
    }

    /// The model's full state.
    pub fn snapshot(&mut self) -> Result<Vec<u8>, PluginError> {
        let m = self.api.hft_strategy_hedge_ratio().model();
        self.handle.call_infallible("snapshot", CallClass::Heavy, |s, r| m.call_snapshot(s, r))
    }

    /// The parameters in effect.
    pub fn params(&mut self) -> Result<Vec<Param>, PluginError> {
        let m = self.api.hft_strategy_hedge_ratio().model();
        self.handle.call_infallible("params", CallClass::Event, |s, r| m.call_params(s, r))
    }

    /// Whether a fault has made this instance unusable.
    pub fn is_poisoned(&self) -> bool {
        self.handle.instance.is_poisoned()
    }
}
