//! The plugin registry: what it accepts, what it refuses and with which
//! code, and that its store survives a restart.
//!
//! Each test opens its own registry in a temporary directory. Refusals of
//! the hostile and faulty components under various parameters use
//! `Registry::validate` (a dry run): their bytes are the same for every
//! mode, and an upload of bytes already stored returns the stored record
//! without validating again.

mod common;

use base64::Engine as _;
use ed25519_dalek::{Signer, SigningKey};
use hft_host::registry::{Registry, RegistryConfig, RegistryError, Step, UploadOptions};
use hft_host::runtime::Runtime;
use sha2::Digest as _;
use std::path::Path;
use std::time::Instant;

fn open(dir: &Path) -> Registry {
    open_with(RegistryConfig { dir: dir.to_path_buf(), ..RegistryConfig::default() })
}

fn open_with(config: RegistryConfig) -> Registry {
    Registry::open(config).expect("opening the registry")
}

fn bytes(name: &str) -> Vec<u8> {
    std::fs::read(common::wasm(name)).unwrap_or_else(|e| panic!("reading {name}.wasm: {e}"))
}

/// The code of a refused call, with the message when it is not the one expected.
fn code<T>(r: Result<T, RegistryError>) -> (String, String) {
    let Err(e) = r else { panic!("expected a refusal") };
    (e.code().to_string(), e.to_string())
}

fn with_params(params: &[(&str, &str)]) -> UploadOptions {
    UploadOptions {
        uploaded_by: "tests".into(),
        smoke_params: params.iter().map(|(n, v)| (n.to_string(), v.to_string())).collect(),
        ..UploadOptions::default()
    }
}

#[test]
fn a_registry_can_be_shared_between_threads() {
    fn shared<T: Send + Sync>() {}
    shared::<Registry>();
    shared::<RegistryError>();
}

#[test]
fn every_built_in_is_accepted_with_its_world_kind_and_parameters() {
    let rt = common::runtime();
    let dir = tempfile::tempdir().unwrap();
    let registry = open(dir.path());
    let cases = [
        ("kalman", "hft:strategy/hedge-ratio-model@0.1.1", "hedge-ratio", "delta"),
        ("garch", "hft:strategy/volatility-model@0.1.1", "volatility", "min-obs"),
        ("bocd", "hft:strategy/changepoint-model@0.1.1", "changepoint", "hazard-lambda"),
        ("pairs", "hft:strategy/trading-strategy@0.1.1", "strategy", "entry-z"),
    ];
    for (file, world, kind, param) in cases {
        let wasm = bytes(file);
        let started = Instant::now();
        let r = registry.upload(&rt, &wasm, "alice", None).unwrap_or_else(|e| panic!("{file}: {e}"));
        let took = started.elapsed();
        let v = &r.validation;
        eprintln!("{file}: accepted in {took:?}; smoke: {}", v.steps.last().unwrap().detail);
        assert_eq!((r.world.as_str(), r.kind.as_str(), r.name.as_str()), (world, kind, file), "{file}");
        assert_eq!(r.size, wasm.len() as u64);
        assert_eq!(r.sha256.len(), 64);
        assert_eq!(r.uploaded_by, "alice");
        assert_eq!(r.signed_by, None);
        assert!(r.uploaded_at.ends_with('Z') && r.uploaded_at.len() == 24, "{}", r.uploaded_at);
        assert!(r.params.iter().any(|p| p.name == param), "{file} lacks {param}: {:?}", r.params);
        let steps: Vec<Step> = v.steps.iter().map(|s| s.step).collect();
        assert_eq!(steps, Step::ALL.to_vec(), "{file}");
        assert!(v.steps.iter().all(|s| s.ok), "{file}: {:?}", v.steps);
        assert!(v.restorable, "{file}: the built-ins snapshot and restore");
        assert!(v.imports.iter().all(|i| i.starts_with("wasi:") || i.starts_with("hft:strategy/types@")));
    }
    let pairs = registry.list().into_iter().find(|r| r.name == "pairs").unwrap();
    let entry = pairs.params.iter().find(|p| p.name == "entry-z").unwrap();
    assert_eq!((entry.ty.as_str(), entry.default.clone()), ("float", serde_json::json!(2.0)));
    let legs: Vec<&str> = pairs.validation.legs.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(legs, ["y", "x"]);
    assert_eq!(pairs.validation.signals.len(), 4);
    assert_eq!(registry.list().len(), 4);
}

