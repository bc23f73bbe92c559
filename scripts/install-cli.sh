#!/usr/bin/env bash
# Puts the `worksite` command on PATH from this checkout, exactly as people get it once it is published:
# every public workspace package is packed (`pnpm pack`, the same tarballs a publish uploads) and the
# tarballs are installed together into one folder with npm. Installing them together matters: with
# `npm install --global` of several tarballs, npm looks for `@worksite/core` and the other workspace
# packages in the registry (where they are not), instead of using the tarballs beside it.
#
#   bash scripts/install-cli.sh            (after a build; scripts/bootstrap.sh runs it for you)
#
# WORKSITE_HOME   where the packages are installed (default ~/.local/share/worksite)
# WORKSITE_BIN    the folder the `worksite` link goes into (default: ~/.local/bin when it is on PATH,
#                 else npm's global bin folder, which is on PATH wherever `npm install --global` works)
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf '\033[1m» %s\033[0m\n' "$*" >&2; }
on_path() { case ":$PATH:" in *":$1:"*) return 0 ;; *) return 1 ;; esac; }

home="${WORKSITE_HOME:-$HOME/.local/share/worksite}"
if [ -n "${WORKSITE_BIN:-}" ]; then
  bin="$WORKSITE_BIN"
elif on_path "$HOME/.local/bin"; then
  bin="$HOME/.local/bin"
else
  bin="$(npm prefix --global)/bin"
  # Not ours to write (a system Node without sudo): the person's own bin folder, with a PATH hint below.
  if [ ! -w "$bin" ]; then bin="$HOME/.local/bin"; fi
fi

if [ ! -f packages/cli/dist/bin.js ]; then
  echo "worksite is not built yet: run scripts/bootstrap.sh (or pnpm install && pnpm build) first" >&2
  exit 1
fi

mkdir -p "$home"
# One install at a time into a folder: a second bootstrap (another clone, a CI run beside a demo check) that
# packed while this one installed made npm find half the tarballs gone. It waits here for the first to finish.
exec 9>"$home/.install.lock"
if ! flock -n 9; then
  say "another worksite install into $home is running; waiting for it"
  flock 9
fi

say "packing the workspace packages"
packs="$home/packs"
rm -rf "$packs"
mkdir -p "$packs"
for dir in packages/* plugins/* skills/*; do
  [ -f "$dir/package.json" ] || continue
  # Private packages (tests, benchmarks) are never published, so never installed.
  if node -e 'process.exit(require(process.argv[1]).private ? 0 : 1)' "$PWD/$dir/package.json"; then continue; fi
  (cd "$dir" && pnpm pack --pack-destination "$packs" >/dev/null)
done

say "installing them into $home"
# A fresh manifest each time: the install is exactly this checkout's tarballs, nothing left from before.
rm -rf "$home/node_modules" "$home/package.json" "$home/package-lock.json"
printf '{ "name": "worksite-installation", "private": true }\n' >"$home/package.json"
npm install --prefix "$home" --omit=dev --no-audit --no-fund --loglevel=error "$packs"/*.tgz

mkdir -p "$bin"
ln -sf "$home/node_modules/.bin/worksite" "$bin/worksite"
say "worksite $("$bin/worksite" --version) is at $bin/worksite"
if ! on_path "$bin"; then
  say "$bin is not on your PATH: add it (export PATH=\"$bin:\$PATH\") to use \`worksite\`"
fi
