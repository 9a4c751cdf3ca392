#!/usr/bin/env bash
# Packs the Claude Desktop bundle, artifacts/mcpb/raworc-mcp-<version>.mcpb, with the official mcpb CLI (pinned in
# scripts/e2e/package.json; installed into artifacts/e2e by scripts/e2e/install.sh when missing). The folder is staged
# by packaging/mcpb/stage.js (manifest, icon, launcher, one binary per platform), validated, then packed.
#
#   scripts/pack-mcpb.sh                     # this machine's artifacts/bin binary, marked stand-ins for the others
#   scripts/pack-mcpb.sh --binary darwin-x64=PATH --binary darwin-arm64=PATH \
#                        --binary win32-x64=PATH --binary win32-arm64=PATH [--out DIR]     # a release bundle
# Options: --binary PLATFORM=PATH (repeatable), --stand-ins (fill missing platforms even with --binary),
#          --out DIR (default artifacts/mcpb). Prints the bundle's path, size and sha256.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

version="$("$root/scripts/version.sh")"
out="$root/artifacts/mcpb"
binaries=()
stand_ins=0
while [ $# -gt 0 ]; do
  case "$1" in
    --binary) binaries+=(--binary "$2"); shift 2 ;;
    --stand-ins) stand_ins=1; shift ;;
    --out) out="$2"; shift 2 ;;
    -h|--help) sed -n '2,10p' "$0"; exit 0 ;;
    *) echo "pack-mcpb.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
if [ "${#binaries[@]}" = 0 ]; then
  platform="$(node -p 'process.platform + "-" + process.arch')"
  binary="$root/artifacts/bin/raworc-mcp"
  case "$platform" in win32-*) binary="$binary.exe" ;; esac
  [ -f "$binary" ] || { echo "pack-mcpb.sh: $binary not found (run scripts/build.sh first)" >&2; exit 1; }
  binaries=(--binary "$platform=$binary")
  stand_ins=1
fi

mcpb="$root/artifacts/e2e/node_modules/.bin/mcpb"
if [ ! -x "$mcpb" ]; then scripts/e2e/install.sh "$root/artifacts/e2e" >&2; fi

mkdir -p "$out"
out="$(cd "$out" && pwd)"
stage="$(mktemp -d)"
trap 'rm -rf "$stage"' EXIT
flags=(); [ "$stand_ins" = 1 ] && flags+=(--stand-ins)
node packaging/mcpb/stage.js --version "$version" --out "$stage/raworc-mcp" "${binaries[@]}" ${flags[@]+"${flags[@]}"}

bundle="$out/raworc-mcp-$version.mcpb"
rm -f "$bundle"
"$mcpb" validate "$stage/raworc-mcp/manifest.json" >"$stage/validate.log" 2>&1 || { cat "$stage/validate.log" >&2; exit 1; }
"$mcpb" pack "$stage/raworc-mcp" "$bundle" >"$stage/pack.log" 2>&1 || { cat "$stage/pack.log" >&2; exit 1; }
[ -f "$bundle" ] || { cat "$stage/pack.log" >&2; echo "pack-mcpb.sh: mcpb pack did not write $bundle" >&2; exit 1; }
echo "packed $bundle ($(du -h "$bundle" | cut -f1), sha256 $(sha256sum "$bundle" | cut -d' ' -f1))"
