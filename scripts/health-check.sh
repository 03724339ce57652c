#!/usr/bin/env bash
# Reports the unhealthy pods of an hft-crypto-bot release (docs/deployment.md).
#
#   scripts/health-check.sh [-n NAMESPACE] [-r RELEASE] [--max-restarts N] [--endpoints]
#
# A pod is unhealthy when it is not Running (or Succeeded, for jobs), when
# a container is not ready, or when a container restarted more than
# --max-restarts times (default 5). With --endpoints, each role Service's
# GET /health and /ready are also fetched through the API server's service
# proxy (no port-forward needed; needs RBAC for services/proxy).
# Prints one line per pod and exits 1 if anything is unhealthy, so it can
# gate a deploy pipeline. KUBECTL overrides the kubectl binary.
set -euo pipefail

NAMESPACE="hft-production"; RELEASE="hft-crypto-bot"; MAX_RESTARTS=5; ENDPOINTS=0
KUBECTL="${KUBECTL:-kubectl}"
while [ $# -gt 0 ]; do
    case "$1" in
        -n|--namespace) NAMESPACE="${2:?}"; shift 2 ;;
        -r|--release) RELEASE="${2:?}"; shift 2 ;;
        --max-restarts) MAX_RESTARTS="${2:?}"; shift 2 ;;
        --endpoints) ENDPOINTS=1; shift ;;
        -h|--help) sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "health-check: unknown option '$1'" >&2; exit 2 ;;
    esac
done

PODS_JSON="$("$KUBECTL" -n "$NAMESPACE" get pods -l "app.kubernetes.io/instance=$RELEASE" -o json)"
STATUS=0
PODS_JSON="$PODS_JSON" python3 - "$MAX_RESTARTS" <<'EOF' || STATUS=1
import json, os, sys
max_restarts = int(sys.argv[1])
pods = json.loads(os.environ["PODS_JSON"]).get("items", [])
if not pods:
    print("UNHEALTHY no pods found for the release")
    sys.exit(1)
bad = 0
for p in pods:
    name = p["metadata"]["name"]
    st = p.get("status", {})
    phase = st.get("phase", "Unknown")
    problems = []
    if phase == "Succeeded":
        print(f"ok        {name} (completed)")
        continue
    if phase != "Running":
        problems.append(f"phase {phase}")
    for c in st.get("containerStatuses", []):
        if not c.get("ready"):
            waiting = c.get("state", {}).get("waiting", {}).get("reason")
            problems.append(f"{c['name']} not ready" + (f" ({waiting})" if waiting else ""))
        if c.get("restartCount", 0) > max_restarts:
            problems.append(f"{c['name']} restarted {c['restartCount']} times")
    if problems:
        bad += 1
        print(f"UNHEALTHY {name}: " + "; ".join(problems))
    else:
        print(f"ok        {name}")
print(f"{len(pods) - bad}/{len(pods)} pods healthy")
sys.exit(1 if bad else 0)
EOF

if [ "$ENDPOINTS" = 1 ]; then
    for role in ingestion strategy execution risk orchestrator; do
        svc="$RELEASE-$role"
        for path in health ready; do
            if "$KUBECTL" get --raw "/api/v1/namespaces/$NAMESPACE/services/$svc:8000/proxy/$path" >/dev/null 2>&1; then
                echo "ok        svc/$svc /$path"
            else
                echo "UNHEALTHY svc/$svc /$path failed"
                STATUS=1
            fi
        done
    done
fi
exit "$STATUS"
