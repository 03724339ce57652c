//! `plugins/pairs`, the same logic and the same adapter, with its bindings
//! generated from the previous WIT release, `hft:strategy@0.1.0` (frozen in
//! `wit/history/0.1.0`). `host/tests/wit_versions.rs` runs it beside the
//! current build to check the compatibility policy in `wit/README.md`: a
//! host built for 0.1.1 runs a component built against 0.1.0, tick for
//! tick the same.
//!
//! The shared types come from `hft_sdk` (generated from 0.1.1): a minor
//! release may not change an existing type, so they are the same types.

#[path = "../../../../plugins/pairs/src/pairs.rs"]
pub mod pairs;

#[cfg(target_arch = "wasm32")]
mod component {
    wit_bindgen::generate!({
        world: "trading-strategy",
        path: "../../../wit/history/0.1.0",
        with: { "hft:strategy/types@0.1.0": hft_sdk::types },
    });

    include!("../../../../plugins/pairs/src/adapter.rs");
}
