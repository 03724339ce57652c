use crate::runtime::bindings::strategy::TradingStrategy as Api;
use crate::runtime::bindings::types::{ModelError, Param};
use crate::runtime::{CallClass, ComponentKind, GuestError, Instance, LoadedComponent, PluginError};
use wasmtime::component::ResourceAny;

use super::{Decision, StrategyInfo, Tick};

/// One strategy in its own sandboxed instance.
pub struct StrategyComponent {
    instance: Instance,
    resource: ResourceAny,
    api: Api,
}

fn bind(instance: &mut Instance) -> Result<Api, PluginError> {
    let (store, inst) = instance.parts();
    Api::new(store, inst)
        .map_err(|e| PluginError::Incompatible(format!("exports do not match trading-strategy: {e:#}")))
}

fn guest(r: Result<Result<ResourceAny, ModelError>, PluginError>) -> Result<ResourceAny, PluginError> {
    r?.map_err(|e| PluginError::Guest(e.into()))
}

/// Ask a strategy component for its identity, parameters and slots, in a
/// throwaway instance.
pub fn describe_strategy(component: &LoadedComponent) -> Result<StrategyInfo, PluginError> {
    component.world.expect_kind(ComponentKind::Strategy)?;
    let mut instance = component.instantiate()?;
    let api = bind(&mut instance)?;
    instance.call("describe", CallClass::Heavy, |s| api.hft_strategy_strategy().call_describe(s))
}

impl StrategyComponent {
    /// Instantiate `component` and create the strategy from `params`.
    pub fn create(component: &LoadedComponent, params: &[Param]) -> Result<Self, PluginError> {
        Self::make(component, "create", |api, s| api.hft_strategy_strategy().strategy().call_create(s, params))
    }

    /// Instantiate `component` and rebuild the strategy from a snapshot.
    pub fn restore(component: &LoadedComponent, snapshot: &[u8]) -> Result<Self, PluginError> {
        Self::make(component, "restore", |api, s| api.hft_strategy_strategy().strategy().call_restore(s, snapshot))
    }

    fn make(
        component: &LoadedComponent,
        call: &'static str,
        f: impl FnOnce(
            &Api,
            &mut wasmtime::Store<crate::runtime::SandboxState>,
        ) -> wasmtime::Result<Result<ResourceAny, ModelError>>,
    ) -> Result<Self, PluginError> {
        component.world.expect_kind(ComponentKind::Strategy)?;
        let mut instance = component.instantiate()?;
        let api = bind(&mut instance)?;
        let resource = guest(instance.call(call, CallClass::Heavy, |s| f(&api, s)))?;
        Ok(StrategyComponent { instance, resource, api })
    }

    /// Decide on one tick. A guest error carries the strategy's message; a
    /// trap, timeout or memory exhaustion poisons the instance.
    pub fn on_tick(&mut self, tick: &Tick) -> Result<Decision, PluginError> {
        let (res, st) = (self.resource, self.api.hft_strategy_strategy().strategy());
        match self.instance.call("on-tick", CallClass::Event, |s| st.call_on_tick(s, res, tick))? {
            Ok(d) => Ok(d),
            Err(kind) => {
                let message = self.instance.call("last-error", CallClass::Event, |s| st.call_last_error(s, res))?;
                Err(GuestError::from_kind(kind, message).into())
            }
        }
    }

    /// The strategy's full state.
    pub fn snapshot(&mut self) -> Result<Vec<u8>, PluginError> {
        let (res, st) = (self.resource, self.api.hft_strategy_strategy().strategy());
        self.instance.call("snapshot", CallClass::Heavy, |s| st.call_snapshot(s, res))
    }

    /// The parameters in effect.
    pub fn params(&mut self) -> Result<Vec<Param>, PluginError> {
        let (res, st) = (self.resource, self.api.hft_strategy_strategy().strategy());
        self.instance.call("params", CallClass::Event, |s| st.call_params(s, res))
    }

    /// Whether a fault has made this instance unusable.
    pub fn is_poisoned(&self) -> bool {
        self.instance.is_poisoned()
    }
}
