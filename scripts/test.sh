#!/usr/bin/env bash
# The whole test suite: every crate, both store backends (SQLite and PostgreSQL), real
# WebAssembly guests and real processes, then the web UI in a real browser. Needs no setup
# beyond this repository: it starts or checks the services and installs the tools it uses
# (componentize-py, schemathesis, a registry, Chromium, Docker Compose, npm packages), and fails loudly when
# it cannot.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/ensure-services.sh
scripts/install-wasm-tools.sh
scripts/install-schemathesis.sh
scripts/install-registry.sh
scripts/install-chromium.sh
scripts/install-compose.sh
# The binary the tests start compiles the UI in: build it first.
scripts/build-web.sh

cargo test --workspace --locked "$@"
scripts/test-web.sh
