#!/usr/bin/env bash
# Prepares a fresh Debian or Ubuntu machine for Sluice: installs redis-server (the local Redis
# Cluster runs six of its processes) and chromium (the dashboard's end-to-end test drives it
# through playwright-core, which never downloads a browser) when they are missing, then the npm
# packages from the lockfile.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v redis-server >/dev/null 2>&1 || ! command -v redis-cli >/dev/null 2>&1; then
  echo "[setup] installing redis-server (provides redis-server and redis-cli)"
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq redis-server >/dev/null
fi
echo "[setup] $(redis-server --version | cut -d' ' -f1-3)"

if [ ! -x /usr/bin/chromium ]; then
  # NOTE: checked on Debian 12 only, whose chromium package installs /usr/bin/chromium.
  echo "[setup] installing chromium (Debian package) for the dashboard's end-to-end test"
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
fi
echo "[setup] $(/usr/bin/chromium --version 2>/dev/null | head -n 1)"

if ! node -e 'const [major, minor] = process.versions.node.split(".").map(Number); process.exit(major > 20 || (major === 20 && minor >= 19) ? 0 : 1)'; then
  echo "[setup] Node.js $(node --version) is too old; install Node.js 20.19 or later" >&2
  exit 1
fi

echo "[setup] installing npm packages (npm ci)"
npm ci --no-audit --no-fund