#[test]
fn the_same_bytes_twice_make_one_record() {
    let rt = common::runtime();
    let dir = tempfile::tempdir().unwrap();
    let registry = open(dir.path());
    let wasm = bytes("kalman");
    let first = registry.upload_with(&rt, &wasm, &with_params(&[])).unwrap();
    let again =
        registry.upload_with(&rt, &wasm, &UploadOptions { uploaded_by: "bob".into(), ..Default::default() }).unwrap();
    assert!(first.created && !again.created);
    assert_eq!(again.record, first.record, "the existing record comes back unchanged");
    assert_eq!(registry.list().len(), 1);
    let files = std::fs::read_dir(dir.path()).unwrap().count();
    assert_eq!(files, 2, "one .wasm and one .json");
}

#[test]
fn a_reopened_registry_lists_and_loads_what_it_stored_and_reports_stray_files() {
    let rt = common::runtime();
    let dir = tempfile::tempdir().unwrap();
    let (kalman, pairs) = {
        let registry = open(dir.path());
        (
            registry.upload(&rt, &bytes("kalman"), "a", None).unwrap(),
            registry.upload(&rt, &bytes("pairs"), "b", None).unwrap(),
        )
    };
    // Debris of crashes and of hands: none of it may stop the registry.
    let orphan = "ab".repeat(32);
    std::fs::write(dir.path().join(format!("{orphan}.wasm")), b"half an upload").unwrap();
    std::fs::write(dir.path().join(format!("{}.json", "cd".repeat(32))), b"{ not json").unwrap();
    std::fs::write(dir.path().join(format!(".{}.wasm.tmp-1-0", "ef".repeat(32))), b"torn").unwrap();
    std::fs::write(dir.path().join("notes.txt"), b"hello").unwrap();

    let registry = open(dir.path());
    let listed: Vec<String> = registry.list().into_iter().map(|r| r.sha256).collect();
    assert_eq!(listed, [kalman.sha256.clone(), pairs.sha256.clone()], "oldest upload first");
    assert_eq!(registry.get(&pairs.sha256).unwrap(), pairs);
    let problems = registry.problems();
    assert_eq!(problems.len(), 4, "{problems:#?}");
    for (file, what) in [
        (format!("{orphan}.wasm"), "without a record"),
        (format!("{}.json", "cd".repeat(32)), "corrupt record"),
        ("notes.txt".to_string(), "not a registry file"),
        (format!(".{}.wasm.tmp-1-0", "ef".repeat(32)), "temporary"),
    ] {
        assert!(
            problems.iter().any(|p| p.path.ends_with(&file) && p.problem.contains(what)),
            "{file}: {what} in {problems:#?}"
        );
    }

    // Loading checks the bytes against the sha, then hands a loaded component over.
    assert_eq!(registry.bytes(&pairs.sha256[..8]).unwrap(), bytes("pairs"));
    let loaded = registry.load(&rt, &kalman.sha256[..10]).unwrap();
    assert_eq!(loaded.sha256, kalman.sha256);
    assert_eq!(loaded.name, format!("kalman-{}", &kalman.sha256[..8]));
    hft_host::models::HedgeRatioModel::create(&loaded, &[]).unwrap().update(1.0, 2.0).unwrap();

    // A flipped byte on disk (same size) is caught at load, not run.
    let path = dir.path().join(format!("{}.wasm", kalman.sha256));
    let mut damaged = std::fs::read(&path).unwrap();
    let mid = damaged.len() / 2;
    damaged[mid] ^= 0xff;
    std::fs::write(&path, &damaged).unwrap();
    let (c, msg) = code(registry.load(&rt, &kalman.sha256));
    assert_eq!(c, "corrupt", "{msg}");
}

#[test]
fn ids_are_sha_prefixes_of_at_least_eight_hex_digits() {
    let rt = common::runtime();
    let dir = tempfile::tempdir().unwrap();
    let registry = open(dir.path());
    let r = registry.upload(&rt, &bytes("bocd"), "a", None).unwrap();
    assert_eq!(registry.get(&r.sha256[..8]).unwrap().sha256, r.sha256);
    assert_eq!(registry.get(&r.sha256.to_uppercase()).unwrap().sha256, r.sha256);
    assert_eq!(code(registry.get(&r.sha256[..7])).0, "invalid_id");
    assert_eq!(code(registry.get("not-hex-at-all")).0, "invalid_id");
    let other = if r.sha256.starts_with('0') { "1".repeat(64) } else { "0".repeat(64) };
    assert_eq!(code(registry.get(&other)).0, "not_found");
    assert_eq!(code(registry.get(&other[..12])).0, "not_found");
}

