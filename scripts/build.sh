#!/usr/bin/env bash
# Publishes the Native AOT binary for this machine to artifacts/bin/raworc-mcp (raworc-mcp.exe on Windows).
# Trim and AOT warnings fail the build (TreatWarningsAsErrors). Debug symbols stay out of artifacts/bin.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

case "$(uname -s)" in
  Linux) os=linux ;;
  Darwin) os=osx ;;
  MINGW*|MSYS*|CYGWIN*) os=win ;;
  *) echo "build.sh: unsupported OS $(uname -s)" >&2; exit 1 ;;
esac
case "$(uname -m)" in
  x86_64|amd64) arch=x64 ;;
  aarch64|arm64) arch=arm64 ;;
  *) echo "build.sh: unsupported CPU $(uname -m)" >&2; exit 1 ;;
esac
rid="${RID:-$os-$arch}"

extra=()
# Debian's clang is versioned (clang-14) and there may be no plain `clang` for the AOT linker.
if [ "$os" = linux ] && ! command -v clang >/dev/null 2>&1; then
  for c in clang-19 clang-18 clang-17 clang-16 clang-15 clang-14; do
    if command -v "$c" >/dev/null 2>&1; then extra+=("-p:CppCompilerAndLinker=$c"); break; fi
  done
fi

out="$root/artifacts/publish/$rid"
rm -rf "$out"
dotnet publish src/Raworc.Mcp/Raworc.Mcp.csproj -c Release -r "$rid" -o "$out" --nologo ${extra[@]+"${extra[@]}"} "$@"

mkdir -p artifacts/bin
exe=raworc-mcp; [ "$os" = win ] && exe=raworc-mcp.exe
cp "$out/$exe" "artifacts/bin/$exe"
echo "built artifacts/bin/$exe ($(du -h "artifacts/bin/$exe" | cut -f1), $rid)"
