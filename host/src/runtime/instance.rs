//! One plugin instance in its own store, and the guarded call into it.
//!
//! Every call goes through [`Instance::call`], which arms the deadline,
//! turns wasmtime's failures into typed [`PluginError`]s, and poisons the
//! instance after a trap: wasmtime does not allow re-entering an instance
//! whose call trapped (its state may be half-updated), so the next call gets
//! `Poisoned` and the owner makes a fresh instance from the `InstancePre`.

use super::error::PluginError;
use super::limits::{CallClass, Limits};
use super::sandbox::{MemoryCapExceeded, SandboxState};
use wasmtime::component::InstancePre;
use wasmtime::{Store, Trap};

/// A live plugin instance: its store, its component instance, its budget.
pub struct Instance {
    name: String,
    store: Store<SandboxState>,
    instance: wasmtime::component::Instance,
    limits: Limits,
    /// Deadlines in epoch ticks, per [`CallClass`], computed once: the
    /// conversion divides 128-bit integers, a library call on every event.
    event_ticks: u64,
    heavy_ticks: u64,
    poisoned: Option<String>,
}

impl Instance {
    pub(crate) fn new(name: &str, pre: &InstancePre<SandboxState>, limits: &Limits) -> Result<Instance, PluginError> {
        let mut store = Store::new(pre.engine(), SandboxState::new(name, limits));
        store.limiter(|s| &mut s.budget);
        store.set_epoch_deadline(limits.ticks(limits.heavy_call_timeout));
        store.epoch_deadline_trap();
        let instance =
            pre.instantiate(&mut store).map_err(|e| match classify("instantiate", limits.heavy_call_timeout, e) {
                PluginError::Trap { message, .. } => PluginError::Instantiate(format!("{name}: {message}")),
                other => other,
            })?;
        Ok(Instance {
            name: name.to_string(),
            store,
            instance,
            limits: limits.clone(),
            event_ticks: limits.ticks(limits.call_timeout),
            heavy_ticks: limits.ticks(limits.heavy_call_timeout),
            poisoned: None,
        })
    }

    /// The plugin's name, for logs.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Whether an earlier fault made this instance unusable.
    pub fn is_poisoned(&self) -> bool {
        self.poisoned.is_some()
    }

    /// The component instance and its store, for binding lookups.
    pub(crate) fn parts(&mut self) -> (&mut Store<SandboxState>, &wasmtime::component::Instance) {
        (&mut self.store, &self.instance)
    }

    /// Run `f` against the store under the deadline of `class`.
    ///
    /// `call` names the WIT function for error messages. A trap, timeout or
    /// memory exhaustion poisons the instance.
    pub fn call<R>(
        &mut self,
        call: &'static str,
        class: CallClass,
        f: impl FnOnce(&mut Store<SandboxState>) -> wasmtime::Result<R>,
    ) -> Result<R, PluginError> {
        if let Some(why) = &self.poisoned {
            return Err(PluginError::Poisoned(why.clone()));
        }
        self.store.set_epoch_deadline(match class {
            CallClass::Event => self.event_ticks,
            CallClass::Heavy => self.heavy_ticks,
        });
        match f(&mut self.store) {
            Ok(r) => Ok(r),
            Err(e) => {
                let err = classify(call, class.timeout(&self.limits), e);
                tracing::warn!(plugin = %self.name, call, error = %err, "plugin fault; instance poisoned");
                self.poisoned = Some(err.to_string());
                Err(err)
            }
        }
    }
}

/// Tell a timeout, a memory cap and a trap apart by their typed causes.
fn classify(call: &'static str, timeout: std::time::Duration, e: wasmtime::Error) -> PluginError {
    if let Some(cap) = e.downcast_ref::<MemoryCapExceeded>() {
        return PluginError::OutOfMemory { call, limit_bytes: cap.cap };
    }
    if let Some(Trap::Interrupt) = e.downcast_ref::<Trap>() {
        return PluginError::Timeout { call, limit: timeout };
    }
    PluginError::Trap { call, message: format!("{e:#}") }
}
