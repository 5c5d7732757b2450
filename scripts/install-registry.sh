#!/usr/bin/env bash
# Installs the OCI registry the pack distribution tests push to and pull from: Debian's
# `docker-registry` (the CNCF distribution registry). Each test starts its own on a free
# port; nothing here runs it. Fails loudly when it cannot be installed.
set -euo pipefail
cd "$(dirname "$0")/.."

command -v docker-registry >/dev/null 2>&1 && exit 0

scripts/apt-install.sh install-registry docker-registry
command -v docker-registry >/dev/null 2>&1 || {
    echo "docker-registry is missing and could not be installed (apt-get install docker-registry)" >&2
    exit 1
}
