#!/usr/bin/env bash
# Installs Debian packages for the test suite: `scripts/apt-install.sh <what for> <package>...`.
# Uses sudo when not root; refreshes the package lists only when the first try fails. Fails
# loudly, naming the packages, when there is no apt-get or the install fails.
set -euo pipefail

purpose=$1
shift
if ! command -v apt-get >/dev/null; then
    echo "$purpose: $* missing and there is no apt-get to install them" >&2
    exit 1
fi
sudo=""
if [ "$(id -u)" -ne 0 ]; then
    sudo="sudo"
fi
echo "$purpose: installing Debian's $*" >&2
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get install -y -qq --no-install-recommends "$@" >/dev/null \
    || { $sudo apt-get update -qq && $sudo apt-get install -y -qq --no-install-recommends "$@" >/dev/null; }
