#!/usr/bin/env bash
# Run every test: the model math against the committed Python references, the
# wasm components through the host against the same references, the sandbox,
# the CLI, the main job end to end, the trading core, the state store against
# a real redis-server, the event bus and the distributed roles against a real
# Kafka-protocol broker, the Helm chart, and the `cargo component build`
# author path.
set -euo pipefail
cd "$(dirname "$0")/.."
CARGO_COMPONENT_VERSION=0.21.1
if ! cargo component --version 2>/dev/null | grep -q "$CARGO_COMPONENT_VERSION"; then
  echo "installing cargo-component $CARGO_COMPONENT_VERSION (one time, a few minutes)" >&2
  cargo install cargo-component --locked --version "$CARGO_COMPONENT_VERSION"
fi
# Real servers for the state-store and event-bus tests (they start their
# own instances on loopback ports): redis-server, and tansu, a
# Kafka-protocol broker, into target/tools/.
# The Helm chart, offline: lint, render, Kubernetes and prometheus-operator
# schemas, assertions (tools go into target/tools/ via scripts/install-helm.sh).
./scripts/test-chart.sh
./scripts/install-redis.sh
./scripts/install-tansu.sh
./scripts/build-plugins.sh
HFT_REQUIRE_CARGO_COMPONENT=1 cargo test --locked --workspace --exclude kalman --exclude garch --exclude bocd --exclude hostile --exclude faulty-strategy --exclude pairs-wit-0-1-0 "$@"
