#!/bin/sh
# Make sure the browser tests have Chromium and fonts for Arabic and CJK, or say how to get them.
set -eu
CHROMIUM_PATH="${CHROMIUM_PATH:-/usr/bin/chromium}"
if [ -x "$CHROMIUM_PATH" ] && fc-list 2>/dev/null | grep -qi "Noto Sans CJK"; then
    exit 0
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "Installing Chromium and Noto fonts for the browser tests..."
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-core fonts-noto-cjk >/dev/null
    exit 0
fi
echo "The browser tests need Chromium at $CHROMIUM_PATH and Noto fonts. Run:" >&2
echo "  sudo apt-get install -y chromium fonts-noto-core fonts-noto-cjk" >&2
echo "or set CHROMIUM_PATH to another Chromium binary." >&2
exit 1
