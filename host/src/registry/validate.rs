//! The validation pipeline every uploaded component passes before it is
//! stored, cheapest and most fundamental checks first.
//!
//! | step | refuses with | checks |
//! |---|---|---|
//! | size | `too_large` | the byte count, before anything reads the bytes |
//! | signature | `unsigned`, `bad_signature` | ed25519 over the sha256, when required or given |
//! | component | `not_a_component` | a component (not a core module), every section well framed |
//! | world | `wrong_world`, `incompatible_version` | exports exactly one of our interfaces, at a compatible WIT version |
//! | imports | `ungranted_import`, `incompatible_version` | imports only WASI 0.2 and `hft:strategy/types` |
//! | compile | `compile_failed`, `ungranted_import` | wasmtime compiles it with the runtime's engine and links it |
//! | instantiate | `instantiate_failed` | an instance fits the runtime's limits; `describe` answers |
//! | smoke | `smoke_failed` | a short run on market data (see [`super::smoke`]) |
//!
//! The world and import steps read names from the component's binary with
//! `wasmparser`, before any compilation: hostile bytes never reach the
//! compiler unless their interface is acceptable. The compile step then
//! goes through [`Runtime::load_bytes`], whose own world detection and
//! linker are the final word (an import the name policy allows but the
//! linker lacks is still refused, as `ungranted_import`).

use super::record::{ParamInfo, SlotInfo, Step, StepReport, ValidationReport};
use super::signature::TrustedKeys;
use super::smoke::{SmokeData, SmokeLimits, smoke_model, smoke_strategy};
use crate::models::{describe, parse_params};
use crate::runtime::{
    ComponentKind, LoadedComponent, PluginError, Runtime, WIT_PACKAGE, WIT_VERSION, wit_version_fits,
};
use crate::strategy::describe_strategy;
use sha2::{Digest, Sha256};
use std::time::Instant;

/// Why an upload was refused, one variant per way to fail, each with a
/// stable [`code`](ValidationError::code) for the admin API and metrics.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ValidationError {
    /// Over the size limit; nothing else was looked at.
    #[error("the component is {size} bytes, over the {max}-byte limit")]
    TooLarge {
        /// Its size in bytes.
        size: usize,
        /// The limit in bytes.
        max: usize,
    },
    /// A signature is required and none came with the upload.
    #[error(
        "this registry requires a signature (ed25519 over the component's sha256, by a trusted key) and the upload has none"
    )]
    Unsigned,
    /// The signature is malformed or no trusted key made it.
    #[error("bad signature: {0}")]
    BadSignature(String),
    /// Not WebAssembly, a core module, or a malformed or truncated component.
    #[error("{0}")]
    NotAComponent(String),
    /// It exports none, or several, of our interfaces.
    #[error("{0}")]
    WrongWorld(String),
    /// Built against a WIT version of our package this host cannot run.
    #[error("incompatible WIT version: built for {found}, this host runs {expected}")]
    IncompatibleVersion {
        /// What it was built for, for example `hft:strategy@0.2.0`.
        found: String,
        /// What this host accepts, for example `hft:strategy@0.1.1 or an earlier 0.1.x`.
        expected: String,
    },
    /// It imports something the host does not grant.
    #[error("the component imports {import}, which the host does not grant: {why}")]
    UngrantedImport {
        /// The import's full name, for example `wasi:http/types@0.2.0`.
        import: String,
        /// Why it is not granted.
        why: String,
    },
    /// wasmtime could not compile it.
    #[error("it does not compile: {0}")]
    CompileFailed(String),
    /// An instance does not fit the limits, or `describe` failed.
    #[error("it does not instantiate within the limits: {0}")]
    InstantiateFailed(String),
    /// The smoke run found a fault, an absurd decision or a NaN flood.
    #[error("smoke run failed: {0}")]
    SmokeFailed(String),
}