#[test]
fn removal_asks_whether_the_component_is_in_use() {
    let rt = common::runtime();
    let dir = tempfile::tempdir().unwrap();
    let registry = open(dir.path());
    let r = registry.upload(&rt, &bytes("garch"), "a", None).unwrap();
    let (c, msg) = code(registry.remove(&r.sha256[..8], |rec| rec.name == "garch"));
    assert_eq!(c, "in_use", "{msg}");
    assert_eq!(registry.list().len(), 1);
    assert_eq!(registry.remove(&r.sha256, |_| false).unwrap().sha256, r.sha256);
    assert!(registry.list().is_empty());
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    assert_eq!(code(registry.get(&r.sha256)).0, "not_found");
    assert!(open(dir.path()).list().is_empty());
}

#[test]
fn core_modules_random_bytes_and_truncated_components_are_not_components() {
    let rt = common::runtime();
    let dir = tempfile::tempdir().unwrap();
    let registry = open(dir.path());
    let core = wasm_encoder::Module::new().finish();
    let (c, msg) = code(registry.upload(&rt, &core, "a", None));
    assert_eq!(c, "not_a_component");
    assert!(msg.contains("core WebAssembly module"), "{msg}");

    let mut state = 0x2545_f491_4f6c_dd1du64;
    let random: Vec<u8> = (0..4096)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state as u8
        })
        .collect();
    let (c, msg) = code(registry.upload(&rt, &random, "a", None));
    assert_eq!(c, "not_a_component");
    assert!(msg.contains("not WebAssembly"), "{msg}");
    assert_eq!(code(registry.upload(&rt, &[], "a", None)).0, "not_a_component");

    let pairs = bytes("pairs");
    for cut in [9, pairs.len() / 3, pairs.len() - 1] {
        let e = registry.upload(&rt, &pairs[..cut], "a", None).unwrap_err();
        assert_eq!(e.code(), "not_a_component", "cut at {cut}: {e}");
        let steps = &e.rejection().unwrap().steps;
        assert_eq!(steps.last().map(|s| (s.step, s.ok)), Some((Step::Component, false)));
    }
    assert!(registry.list().is_empty());
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0, "nothing written for a refusal");
}

#[test]
fn an_oversized_upload_is_refused_before_anything_reads_it() {
    let rt = common::runtime();
    let dir = tempfile::tempdir().unwrap();
    let registry =
        open_with(RegistryConfig { dir: dir.path().into(), max_bytes: 64 * 1024, ..RegistryConfig::default() });
    let e = registry.upload(&rt, &bytes("pairs"), "a", None).unwrap_err();
    assert_eq!(e.code(), "too_large", "{e}");
    let steps = &e.rejection().unwrap().steps;
    assert_eq!(steps.len(), 1);
    assert_eq!(steps[0].step, Step::Size);
    // The runtime's own cap applies too, when it is the smaller one.
    let small = common::runtime_with(hft_host::runtime::Limits { max_component_bytes: 1000, ..Default::default() });
    let roomy = open(&dir.path().join("roomy"));
    let e = roomy.upload(&small, &bytes("pairs"), "a", None).unwrap_err();
    assert_eq!(e.code(), "too_large", "{e}");
    assert!(e.to_string().contains("over the 1000-byte limit"), "{e}");
}

