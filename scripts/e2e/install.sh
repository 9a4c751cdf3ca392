#!/usr/bin/env bash
# Installs the pinned third-party MCP tools of scripts/e2e/package-lock.json (TypeScript SDK, Inspector,
# conformance suite, supergateway, the mcpb CLI, Node 22 from npm) into DIR (default artifacts/e2e), reusing an
# install made from the same package.json and lock file. Prints one line: what it did. Used by test-e2e.sh,
# test-fleet.sh, test-mcpb.sh and pack-mcpb.sh.
#   scripts/e2e/install.sh [DIR]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cache="${1:-$root/artifacts/e2e}"
want="$(cat "$root/scripts/e2e/package.json" "$root/scripts/e2e/package-lock.json" | sha256sum | cut -d' ' -f1)"
if [ -f "$cache/.installed" ] && [ "$(cat "$cache/.installed")" = "$want" ] && [ -x "$cache/node_modules/.bin/node" ]; then
  echo "reused $cache/node_modules"
  exit 0
fi
rm -rf "$cache/node_modules" "$cache/.installed"
mkdir -p "$cache"
cp "$root/scripts/e2e/package.json" "$root/scripts/e2e/package-lock.json" "$cache/"
if ! (cd "$cache" && npm ci --no-audit --no-fund --loglevel=error) >"$cache/npm-ci.log" 2>&1; then
  tail -n 40 "$cache/npm-ci.log" >&2
  echo "install.sh: npm ci in $cache failed (full log: $cache/npm-ci.log)" >&2
  exit 1
fi
echo "$want" >"$cache/.installed"
echo "installed into $cache"
