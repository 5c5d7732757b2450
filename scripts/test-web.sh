#!/usr/bin/env bash
# The web UI's tests: the API client matches the server's OpenAPI document, the types
# check, the component tests (Vitest), and the browser tests (Playwright driving Debian's
# Chromium against a real `attune server` built by Cargo, UI compiled in). Run by
# scripts/test.sh after `cargo test`, which builds that server; installs Chromium and the
# npm packages itself when they are missing.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-chromium.sh
scripts/build-web.sh

target=${CARGO_TARGET_DIR:-$PWD/target}
if [ ! -x "$target/debug/attune" ]; then
    echo "test-web: $target/debug/attune is missing: build it first (cargo build -p attune)" >&2
    exit 1
fi

cd web
npm run --silent api:check
npm run --silent typecheck
npx vitest run
CARGO_TARGET_DIR=$target npx playwright test
