#!/usr/bin/env bash
# Packs the npm packages into artifacts/npm/*.tgz: the wrapper @raworc/mcp-server and one platform package
# @raworc/mcp-server-<platform> carrying the native binary. The version comes from Directory.Build.props.
# Each tarball's file list is checked with `tar tzf`: exactly the expected files, no .dbg/.pdb or leftovers.
#
#   scripts/pack-npm.sh                                   # wrapper + this machine's platform from artifacts/bin
#   scripts/pack-npm.sh --no-wrapper --platform darwin-arm64 --binary dl/raworc-mcp   # one platform (release)
#   scripts/pack-npm.sh --no-platform                     # wrapper only
# Options: --platform P (linux-x64, linux-arm64, darwin-x64, darwin-arm64, win32-x64, win32-arm64),
#          --binary PATH, --out DIR (default artifacts/npm), --no-wrapper, --no-platform.
# Env: RAWORC_NPM_PLATFORM / RAWORC_NPM_BINARY as defaults for --platform / --binary;
#      RAWORC_ALLOW_STUB=1 skips the check that the binary is a native executable for P (local tests only).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

version="$("$root/scripts/version.sh")"

platform="${RAWORC_NPM_PLATFORM:-}"
binary="${RAWORC_NPM_BINARY:-}"
out="$root/artifacts/npm"
do_wrapper=1
do_platform=1
while [ $# -gt 0 ]; do
  case "$1" in
    --platform) platform="$2"; shift 2 ;;
    --binary) binary="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    --no-wrapper) do_wrapper=0; shift ;;
    --no-platform) do_platform=0; shift ;;
    -h|--help) sed -n '2,13p' "$0"; exit 0 ;;
    *) echo "pack-npm.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done

if [ "$do_platform" = 1 ]; then
  [ -n "$platform" ] || platform="$(node -p 'process.platform + "-" + process.arch')"
  if [ -z "$binary" ]; then
    binary="$root/artifacts/bin/raworc-mcp"
    case "$platform" in win32-*) binary="$binary.exe" ;; esac
  fi
  [ -f "$binary" ] || { echo "pack-npm.sh: binary $binary not found (run scripts/build.sh first)" >&2; exit 1; }
fi

mkdir -p "$out"
out="$(cd "$out" && pwd)"
stage="$(mktemp -d)"
trap 'rm -rf "$stage"' EXIT

stage_args=(--version "$version" --out "$stage")
[ "$do_wrapper" = 1 ] && stage_args+=(--wrapper)
[ "$do_platform" = 1 ] && stage_args+=(--platform "$platform" --binary "$binary")
[ "${RAWORC_ALLOW_STUB:-0}" = 1 ] && stage_args+=(--no-binary-check)
staged="$(node npm/stage.js "${stage_args[@]}")"
mapfile -t dirs <<<"$staged"

for dir in "${dirs[@]}"; do
  name="$(node -p 'require(process.argv[1]).name' "$dir/package.json")"
  # npm pack names a scoped package's tarball <scope>-<name>-<version>.tgz without the @.
  tgz_name="$(node -p 'const p=require(process.argv[1]); p.name.replace(/^@/,"").replace("/","-")+"-"+p.version+".tgz"' "$dir/package.json")"
  rm -f "$out/$tgz_name"
  (cd "$dir" && npm pack --ignore-scripts --silent --pack-destination "$out" >/dev/null)
  tgz="$out/$tgz_name"
  [ -f "$tgz" ] || { echo "pack-npm.sh: npm pack did not produce $tgz" >&2; exit 1; }

  # Exactly these files, nothing else (no symbols, no build leftovers).
  if [ "$name" = "@raworc/mcp-server" ]; then
    expected=$'package/README.md\npackage/bin/raworc-mcp.js\npackage/package.json'
  else
    exe=raworc-mcp
    case "$name" in *-win32-*) exe=raworc-mcp.exe ;; esac
    expected=$'package/README.md\npackage/bin/'"$exe"$'\npackage/package.json'
  fi
  if [ -f "$dir/LICENSE" ]; then expected="$(printf '%s\npackage/LICENSE\n' "$expected" | LC_ALL=C sort)"; fi
  actual="$(tar tzf "$tgz" | LC_ALL=C sort)"
  if [ "$actual" != "$expected" ]; then
    echo "pack-npm.sh: $tgz has unexpected contents:" >&2
    diff <(echo "$expected") <(echo "$actual") >&2 || true
    exit 1
  fi
  if tar tzf "$tgz" | grep -Eiq '\.(dbg|pdb|dsym|map|o|obj)$'; then
    echo "pack-npm.sh: $tgz contains debug symbols or build leftovers" >&2; exit 1
  fi
  if [ "$name" != "@raworc/mcp-server" ]; then
    mode="$(tar tvzf "$tgz" "package/bin/$exe" | cut -c1-10)"
    [ "$mode" = "-rwxr-xr-x" ] || { echo "pack-npm.sh: package/bin/$exe in $tgz has mode $mode, not -rwxr-xr-x" >&2; exit 1; }
  fi
  echo "packed $tgz ($(du -h "$tgz" | cut -f1))"
done
