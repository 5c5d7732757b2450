#!/usr/bin/env bash
# Installs the tools that build WebAssembly guests for Attune packs:
#   componentize-py (Python source -> component against the attune:automation WIT).
#
# The tools go into a virtualenv under ${ATTUNE_TOOLS_DIR:-$HOME/.cache/attune/tools}, where
# attune-runtime-wasm looks for them (after the ATTUNE_COMPONENTIZE_PY variable and before
# PATH). Running it again is cheap: nothing is downloaded when the pinned version is present.
set -euo pipefail

exec "$(dirname "$0")/install-python-tool.sh" componentize-py "0.25.1"
