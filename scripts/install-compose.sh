#!/usr/bin/env bash
# Installs Docker Compose for the test that validates docker-compose.yaml (`config` renders
# and checks the file; no Docker daemon is needed), when neither `docker compose` nor
# `docker-compose` is there: Debian's docker-compose package.
set -euo pipefail
cd "$(dirname "$0")/.."

if docker compose version >/dev/null 2>&1 || command -v docker-compose >/dev/null; then
    exit 0
fi
scripts/apt-install.sh install-compose docker-compose
if ! command -v docker-compose >/dev/null; then
    echo "install-compose: apt-get ran but docker-compose is still missing" >&2
    exit 1
fi
