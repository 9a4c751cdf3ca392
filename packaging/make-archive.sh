#!/usr/bin/env bash
# Makes a release archive of one platform's binary and its checksum file:
#   <out>/raworc-mcp-<version>-<platform>.tar.gz   (linux-*, darwin-*)
#   <out>/raworc-mcp-<version>-<platform>.zip      (win32-*)
#   <out>/<archive>.sha256                          ("<hex>  <archive>", as sha256sum prints it)
# The archive holds, at its top level, just raworc-mcp (raworc-mcp.exe on Windows) plus README.md and
# LICENSE from the repository root when they exist. Runs on Linux, macOS and Windows (Git Bash) runners.
#
#   packaging/make-archive.sh --platform linux-x64 --binary artifacts/bin/raworc-mcp [--out DIR] [--version V]
# Platforms: linux-x64 linux-arm64 darwin-x64 darwin-arm64 win32-x64 win32-arm64.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

platform=""
binary=""
out="$root/artifacts/dist"
version=""
while [ $# -gt 0 ]; do
  case "$1" in
    --platform) platform="$2"; shift 2 ;;
    --binary) binary="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    --version) version="$2"; shift 2 ;;
    -h|--help) sed -n '2,10p' "$0"; exit 0 ;;
    *) echo "make-archive.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
[ -n "$version" ] || version="$(sed -n 's:.*<Version>\(.*\)</Version>.*:\1:p' "$root/Directory.Build.props" | head -n1)"
[ -n "$version" ] || { echo "make-archive.sh: no version" >&2; exit 1; }
case "$platform" in
  linux-x64|linux-arm64|darwin-x64|darwin-arm64) exe=raworc-mcp; ext=tar.gz ;;
  win32-x64|win32-arm64) exe=raworc-mcp.exe; ext=zip ;;
  *) echo "make-archive.sh: --platform must be one of linux-x64 linux-arm64 darwin-x64 darwin-arm64 win32-x64 win32-arm64" >&2; exit 2 ;;
esac
[ -f "$binary" ] || { echo "make-archive.sh: --binary $binary not found" >&2; exit 1; }
case "$binary" in *.dbg|*.pdb|*.dSYM) echo "make-archive.sh: $binary is a symbol file" >&2; exit 1 ;; esac

mkdir -p "$out"
out="$(cd "$out" && pwd)"
name="raworc-mcp-$version-$platform.$ext"
stage="$(mktemp -d)"
trap 'rm -rf "$stage"' EXIT
cp "$binary" "$stage/$exe"
chmod 0755 "$stage/$exe"
files=("$exe")
for f in README.md LICENSE; do
  if [ -f "$root/$f" ]; then cp "$root/$f" "$stage/$f"; chmod 0644 "$stage/$f"; files+=("$f"); fi
done

rm -f "$out/$name" "$out/$name.sha256"
if [ "$ext" = tar.gz ]; then
  if tar --version 2>/dev/null | grep -q 'GNU tar'; then
    owner=(--owner=0 --group=0 --numeric-owner)
  else # bsdtar (macOS, Windows)
    owner=(--uid 0 --gid 0 --uname root --gname root)
  fi
  (cd "$stage" && tar "${owner[@]}" -czf "$out/$name" "${files[@]}")
else
  zip_with="${RAWORC_ZIP_WITH:-}" # zip, 7z, node or powershell; default: the first one available
  if [ -z "$zip_with" ]; then
    for z in zip 7z node; do command -v "$z" >/dev/null 2>&1 && { zip_with="$z"; break; }; done
  fi
  if [ "$zip_with" = zip ]; then
    (cd "$stage" && zip -q -X "$out/$name" "${files[@]}")
  elif [ "$zip_with" = 7z ]; then
    dst="$out/$name"
    if command -v cygpath >/dev/null 2>&1; then dst="$(cygpath -w "$dst")"; fi
    (cd "$stage" && 7z a -tzip -bso0 -bsp0 "$dst" "${files[@]}")
  elif [ "$zip_with" = node ]; then
    zipjs="$root/packaging/zip.js"
    if command -v cygpath >/dev/null 2>&1; then zipjs="$(cygpath -w "$zipjs")"; fi
    (cd "$stage" && node "$zipjs" "$(basename "$name")" "${files[@]}")
    mv "$stage/$(basename "$name")" "$out/$name"
  elif command -v pwsh >/dev/null 2>&1 || command -v powershell >/dev/null 2>&1; then
    ps="$(command -v pwsh || command -v powershell)"
    src="$stage"; dst="$out/$name"
    if command -v cygpath >/dev/null 2>&1; then src="$(cygpath -w "$stage")"; dst="$(cygpath -w "$out/$name")"; fi
    "$ps" -NoProfile -Command "Compress-Archive -Path '$src\\*' -DestinationPath '$dst'"
  else
    echo "make-archive.sh: need zip, 7z, node or PowerShell to make $name" >&2; exit 1
  fi
fi

if command -v sha256sum >/dev/null 2>&1; then
  hash="$(sha256sum "$out/$name" | cut -d' ' -f1)"
else
  hash="$(shasum -a 256 "$out/$name" | cut -d' ' -f1)"
fi
printf '%s  %s\n' "$hash" "$name" >"$out/$name.sha256"
echo "$out/$name"
