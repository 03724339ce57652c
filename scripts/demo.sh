#!/usr/bin/env bash
# The README's first command: set up what a fresh machine lacks
# (scripts/setup.sh: C build tools, rustup, and the toolchain and
# wasm32-wasip2 target pinned in rust-toolchain.toml), build the components and the host, and run the main job
# on the embedded default: the bundled BTC/ETH minute bars through the
# Kalman, GARCH and BOCD components and the pairs strategy component, with
# the risk manager and the paper broker. The report is printed and written
# to reports/<run>/ (summary.json, CSVs and report.html with the charts).
# Extra arguments go to `hft-host run` (for example --speed 600x).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
# rustup may have just been installed into ~/.cargo/bin.
command -v cargo >/dev/null 2>&1 || export PATH="$HOME/.cargo/bin:$PATH"
./scripts/build-plugins.sh >&2
cargo build --release --locked -p hft-host >&2
exec target/release/hft-host run "$@"
