#!/usr/bin/env bash
# Deploy hft-host with the charts/hft-crypto-bot Helm chart (docs/deployment.md).
#
#   scripts/helm-deploy.sh <command> [options] [-- extra helm arguments]
#
# Commands:
#   lint        helm lint --strict (schema and templates), offline
#   template    render the manifests to stdout, offline
#   install     helm install --create-namespace --wait
#   upgrade     helm upgrade --install --wait (installs if absent)
#   status      helm status, then the release's pods
#   rollback    helm rollback to --revision (default: the previous one)
#   uninstall   helm uninstall (the registry PVC is kept: resource-policy keep)
#   load-test   a bounded number of GET /health, /ready, /metrics requests
#               against one role, with a latency summary
#
# Options:
#   -f, --values FILE    a values file (repeatable, in order). With
#                        values-staging.yaml the namespace defaults to hft-staging.
#   -n, --namespace NS   namespace (default hft-production, or hft-staging)
#   -r, --release NAME   release name (default hft-crypto-bot)
#   --set KEY=VALUE      passed to helm (repeatable)
#   --dry-run            install: `helm install --dry-run=client` (offline);
#                        upgrade: `helm template --is-upgrade` plus the schema
#                        (helm cannot simulate an upgrade offline: it needs the
#                        release stored in the cluster); status, rollback,
#                        uninstall, load-test: print what would run.
#   --revision N         rollback target revision
#   --timeout DURATION   helm --timeout (default 10m)
#   --requests N         load-test: total requests, 1..10000 (default 300)
#   --concurrency N      load-test: parallel requests, 1..32 (default 4)
#   --role ROLE          load-test: role Service to drive (default strategy)
#   --url URL            load-test: base URL (default: a kubectl port-forward
#                        to the role's Service, closed afterwards)
#
# Environment: HELM (default target/tools/helm if present, else helm),
# KUBECTL (default kubectl). Exit status is non-zero on any failure.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CHART="$ROOT/charts/hft-crypto-bot"
if [ -z "${HELM:-}" ]; then
    if [ -x "$ROOT/target/tools/helm" ]; then HELM="$ROOT/target/tools/helm"; else HELM=helm; fi
fi
KUBECTL="${KUBECTL:-kubectl}"

usage() { sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d' | sed 's/^# \{0,1\}//'; }
die() { echo "helm-deploy: $*" >&2; exit 2; }

[ $# -ge 1 ] || { usage >&2; exit 2; }
CMD="$1"; shift
case "$CMD" in
    lint|template|install|upgrade|status|rollback|uninstall|load-test) ;;
    -h|--help|help) usage; exit 0 ;;
    *) die "unknown command '$CMD' (try --help)" ;;
esac

VALUES=(); SETS=(); EXTRA=()
NAMESPACE=""; RELEASE="hft-crypto-bot"; DRY_RUN=0; REVISION=""; TIMEOUT="10m"
REQUESTS=300; CONCURRENCY=4; ROLE="strategy"; URL=""
while [ $# -gt 0 ]; do
    case "$1" in
        -f|--values) [ $# -ge 2 ] || die "$1 needs a file"; [ -f "$2" ] || die "no such values file: $2"; VALUES+=("$2"); shift 2 ;;
        -n|--namespace) NAMESPACE="${2:?}"; shift 2 ;;
        -r|--release) RELEASE="${2:?}"; shift 2 ;;
        --set) SETS+=("${2:?}"); shift 2 ;;
        --dry-run) DRY_RUN=1; shift ;;
        --revision) REVISION="${2:?}"; shift 2 ;;
        --timeout) TIMEOUT="${2:?}"; shift 2 ;;
        --requests) REQUESTS="${2:?}"; shift 2 ;;
        --concurrency) CONCURRENCY="${2:?}"; shift 2 ;;
        --role) ROLE="${2:?}"; shift 2 ;;
        --url) URL="${2:?}"; shift 2 ;;
        -h|--help) usage; exit 0 ;;
        --) shift; EXTRA=("$@"); break ;;
        *) die "unknown option '$1' (try --help)" ;;
    esac
done

if [ -z "$NAMESPACE" ]; then
    NAMESPACE="hft-production"
    for v in "${VALUES[@]+"${VALUES[@]}"}"; do
        case "$v" in *values-staging.yaml) NAMESPACE="hft-staging" ;; esac
    done