impl ValidationError {
    /// A short stable code: `too_large`, `unsigned`, `bad_signature`,
    /// `not_a_component`, `wrong_world`, `incompatible_version`,
    /// `ungranted_import`, `compile_failed`, `instantiate_failed`,
    /// `smoke_failed`.
    pub fn code(&self) -> &'static str {
        match self {
            ValidationError::TooLarge { .. } => "too_large",
            ValidationError::Unsigned => "unsigned",
            ValidationError::BadSignature(_) => "bad_signature",
            ValidationError::NotAComponent(_) => "not_a_component",
            ValidationError::WrongWorld(_) => "wrong_world",
            ValidationError::IncompatibleVersion { .. } => "incompatible_version",
            ValidationError::UngrantedImport { .. } => "ungranted_import",
            ValidationError::CompileFailed(_) => "compile_failed",
            ValidationError::InstantiateFailed(_) => "instantiate_failed",
            ValidationError::SmokeFailed(_) => "smoke_failed",
        }
    }
}

/// A refused upload: the error, and every step that ran (the last one is
/// the one that failed), so a client can show how far it got.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{error}")]
pub struct Rejection {
    /// Why.
    pub error: ValidationError,
    /// The steps that ran, in order; the last has `ok = false`.
    pub steps: Vec<StepReport>,
}

/// Checked configuration of the pipeline.
#[derive(Debug, Clone)]
pub(crate) struct Policy {
    pub(crate) max_bytes: usize,
    pub(crate) require_signature: bool,
    pub(crate) keys: TrustedKeys,
    pub(crate) refused_imports: Vec<String>,
    pub(crate) smoke: SmokeLimits,
}

/// What passed the first two steps: enough to know the component's id.
#[derive(Debug)]
pub(crate) struct Admitted {
    pub(crate) sha256: String,
    pub(crate) signed_by: Option<String>,
    runner: Runner,
}

/// What passed every step.
pub(crate) struct Validated {
    pub(crate) sha256: String,
    pub(crate) signed_by: Option<String>,
    pub(crate) report: ValidationReport,
}

/// Runs steps in order, timing each and keeping its report.
#[derive(Debug, Default)]
struct Runner {
    steps: Vec<StepReport>,
}

impl Runner {
    fn step<T>(
        &mut self,
        step: Step,
        f: impl FnOnce() -> Result<(T, String), ValidationError>,
    ) -> Result<T, Rejection> {
        let started = Instant::now();
        let result = f();
        let duration_us = started.elapsed().as_micros().min(u128::from(u64::MAX)) as u64;
        match result {
            Ok((value, detail)) => {
                self.steps.push(StepReport { step, ok: true, detail, duration_us });
                Ok(value)
            }
            Err(error) => {
                self.steps.push(StepReport { step, ok: false, detail: error.to_string(), duration_us });
                Err(Rejection { error, steps: std::mem::take(&mut self.steps) })
            }
        }
    }
}

/// The size and signature steps: cheap, and all a re-upload of stored
/// bytes must pass. The size limit is the policy's or the runtime's,
/// whichever is smaller.
pub(crate) fn admit(
    bytes: &[u8],
    runtime: &Runtime,
    policy: &Policy,
    signature: Option<&[u8]>,
) -> Result<Admitted, Rejection> {
    let mut runner = Runner::default();
    let max = policy.max_bytes.min(runtime.limits().max_component_bytes);
    runner.step(Step::Size, || {
        if bytes.len() > max {
            return Err(ValidationError::TooLarge { size: bytes.len(), max });
        }
        Ok(((), format!("{} bytes (limit {max})", bytes.len())))
    })?;
    let digest: [u8; 32] = Sha256::digest(bytes).into();
    let sha256 = hex::encode(digest);
    let signed_by = runner.step(Step::Signature, || match signature {
        None if policy.require_signature => Err(ValidationError::Unsigned),
        None => Ok((None, "unsigned (no signature required)".to_string())),
        Some(_) if policy.keys.is_empty() => {
            Ok((None, "a signature came with the upload but no trusted keys are configured: not checked".to_string()))
        }
        Some(sig) => {
            let key = policy.keys.verify(&digest, sig).map_err(ValidationError::BadSignature)?;
            let detail = format!("signed by trusted key {key} (of {})", policy.keys.len());
            Ok((Some(key), detail))
        }
    })?;
    Ok(Admitted { sha256, signed_by, runner })
}

