#!/usr/bin/env bash
# Make sure `redis-server` is on PATH: the hft-state tests start a real Redis
# on loopback and fail (never skip) without it. Idempotent: does nothing when
# redis-server is already there. Uses Debian's package via apt-get, with sudo
# only when not running as root.
set -euo pipefail

if command -v redis-server >/dev/null 2>&1; then
    echo "install-redis: $(redis-server --version | head -n1)"
    exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
    echo "install-redis: redis-server is missing and apt-get is not available; install Redis by hand" >&2
    exit 1
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    if ! command -v sudo >/dev/null 2>&1; then
        echo "install-redis: not root and no sudo; cannot install redis-server" >&2
        exit 1
    fi
    SUDO="sudo"
fi

export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq redis-server >/dev/null
# The package may start a system-wide server on 6379; the tests start their
# own on free ports, so it is harmless either way.
echo "install-redis: installed $(redis-server --version | head -n1)"
