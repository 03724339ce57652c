# syntax=docker/dockerfile:1
# The hft-host image: one binary for every role, the built-in plugin
# components, the bundled market data and the default configuration.
#
#   docker build -t ghcr.io/hft-host/hft-host:0.1.0 .
#   docker run --rm ghcr.io/hft-host/hft-host:0.1.0 run --no-report   # the bundled BTC/ETH demo
#
# Layout (the Helm chart charts/hft-crypto-bot relies on it):
#   /usr/local/bin/hft-host                      the binary (ENTRYPOINT)
#   /opt/hft-host/plugins/{kalman,garch,bocd,pairs}.wasm
#   /opt/hft-host/data/                          bundled data (data/ of the repository)
#   /opt/hft-host/config/default.toml            the default configuration
#   WORKDIR /opt/hft-host, user and group 1001
# Not buildable on the project's CI machines (no container engine); see
# docs/deployment.md, "Container image".

# ---- build: the host and the wasm32-wasip2 plugin components --------------
# The compiler is pinned by rust-toolchain.toml (1.99.1, with the
# wasm32-wasip2 target); the image's toolchain is the same version, and
# `rustup toolchain install` below makes sure of both.
ARG RUST_VERSION=1.99.1
FROM docker.io/library/rust:${RUST_VERSION}-bookworm AS build

# librdkafka is built from source by rdkafka-sys's bundled (configure, not
# cmake) build: a C compiler, make, perl and the zlib headers.
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends build-essential perl zlib1g-dev \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /src
COPY rust-toolchain.toml ./
RUN rustup toolchain install "$(sed -n 's/^channel = "\(.*\)"/\1/p' rust-toolchain.toml)" \
      --profile minimal --target wasm32-wasip2 \
 && rustc --version

COPY . .
# The plugin components (scripts/build-plugins.sh: cargo build --release
# --target wasm32-wasip2 -p kalman -p garch -p bocd -p pairs -p hostile
# -p faulty-strategy), then the host.
RUN --mount=type=cache,target=/usr/local/cargo/registry \
    --mount=type=cache,target=/usr/local/cargo/git \
    ./scripts/build-plugins.sh \
 && cargo build --release --locked -p hft-host \
 && mkdir -p /out/plugins \
 && cp target/release/hft-host /out/hft-host \
 && cp target/wasm32-wasip2/release/kalman.wasm target/wasm32-wasip2/release/garch.wasm \
       target/wasm32-wasip2/release/bocd.wasm target/wasm32-wasip2/release/pairs.wasm /out/plugins/

# ---- runtime -----------------------------------------------------------------
# debian:bookworm-slim rather than distroless/cc: the binary links zlib
# dynamically (librdkafka's compression), which distroless/cc does not ship,
# and the same Debian release as the build stage guarantees the glibc the
# binary was linked against. Only libc, zlib1g and ca-certificates (TLS to
# venues and brokers) are added; no shell tools are needed at run time.
FROM docker.io/library/debian:bookworm-slim AS runtime

RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ca-certificates zlib1g \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --gid 1001 hft \
 && useradd --uid 1001 --gid 1001 --no-create-home --home-dir /opt/hft-host --shell /usr/sbin/nologin hft

COPY --from=build /out/hft-host /usr/local/bin/hft-host
COPY --from=build /out/plugins/ /opt/hft-host/plugins/
COPY data/ /opt/hft-host/data/
COPY config/default.toml /opt/hft-host/config/default.toml

# The embedded default configuration looks for plugins in
# target/wasm32-wasip2/release and writes reports to reports/, relative to
# the working directory: a link and a writable directory make
# `docker run <image> run` work as it does in a checkout. The component
# cache goes to /var/cache/hft-host (an emptyDir in Kubernetes, where the
# root filesystem is read-only).
RUN mkdir -p /opt/hft-host/target/wasm32-wasip2 /opt/hft-host/reports /var/cache/hft-host /var/lib/hft-host \
 && ln -s /opt/hft-host/plugins /opt/hft-host/target/wasm32-wasip2/release \
 && chown 1001:1001 /opt/hft-host/reports /var/cache/hft-host /var/lib/hft-host

ENV HFT_CACHE_DIR=/var/cache/hft-host
WORKDIR /opt/hft-host
USER 1001:1001
# 8000: /health, /ready, /metrics (every role); 8005: admin API (orchestrator).
EXPOSE 8000 8005

LABEL org.opencontainers.image.title="hft-host" \
      org.opencontainers.image.source="https://github.com/hft-host/hft-host" \
      org.opencontainers.image.licenses="Apache-2.0"

ENTRYPOINT ["/usr/local/bin/hft-host"]
CMD ["run", "--no-report", "--quiet"]
