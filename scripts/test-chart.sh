#!/usr/bin/env bash
# Tests of the Helm chart charts/hft-crypto-bot and its scripts (issue 6),
# offline (no Kubernetes API server is needed or used):
#   1. helm lint --strict with values.yaml and values-staging.yaml
#   2. helm template of both and of the test variants (charts/hft-crypto-bot/ci/)
#   3. kubernetes-validate --strict -k 1.30.0 of every rendering; warnings
#      fail except "no schema" for CRD kinds (prometheus-operator, Istio)
#   4. the ServiceMonitor and PrometheusRule against the prometheus-operator CRD schemas
#   5. assertions over the renderings (scripts/chart-tests/assert_chart.py)
#   6. bad values files rejected by values.schema.json, and value
#      combinations the templates refuse
#   7. the README documents every value (scripts/chart-tests/values_doc.py)
#   8. the deploy examples (deploy/) parse, point at the real chart and values
#   9. scripts/helm-deploy.sh lint, template, install --dry-run, upgrade
#      --dry-run, load-test against a local server; scripts/health-check.sh
#      against a stub kubectl; bash -n and shellcheck (when installed)
# Tools come from scripts/install-helm.sh (run first; fast when present).
# Prints PASS/FAIL lines and exits 1 if anything failed.
set -uo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT" || exit 1
./scripts/install-helm.sh >/dev/null || { echo "FAIL installing the chart test tools"; exit 1; }

HELM="$ROOT/target/tools/helm"
export PYTHONPATH="$ROOT/target/tools/kubernetes-validate${PYTHONPATH:+:$PYTHONPATH}"
OUT="$ROOT/target/chart-test"
rm -rf "$OUT"; mkdir -p "$OUT/render" "$OUT/json" "$OUT/helm"
export HELM_CACHE_HOME="$OUT/helm/cache" HELM_CONFIG_HOME="$OUT/helm/config" HELM_DATA_HOME="$OUT/helm/data"
export KUBECONFIG="$OUT/no-kubeconfig"   # nothing here may reach a cluster
CHART=charts/hft-crypto-bot
FAILED=0
START=$(date +%s)

pass() { echo "PASS $*"; }
fail() { echo "FAIL $*"; FAILED=$((FAILED + 1)); }
# step NAME CMD...: run CMD, PASS if it succeeds, FAIL with its output otherwise.
step() {
    local name="$1"; shift
    local log="$OUT/step.log"
    if "$@" >"$log" 2>&1; then pass "$name"; else fail "$name"; sed 's/^/    /' "$log" | tail -40; fi
}

echo "== lint"
step "helm lint --strict (values.yaml)" "$HELM" lint --strict --kube-version 1.30.0 "$CHART"
step "helm lint --strict (values-staging.yaml)" "$HELM" lint --strict --kube-version 1.30.0 "$CHART" -f "$CHART/values-staging.yaml"

echo "== template"
# name|release|namespace|extra helm arguments
SCENARIOS=(
    "prod|hft-crypto-bot|hft-production|"
    "staging|hft-crypto-bot|hft-staging|-f $CHART/values-staging.yaml"
    "existing-secret|hft-crypto-bot|hft-production|-f $CHART/ci/existing-secret-values.yaml"
    "token|hft-crypto-bot|hft-production|--set admin.token=SENTINEL-admin-token-do-not-render"
    "canary|hft-crypto-bot|hft-production|--set global.canary=true"
    "dr|hft-crypto-bot|hft-production|--set global.environment=disaster-recovery"
    "green|hft-crypto-bot-green|hft-production|--set backup.name=data-backup-green"
    "external|hft-crypto-bot|hft-production|-f $CHART/ci/external-values.yaml"
    "extras|hft-crypto-bot|hft-production|-f $CHART/ci/extras-values.yaml"
    "pdb-max|hft-crypto-bot|hft-production|-f $CHART/ci/pdb-max-values.yaml"
    "config-changed|hft-crypto-bot|hft-production|-f $CHART/ci/config-changed-values.yaml"
)
for s in "${SCENARIOS[@]}"; do
    IFS='|' read -r name release ns extra <<<"$s"
    # shellcheck disable=SC2086  # $extra is a list of arguments
    step "helm template $name" bash -c "'$HELM' template $release $CHART --namespace $ns --kube-version 1.30.0 \
        --api-versions monitoring.coreos.com/v1 $extra > '$OUT/render/$name.yaml'"
