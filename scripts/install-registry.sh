#!/usr/bin/env bash
# Installs the OCI registry the pack distribution tests push to and pull from: Debian's
# `docker-registry` (the CNCF distribution registry). Each test starts its own on a free
# port; nothing here runs it. Fails loudly when it cannot be installed.
set -euo pipefail

command -v docker-registry >/dev/null 2>&1 && exit 0

if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null 2>&1; then
    echo "installing docker-registry (the OCI registry the tests use)"
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y -q docker-registry >/dev/null || { apt-get update -q >/dev/null && apt-get install -y -q docker-registry >/dev/null; }
fi
command -v docker-registry >/dev/null 2>&1 || {
    echo "docker-registry is missing and could not be installed (apt-get install docker-registry)" >&2
    exit 1
}
