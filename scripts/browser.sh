#!/usr/bin/env bash
# Install headless Chromium and its WebDriver (Debian packages) when missing: the HTML report
# tests open the leaderboard page in a real browser.
set -euo pipefail
if command -v chromium >/dev/null && command -v chromedriver >/dev/null; then
    exit 0
fi
echo "[browser] installing chromium and chromium-driver (Debian packages)" >&2
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq >/dev/null
$sudo apt-get install -y -qq chromium chromium-driver >/dev/null
command -v chromium >/dev/null && command -v chromedriver >/dev/null
