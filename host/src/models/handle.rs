//! What every typed model and strategy handle shares: an instance, a resource handle in
//! it, and the translation of the WIT `model-error` into [`GuestError`].

use crate::runtime::bindings::types::{ErrorKind, ModelError, ModelInfo};
use crate::runtime::bindings::{changepoint, hedge_ratio, volatility};
use crate::runtime::{
    CallClass, ComponentKind, GuestError, Instance, LoadedComponent, ModelKind, PluginError, SandboxState,
};
use wasmtime::Store;
use wasmtime::component::ResourceAny;

impl From<ModelError> for GuestError {
    fn from(e: ModelError) -> Self {
        match e {
            ModelError::InvalidParams(m) => GuestError::InvalidParams(m),
            ModelError::InvalidInput(m) => GuestError::InvalidInput(m),
            ModelError::InvalidSnapshot(m) => GuestError::InvalidSnapshot(m),
            ModelError::NotReady(m) => GuestError::NotReady(m),
            ModelError::Numerical(m) => GuestError::Numerical(m),
        }
    }
}

impl GuestError {
    /// The error of a per-event call: its kind, and the message the guest
    /// kept for `last-error`.
    pub(crate) fn from_kind(kind: ErrorKind, message: String) -> GuestError {
        match kind {
            ErrorKind::InvalidParams => GuestError::InvalidParams(message),
            ErrorKind::InvalidInput => GuestError::InvalidInput(message),
            ErrorKind::InvalidSnapshot => GuestError::InvalidSnapshot(message),
            ErrorKind::NotReady => GuestError::NotReady(message),
            ErrorKind::Numerical => GuestError::Numerical(message),
        }
    }
}

/// Flatten a call's two layers of failure: the host's (trap, timeout) and
/// the guest's (`model-error`).
pub(crate) fn flatten<T>(r: Result<Result<T, ModelError>, PluginError>) -> Result<T, PluginError> {
    r?.map_err(|e| PluginError::Guest(e.into()))
}

/// A model resource living in its own instance.
pub(crate) struct Handle {
    pub(crate) instance: Instance,
    pub(crate) resource: ResourceAny,
}

/// The result type of a generated export call that can return `model-error`.
pub(crate) type WitResult<T> = wasmtime::Result<Result<T, ModelError>>;

impl Handle {
    /// Instantiate `component` (which must be of `kind`: a model kind or
    /// the strategy), bind its exports with `bind`, and create the resource
    /// with `create`.
    pub(crate) fn make<A>(
        component: &LoadedComponent,
        kind: impl Into<ComponentKind>,
        call: &'static str,
        bind: impl FnOnce(&mut Store<SandboxState>, &wasmtime::component::Instance) -> wasmtime::Result<A>,
        create: impl FnOnce(&A, &mut Store<SandboxState>) -> WitResult<ResourceAny>,
    ) -> Result<(Handle, A), PluginError> {
        let kind = kind.into();
        component.world.expect_kind(kind)?;
        let mut instance = component.instantiate()?;
        let (store, inst) = instance.parts();
        let api =
            bind(store, inst).map_err(|e| PluginError::Incompatible(format!("exports do not match {kind}: {e:#}")))?;
        let resource = flatten(instance.call(call, CallClass::Heavy, |s| create(&api, s)))?;
        Ok((Handle { instance, resource }, api))
    }

    /// Call a method of the resource that may return `model-error`.
    pub(crate) fn call<R>(
        &mut self,
        call: &'static str,
        class: CallClass,
        f: impl FnOnce(&mut Store<SandboxState>, ResourceAny) -> WitResult<R>,
    ) -> Result<R, PluginError> {
        let res = self.resource;
        flatten(self.instance.call(call, class, |s| f(s, res)))
    }

    /// Call a per-event method, which reports failure as an [`ErrorKind`]
    /// only; on failure, ask `last_error` for the message (a second call,
    /// paid only when something went wrong).
    pub(crate) fn call_event<R>(
        &mut self,
        call: &'static str,
        f: impl FnOnce(&mut Store<SandboxState>, ResourceAny) -> wasmtime::Result<Result<R, ErrorKind>>,
        last_error: impl FnOnce(&mut Store<SandboxState>, ResourceAny) -> wasmtime::Result<String>,
    ) -> Result<R, PluginError> {
        let res = self.resource;
        match self.instance.call(call, CallClass::Event, |s| f(s, res))? {
            Ok(r) => Ok(r),
            Err(kind) => {
                let message = self.instance.call("last-error", CallClass::Event, |s| last_error(s, res))?;
                Err(GuestError::from_kind(kind, message).into())
            }
        }
    }

    /// Call a method of the resource that cannot fail in the guest.
    pub(crate) fn call_infallible<R>(
        &mut self,
        call: &'static str,
        class: CallClass,
        f: impl FnOnce(&mut Store<SandboxState>, ResourceAny) -> wasmtime::Result<R>,
    ) -> Result<R, PluginError> {
        let res = self.resource;
        self.instance.call(call, class, |s| f(s, res))
    }
}

/// Ask a component for its identity and parameter specs, in a throwaway
/// instance (no model is created).
pub fn describe(component: &LoadedComponent) -> Result<ModelInfo, PluginError> {
    let mut inst = component.instantiate()?;
    let (store, instance) = inst.parts();
    let kind = component.world.kind.model().ok_or_else(|| {
        PluginError::Incompatible(format!("the component implements {}, not a model world", component.world.kind))
    })?;
    let bound = Bound::new(kind, store, instance)?;
    inst.call("describe", CallClass::Heavy, |store| match &bound {
        Bound::HedgeRatio(b) => b.hft_strategy_hedge_ratio().call_describe(store),
        Bound::Volatility(b) => b.hft_strategy_volatility().call_describe(store),
        Bound::Changepoint(b) => b.hft_strategy_changepoint().call_describe(store),
    })
}

/// The generated export accessors of one instance, whichever world it is.
pub(crate) enum Bound {
    HedgeRatio(hedge_ratio::HedgeRatioModel),
    Volatility(volatility::VolatilityModel),
    Changepoint(changepoint::ChangepointModel),
}

impl Bound {
    pub(crate) fn new(
        kind: ModelKind,
        store: &mut wasmtime::Store<crate::runtime::SandboxState>,
        instance: &wasmtime::component::Instance,
    ) -> Result<Bound, PluginError> {
        let bad = |e: wasmtime::Error| PluginError::Incompatible(format!("exports do not match {kind}: {e:#}"));
        Ok(match kind {
            ModelKind::HedgeRatio => {
                Bound::HedgeRatio(hedge_ratio::HedgeRatioModel::new(store, instance).map_err(bad)?)
            }
            ModelKind::Volatility => Bound::Volatility(volatility::VolatilityModel::new(store, instance).map_err(bad)?),
            ModelKind::Changepoint => {
                Bound::Changepoint(changepoint::ChangepointModel::new(store, instance).map_err(bad)?)
            }
        })
    }
}
