#!/usr/bin/env bash
# Every performance figure in BENCHMARKS.md, in one run: each model natively
# and through its wasm component, then Python `arch` fitting the same series
# (if Python with arch is installed), the main job's replay throughput and
# tick-to-order latency, and the same through Kafka (ingest, strategy and
# execution roles against a tansu broker, next to the embedded run; a few
# minutes).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/build-plugins.sh
./scripts/install-tansu.sh
cargo bench --locked -p hft-host --bench models --bench pipeline --bench orchestrator --bench upload_to_live --bench distributed -- "$@"
if python3 -c "import arch" 2>/dev/null; then
  python3 tools/bench/arch_fit.py
else
  echo "python3 with arch not installed: skipping the arch comparison (pip install arch==8.0.0)" >&2
fi
