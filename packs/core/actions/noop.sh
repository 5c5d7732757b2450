#!/usr/bin/env bash
# core.noop: succeeds with an empty result.
echo '{}'