fi

# Helm's own state stays out of the user's home unless they set it.
export HELM_CACHE_HOME="${HELM_CACHE_HOME:-$ROOT/target/helm-home/cache}"
export HELM_CONFIG_HOME="${HELM_CONFIG_HOME:-$ROOT/target/helm-home/config}"
export HELM_DATA_HOME="${HELM_DATA_HOME:-$ROOT/target/helm-home/data}"

VALUE_ARGS=()
for v in "${VALUES[@]+"${VALUES[@]}"}"; do VALUE_ARGS+=(-f "$v"); done
for s in "${SETS[@]+"${SETS[@]}"}"; do VALUE_ARGS+=(--set "$s"); done
EXTRA_ARGS=("${EXTRA[@]+"${EXTRA[@]}"}")

run() { echo "+ $*" >&2; "$@"; }
show() { echo "would run: $*"; }

case "$CMD" in
lint)
    run "$HELM" lint --strict --kube-version 1.30.0 "$CHART" "${VALUE_ARGS[@]+"${VALUE_ARGS[@]}"}" "${EXTRA_ARGS[@]+"${EXTRA_ARGS[@]}"}"
    ;;
template)
    run "$HELM" template "$RELEASE" "$CHART" --namespace "$NAMESPACE" --kube-version 1.30.0 \
        --api-versions monitoring.coreos.com/v1 "${VALUE_ARGS[@]+"${VALUE_ARGS[@]}"}" "${EXTRA_ARGS[@]+"${EXTRA_ARGS[@]}"}"
    ;;
install)
    if [ "$DRY_RUN" = 1 ]; then
        run "$HELM" install "$RELEASE" "$CHART" --namespace "$NAMESPACE" --dry-run=client \
            "${VALUE_ARGS[@]+"${VALUE_ARGS[@]}"}" "${EXTRA_ARGS[@]+"${EXTRA_ARGS[@]}"}"
    else
        run "$HELM" install "$RELEASE" "$CHART" --namespace "$NAMESPACE" --create-namespace \
            --wait --timeout "$TIMEOUT" "${VALUE_ARGS[@]+"${VALUE_ARGS[@]}"}" "${EXTRA_ARGS[@]+"${EXTRA_ARGS[@]}"}"
    fi
    ;;
upgrade)
    if [ "$DRY_RUN" = 1 ]; then
        echo "dry run: rendering as an upgrade offline (helm needs the cluster's release record to simulate one)" >&2
        run "$HELM" template "$RELEASE" "$CHART" --namespace "$NAMESPACE" --is-upgrade --kube-version 1.30.0 \
            --api-versions monitoring.coreos.com/v1 "${VALUE_ARGS[@]+"${VALUE_ARGS[@]}"}" "${EXTRA_ARGS[@]+"${EXTRA_ARGS[@]}"}"
    else
        run "$HELM" upgrade --install "$RELEASE" "$CHART" --namespace "$NAMESPACE" --create-namespace \
            --wait --timeout "$TIMEOUT" "${VALUE_ARGS[@]+"${VALUE_ARGS[@]}"}" "${EXTRA_ARGS[@]+"${EXTRA_ARGS[@]}"}"
    fi
    ;;
status)
    if [ "$DRY_RUN" = 1 ]; then
        show "$HELM" status "$RELEASE" --namespace "$NAMESPACE"
        show "$KUBECTL" -n "$NAMESPACE" get pods -l "app.kubernetes.io/instance=$RELEASE"
        exit 0
    fi
    run "$HELM" status "$RELEASE" --namespace "$NAMESPACE" "${EXTRA_ARGS[@]+"${EXTRA_ARGS[@]}"}"
    run "$KUBECTL" -n "$NAMESPACE" get pods -l "app.kubernetes.io/instance=$RELEASE" -o wide
    ;;
rollback)
    ARGS=("$RELEASE")
    [ -n "$REVISION" ] && ARGS+=("$REVISION")
    if [ "$DRY_RUN" = 1 ]; then
        show "$HELM" rollback "${ARGS[@]}" --namespace "$NAMESPACE" --wait --timeout "$TIMEOUT"
        exit 0
    fi
    run "$HELM" rollback "${ARGS[@]}" --namespace "$NAMESPACE" --wait --timeout "$TIMEOUT" "${EXTRA_ARGS[@]+"${EXTRA_ARGS[@]}"}"
    ;;
