#!/usr/bin/env bash
# Takes a fresh Debian machine with Node 20.19+, 22 or 24 to a built worksite checkout:
# pnpm, Chromium for the browser plugin, the command sandbox (bubblewrap, socat,
# ripgrep), the workspace's dependencies, a build, and the `worksite` command on
# PATH (scripts/install-cli.sh: the packed packages, installed as users get them).
# `bash scripts/bootstrap.sh demo [DIR]` then runs the demo.
# `bash scripts/bootstrap.sh node24` prints the folder of a Node 24 binary (fetched once, then cached).
set -euo pipefail
cd "$(dirname "$0")/.."

PNPM_VERSION=12.21.0
say() { printf '\033[1m» %s\033[0m\n' "$*" >&2; }

# Node 24 for running the suite a second time (.ci/run): the registry's `node` package, kept in the
# bootstrap's own cache folder so CI fetches it once.
if [ "${1:-}" = node24 ]; then
  cache="${WORKSITE_BOOTSTRAP_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/worksite-bootstrap}/node24"
  if [ ! -x "$cache/node_modules/node/bin/node" ]; then
    say "fetching Node 24 into $cache"
    mkdir -p "$cache"
    npm install --prefix "$cache" --no-audit --no-fund --loglevel=error node@24 >&2
  fi
  echo "$cache/node_modules/node/bin"
  exit 0
fi

if ! command -v pnpm >/dev/null 2>&1 || [ "$(pnpm --version 2>/dev/null)" != "$PNPM_VERSION" ]; then
  say "installing pnpm $PNPM_VERSION"
  npm install --global --silent "pnpm@$PNPM_VERSION"
fi

# The browser plugin drives a local Chromium; it never downloads a browser of its own.
if [ -z "${CHROME_PATH:-}" ] && ! command -v chromium >/dev/null 2>&1 && ! command -v google-chrome >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ]; then
    say "installing Debian's chromium"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  elif command -v sudo >/dev/null 2>&1; then
    say "installing Debian's chromium (sudo)"
    sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    say "no Chromium found and no way to install it: the browser tests and the demo's screenshot need: apt-get install -y chromium"
  fi
fi

# Every command worksite runs is sandboxed (bubblewrap on Linux); without these, commands are refused.
if [ "$(uname -s)" = Linux ] && { ! command -v bwrap >/dev/null 2>&1 || ! command -v socat >/dev/null 2>&1 || ! command -v rg >/dev/null 2>&1; }; then
  if [ "$(id -u)" = 0 ]; then
    say "installing the command sandbox: bubblewrap socat ripgrep"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq bubblewrap socat ripgrep >/dev/null
  elif command -v sudo >/dev/null 2>&1; then
    say "installing the command sandbox: bubblewrap socat ripgrep (sudo)"
    sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq bubblewrap socat ripgrep >/dev/null
  else
    say "no bubblewrap/socat/ripgrep and no way to install them: worksite refuses to run commands without a sandbox; install: apt-get install -y bubblewrap socat ripgrep"
  fi
fi

# The computer-use plugin's X11 driver and its tests: xdotool for input, xprop (x11-utils) for window classes,
# ImageMagick's import for screenshots, Xvfb for a display in tests.
if [ "$(uname -s)" = Linux ] && { ! command -v xdotool >/dev/null 2>&1 || ! command -v Xvfb >/dev/null 2>&1 || ! command -v xprop >/dev/null 2>&1 || [ ! -x /usr/bin/import ]; }; then
  X11_PKGS="xvfb xdotool scrot imagemagick x11-utils"
  if [ "$(id -u)" = 0 ]; then
    say "installing the desktop tools: $X11_PKGS"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $X11_PKGS >/dev/null
  elif command -v sudo >/dev/null 2>&1; then
    say "installing the desktop tools: $X11_PKGS (sudo)"
    sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $X11_PKGS >/dev/null
  else
    say "no xdotool/Xvfb/ImageMagick and no way to install them: the computer-use plugin and its tests need: apt-get install -y $X11_PKGS"
  fi
fi

# `worksite wake --queue redis://…` shares schedules through Redis; its tests start a redis-server of their own.
if [ "$(uname -s)" = Linux ] && ! command -v redis-server >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ]; then
    say "installing redis-server (for worksite wake --queue and its tests)"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null
  elif command -v sudo >/dev/null 2>&1; then
    say "installing redis-server (sudo)"
    sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null
  else
    say "no redis-server and no way to install it: the worksite wake --queue tests need: apt-get install -y redis-server"
  fi
fi

say "installing dependencies"
CI=true pnpm install --frozen-lockfile --reporter=silent
say "building"
TURBO_TELEMETRY_DISABLED=1 pnpm exec turbo run build --output-logs=errors-only

# `worksite` on PATH, from the packed packages (see the script for where it goes and why).
bash scripts/install-cli.sh

if [ "${1:-}" = demo ]; then
  WORKSITE_CMD="pnpm worksite" node packages/cli/dist/bin.js demo "${2:-worksite-demo}" ${3:+"$3"}
fi
