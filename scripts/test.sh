#!/usr/bin/env bash
# The whole test suite: every crate, both store backends (SQLite and PostgreSQL), real
# WebAssembly guests and real processes. Needs no setup beyond this repository: it starts
# or checks the services and installs the tools it uses, and fails loudly when it cannot.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/ensure-services.sh
scripts/install-wasm-tools.sh
scripts/install-schemathesis.sh
scripts/install-registry.sh

cargo test --workspace --locked "$@"
