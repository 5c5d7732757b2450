#!/usr/bin/env bash
# core.sleep: waits PARAM_SECONDS seconds (fractions allowed).
set -eu
sleep "$PARAM_SECONDS"
printf '{"slept": %s}\n' "$PARAM_SECONDS"
