#!/usr/bin/env bash
# The README's first command: set up what a fresh machine lacks (the pinned
# toolchain and the wasm32-wasip2 target come from rust-toolchain.toml
# through rustup), build the components and the host, and run the main job
# on the embedded default: the bundled BTC/ETH minute bars through the
# Kalman, GARCH and BOCD components and the pairs strategy component, with
# the risk manager and the paper broker. The report is printed and written
# to reports/<run>/ (summary.json, CSVs and report.html with the charts).
# Extra arguments go to `hft-host run` (for example --speed 600x).
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v cargo >/dev/null; then
  echo "cargo not found: install rustup (https://rustup.rs), then run this again" >&2
  exit 1
fi
rustup toolchain install "$(sed -n 's/^channel = "\(.*\)"/\1/p' rust-toolchain.toml)" --profile minimal \
  --target wasm32-wasip2 >&2
./scripts/build-plugins.sh >&2
cargo build --release --locked -p hft-host >&2
exec target/release/hft-host run "$@"
