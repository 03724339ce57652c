use crate::models::{Handle, flatten};
use crate::runtime::bindings::strategy::TradingStrategy as Api;
use crate::runtime::bindings::types::Param;
use crate::runtime::bindings::warm_up::exports::hft::strategy::warm_up::GuestIndices as WarmUpIndices;
use crate::runtime::{CallClass, ComponentKind, Instance, LoadedComponent, PluginError, WIT_PACKAGE};

use super::{Decision, StrategyInfo, Tick};

/// One strategy in its own sandboxed instance.
pub struct StrategyComponent {
    handle: Handle,
    api: Api,
}

/// Ask a strategy component for its identity, parameters and slots, in a
/// throwaway instance.
pub fn describe_strategy(component: &LoadedComponent) -> Result<StrategyInfo, PluginError> {
    component.world.expect_kind(ComponentKind::Strategy)?;
    let mut instance = component.instantiate()?;
    let (store, inst) = instance.parts();
    let api = Api::new(store, inst)
        .map_err(|e| PluginError::Incompatible(format!("exports do not match trading-strategy: {e:#}")))?;
    instance.call("describe", CallClass::Heavy, |s| api.hft_strategy_strategy().call_describe(s))
}

/// The ticks a strategy created with `params` observes before it trades,
/// as it says through the optional `warm-up` export (added in WIT 0.1.1).
/// `None` for a strategy that does not export it, such as one built
/// against 0.1.0: the host then assumes it needs none. Asks a throwaway
/// instance; a running strategy answers in its own
/// ([`StrategyComponent::warm_up_ticks`]).
pub fn warm_up_ticks(component: &LoadedComponent, params: &[Param]) -> Result<Option<u32>, PluginError> {
    component.world.expect_kind(ComponentKind::Strategy)?;
    ask_warm_up(&mut component.instantiate()?, params)
}

/// `ticks-needed` in `instance`, if it exports `warm-up`. A `warm-up`
/// export that does not match the interface (its function missing, or of
/// another type) is refused rather than read as none: the author meant to
/// declare a warm-up, and a challenger judged on its cold-start ticks would
/// be judged unfairly without anyone being told.
fn ask_warm_up(instance: &mut Instance, params: &[Param]) -> Result<Option<u32>, PluginError> {
    let (store, inst) = instance.parts();
    let pre = inst.instance_pre(&*store);
    let Some(name) = warm_up_export(pre.component(), store.engine()) else { return Ok(None) };
    let refuse = |e: wasmtime::Error| {
        PluginError::Incompatible(format!("its export {name} does not match {WIT_PACKAGE}/warm-up: {e:#}"))
    };
    let api = WarmUpIndices::new(&pre).and_then(|indices| indices.load(&mut *store, inst)).map_err(refuse)?;
    flatten(instance.call("ticks-needed", CallClass::Heavy, |s| api.call_ticks_needed(s, params))).map(Some)
}

/// The name of `component`'s export of our `warm-up` interface, of any
/// version, if it has one.
fn warm_up_export(component: &wasmtime::component::Component, engine: &wasmtime::Engine) -> Option<String> {
    let prefix = format!("{WIT_PACKAGE}/warm-up@");
    component
        .component_type()
        .exports(engine)
        .map(|(name, _)| name)
        .find(|n| n.starts_with(&prefix))
        .map(str::to_string)
}

impl StrategyComponent {
    /// Instantiate `component` and create the strategy from `params`.
    pub fn create(component: &LoadedComponent, params: &[Param]) -> Result<Self, PluginError> {
        let (handle, api) = Handle::make(
            component,
            ComponentKind::Strategy,
            "create",
            |s, i| Api::new(s, i),
            |api: &Api, s| api.hft_strategy_strategy().strategy().call_create(s, params),
        )?;
        Ok(StrategyComponent { handle, api })
    }

    /// Instantiate `component` and rebuild the strategy from a snapshot.
    pub fn restore(component: &LoadedComponent, snapshot: &[u8]) -> Result<Self, PluginError> {
        let (handle, api) = Handle::make(
            component,
            ComponentKind::Strategy,
            "restore",
            |s, i| Api::new(s, i),
            |api: &Api, s| api.hft_strategy_strategy().strategy().call_restore(s, snapshot),
        )?;
        Ok(StrategyComponent { handle, api })
    }

    /// Decide on one tick. A guest error carries the strategy's message; a
    /// trap, timeout or memory exhaustion poisons the instance.
    pub fn on_tick(&mut self, tick: &Tick) -> Result<Decision, PluginError> {
        let st = self.api.hft_strategy_strategy().strategy();
        self.handle.call_event("on-tick", |s, r| st.call_on_tick(s, r, tick), |s, r| st.call_last_error(s, r))
    }

    /// The strategy's full state.
    pub fn snapshot(&mut self) -> Result<Vec<u8>, PluginError> {
        let st = self.api.hft_strategy_strategy().strategy();
        self.handle.call_infallible("snapshot", CallClass::Heavy, |s, r| st.call_snapshot(s, r))
    }

    /// The parameters in effect.
    pub fn params(&mut self) -> Result<Vec<Param>, PluginError> {
        let st = self.api.hft_strategy_strategy().strategy();
        self.handle.call_infallible("params", CallClass::Event, |s, r| st.call_params(s, r))
    }

    /// [`warm_up_ticks`], asked of this strategy's own instance (no second
    /// instantiation when a pipeline is wired).
    pub fn warm_up_ticks(&mut self, params: &[Param]) -> Result<Option<u32>, PluginError> {
        ask_warm_up(&mut self.handle.instance, params)
    }

    /// Whether a fault has made this instance unusable.
    pub fn is_poisoned(&self) -> bool {
        self.handle.instance.is_poisoned()
    }
}
