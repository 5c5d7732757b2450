#!/usr/bin/env bash
# Installs Debian's Chromium for the web UI's browser tests, when it is missing. The tests
# drive it with Playwright (executablePath /usr/bin/chromium); Playwright's own browser
# downloads are not used.
set -euo pipefail
cd "$(dirname "$0")/.."

chromium=${ATTUNE_CHROMIUM:-/usr/bin/chromium}
if [ -x "$chromium" ]; then
    exit 0
fi
if ! command -v apt-get >/dev/null; then
    echo "install-chromium: $chromium is missing and there is no apt-get to install it; set ATTUNE_CHROMIUM to a Chromium binary" >&2
    exit 1
fi
scripts/apt-install.sh install-chromium chromium fonts-dejavu-core
if [ ! -x "$chromium" ]; then
    echo "install-chromium: apt-get ran but $chromium is still missing" >&2
    exit 1
fi
