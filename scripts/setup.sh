#!/usr/bin/env bash
# What a fresh machine lacks to build hft-host, installed once; quick when
# everything is there. Used by scripts/demo.sh (the README's first command)
# and .ci/run.
#   - C build tools for the bundled librdkafka (rdkafka-sys runs its own
#     configure and make): a C compiler, make, perl and the zlib headers;
#     curl to fetch rustup. Installed with apt-get (as root or with sudo).
#   - rustup and cargo, if cargo is missing (https://rustup.rs, no default
#     toolchain: rust-toolchain.toml picks it).
#   - the toolchain pinned in rust-toolchain.toml with the wasm32-wasip2
#     target (and clippy and rustfmt).
# After it, a caller that may have just installed rustup runs
# `. "$HOME/.cargo/env"` (this script prints nothing to stdout).
set -euo pipefail
cd "$(dirname "$0")/.."

have_headers() { [ -f /usr/include/zlib.h ]; }
missing=()
for tool in cc make perl curl; do
  command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
done
have_headers || missing+=("zlib.h")
if [ "${#missing[@]}" -gt 0 ]; then
  echo "setup: missing ${missing[*]}; installing build-essential perl zlib1g-dev curl ca-certificates" >&2
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "setup: apt-get is not available; install a C compiler, make, perl, curl and the zlib headers by hand" >&2
    exit 1
  fi
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null 2>&1 || { echo "setup: not root and no sudo; cannot install ${missing[*]}" >&2; exit 1; }
    SUDO="sudo"
  fi
  $SUDO apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends \
    build-essential perl zlib1g-dev curl ca-certificates >&2
fi

if ! command -v cargo >/dev/null 2>&1 && [ -x "$HOME/.cargo/bin/cargo" ]; then
  export PATH="$HOME/.cargo/bin:$PATH"
fi
if ! command -v rustup >/dev/null 2>&1; then
  echo "setup: installing rustup (https://rustup.rs)" >&2
  curl --proto '=https' --tlsv1.2 -sSf https://sh.rustup.rs | sh -s -- -y --profile minimal --default-toolchain none >&2
  export PATH="$HOME/.cargo/bin:$PATH"
fi
rustup toolchain install "$(sed -n 's/^channel = "\(.*\)"/\1/p' rust-toolchain.toml)" --profile minimal \
  --component clippy,rustfmt --target wasm32-wasip2 >&2
