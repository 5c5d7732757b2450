#!/usr/bin/env bash
# Installs a pinned Python command-line tool into its own virtualenv under
# ${ATTUNE_TOOLS_DIR:-$HOME/.cache/attune/tools}/<package>, where Attune's tests and runtimes look
# for it. Running it again is cheap: nothing is downloaded when the pinned version is present.
#
# Usage: scripts/install-python-tool.sh <package> <version>   (the command has the package's name)
set -euo pipefail

package="$1"
version="$2"

tools_dir="${ATTUNE_TOOLS_DIR:-$HOME/.cache/attune/tools}"
venv="$tools_dir/$package"
tool="$venv/bin/$package"
stamp="$venv/.attune-version"

if [[ -x "$tool" && -f "$stamp" && "$(cat "$stamp")" == "$version" ]]; then
    echo "$package $version already installed: $tool"
    exit 0
fi

python="${PYTHON:-python3}"
if ! command -v "$python" >/dev/null 2>&1; then
    echo "error: $python not found; $package needs Python 3 to install" >&2
    exit 1
fi

mkdir -p "$tools_dir"
rm -rf "$venv"
"$python" -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check "$package==$version"
"$tool" --version
echo "$version" > "$stamp"
echo "$package $version installed: $tool"
