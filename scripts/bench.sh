#!/usr/bin/env bash
# Every performance figure in BENCHMARKS.md, in one run: each model natively
# and through its wasm component, then Python `arch` fitting the same series
# (if Python with arch is installed), and the main job's replay throughput and
# tick-to-order latency.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/build-plugins.sh
cargo bench --locked -p hft-host --bench models --bench pipeline --bench orchestrator -- "$@"
if python3 -c "import arch" 2>/dev/null; then
  python3 tools/bench/arch_fit.py
else
  echo "python3 with arch not installed: skipping the arch comparison (pip install arch==8.0.0)" >&2
fi
