//! The pairs strategy ([`pairs::Pairs`]) as a component exporting
//! `hft:strategy/strategy` and `hft:strategy/warm-up` (world
//! `trading-strategy-with-warm-up`). Only adaptation lives here; the decisions and
//! their conventions are in `pairs.rs` and `README.md`.

pub mod pairs;

#[cfg(target_arch = "wasm32")]
mod component {
    wit_bindgen::generate!({
        world: "trading-strategy-with-warm-up",
        path: "../../wit",
        with: { "hft:strategy/types@0.1.1": hft_sdk::types },
    });

    include!("adapter.rs");

    /// The `warmup` parameter: a host leaves those ticks out of a
    /// challenger's evidence for promotion. (In lib.rs, not the adapter:
    /// the build against WIT 0.1.0 has no `warm-up` interface.)
    impl exports::hft::strategy::warm_up::Guest for Component {
        fn ticks_needed(params: Vec<Param>) -> Result<u32, ModelError> {
            Ok(Pairs::new(&hft_sdk::from_wit_params(params))?.warm_up_ticks())
        }
    }
}
