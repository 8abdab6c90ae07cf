#!/usr/bin/env bash
# Installs pnpm (pinned) and the workspace dependencies on a machine that has only Node 20 and npm.
set -euo pipefail
cd "$(dirname "$0")/.."

want_pnpm=12.4.2
if ! command -v pnpm >/dev/null 2>&1 || [ "$(pnpm --version)" != "$want_pnpm" ]; then
  echo "bootstrap: installing pnpm@$want_pnpm"
  npm install -g "pnpm@$want_pnpm" >/dev/null
fi

# argon2's bundled glibc prebuild crashes on some machines, so node-gyp may build it from source.
# Point node-gyp at the local Node headers when they are there: on a closed network it cannot
# download them.
if [ -z "${npm_config_nodedir:-}" ] && [ -f /usr/include/node/node_version.h ]; then
  export npm_config_nodedir=/usr
fi

pnpm install --frozen-lockfile
