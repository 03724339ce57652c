//! The process-wide engine, linker and loader.
//!
//! One `Engine` (compiler settings, epoch counter) and one `Linker` (the
//! empty WASI) serve every plugin; each plugin instance gets its own `Store`
//! so models share no state. Loading a component detects its world, checks
//! what it imports, and pre-links it into an `InstancePre` so that making an
//! instance later (a hot swap, a recovery after a trap) costs microseconds.

use super::cache::CompileCache;
use super::error::PluginError;
use super::instance::Instance;
use super::limits::Limits;
use super::sandbox::SandboxState;
use super::world::WorldMatch;
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use wasmtime::component::{Component, InstancePre, Linker};
use wasmtime::{Config, Engine};

/// How to build a [`Runtime`].
#[derive(Debug, Clone, Default)]
pub struct RuntimeConfig {
    /// Budgets for every instance.
    pub limits: Limits,
    /// Where to keep precompiled components; `None` disables the cache.
    pub cache_dir: Option<PathBuf>,
    /// Compile on several threads. Off by default: on a trading host the
    /// compile of an uploaded plugin must not steal the hot core.
    pub parallel_compilation: bool,
}

/// The engine, linker, compile cache and epoch ticker of this process.
pub struct Runtime {
    engine: Engine,
    linker: Linker<SandboxState>,
    limits: Limits,
    cache: Option<CompileCache>,
    ticker: Arc<EpochTicker>,
}

impl Runtime {
    /// Build the engine (epoch interruption on) and link the empty WASI.
    pub fn new(config: RuntimeConfig) -> Result<Runtime, PluginError> {
        let mut wasm = Config::new();
        wasm.wasm_component_model(true);
        wasm.epoch_interruption(true);
        wasm.parallel_compilation(config.parallel_compilation);
        let engine =
            Engine::new(&wasm).map_err(|e| PluginError::Instantiate(format!("cannot build the engine: {e}")))?;
        let mut linker = Linker::new(&engine);
        wasmtime_wasi::p2::add_to_linker_sync(&mut linker)
            .map_err(|e| PluginError::Instantiate(format!("cannot link WASI: {e}")))?;
        let cache = match &config.cache_dir {
            Some(dir) => Some(CompileCache::open(dir, &engine).map_err(|source| PluginError::Io {
                context: format!("cannot open the compile cache {}", dir.display()),
                source,
            })?),
            None => None,
        };
        let ticker = Arc::new(EpochTicker::start(engine.clone(), config.limits.epoch_tick));
        Ok(Runtime { engine, linker, limits: config.limits, cache, ticker })
    }

    /// A second runtime with this one's limits and compile cache: the
    /// registry validates uploads with it on the API's thread, and what it
    /// compiles the event loop then loads from the cache in microseconds
    /// instead of compiling again between two ticks.
    pub fn sibling(&self) -> Result<Runtime, PluginError> {
        Runtime::new(RuntimeConfig {
            limits: self.limits.clone(),
            cache_dir: self.cache_dir().map(std::path::Path::to_path_buf),
            parallel_compilation: false,
        })
    }

    /// The shared engine.
    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    /// Where precompiled components are kept, if anywhere: a second
    /// runtime (the registry's validator) that shares it hands its compiles
    /// to this one.
    pub fn cache_dir(&self) -> Option<&std::path::Path> {
        self.cache.as_ref().map(|c| c.dir())
    }

    /// The budgets instances run under.
    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    /// Read and load a component file.
    pub fn load_file(&self, path: &Path) -> Result<LoadedComponent, PluginError> {
        let meta = std::fs::metadata(path)
            .map_err(|source| PluginError::Io { context: format!("cannot read {}", path.display()), source })?;
        if meta.len() > self.limits.max_component_bytes as u64 {
            return Err(PluginError::InvalidComponent(format!(
                "{} is {} bytes, over the {}-byte limit for a component",
                path.display(),
                meta.len(),
                self.limits.max_component_bytes
            )));
        }
        let bytes = std::fs::read(path)
            .map_err(|source| PluginError::Io { context: format!("cannot read {}", path.display()), source })?;
        let name = path.file_stem().and_then(|s| s.to_str()).unwrap_or("plugin");
        self.load_bytes(name, &bytes)
    }