/// A component that exports an (empty) instance under `export` and imports
/// an instance under each of `imports`: enough for the name checks, and a
/// valid component wasmtime compiles. With `with_func`, each imported
/// instance must provide a function `ask` (an empty one is satisfied by any
/// linker, even one that lacks the name).
fn hand_built(export: &str, imports: &[&str], with_func: bool) -> Vec<u8> {
    use wasm_encoder::{
        Component, ComponentExportKind, ComponentExportSection, ComponentImportSection, ComponentInstanceSection,
        ComponentTypeRef, ComponentTypeSection, ComponentValType, InstanceType,
    };
    let mut c = Component::new();
    let mut types = ComponentTypeSection::new();
    types.instance(&InstanceType::new());
    let mut asking = InstanceType::new();
    asking.ty().function().params(Vec::<(&str, ComponentValType)>::new()).result(None);
    asking.export("ask", ComponentTypeRef::Func(0));
    types.instance(&asking);
    c.section(&types);
    if !imports.is_empty() {
        let mut section = ComponentImportSection::new();
        for name in imports {
            section.import(*name, ComponentTypeRef::Instance(u32::from(with_func)));
        }
        c.section(&section);
    }
    let mut instances = ComponentInstanceSection::new();
    instances.export_items(Vec::<(&str, ComponentExportKind, u32)>::new());
    c.section(&instances);
    let mut exports = ComponentExportSection::new();
    exports.export(export, ComponentExportKind::Instance, imports.len() as u32, None);
    c.section(&exports);
    c.finish()
}

#[test]
fn a_component_for_another_wit_version_is_refused_with_expected_and_found() {
    let rt = common::runtime();
    let dir = tempfile::tempdir().unwrap();
    let registry = open(dir.path());
    let (c, msg) = code(registry.upload(&rt, &hand_built("hft:strategy/strategy@0.2.0", &[], false), "a", None));
    assert_eq!(c, "incompatible_version", "{msg}");
    assert!(
        msg.contains("built for hft:strategy@0.2.0, this host runs hft:strategy@0.1.1 or an earlier 0.1.x"),
        "{msg}"
    );
    // A later release on the track: it may rely on an addition this host never calls.
    let (c, msg) = code(registry.upload(&rt, &hand_built("hft:strategy/strategy@0.1.2", &[], false), "a", None));
    assert_eq!(c, "incompatible_version", "{msg}");
    let (c, msg) = code(registry.upload(&rt, &hand_built("hft:strategy/volatility@1.0.0", &[], false), "a", None));
    assert_eq!(c, "incompatible_version", "{msg}");
    let (c, msg) = code(registry.upload(&rt, &hand_built("acme:other/model@0.1.0", &[], false), "a", None));
    assert_eq!(c, "wrong_world", "{msg}");
    assert!(msg.contains("acme:other/model@0.1.0"), "{msg}");
}

#[test]
fn imports_the_host_does_not_grant_are_refused_by_name() {
    let rt = common::runtime();
    let dir = tempfile::tempdir().unwrap();
    let registry = open(dir.path());
    let ours = "hft:strategy/changepoint@0.1.0";
    // A foreign interface: refused by the name check, before compiling.
    let e = registry.upload(&rt, &hand_built(ours, &["acme:evil/net@1.0.0"], true), "a", None).unwrap_err();
    assert_eq!(e.code(), "ungranted_import", "{e}");
    assert!(e.to_string().contains("acme:evil/net@1.0.0"), "{e}");
    assert_eq!(e.rejection().unwrap().steps.last().unwrap().step, Step::Imports);
    // WASI of another generation.
    let e = registry.upload(&rt, &hand_built(ours, &["wasi:io/streams@0.3.0"], true), "a", None).unwrap_err();
    assert_eq!(e.code(), "ungranted_import", "{e}");
    // A granted WASI package but an interface the sandbox's linker lacks:
    // the names pass, wasmtime's linker refuses it at the compile step.
    let e = registry.upload(&rt, &hand_built(ours, &["wasi:random/oracle@0.2.0"], true), "a", None).unwrap_err();
    assert_eq!(e.code(), "ungranted_import", "{e}");
    assert!(e.to_string().contains("wasi:random/oracle@0.2.0"), "{e}");
    assert_eq!(e.rejection().unwrap().steps.last().unwrap().step, Step::Compile);
    assert!(registry.list().is_empty());
}

