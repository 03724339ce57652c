//! Loading refuses what is not a component for our contract, with a message
//! that names the problem, and caches what it compiled.

mod common;

use hft_host::runtime::{Limits, PluginError, Runtime, RuntimeConfig};

fn patched(name: &str, from: &[u8], to: &[u8]) -> Vec<u8> {
    assert_eq!(from.len(), to.len(), "same-length patch keeps the binary well formed");
    let mut bytes = std::fs::read(common::wasm(name)).unwrap();
    let mut hits = 0;
    let mut i = 0;
    while i + from.len() <= bytes.len() {
        if &bytes[i..i + from.len()] == from {
            bytes[i..i + from.len()].copy_from_slice(to);
            hits += 1;
            i += from.len();
        } else {
            i += 1;
        }
    }
    assert!(hits > 0, "{} not found in {name}.wasm", String::from_utf8_lossy(from));
    bytes
}

#[test]
fn garbage_and_truncated_files_are_not_components() {
    let rt = common::runtime();
    let err = rt.load_bytes("junk", b"this is not wasm").err().unwrap();
    assert!(matches!(err, PluginError::InvalidComponent(_)), "{err}");
    assert!(err.to_string().contains("not WebAssembly"), "{err}");

    let good = std::fs::read(common::wasm("kalman")).unwrap();
    let err = rt.load_bytes("truncated", &good[..good.len() / 2]).err().unwrap();
    assert!(matches!(err, PluginError::InvalidComponent(_)), "{err}");
    assert!(err.to_string().contains("does not compile"), "{err}");
}

#[test]
fn a_core_module_is_refused_with_advice() {
    let rt = common::runtime();
    let core_module = b"\0asm\x01\0\0\0";
    let err = rt.load_bytes("core", core_module).err().unwrap();
    assert!(err.to_string().contains("core WebAssembly module, not a component"), "{err}");
}

#[test]
fn a_component_for_another_wit_version_is_refused_naming_both_versions() {
    let rt = common::runtime();
    let bytes = patched("kalman", b"hft:strategy/hedge-ratio@0.1.1", b"hft:strategy/hedge-ratio@0.9.0");
    let err = rt.load_bytes("future", &bytes).err().unwrap();
    assert!(matches!(err, PluginError::Incompatible(_)), "{err}");
    let msg = err.to_string();
    assert!(msg.contains("hft:strategy@0.9.0") && msg.contains("hft:strategy@0.1.1"), "{msg}");
}

#[test]
fn a_component_from_a_later_release_on_the_track_is_refused_as_newer() {
    let rt = common::runtime();
    let bytes = patched("kalman", b"hft:strategy/hedge-ratio@0.1.1", b"hft:strategy/hedge-ratio@0.1.2");
    let msg = rt.load_bytes("newer", &bytes).err().unwrap().to_string();
    assert!(msg.contains("hft:strategy@0.1.2, newer than this host's hft:strategy@0.1.1: upgrade hft-host"), "{msg}");
}

#[test]
fn a_component_importing_an_ungranted_interface_is_refused() {
    let rt = common::runtime();
    let bytes = patched("kalman", b"wasi:cli/stderr", b"evil:cli/stderr");
    let err = rt.load_bytes("evil", &bytes).err().unwrap();
    assert!(matches!(err, PluginError::Incompatible(_)), "{err}");
    assert!(err.to_string().contains("evil:cli/stderr"), "{err}");
}

#[test]
fn a_component_of_one_kind_cannot_be_used_as_another() {
    let rt = common::runtime();
    let kalman = common::load(&rt, "kalman");
    let err = hft_host::models::VolatilityModel::create(&kalman, &[]).err().unwrap();
    assert!(err.to_string().contains("implements hedge-ratio-model, not volatility-model"), "{err}");
}

#[test]
fn oversized_components_are_refused_before_compiling() {
    let rt = common::runtime_with(Limits { max_component_bytes: 1024, ..Limits::default() });
    let err = rt.load_file(&common::wasm("kalman")).err().unwrap();
    assert!(err.to_string().contains("over the 1024-byte limit"), "{err}");
}

#[test]
fn the_compile_cache_is_used_and_survives_corruption() {
    let dir = tempfile::tempdir().unwrap();
    let config = RuntimeConfig {
        limits: Limits::default(),
        cache_dir: Some(dir.path().to_path_buf()),
        parallel_compilation: true,
    };
    let rt = Runtime::new(config.clone()).unwrap();
    let first = common::load(&rt, "kalman");
    let artefacts: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "cwasm"))
        .collect();
    assert_eq!(artefacts.len(), 1, "one precompiled artefact");
    assert!(artefacts[0].file_name().unwrap().to_str().unwrap().starts_with(&first.sha256));

    // A second runtime loads from the cache and the component works.
    let rt2 = Runtime::new(config.clone()).unwrap();
    let again = common::load(&rt2, "kalman");
    let mut m = hft_host::models::HedgeRatioModel::create(&again, &[]).unwrap();
    assert!(m.update(1.0, 2.0).is_ok());

    // Corrupt the artefact: its checksum fails, it is recompiled, and it still works.
    let mut bytes = std::fs::read(&artefacts[0]).unwrap();
    let mid = bytes.len() / 2;
    bytes[mid] ^= 0xff;
    std::fs::write(&artefacts[0], &bytes).unwrap();
    let rt3 = Runtime::new(config).unwrap();
    let recompiled = common::load(&rt3, "kalman");
    let mut m = hft_host::models::HedgeRatioModel::create(&recompiled, &[]).unwrap();
    assert!(m.update(1.0, 2.0).is_ok());
}