    /// Compile (or fetch from the cache), check the world and imports, and pre-link.
    pub fn load_bytes(&self, name: &str, bytes: &[u8]) -> Result<LoadedComponent, PluginError> {
        if bytes.len() > self.limits.max_component_bytes {
            return Err(PluginError::InvalidComponent(format!(
                "{name} is {} bytes, over the {}-byte limit for a component",
                bytes.len(),
                self.limits.max_component_bytes
            )));
        }
        check_is_component(name, bytes)?;
        let sha256 = hex::encode(Sha256::digest(bytes));
        let cached = self.cache.as_ref().and_then(|c| c.get(&self.engine, &sha256));
        let component = match cached {
            Some(c) => c,
            None => {
                let c = Component::new(&self.engine, bytes)
                    .map_err(|e| PluginError::InvalidComponent(format!("{name} does not compile: {e:#}")))?;
                if let Some(cache) = &self.cache {
                    cache.put(&sha256, &c);
                }
                c
            }
        };
        let world = WorldMatch::detect(&self.engine, &component)?;
        let pre =
            self.linker.instantiate_pre(&component).map_err(|e| PluginError::Instantiate(format!("{name}: {e:#}")))?;
        tracing::debug!(plugin = name, %sha256, world = %world.kind, "component loaded");
        Ok(LoadedComponent {
            name: name.to_string(),
            sha256,
            world,
            pre,
            limits: self.limits.clone(),
            _ticker: self.ticker.clone(),
        })
    }
}

/// Refuse a core module or arbitrary bytes with a message saying which,
/// before handing them to the compiler.
fn check_is_component(name: &str, bytes: &[u8]) -> Result<(), PluginError> {
    match wasmparser::Parser::new(0).parse(bytes, true) {
        Ok(wasmparser::Chunk::Parsed { payload: wasmparser::Payload::Version { encoding, .. }, .. }) => {
            match encoding {
                wasmparser::Encoding::Component => Ok(()),
                wasmparser::Encoding::Module => Err(PluginError::InvalidComponent(format!(
                    "{name} is a core WebAssembly module, not a component; build it for wasm32-wasip2 or with `cargo component build`"
                ))),
            }
        }
        _ => Err(PluginError::InvalidComponent(format!(
            "{name} is not WebAssembly (bad magic number or header); expected a component .wasm file"
        ))),
    }
}

/// A compiled, pre-linked component: instances are cheap to make from it.
#[derive(Clone)]
pub struct LoadedComponent {
    /// Name used in logs (the file stem, or the registry name).
    pub name: String,
    /// sha256 of the component bytes, hex.
    pub sha256: String,
    /// The world it implements.
    pub world: WorldMatch,
    pre: InstancePre<SandboxState>,
    limits: Limits,
    // Deadlines only fire while the ticker runs: every loaded component
    // keeps it alive, even past the `Runtime` that made it.
    _ticker: Arc<EpochTicker>,
}

impl LoadedComponent {
    /// A fresh instance in its own store, under the runtime's budgets.
    pub fn instantiate(&self) -> Result<Instance, PluginError> {
        Instance::new(&self.name, &self.pre, &self.limits)
    }
}

/// Advances the engine's epoch every tick, which is what makes call
/// deadlines fire. Stops when the runtime is dropped.
struct EpochTicker {
    alive: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl EpochTicker {
    fn start(engine: Engine, tick: std::time::Duration) -> EpochTicker {
        let alive = Arc::new(AtomicBool::new(true));
        let flag = alive.clone();
        let thread = std::thread::Builder::new()
            .name("hft-epoch".into())
            .spawn(move || {
                while flag.load(Ordering::Relaxed) {
                    std::thread::sleep(tick);
                    engine.increment_epoch();
                }
            })
            .expect("spawning the epoch ticker thread");
        EpochTicker { alive, thread: Some(thread) }
    }
}

impl Drop for EpochTicker {
    fn drop(&mut self) {
        self.alive.store(false, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}
