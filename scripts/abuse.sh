#!/usr/bin/env bash
# The bounded abuse run of the HTTP mode: the published binary under the pod's heap limit
# (DOTNET_GCHeapHardLimit=C000000, 192 MiB, as .NET sees the Deployment's 256Mi), the Raworc API stand-in with its
# request log, then scripts/abuse/abuse.mjs for about a minute: made-up tokens and one legitimate user send the
# shapes that once crashed, hung or flooded a replica, while a second user makes ordinary calls and probes ask
# /healthz and /readyz. Prints the figures (and writes them to artifacts/abuse/figures.json); exits 1 when a bound
# is broken. Needs ./scripts/build.sh first (or RAWORC_MCP_BINARY), dotnet and node.
#   scripts/abuse.sh [--seconds N] [--shapes bodies,completions,idleAndWaits,madeUpTokens,largeAnswers]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
step_name=abuse step_width=8
. scripts/lib/steps.sh

seconds=60
shapes=""
# Peak RSS: at most 160 MB, with room under the pod's 256 MiB (268 MB); runs measure 117 to 130 MB
# (benchmarks/abuse-2026-12-06.md).
max_rss_mb=160
while [ $# -gt 0 ]; do
  case "$1" in
    --seconds) seconds="$2"; shift 2 ;;
    --shapes) shapes="$2"; shift 2 ;;
    -h|--help) sed -n '2,8p' "$0"; exit 0 ;;
    *) echo "abuse: unknown option $1" >&2; exit 2 ;;
  esac
done

binary="${RAWORC_MCP_BINARY:-$root/artifacts/bin/raworc-mcp}"
logs="$root/artifacts/abuse"
[ -x "$binary" ] || { echo "abuse: $binary is missing: run ./scripts/build.sh first" >&2; exit 1; }
for tool in node dotnet setsid; do
  command -v "$tool" >/dev/null 2>&1 || { echo "abuse: '$tool' is not on PATH" >&2; exit 1; }
done
rm -rf "$logs"
mkdir -p "$logs"
groups=()
cleanup() { local g; for g in ${groups[@]+"${groups[@]}"}; do stop_group "$g"; done; }
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

t=$(now_ms)
request_log="$logs/standin-requests.log"
: >"$request_log"
setsid scripts/standin.sh --port 0 --build-delay-ms 50 --session-delay-ms 50 --reply-delay-ms 50 --request-log "$request_log" \
  >"$logs/standin.log" 2>&1 </dev/null &
groups+=($!)
for i in $(seq 600); do grep -q 'listening on http' "$logs/standin.log" 2>/dev/null && break; sleep 0.2; done
api_url="$(sed -n 's/.*listening on \(http[^ ]*\).*/\1/p' "$logs/standin.log" | head -n1)"
[ -n "$api_url" ] || { show_log "$logs/standin.log"; record standin FAIL "$t" "the stand-in did not start"; finish; }
record standin ok "$t" "$api_url"

t=$(now_ms)
port="$(free_port)"
env DOTNET_GCHeapHardLimit=C000000 DOTNET_GCConserveMemory=9 RAWORC_API_URL="$api_url" RAWORC_AUTH_TOKEN="" LOG_LEVEL=warning \
  setsid "$binary" http --port "$port" >"$logs/server.log" 2>&1 </dev/null &
server=$!
groups+=($server)
ready=""
for i in $(seq 100); do
  node -e 'fetch(process.argv[1]).then(r=>process.exit(r.ok?0:1),()=>process.exit(1))' "http://127.0.0.1:$port/readyz" && { ready=1; break; }
  sleep 0.1
done
[ -n "$ready" ] || { show_log "$logs/server.log"; record server FAIL "$t" "the server did not answer /readyz"; finish; }
record server ok "$t" "pid $server on port $port, DOTNET_GCHeapHardLimit=C000000 (192 MiB) and DOTNET_GCConserveMemory=9, as in the image"

t=$(now_ms)
if node scripts/abuse/abuse.mjs --mcp "http://127.0.0.1:$port/mcp" --api "$api_url" --pid "$server" \
    --request-log "$request_log" --seconds "$seconds" --max-rss-mb "$max_rss_mb" --out "$logs/figures.json" ${shapes:+--shapes "$shapes"} | tee "$logs/run.log"; then
  record run ok "$t" "figures in $logs/figures.json"
else
  cut -c1-300 "$logs/server.log" | tail -n 10 >&2
  record run FAIL "$t" "see $logs/run.log and $logs/server.log"
fi
# A call that runs out of memory fails alone (the process goes on, which the run checks); that it happens at all is
# the memory aim not yet reached, so it is counted and shown, while any other unhandled exception fails the run.
out_of_memory="$(grep -cE "OutOfMemoryException|ran short of memory" "$logs/server.log" || true)"
if grep -v "OutOfMemoryException" "$logs/server.log" | grep -q "Unhandled exception"; then
  record logs FAIL "$(now_ms)" "the server logged an unhandled exception"
else
  record logs ok "$(now_ms)" "no unhandled exception; calls that ran out of memory (aim: none): $out_of_memory"
fi
finish
