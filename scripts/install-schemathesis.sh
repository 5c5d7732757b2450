#!/usr/bin/env bash
# Installs schemathesis, the API fuzzer the end-to-end tests run against the OpenAPI document
# (`tests/e2e/fuzz.rs`): it generates requests from every operation's schema and fails on any
# 5xx answer. It goes to ${ATTUNE_TOOLS_DIR:-$HOME/.cache/attune/tools}/schemathesis, where the
# test looks for it (after the ATTUNE_SCHEMATHESIS variable).
set -euo pipefail

exec "$(dirname "$0")/install-python-tool.sh" schemathesis "4.32.5"
