//! Running untrusted model components: one engine, cached compilation,
//! capability-less instances with memory and time budgets, typed errors.

pub mod bindings;
mod cache;
mod engine;
mod error;
mod guest_log;
mod instance;
mod limits;
mod sandbox;
mod world;

pub use engine::{LoadedComponent, Runtime, RuntimeConfig};
pub use error::{GuestError, PluginError};
pub use instance::Instance;
pub use limits::{CallClass, Limits};
pub use sandbox::{MemoryCapExceeded, SandboxState};
pub(crate) use world::our_interfaces;
pub use world::{ComponentKind, ModelKind, VersionMismatch, WIT_PACKAGE, WIT_VERSION, WorldMatch, wit_version_fits};
