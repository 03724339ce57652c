//! Host-side bindings to the `hft:strategy` worlds, generated from `wit/`.
//!
//! One module per world, as each component exports exactly one. The shared
//! `types` interface is generated once (in [`hedge_ratio`]) and reused by the
//! others through `with`, so a `ModelError` or `Param` is one Rust type.
#![allow(missing_docs)]

pub mod hedge_ratio {
    wasmtime::component::bindgen!({
        world: "hedge-ratio-model",
        path: "../wit",
    });
}

pub mod volatility {
    wasmtime::component::bindgen!({
        world: "volatility-model",
        path: "../wit",
        with: { "hft:strategy/types": super::hedge_ratio::hft::strategy::types },
    });
}

pub mod changepoint {
    wasmtime::component::bindgen!({
        world: "changepoint-model",
        path: "../wit",
        with: { "hft:strategy/types": super::hedge_ratio::hft::strategy::types },
    });
}

/// The shared WIT vocabulary (parameters, model info, errors).
pub use hedge_ratio::hft::strategy::types;

pub mod strategy {
    wasmtime::component::bindgen!({
        world: "trading-strategy",
        path: "../wit",
        with: { "hft:strategy/types": super::hedge_ratio::hft::strategy::types },
    });
}

/// The optional `warm-up` export (0.1.1). Only its interface is used: the
/// world struct would demand `strategy` too, and a strategy built against
/// 0.1.0 has `strategy` without `warm-up`.
pub mod warm_up {
    wasmtime::component::bindgen!({
        world: "trading-strategy-with-warm-up",
        path: "../wit",
        with: { "hft:strategy/types": super::hedge_ratio::hft::strategy::types },
    });
}