/// The hostile component imports WASI filesystem, sockets and the wall
/// clock (it tries to use them on cue). The sandbox links every WASI 0.2
/// interface with an empty context (no preopens, no socket allowed, frozen
/// clocks), so those imports are granted: harmless. With its default mode
/// (`ok`) it does nothing and is accepted. Each hostile mode fails the
/// smoke run; an operator who wants such imports refused outright lists
/// them in `refused_imports`.
#[test]
fn the_hostile_component_is_accepted_as_harmless_and_each_hostile_mode_fails_the_smoke_run() {
    let rt = common::runtime();
    let dir = tempfile::tempdir().unwrap();
    let registry = open(dir.path());
    let wasm = bytes("hostile");

    for (mode, expect) in [
        ("loop", "deadline"),
        ("hog", "out of memory"),
        ("panic", "trapped"),
        ("read-file", "bad"),
        ("connect:127.0.0.1:9", "bad"),
    ] {
        let started = Instant::now();
        let e = registry.validate(&rt, &wasm, &with_params(&[("mode", mode)])).unwrap_err();
        assert_eq!(e.code(), "smoke_failed", "{mode}: {e}");
        assert!(e.to_string().contains(expect), "{mode}: {e}");
        assert!(started.elapsed().as_secs() < 5, "{mode} took {:?}", started.elapsed());
    }

    let r = registry.upload(&rt, &wasm, "mallory", None).unwrap();
    assert_eq!(r.kind, "changepoint");
    assert!(r.validation.imports.iter().any(|i| i.starts_with("wasi:sockets/tcp@")), "{:?}", r.validation.imports);
    assert!(r.validation.imports.iter().any(|i| i.starts_with("wasi:filesystem/")));
    assert!(!r.validation.restorable, "hostile refuses restore");

    let strict = open_with(RegistryConfig {
        dir: dir.path().join("strict"),
        refused_imports: vec!["wasi:sockets".into()],
        ..RegistryConfig::default()
    });
    let e = strict.upload(&rt, &wasm, "mallory", None).unwrap_err();
    assert_eq!(e.code(), "ungranted_import", "{e}");
    assert!(e.to_string().contains("wasi:sockets/"), "{e}");
}

/// The faulty strategy's defaults are harmless (a fixed size of 1 on leg
/// y, no fault scheduled), so it is accepted as it is; its parameters
/// schedule a trap, an endless loop, a refusal, or an absurd size, and the
/// smoke run, given those parameters, catches every fault.
#[test]
fn the_faulty_strategy_fails_the_smoke_run_when_its_parameters_make_it_misbehave() {
    let rt = common::runtime();
    let dir = tempfile::tempdir().unwrap();
    let registry = open(dir.path());
    let wasm = bytes("faulty_strategy");
    for (params, expect) in [
        (vec![("trap-at", "100")], "tick 99: plugin call `on-tick` trapped"),
        (vec![("loop-at", "50")], "deadline"),
        (vec![("size", "1000000")], "absurd quantity"),
        (vec![("size", "1e30")], ""),
        (vec![("no-such-param", "1")], "unknown parameter"),
    ] {
        let r = registry.validate(&rt, &wasm, &with_params(&params));
        if expect.is_empty() {
            // 1e30 does not fit the 64-bit decimal: the SDK sends zero, which is sane.
            r.unwrap_or_else(|e| panic!("{params:?}: {e}"));
            continue;
        }
        let e = r.unwrap_err();
        assert_eq!(e.code(), "smoke_failed", "{params:?}: {e}");
        assert!(e.to_string().contains(expect), "{params:?}: {e}");
    }
    // One refusal in a run is what the pipeline tolerates too.
    registry.validate(&rt, &wasm, &with_params(&[("refuse-at", "10")])).unwrap();
    let r = registry.upload(&rt, &wasm, "tests", None).unwrap();
    assert_eq!((r.name.as_str(), r.kind.as_str()), ("faulty", "strategy"));
    assert!(r.params.iter().any(|p| p.name == "trap-at" && p.default == serde_json::json!(0)));
}