/// Every step after [`admit`]: component, world, imports, compile,
/// instantiate, smoke. `smoke_params` are `name=value` pairs given to
/// `create` in the smoke run instead of the defaults.
pub(crate) fn check(
    admitted: Admitted,
    runtime: &Runtime,
    bytes: &[u8],
    policy: &Policy,
    smoke_params: &[(String, String)],
    data: &SmokeData,
) -> Result<Validated, Rejection> {
    let Admitted { sha256, signed_by, mut runner } = admitted;
    let surface = runner.step(Step::Component, || {
        let s = read_surface(bytes)?;
        let detail = format!("a component with {} imports and {} exports", s.imports.len(), s.exports.len());
        Ok((s, detail))
    })?;
    let (kind, version) = runner.step(Step::World, || {
        let (kind, version) = find_world(&surface.exports)?;
        Ok(((kind, version.clone()), world_name(kind, &version)))
    })?;
    runner.step(Step::Imports, || {
        check_imports(&surface.imports, &policy.refused_imports)?;
        Ok((
            (),
            format!(
                "{} imports, all granted (WASI 0.2 with no capabilities, {WIT_PACKAGE}/types)",
                surface.imports.len()
            ),
        ))
    })?;
    let component = runner.step(Step::Compile, || {
        let started = Instant::now();
        let c = runtime.load_bytes(&format!("upload-{}", &sha256[..12]), bytes).map_err(compile_error)?;
        if c.world.kind != kind {
            return Err(ValidationError::WrongWorld(format!(
                "the component's names say {kind} but its compiled type says {}",
                c.world.kind
            )));
        }
        Ok((c, format!("compiled and linked in {:.1} ms", started.elapsed().as_secs_f64() * 1e3)))
    })?;
    let identity = runner.step(Step::Instantiate, || {
        drop(component.instantiate().map_err(|e| ValidationError::InstantiateFailed(e.to_string()))?);
        let id = identify(&component).map_err(|e| ValidationError::InstantiateFailed(format!("describe: {e}")))?;
        check_identity(&id).map_err(|why| ValidationError::InstantiateFailed(format!("describe answered {why}")))?;
        let limits = runtime.limits();
        let detail = format!(
            "instance within {} MiB; describe: {} {} with {} parameters",
            limits.memory_bytes >> 20,
            id.info.name,
            id.info.version,
            id.info.params.len()
        );
        Ok((id, detail))
    })?;
    let outcome = runner.step(Step::Smoke, || {
        let params = parse_params(&identity.info.params, smoke_params)
            .map_err(|e| ValidationError::SmokeFailed(format!("smoke parameters: {e}")))?;
        let outcome = match (&identity.strategy, kind.model()) {
            (Some(info), _) => smoke_strategy(&component, info, &params, data, &policy.smoke),
            (None, Some(model)) => smoke_model(&component, model, &params, data, &policy.smoke),
            (None, None) => Err("a strategy without its strategy-info".to_string()),
        }
        .map_err(ValidationError::SmokeFailed)?;
        let detail = outcome.detail.clone();
        Ok((outcome, detail))
    })?;
    let info = identity.info;
    let slots = |v: &[crate::strategy::Slot]| -> Vec<SlotInfo> {
        v.iter().map(|s| SlotInfo { name: s.name.clone(), description: s.description.clone() }).collect()
    };
    let (legs, signals) = match &identity.strategy {
        Some(s) => (slots(&s.legs), slots(&s.signals)),
        None => (Vec::new(), Vec::new()),
    };
    let report = ValidationReport {
        steps: runner.steps,
        world: world_name(kind, &version),
        kind: kind.interface().to_string(),
        name: info.name.clone(),
        version: info.version.clone(),
        description: info.description.clone(),
        params: info.params.iter().map(ParamInfo::from_spec).collect(),
        outputs: info.outputs.clone(),
        legs,
        signals,
        imports: surface.imports,
        smoke_params: smoke_params.iter().map(|(n, v)| format!("{n}={v}")).collect(),
        restorable: outcome.restorable,
    };
    Ok(Validated { sha256, signed_by, report })
}

/// `hft:strategy/trading-strategy@0.1.0`.
fn world_name(kind: ComponentKind, version: &str) -> String {
    format!("{WIT_PACKAGE}/{}@{version}", kind.world())
}