uninstall)
    if [ "$DRY_RUN" = 1 ]; then
        show "$HELM" uninstall "$RELEASE" --namespace "$NAMESPACE" --wait
        echo "note: the registry PersistentVolumeClaim is kept (helm.sh/resource-policy: keep)"
        exit 0
    fi
    run "$HELM" uninstall "$RELEASE" --namespace "$NAMESPACE" --wait "${EXTRA_ARGS[@]+"${EXTRA_ARGS[@]}"}"
    echo "note: the registry PersistentVolumeClaim is kept (helm.sh/resource-policy: keep); delete it by hand if intended"
    ;;
load-test)
    case "$REQUESTS" in ''|*[!0-9]*) die "--requests must be a number" ;; esac
    case "$CONCURRENCY" in ''|*[!0-9]*) die "--concurrency must be a number" ;; esac
    [ "$REQUESTS" -ge 1 ] && [ "$REQUESTS" -le 10000 ] || die "--requests must be within 1..10000 (got $REQUESTS)"
    [ "$CONCURRENCY" -ge 1 ] && [ "$CONCURRENCY" -le 32 ] || die "--concurrency must be within 1..32 (got $CONCURRENCY)"
    command -v curl >/dev/null 2>&1 || die "load-test needs curl"
    SVC="$RELEASE-$ROLE"
    if [ "$DRY_RUN" = 1 ]; then
        echo "would send $REQUESTS requests ($CONCURRENCY at a time) to /health, /ready and /metrics of ${URL:-svc/$SVC in $NAMESPACE (port-forward to 8000)}"
        exit 0
    fi
    PF_PID=""
    WORK="$(mktemp -d)"
    cleanup() { [ -n "$PF_PID" ] && kill "$PF_PID" 2>/dev/null; rm -rf "$WORK"; }
    trap cleanup EXIT
    if [ -z "$URL" ]; then
        PORT=$(( 20000 + RANDOM % 20000 ))
        "$KUBECTL" -n "$NAMESPACE" port-forward "svc/$SVC" "$PORT:8000" >"$WORK/pf.log" 2>&1 &
        PF_PID=$!
        URL="http://127.0.0.1:$PORT"
        for _ in $(seq 1 50); do
            curl -s -o /dev/null "$URL/health" && break
            kill -0 "$PF_PID" 2>/dev/null || { cat "$WORK/pf.log" >&2; die "port-forward to svc/$SVC failed"; }
            sleep 0.2
        done
    fi
    URL="${URL%/}"
    echo "load-test: $REQUESTS requests, $CONCURRENCY at a time, to $URL/{health,ready,metrics}"
    paths=(/health /ready /metrics)
    for i in $(seq 0 $(( REQUESTS - 1 ))); do echo "$URL${paths[$(( i % 3 ))]}"; done >"$WORK/urls"
    # One curl per request, at most $CONCURRENCY at once, 5 s timeout each.
    xargs -P "$CONCURRENCY" -I{} curl -s -o /dev/null --max-time 5 -w '%{http_code} %{time_total} {}\n' {} \
        <"$WORK/urls" >"$WORK/results" || true
    python3 - "$WORK/results" "$REQUESTS" <<'EOF'
import sys
rows = [l.split() for l in open(sys.argv[1]) if l.strip()]
want = int(sys.argv[2])
ok = [r for r in rows if r[0] == "200"]
bad = [r for r in rows if r[0] != "200"]
lat = sorted(float(r[1]) * 1000 for r in ok)
q = lambda p: lat[min(len(lat) - 1, int(p * len(lat)))] if lat else float("nan")
print(f"requests: {len(rows)} sent, {len(ok)} ok, {len(bad)} failed (of {want})")
print(f"latency ms: p50 {q(0.5):.1f}  p95 {q(0.95):.1f}  p99 {q(0.99):.1f}  max {lat[-1] if lat else float('nan'):.1f}")
for code in sorted({r[0] for r in bad}):
    n = sum(1 for r in bad if r[0] == code)
    print(f"  status {code}: {n} (e.g. {next(r[2] for r in bad if r[0] == code)})")
sys.exit(0 if len(ok) == want else 1)
EOF
    ;;
esac
