#!/usr/bin/env bash
# Installs Docker Compose for the test that validates docker-compose.yaml (`config` renders
# and checks the file; no Docker daemon is needed), when neither `docker compose` nor
# `docker-compose` is there: Debian's docker-compose package.
set -euo pipefail

if docker compose version >/dev/null 2>&1 || command -v docker-compose >/dev/null; then
    exit 0
fi
if ! command -v apt-get >/dev/null; then
    echo "install-compose: neither 'docker compose' nor 'docker-compose' is installed, and there is no apt-get to install it" >&2
    exit 1
fi
sudo=""
if [ "$(id -u)" -ne 0 ]; then
    sudo="sudo"
fi
echo "install-compose: installing Debian's docker-compose package" >&2
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends docker-compose >/dev/null
if ! command -v docker-compose >/dev/null; then
    echo "install-compose: apt-get ran but docker-compose is still missing" >&2
    exit 1
fi