/// What a refusal of [`Runtime::load_bytes`] means here.
fn compile_error(e: PluginError) -> ValidationError {
    match e {
        // instantiate_pre only fails when the linker lacks an import.
        PluginError::Instantiate(msg) => {
            let import = msg.split('`').nth(1).unwrap_or("an interface").to_string();
            ValidationError::UngrantedImport {
                import,
                why: format!("the sandbox's linker does not provide it ({msg})"),
            }
        }
        PluginError::Incompatible(msg) => ValidationError::WrongWorld(msg),
        other => ValidationError::CompileFailed(other.to_string()),
    }
}

/// What `describe` says, for either kind.
struct Identity {
    info: crate::runtime::bindings::types::ModelInfo,
    strategy: Option<crate::strategy::StrategyInfo>,
}

fn identify(component: &LoadedComponent) -> Result<Identity, PluginError> {
    if component.world.kind == ComponentKind::Strategy {
        let s = describe_strategy(component)?;
        Ok(Identity { info: s.info.clone(), strategy: Some(s) })
    } else {
        Ok(Identity { info: describe(component)?, strategy: None })
    }
}

/// A name and version the admin API can show and a record can hold.
fn check_identity(id: &Identity) -> Result<(), String> {
    let printable = |s: &str| !s.chars().any(char::is_control);
    let info = &id.info;
    if info.name.trim().is_empty() || info.name.len() > 128 || !printable(&info.name) {
        return Err(format!("an unusable name {:?} (1 to 128 printable characters)", info.name));
    }
    if info.version.len() > 64 || !printable(&info.version) {
        return Err(format!("an unusable version {:?} (at most 64 printable characters)", info.version));
    }
    let mut names: Vec<&str> = info.params.iter().map(|p| p.name.as_str()).collect();
    names.sort_unstable();
    if let Some(w) = names.windows(2).find(|w| w[0] == w[1]) {
        return Err(format!("the parameter {:?} twice", w[0]));
    }
    if names.iter().any(|n| n.is_empty()) {
        return Err("a parameter with an empty name".to_string());
    }
    Ok(())
}

/// A component's top-level import and export names.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Surface {
    pub(crate) imports: Vec<String>,
    pub(crate) exports: Vec<String>,
}

/// Check the header and the framing of every section, and collect the
/// top-level names. Nested modules and components are walked (a truncated
/// one is an error) but their names are their own business.
pub(crate) fn read_surface(bytes: &[u8]) -> Result<Surface, ValidationError> {
    use wasmtime_environ::wasmparser::{self, Chunk, Encoding, Parser, Payload};
    match Parser::new(0).parse(bytes, true) {
        Ok(Chunk::Parsed { payload: Payload::Version { encoding: Encoding::Component, .. }, .. }) => {}
        Ok(Chunk::Parsed { payload: Payload::Version { encoding: Encoding::Module, .. }, .. }) => {
            return Err(ValidationError::NotAComponent(
                "this is a core WebAssembly module, not a component; build it for wasm32-wasip2 or with \
                 `cargo component build`"
                    .to_string(),
            ));
        }
        _ => {
            return Err(ValidationError::NotAComponent(
                "this is not WebAssembly (bad magic number or header); expected a component .wasm file".to_string(),
            ));
        }
    }
    let malformed = |e: wasmparser::BinaryReaderError| {
        ValidationError::NotAComponent(format!("a malformed or truncated component: {e}"))
    };
    let mut surface = Surface { imports: Vec::new(), exports: Vec::new() };
    let mut depth = 0usize;
    for payload in Parser::new(0).parse_all(bytes) {
        match payload.map_err(malformed)? {
            Payload::Version { .. } => depth += 1,
            Payload::End(_) => depth = depth.saturating_sub(1),
            Payload::ComponentImportSection(reader) if depth == 1 => {
                for import in reader {
                    surface.imports.push(import.map_err(malformed)?.name.full_name().into_owned());
                }
            }
            Payload::ComponentExportSection(reader) if depth == 1 => {
                for export in reader {
                    surface.exports.push(export.map_err(malformed)?.name.full_name().into_owned());
                }
            }
            _ => {}
        }
    }
    if depth != 0 {
        return Err(ValidationError::NotAComponent("a truncated component: it ends inside a section".to_string()));
    }
    Ok(surface)
}

