#!/usr/bin/env bash
# Tests the Claude Desktop bundle (.mcpb) with the official tools, as Claude Desktop would handle it: scripts/mcpb/
# bundle-check.mjs validates the generated manifest, packs the bundle (scripts/pack-mcpb.sh: this machine's binary,
# stand-ins for the others), reads it back, unpacks it, resolves it with @anthropic-ai/mcpb's own loader for darwin,
# win32 and this machine, and runs it with the TypeScript SDK client against the API stand-in on 127.0.0.1 (form
# filled in, form empty, account and password, executable bits lost); then packs and checks a bundle of the release's
# layout (four macOS and Windows binaries, no stand-in) as the release workflow does. Pinned npm tools come from scripts/e2e
# (installed into artifacts/e2e). Needs artifacts/bin/raworc-mcp (scripts/build.sh), .NET 10 and Node >= 20.
# Env: RAWORC_METRICS_FILE=<file> appends mcpb_bytes=<size of the bundle> (used by scripts/test-packages.sh).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
step_name=test-mcpb step_width=8
. scripts/lib/steps.sh

cache="$root/artifacts/e2e"
work="$(mktemp -d "${TMPDIR:-/tmp}/raworc-mcpb.XXXXXX")"
logs="$work/logs"
mkdir -p "$logs"
standin=""
cleanup() {
  [ -z "$standin" ] || stop_group "$standin"
  # Kept when a step failed, for its logs.
  if [ "$failed" = 0 ]; then rm -rf "$work"; fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

t=$(now_ms)
if ! how="$(scripts/e2e/install.sh "$cache" 2>"$logs/npm-ci.log")"; then
  show_log "$logs/npm-ci.log"; record tools FAIL "$t" "npm ci in $cache failed"; finish
fi
record tools ok "$t" "$how (@anthropic-ai/mcpb $(node -p 'require(process.argv[1]).version' "$cache/node_modules/@anthropic-ai/mcpb/package.json"))"

t=$(now_ms)
if ! dotnet build tests/Raworc.StandIn/Raworc.StandIn.csproj -c Release --nologo -v q -o "$work/standin" >"$logs/standin-build.log" 2>&1; then
  show_log "$logs/standin-build.log"; record standin FAIL "$t" "dotnet build of tests/Raworc.StandIn failed"; finish
fi
setsid dotnet "$work/standin/Raworc.StandIn.dll" --port 0 >"$logs/standin.log" 2>&1 </dev/null &
standin="$!"
for _ in $(seq 300); do grep -q 'listening on http' "$logs/standin.log" 2>/dev/null && break; sleep 0.1; done
api_url="$(sed -n 's/.*listening on \(http[^ ]*\).*/\1/p' "$logs/standin.log" | head -n1)"
if [ -z "$api_url" ]; then show_log "$logs/standin.log"; record standin FAIL "$t" "the stand-in did not start"; finish; fi
record standin ok "$t" "$api_url"

t=$(now_ms)
if timeout 600 node scripts/mcpb/bundle-check.mjs --tools-dir "$cache" --work "$work/check" \
  --api-url "$api_url" --username admin --password admin >"$logs/bundle-check.log" 2>&1 </dev/null; then
  cat "$logs/bundle-check.log"
  bundle="$(ls "$work"/check/out/*.mcpb)"
  [ -z "${RAWORC_METRICS_FILE:-}" ] || echo "mcpb_bytes=$(stat -c %s "$bundle")" >>"$RAWORC_METRICS_FILE"
  record bundle ok "$t" "$(grep -c '^  ok' "$logs/bundle-check.log") checks: $(basename "$bundle"), $(du -h "$bundle" | cut -f1)"
else
  cat "$logs/bundle-check.log"
  record bundle FAIL "$t" "see the FAIL lines above"
fi
stop_group "$standin"
standin=""

# The release's layout, as .github/workflows/release.yml packs and checks it: the four macOS and Windows binaries
# (here files with the right executable headers, which is what the packing checks) and no stand-in.
t=$(now_ms)
mkdir -p "$work/release-bin"
node - "$work/release-bin" <<'JS'
const fs = require('fs');
const path = require('path');
const out = process.argv[2];
const macho = (cpu) => { const b = Buffer.alloc(64); b.writeUInt32LE(0xfeedfacf, 0); b.writeUInt32LE(cpu, 4); return b; };
const pe = (machine) => { const b = Buffer.alloc(128); b.write('MZ', 0, 'latin1'); b.writeUInt32LE(64, 0x3c); b.write('PE\0\0', 64, 'latin1'); b.writeUInt16LE(machine, 68); return b; };
for (const [name, bytes] of [['darwin-x64', macho(0x01000007)], ['darwin-arm64', macho(0x0100000c)], ['win32-x64.exe', pe(0x8664)], ['win32-arm64.exe', pe(0xaa64)]])
  fs.writeFileSync(path.join(out, name), bytes);
JS
bin="$work/release-bin"
if bash scripts/pack-mcpb.sh --out "$work/wrong" --binary "darwin-x64=$bin/win32-x64.exe" --binary "darwin-arm64=$bin/darwin-arm64" \
    --binary "win32-x64=$bin/win32-x64.exe" --binary "win32-arm64=$bin/win32-arm64.exe" >"$logs/wrong-pack.log" 2>&1 ||
  ! grep -q 'is a win32-x64 executable, not darwin-x64' "$logs/wrong-pack.log"; then
  cat "$logs/wrong-pack.log"
  record release FAIL "$t" "pack-mcpb.sh did not refuse a Windows binary given as darwin-x64"
elif bash scripts/pack-mcpb.sh --out "$work/release" --binary "darwin-x64=$bin/darwin-x64" --binary "darwin-arm64=$bin/darwin-arm64" \
    --binary "win32-x64=$bin/win32-x64.exe" --binary "win32-arm64=$bin/win32-arm64.exe" >"$logs/release-pack.log" 2>&1 &&
  timeout 300 node scripts/mcpb/bundle-check.mjs --tools-dir "$cache" --work "$work/release-check" --release \
    --bundle "$(ls "$work"/release/*.mcpb)" >"$logs/release-check.log" 2>&1 </dev/null; then
  record release ok "$t" "$(grep -c '^  ok' "$logs/release-check.log") checks: macOS and Windows, x64 and arm64, no stand-in; a binary of another platform refused"
else
  cat "$logs/release-pack.log" "$logs/release-check.log" 2>/dev/null || true
  record release FAIL "$t" "see the lines above"
fi

finish
