#!/usr/bin/env bash
# Build the model and strategy components (and the sandbox-test component) for wasm32-wasip2.
# Output: target/wasm32-wasip2/release/{kalman,garch,bocd,pairs,hostile,faulty_strategy,pairs_wit_0_1_0}.wasm
set -euo pipefail
cd "$(dirname "$0")/.."
rustup target list --installed | grep -qx wasm32-wasip2 || rustup target add wasm32-wasip2
cargo build --release --locked --target wasm32-wasip2 -p kalman -p garch -p bocd -p pairs -p hostile -p faulty-strategy -p pairs-wit-0-1-0