/// The one world the exports implement and the version it was built for.
pub(crate) fn find_world(exports: &[String]) -> Result<(ComponentKind, String), ValidationError> {
    let found = crate::runtime::our_interfaces(exports);
    let (kind, version) = match found.as_slice() {
        [one] => one.clone(),
        [] => {
            return Err(ValidationError::WrongWorld(format!(
                "the component exports none of {WIT_PACKAGE}/{{hedge-ratio,volatility,changepoint,strategy}}; \
                 it exports [{}]",
                exports.join(", ")
            )));
        }
        many => {
            let names: Vec<&str> = many.iter().map(|(k, _)| k.interface()).collect();
            return Err(ValidationError::WrongWorld(format!(
                "the component exports several of our interfaces ({}); a component implements exactly one world",
                names.join(", ")
            )));
        }
    };
    check_version(&version)?;
    Ok((kind, version))
}

/// What this host accepts, as people read it:
/// `hft:strategy@0.1.1 or an earlier 0.1.x`.
pub(crate) fn expected_version() -> String {
    let mut parts = WIT_VERSION.split('.');
    match (parts.next(), parts.next()) {
        (Some("0"), Some(minor)) => format!("{WIT_PACKAGE}@{WIT_VERSION} or an earlier 0.{minor}.x"),
        (Some(major), _) => format!("{WIT_PACKAGE}@{WIT_VERSION} or an earlier {major}.x"),
        _ => format!("{WIT_PACKAGE}@{WIT_VERSION}"),
    }
}

/// Refuse a version of our package this host cannot run, by the runtime's
/// rule ([`wit_version_fits`]; see `wit/README.md`).
pub(crate) fn check_version(found: &str) -> Result<(), ValidationError> {
    if wit_version_fits(found).is_ok() {
        return Ok(());
    }
    let found = if found.is_empty() { format!("{WIT_PACKAGE} (no version)") } else { format!("{WIT_PACKAGE}@{found}") };
    Err(ValidationError::IncompatibleVersion { found, expected: expected_version() })
}

/// The WASI packages the sandbox links (`wasmtime_wasi::p2::add_to_linker_sync`),
/// every one with an empty context: no preopens, no sockets allowed, no
/// environment, frozen clocks, fixed randomness.
const GRANTED_WASI: [&str; 6] = ["cli", "clocks", "filesystem", "io", "random", "sockets"];