done

echo "== Kubernetes schemas (kubernetes-validate --strict -k 1.30.0)"
CRD_KINDS='ServiceMonitor|PrometheusRule|VirtualService|DestinationRule'
kv() {
    local file="$1" log="$OUT/kv.log"
    python3 -m kubernetes_validate --strict -k 1.30.0 --quiet "$file" >"$log" 2>&1
    local rc=$?
    # Warnings other than "no schema" for the CRD kinds fail the file.
    local other
    other="$(grep -v -E "Couldn't find schema for kind ($CRD_KINDS) with api version" "$log" | grep -v '^\s*$' || true)"
    if [ $rc -eq 0 ] && [ -z "$other" ]; then return 0; fi
    cat "$log"; return 1
}
for f in "$OUT"/render/*.yaml; do
    step "kubernetes-validate $(basename "$f" .yaml)" kv "$f"
done

echo "== prometheus-operator CRD schemas"
python3 - "$OUT/render" "$OUT/json" <<'EOF'
import json, sys, yaml
from pathlib import Path
src, dst = Path(sys.argv[1]), Path(sys.argv[2])
for f in src.glob("*.yaml"):
    docs = [d for d in yaml.safe_load_all(f.read_text()) if d]
    (dst / f"{f.stem}.json").write_text(json.dumps(docs))
EOF
step "ServiceMonitor and PrometheusRule (prod, staging) validate" \
    node scripts/chart-tests/validate-crds.mjs target/tools/chart-node "$OUT/json/prod.json" "$OUT/json/staging.json"
# The validator must be able to fail: a broken ServiceMonitor is refused.
python3 - "$OUT/json/prod.json" "$OUT/json/broken-crd.json" <<'EOF'
import json, sys
docs = json.load(open(sys.argv[1]))
for d in docs:
    if d["kind"] == "ServiceMonitor":
        d["spec"]["endpoints"][0]["interval"] = "every minute"
json.dump(docs, open(sys.argv[2], "w"))
EOF
if node scripts/chart-tests/validate-crds.mjs target/tools/chart-node "$OUT/json/broken-crd.json" >/dev/null 2>&1; then
    fail "a broken ServiceMonitor is refused by the CRD schema"
else
    pass "a broken ServiceMonitor is refused by the CRD schema"
fi

echo "== assertions over the rendered manifests"
if python3 scripts/chart-tests/assert_chart.py "$OUT/render" >"$OUT/assert.log" 2>&1; then
    pass "chart assertions ($(grep -c '^PASS' "$OUT/assert.log") checks)"
else
    grep -E '^FAIL|Error|Traceback|^  ' "$OUT/assert.log" | sed 's/^/    /' | head -60
    fail "chart assertions"
fi
[ "${VERBOSE:-0}" = 1 ] && cat "$OUT/assert.log"

echo "== bad values are rejected"
for f in scripts/chart-tests/bad-values/*.yaml; do
    expect="$(sed -n 's/^# expect: //p' "$f")"
    out="$("$HELM" template x "$CHART" -f "$f" 2>&1)"; rc=$?
    "$HELM" lint --strict "$CHART" -f "$f" >/dev/null 2>&1; lrc=$?
    if [ $rc -ne 0 ] && [ $lrc -ne 0 ] && grep -qF -- "$expect" <<<"$out"; then
        pass "schema rejects $(basename "$f") ($expect)"
    else
        fail "schema rejects $(basename "$f"): template rc=$rc lint rc=$lrc, expected '$expect' in: $(head -5 <<<"$out")"
    fi
done
# name|helm arguments|expected message
REFUSED=(
    "PDB minAvailable >= HPA minimum|--set podDisruptionBudget.minAvailable=2|no pod could ever be evicted"
    "two orchestrators on a ReadWriteOnce volume|--set roles.orchestrator.replicaCount=2|one replica and no autoscaling"
    "backups without persistence|--set persistence.enabled=false|backup.enabled needs persistence.enabled"
    "external Kafka without bootstrap servers|--set kafka.enabled=false|kafka.external.bootstrapServers is required"
    "external Redis without a URL|--set redis.enabled=false|redis.external.url is required"
    "replication above the Kafka node count|--set kafka.replicas=1|replicationFactor (3) is more than kafka.replicas (1)"
)
for r in "${REFUSED[@]}"; do
    IFS='|' read -r name args expect <<<"$r"
    # shellcheck disable=SC2086
    out="$("$HELM" template x "$CHART" $args 2>&1)"; rc=$?
    if [ $rc -ne 0 ] && grep -qF -- "$expect" <<<"$out"; then
        pass "template refuses: $name"
    else
        fail "template refuses: $name (rc=$rc): $(tail -2 <<<"$out")"
    fi
done

echo "== README documents every value"
step "README values table is complete and up to date" python3 scripts/chart-tests/values_doc.py --check

echo "== deploy examples"
if python3 scripts/chart-tests/check_deploy.py "$HELM" "$OUT/render" >"$OUT/deploy.log" 2>&1; then
    pass "deploy examples ($(grep -c '^PASS' "$OUT/deploy.log") checks)"
else
    grep -E '^FAIL|Error|Traceback' "$OUT/deploy.log" | sed 's/^/    /'
    fail "deploy examples"
fi
for f in "$OUT"/render/argocd-*.yaml; do
    [ -e "$f" ] && step "kubernetes-validate $(basename "$f" .yaml)" kv "$f"
done

echo "== scripts"
for s in scripts/helm-deploy.sh scripts/health-check.sh scripts/install-helm.sh scripts/test-chart.sh; do
    step "bash -n $s" bash -n "$s"
done
if command -v shellcheck >/dev/null 2>&1; then
    step "shellcheck" shellcheck -S warning scripts/helm-deploy.sh scripts/health-check.sh scripts/install-helm.sh scripts/test-chart.sh
else
    echo "skip shellcheck (not installed)"
fi
export HELM
step "helm-deploy.sh lint" ./scripts/helm-deploy.sh lint
step "helm-deploy.sh lint -f values-staging.yaml" ./scripts/helm-deploy.sh lint -f "$CHART/values-staging.yaml"
deploy_template() {
    ./scripts/helm-deploy.sh template -f "$CHART/values-staging.yaml" >"$OUT/deploy-template.yaml" &&
        grep -q 'namespace: hft-staging' "$OUT/deploy-template.yaml" &&
        cmp -s <(grep -v 'checksum/\|^  [a-z-]*: ".*"$' "$OUT/deploy-template.yaml") <(grep -v 'checksum/\|^  [a-z-]*: ".*"$' "$OUT/render/staging.yaml")
}
step "helm-deploy.sh template -f values-staging.yaml (same as helm template, namespace hft-staging)" deploy_template
step "helm-deploy.sh install --dry-run (offline, helm --dry-run=client)" \
    bash -c "./scripts/helm-deploy.sh install --dry-run | grep -q 'kind: Deployment'"
step "helm-deploy.sh upgrade --dry-run -f values-staging.yaml" \
    bash -c "./scripts/helm-deploy.sh upgrade --dry-run -f '$CHART/values-staging.yaml' | grep -q 'namespace: hft-staging'"
step "helm-deploy.sh rollback/uninstall/status --dry-run print the command" \
    bash -c "./scripts/helm-deploy.sh rollback --dry-run --revision 3 | grep -q 'rollback hft-crypto-bot 3' &&
             ./scripts/helm-deploy.sh uninstall --dry-run | grep -q 'uninstall hft-crypto-bot' &&
             ./scripts/helm-deploy.sh status --dry-run | grep -q 'status hft-crypto-bot'"
if ./scripts/helm-deploy.sh bogus >/dev/null 2>&1; then
    fail "helm-deploy.sh refuses an unknown command"
else
    pass "helm-deploy.sh refuses an unknown command"
fi
if ./scripts/helm-deploy.sh load-test --url http://127.0.0.1:1 --requests 20000 >/dev/null 2>&1; then
    fail "helm-deploy.sh load-test refuses more than 10000 requests"
else
    pass "helm-deploy.sh load-test refuses more than 10000 requests"
fi

# load-test against a local stand-in for a role's HTTP server.
python3 scripts/chart-tests/fake_role_server.py "$OUT/port" >"$OUT/server.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 1 50); do [ -s "$OUT/port" ] && break; sleep 0.1; done
PORT="$(cat "$OUT/port" 2>/dev/null || echo 1)"
load_test() {
    ./scripts/helm-deploy.sh load-test --url "http://127.0.0.1:$PORT" --requests 60 --concurrency 4 >"$OUT/load.log" 2>&1 &&
        grep -q '60 sent, 60 ok, 0 failed' "$OUT/load.log" &&
        [ "$(grep -c . "$OUT/server.requests" 2>/dev/null)" -eq 60 ] &&
        [ "$(grep -c '^/metrics$' "$OUT/server.requests")" -eq 20 ]
}
: >"$OUT/server.requests"
step "helm-deploy.sh load-test: exactly 60 requests over /health, /ready, /metrics, all 200" load_test
if ./scripts/helm-deploy.sh load-test --url "http://127.0.0.1:$PORT/broken" --requests 6 >/dev/null 2>&1; then
    fail "helm-deploy.sh load-test fails when requests fail"
else
    pass "helm-deploy.sh load-test fails when requests fail"
fi
kill "$SERVER_PID" 2>/dev/null; wait "$SERVER_PID" 2>/dev/null

# health-check.sh against a stub kubectl with canned pod lists.
hc() { KUBECTL="$ROOT/scripts/chart-tests/fake-kubectl" FAKE_PODS="$1" ./scripts/health-check.sh -n hft-production >"$OUT/hc.log" 2>&1; }
if hc healthy && grep -q '3/3 pods healthy' "$OUT/hc.log"; then pass "health-check.sh: healthy pods pass"; else fail "health-check.sh: healthy pods pass"; cat "$OUT/hc.log"; fi
if ! hc unhealthy && grep -q 'UNHEALTHY hft-crypto-bot-strategy-.*CrashLoopBackOff' "$OUT/hc.log" \
    && grep -q 'UNHEALTHY hft-crypto-bot-risk-.*phase Pending' "$OUT/hc.log" && grep -q 'restarted 9 times' "$OUT/hc.log"; then
    pass "health-check.sh: unhealthy pods reported, exit 1"
else
    fail "health-check.sh: unhealthy pods reported, exit 1"; cat "$OUT/hc.log"
fi

echo "== Dockerfile"
dockerfile() {
    grep -q '^FROM .* AS build' Dockerfile && grep -q 'USER 1001:1001' Dockerfile &&
        grep -q 'scripts/build-plugins.sh\|--target wasm32-wasip2' Dockerfile &&
        grep -q 'cargo build --release --locked -p hft-host' Dockerfile &&
        for p in kalman garch bocd pairs; do grep -q "$p.wasm\|{kalman,garch,bocd,pairs}" Dockerfile || return 1; done
}
step "Dockerfile: build stage, plugins, non-root runtime (uid 1001)" dockerfile

echo
if [ "$FAILED" -eq 0 ]; then
    echo "PASS: chart tests ($(( $(date +%s) - START )) s)"
else
    echo "FAIL: $FAILED chart test(s) failed ($(( $(date +%s) - START )) s)"
    exit 1
fi