#[test]
fn signatures_when_required() {
    let rt = common::runtime();
    let dir = tempfile::tempdir().unwrap();
    let trusted = SigningKey::from_bytes(&[11; 32]);
    let stranger = SigningKey::from_bytes(&[12; 32]);
    let trusted_id = hex::encode(trusted.verifying_key().to_bytes());
    let registry = open_with(RegistryConfig {
        dir: dir.path().into(),
        require_signature: true,
        trusted_keys: vec![trusted_id.clone()],
        ..RegistryConfig::default()
    });
    let wasm = bytes("kalman");
    let digest: [u8; 32] = sha2::Sha256::digest(&wasm).into();

    let (c, msg) = code(registry.upload(&rt, &wasm, "a", None));
    assert_eq!(c, "unsigned", "{msg}");
    let wrong = stranger.sign(&digest).to_bytes();
    assert_eq!(code(registry.upload(&rt, &wasm, "a", Some(&wrong))).0, "bad_signature");
    let of_other_bytes = trusted.sign(&[0u8; 32]).to_bytes();
    assert_eq!(code(registry.upload(&rt, &wasm, "a", Some(&of_other_bytes))).0, "bad_signature");
    assert_eq!(code(registry.upload(&rt, &wasm, "a", Some(b"not a signature"))).0, "bad_signature");
    assert!(registry.list().is_empty());

    let good = base64::engine::general_purpose::STANDARD.encode(trusted.sign(&digest).to_bytes());
    let r = registry.upload(&rt, &wasm, "a", Some(good.as_bytes())).unwrap();
    assert_eq!(r.signed_by.as_deref(), Some(trusted_id.as_str()));
    let steps = &r.validation.steps;
    assert!(steps[1].step == Step::Signature && steps[1].detail.contains(&trusted_id), "{steps:?}");
    // Re-uploading stored bytes still needs a signature.
    assert_eq!(code(registry.upload(&rt, &wasm, "a", None)).0, "unsigned");

    // Not required: an unsigned upload passes, and a later signed upload of
    // the same bytes records who signed it.
    let open_dir = tempfile::tempdir().unwrap();
    let lax = open_with(RegistryConfig {
        dir: open_dir.path().into(),
        trusted_keys: vec![trusted_id.clone()],
        ..RegistryConfig::default()
    });
    assert_eq!(lax.upload(&rt, &wasm, "a", None).unwrap().signed_by, None);
    let hex_sig = hex::encode(trusted.sign(&digest).to_bytes());
    let again =
        lax.upload_with(&rt, &wasm, &UploadOptions { signature: Some(hex_sig.into_bytes()), ..Default::default() });
    let again = again.unwrap();
    assert!(!again.created);
    assert_eq!(again.record.signed_by.as_deref(), Some(trusted_id.as_str()));
    assert_eq!(open(open_dir.path()).list()[0].signed_by.as_deref(), Some(trusted_id.as_str()));
}

#[test]
fn bad_configuration_is_refused_at_open_with_every_problem() {
    let dir = tempfile::tempdir().unwrap();
    let e = Registry::open(RegistryConfig {
        dir: dir.path().into(),
        require_signature: true,
        trusted_keys: vec!["00ff".into()],
        smoke_ticks: 0,
        ..RegistryConfig::default()
    })
    .unwrap_err();
    assert_eq!(e.code(), "bad_config");
    assert!(e.to_string().contains("smoke_ticks") && e.to_string().contains("trusted_keys[0]"), "{e}");
}

#[test]
fn smoke_data_from_the_bundled_klines_files() {
    let rt = common::runtime();
    let dir = tempfile::tempdir().unwrap();
    let data = common::root().join("data/pair");
    let registry = open_with(RegistryConfig {
        dir: dir.path().into(),
        smoke_ticks: 500,
        smoke_data: vec![data.join("BTCUSDT-1m-synthetic.csv"), data.join("ETHUSDT-1m-synthetic.csv")],
        ..RegistryConfig::default()
    });
    assert_eq!(registry.smoke_data().unwrap().len(), 501);
    let r = registry.upload(&rt, &bytes("pairs"), "a", None).unwrap();
    let smoke = &r.validation.steps.last().unwrap().detail;
    assert!(smoke.starts_with("500 ticks of") && smoke.contains("BTCUSDT-1m-synthetic.csv"), "{smoke}");

    let missing = Registry::open(RegistryConfig {
        dir: dir.path().into(),
        smoke_data: vec!["no/such.csv".into(), "no/other.csv".into()],
        ..RegistryConfig::default()
    });
    assert_eq!(missing.unwrap_err().code(), "bad_smoke_data");
}

#[test]
fn the_runtime_that_loads_need_not_be_the_one_that_validated() {
    let dir = tempfile::tempdir().unwrap();
    let sha = {
        let rt = common::runtime();
        open(dir.path()).upload(&rt, &bytes("bocd"), "a", None).unwrap().sha256
    };
    let rt: Runtime = common::runtime();
    let loaded = open(dir.path()).load(&rt, &sha).unwrap();
    assert_eq!(loaded.world.kind.interface(), "changepoint");
}
