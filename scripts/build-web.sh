#!/usr/bin/env bash
# Builds the web UI into web/dist, which the attune binary compiles in (host/web).
#
#   scripts/build-web.sh         install the npm packages when needed; build when sources changed
#   scripts/build-web.sh --api   first copy the server's OpenAPI document into
#                                web/src/api/openapi.json and regenerate the API client
#
# Needs Node.js 20.19 or newer and npm (the packages come from the npm registry).
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
    echo "build-web: Node.js and npm are needed to build the web UI (install Node.js 20.19+)" >&2
    exit 1
fi
if ! node -e 'const [a, b] = process.versions.node.split(".").map(Number); process.exit(a > 20 || (a === 20 && b >= 19) ? 0 : 1)'; then
    echo "build-web: Node.js $(node --version) is too old; the web UI needs 20.19 or newer" >&2
    exit 1
fi

cd web
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    npm ci --no-audit --no-fund --loglevel=error
fi

if [ "${1:-}" = "--api" ]; then
    document=$(mktemp)
    trap 'rm -f "$document"' EXIT
    "${CARGO:-cargo}" run -q -p attune -- openapi > "$document"
    node scripts/generate-api.mjs --from "$document"
fi

sources=(src public index.html package-lock.json vite.config.ts tsconfig.json)
if [ ! -f dist/index.html ] || [ -n "$(find "${sources[@]}" -newer dist/index.html -print -quit)" ]; then
    npm run --silent build -- --logLevel warn
fi
