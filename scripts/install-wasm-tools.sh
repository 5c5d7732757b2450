#!/usr/bin/env bash
# Installs the tools that build WebAssembly guests for Attune packs:
#   componentize-py (Python source -> component against the attune:automation WIT).
#
# The tools go into a virtualenv under ${ATTUNE_TOOLS_DIR:-$HOME/.cache/attune/tools}, where
# attune-runtime-wasm looks for them (after the ATTUNE_COMPONENTIZE_PY variable and before
# PATH). Running it again is cheap: nothing is downloaded when the pinned version is present.
set -euo pipefail

COMPONENTIZE_PY_VERSION="0.25.1"

tools_dir="${ATTUNE_TOOLS_DIR:-$HOME/.cache/attune/tools}"
venv="$tools_dir/componentize-py"
tool="$venv/bin/componentize-py"
stamp="$venv/.attune-version"

if [[ -x "$tool" && -f "$stamp" && "$(cat "$stamp")" == "$COMPONENTIZE_PY_VERSION" ]]; then
    echo "componentize-py $COMPONENTIZE_PY_VERSION already installed: $tool"
    exit 0
fi

python="${PYTHON:-python3}"
if ! command -v "$python" >/dev/null 2>&1; then
    echo "error: $python not found; componentize-py needs Python 3 to install" >&2
    exit 1
fi

mkdir -p "$tools_dir"
rm -rf "$venv"
"$python" -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check \
    "componentize-py==$COMPONENTIZE_PY_VERSION"
"$tool" --version
echo "$COMPONENTIZE_PY_VERSION" > "$stamp"
echo "componentize-py $COMPONENTIZE_PY_VERSION installed: $tool"