/// Refuse the first import the host does not grant.
pub(crate) fn check_imports(imports: &[String], refused: &[String]) -> Result<(), ValidationError> {
    for import in imports {
        let ungranted = |why: String| ValidationError::UngrantedImport { import: import.clone(), why };
        if let Some(prefix) = refused.iter().find(|p| import.starts_with(p.as_str())) {
            return Err(ungranted(format!(
                "this registry refuses imports starting with {prefix:?} (refused_imports), although the sandbox \
                 links them with no capabilities"
            )));
        }
        if let Some(rest) = import.strip_prefix(WIT_PACKAGE).and_then(|r| r.strip_prefix('/')) {
            let (iface, version) = rest.split_once('@').unwrap_or((rest, ""));
            if iface != "types" {
                return Err(ungranted(format!(
                    "of our package a component may import only {WIT_PACKAGE}/types (type definitions)"
                )));
            }
            check_version(version)?;
            continue;
        }
        let Some(rest) = import.strip_prefix("wasi:") else {
            return Err(ungranted(format!(
                "the host grants only WASI 0.2 (with no capabilities) and {WIT_PACKAGE}/types"
            )));
        };
        let package = rest.split(['/', '@']).next().unwrap_or("");
        if !GRANTED_WASI.contains(&package) {
            return Err(ungranted(format!(
                "the sandbox links only wasi:{{{}}}, with no capabilities",
                GRANTED_WASI.join(",")
            )));
        }
        let version = rest.split_once('@').map_or("", |(_, v)| v);
        if !version.starts_with("0.2.") {
            return Err(ungranted("the sandbox links WASI 0.2 (preview 2) only".to_string()));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn version_policy_names_expected_and_found() {
        assert_eq!(check_version("0.1.0"), Ok(()));
        assert_eq!(check_version("0.1.1"), Ok(()));
        for bad in ["0.1.2", "0.2.0", "1.1.0", "", "garbage"] {
            let e = check_version(bad).unwrap_err();
            assert_eq!(e.code(), "incompatible_version");
        }
        let e = check_version("0.2.0").unwrap_err();
        assert_eq!(
            e.to_string(),
            "incompatible WIT version: built for hft:strategy@0.2.0, this host runs hft:strategy@0.1.1 or an earlier 0.1.x"
        );
        assert!(check_version("").unwrap_err().to_string().contains("hft:strategy (no version)"));
    }

    #[test]
    fn the_world_is_one_of_ours_at_a_compatible_version() {
        let names = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(find_world(&names(&["hft:strategy/strategy@0.1.0"])), Ok((ComponentKind::Strategy, "0.1.0".into())));
        assert_eq!(find_world(&names(&["hft:strategy/strategy@0.2.1"])).unwrap_err().code(), "incompatible_version");
        assert_eq!(find_world(&names(&["acme:x/y@1.0.0"])).unwrap_err().code(), "wrong_world");
        let two = find_world(&names(&["hft:strategy/volatility@0.1.0", "hft:strategy/changepoint@0.1.0"]));
        assert!(two.unwrap_err().to_string().contains("several"));
    }

    #[test]
    fn imports_beyond_wasi_02_and_our_types_are_refused_by_name() {
        let ok = ["wasi:io/streams@0.2.12", "wasi:sockets/tcp@0.2.0", "hft:strategy/types@0.1.0"].map(String::from);
        assert_eq!(check_imports(&ok, &[]), Ok(()));
        for (bad, code) in [
            ("acme:evil/net@1.0.0", "ungranted_import"),
            ("wasi:http/types@0.2.0", "ungranted_import"),
            ("wasi:io/streams@0.3.0", "ungranted_import"),
            ("hft:strategy/strategy@0.1.0", "ungranted_import"),
            ("hft:strategy/types@0.2.0", "incompatible_version"),
        ] {
            let e = check_imports(&[bad.to_string()], &[]).unwrap_err();
            assert_eq!(e.code(), code, "{bad}");
            if code == "ungranted_import" {
                assert!(e.to_string().contains(bad), "{e}");
            }
        }
        let e = check_imports(&ok, &["wasi:sockets".to_string()]).unwrap_err();
        assert!(e.to_string().contains("wasi:sockets/tcp@0.2.0") && e.to_string().contains("refused_imports"));
    }

    #[test]
    fn garbage_and_core_modules_are_not_components() {
        let core = b"\0asm\x01\0\0\0";
        assert!(read_surface(core).unwrap_err().to_string().contains("core WebAssembly module"));
        assert!(read_surface(b"hello world").unwrap_err().to_string().contains("not WebAssembly"));
        assert!(read_surface(b"").unwrap_err().to_string().contains("not WebAssembly"));
        // A component header followed by a section that claims more bytes than there are.
        let truncated = b"\0asm\x0d\0\x01\0\x07\x20\x01";
        assert!(read_surface(truncated).unwrap_err().to_string().contains("truncated"));
    }

    #[test]
    fn every_code_is_distinct() {
        let all = [
            ValidationError::TooLarge { size: 2, max: 1 },
            ValidationError::Unsigned,
            ValidationError::BadSignature(String::new()),
            ValidationError::NotAComponent(String::new()),
            ValidationError::WrongWorld(String::new()),
            ValidationError::IncompatibleVersion { found: String::new(), expected: String::new() },
            ValidationError::UngrantedImport { import: String::new(), why: String::new() },
            ValidationError::CompileFailed(String::new()),
            ValidationError::InstantiateFailed(String::new()),
            ValidationError::SmokeFailed(String::new()),
        ];
        let mut codes: Vec<&str> = all.iter().map(ValidationError::code).collect();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), all.len());
    }
}
