#!/usr/bin/env bash
# End-to-end checks of the published binary (artifacts/bin/raworc-mcp, or RAWORC_MCP_BINARY) with third-party MCP
# clients, against the in-memory Raworc API stand-in on 127.0.0.1:
#   1. scenario    the official TypeScript SDK client runs a scripted user session (scripts/e2e/scenario.mjs)
#   2. inspector   MCP Inspector CLI 2.x: tools/list --strict (schema portability) and a tools/call of get_version
#   3. conformance the official conformance suite through supergateway (stdio -> Streamable HTTP), checked against
#                  scripts/e2e/conformance-baseline.yml plus dns-rebinding-protection (the bridge's HTTP layer)
#   4. http        `raworc-mcp http --shared-credentials`: Inspector CLI --transport http tools/list --strict, and
#                  the conformance suite directly on its /mcp, checked against scripts/e2e/conformance-baseline.yml
#                  plus server-sse-multiple-streams (stateless: no session id)
# The pinned npm packages (scripts/e2e/package-lock.json, including Node 22 from npm) are installed into
# artifacts/e2e and reused while the lock file is unchanged. Needs .NET 10, Node >= 20 and npm. Logs and conformance
# results stay in artifacts/e2e/logs. Exits non-zero if any step fails; every process it starts is stopped on exit.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
step_name=test-e2e step_width=12
. scripts/lib/steps.sh

binary="${RAWORC_MCP_BINARY:-$root/artifacts/bin/raworc-mcp}"
cache="$root/artifacts/e2e"
logs="$cache/logs"
step_timeout="${E2E_STEP_TIMEOUT:-180}"

if [ ! -x "$binary" ]; then
  echo "test-e2e: $binary is missing: run ./scripts/build.sh first (./scripts/test.sh does)." >&2
  exit 1
fi
for tool in node npm dotnet setsid timeout; do
  command -v "$tool" >/dev/null 2>&1 || { echo "test-e2e: '$tool' is not on PATH" >&2; exit 1; }
done

work="$(mktemp -d "${TMPDIR:-/tmp}/raworc-e2e.XXXXXX")"
groups=() # process groups started here (each with setsid), stopped on exit

cleanup() {
  local pgid
  for pgid in ${groups[@]+"${groups[@]}"}; do stop_group "$pgid"; done
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM


wait_ok() { # URL PID SECONDS: until URL answers 2xx; fails early when PID exits
  local i
  for i in $(seq $(( $3 * 5 ))); do
    node -e 'fetch(process.argv[1]).then(r=>process.exit(r.ok?0:1),()=>process.exit(1))' "$1" 2>/dev/null && return 0
    kill -0 "$2" 2>/dev/null || return 1
    sleep 0.2
  done
  return 1
}
# serve LOG URL COMMAND...: starts COMMAND in its own process group (output to LOG) and waits until URL answers 2xx;
# on failure shows the log. The group is stopped on exit; its id is left in $served.
serve() {
  local log="$1" url="$2"; shift 2
  setsid "$@" >"$log" 2>&1 </dev/null &
  served="$!"
  groups+=("$served")
  wait_ok "$url" "$served" 30 || { show_log "$log"; return 1; }
}
tool_count() { node -e 'const r=JSON.parse(require("fs").readFileSync(process.argv[1],"utf8"));console.log(r.tools.length)' "$1"; }

wait_for_line() { # FILE REGEX SECONDS
  local i
  for i in $(seq $(( $3 * 10 ))); do
    grep -qE "$2" "$1" 2>/dev/null && return 0
    sleep 0.1
  done
  return 1
}

# conformance_step NAME URL BASELINE LOGNAME NOTE: runs the suite on URL against BASELINE and records the result.
conformance_step() {
  local t=$(now_ms) passed baselined
  if PATH="$cache/node_modules/.bin:$PATH" timeout "$step_timeout" conformance server --url "$2" \
    --expected-failures "$3" -o "$logs/$4" >"$logs/$4.log" 2>&1 </dev/null; then
    # ✓ also marks a scenario that only warned; those are in the baseline, so leave them out of "passing".
    passed="$(grep -E '^✓' "$logs/$4.log" | sed -E 's/^✓ ([^:]+):.*/\1/' \
      | grep -vxF -f <(sed -nE 's/^\s+~ ([^ :]+).*/\1/p' "$logs/$4.log"; echo '~') | paste -sd, - | sed 's/,/, /g')"
    baselined="$(grep -cE '^\s+~ ' "$logs/$4.log" || true)"
    record "$1" ok "$t" "checks $(grep -E "^Total:" "$logs/$4.log" | head -n1 | sed "s/^Total: //"); passing: $passed; $baselined baselined ($5)"
  else
    sed -n '/=== SUMMARY ===/,$p' "$logs/$4.log" >&2
    record "$1" FAIL "$t" "see $logs/$4.log (unexpected failures or stale baseline entries above)"
  fi
}

rm -rf "$logs"
mkdir -p "$logs"

# ---- npm clients (pinned by scripts/e2e/package-lock.json) -------------------------------------------------------
t=$(now_ms)
if ! how="$(scripts/e2e/install.sh "$cache" 2>"$logs/npm-ci.log")"; then
  show_log "$logs/npm-ci.log"
  record clients FAIL "$t" "npm ci in $cache failed"
  exit 1
fi
node22="$cache/node_modules/.bin/node"
if ! "$node22" --version 2>/dev/null | grep -q '^v22\.'; then
  record clients FAIL "$t" "$node22 is not Node 22 (delete $cache and retry)"
  exit 1
fi
record clients ok "$t" "$how (Node 22 $("$node22" --version), client Node $(node --version))"

# ---- the stand-in ---------------------------------------------------------------------------------------------------
t=$(now_ms)
if ! dotnet build tests/Raworc.StandIn/Raworc.StandIn.csproj -c Release --nologo -v q -o "$cache/standin" >"$logs/standin-build.log" 2>&1; then
  show_log "$logs/standin-build.log"
  record standin FAIL "$t" "dotnet build of tests/Raworc.StandIn failed"
  exit 1
fi
setsid dotnet "$cache/standin/Raworc.StandIn.dll" --port 0 --build-delay-ms 100 --session-delay-ms 100 --reply-delay-ms 200 \
  >"$logs/standin.log" 2>&1 </dev/null &
groups+=("$!")
if ! wait_for_line "$logs/standin.log" 'listening on http' 30; then
  show_log "$logs/standin.log"
  record standin FAIL "$t" "the stand-in did not start"
  exit 1
fi
api_url="$(sed -n 's/.*listening on \(http[^ ]*\).*/\1/p' "$logs/standin.log" | head -n1)"
record standin ok "$t" "$api_url"

home="$work/home" # an empty HOME for every server: no ~/.raworc/auth.yaml, no inspector catalog in the real home
mkdir -p "$home"

# ---- 1. the TypeScript SDK client scenario --------------------------------------------------------------------------
t=$(now_ms)
if timeout "$step_timeout" node scripts/e2e/scenario.mjs --binary "$binary" --api-url "$api_url" --sdk-dir "$cache" --standin \
  >"$logs/scenario.log" 2>&1 </dev/null; then
  record scenario ok "$t" "TypeScript SDK $(node -p 'require(process.argv[1]).version' "$cache/node_modules/@modelcontextprotocol/sdk/package.json"): $(grep -c '^→' "$logs/scenario.log") tool calls, agent replied"
else
  show_log "$logs/scenario.log" 60
  record scenario FAIL "$t" "see $logs/scenario.log"
fi

# ---- 2. MCP Inspector CLI 2.x (Node 22) -----------------------------------------------------------------------------
t=$(now_ms)
# The whole surface (destructive tools included) is checked for schema portability.
inspector_env=(-e "HOME=$home" -e "RAWORC_API_URL=$api_url" -e "RAWORC_USERNAME=admin" -e "RAWORC_PASSWORD=admin" -e "RAWORC_ALLOW_DESTRUCTIVE=true")
inspect() { # LOGNAME ARGS...
  local name="$1"; shift
  HOME="$home" MCP_CATALOG_PATH="$work/inspector-catalog.json" PATH="$cache/node_modules/.bin:$PATH" \
    timeout "$step_timeout" mcp-inspector --cli "$binary" "${inspector_env[@]}" "$@" \
    >"$logs/$name.out" 2>"$logs/$name.err" </dev/null
}
inspector_problem=""
rc=0; inspect inspector-tools-list --method tools/list --strict || rc=$?
if [ "$rc" != 0 ]; then
  inspector_problem="tools/list --strict exited $rc (6 = schema errors; details on its stderr above)"
  show_log "$logs/inspector-tools-list.err"
elif ! count="$(tool_count "$logs/inspector-tools-list.out")" || [ "$count" != 57 ]; then
  inspector_problem="tools/list returned ${count:-no} tools, expected 57"
else
  rc=0; inspect inspector-get-version --method tools/call --tool-name get_version || rc=$?
  if [ "$rc" != 0 ]; then
    inspector_problem="tools/call get_version exited $rc"
    show_log "$logs/inspector-get-version.err"
  elif ! grep -q '\\"version\\":\\"0.3.0\\"' "$logs/inspector-get-version.out" || grep -q '"isError": *true' "$logs/inspector-get-version.out"; then
    inspector_problem="tools/call get_version did not return the stand-in's version"
    show_log "$logs/inspector-get-version.out"
  fi
fi
# Warnings of --strict do not fail the run, but are worth seeing.
warnings="$(grep -c "^Warning: tool" "$logs/inspector-tools-list.err" || true)"
if [ -z "$inspector_problem" ]; then
  record inspector ok "$t" "Inspector $(PATH="$cache/node_modules/.bin:$PATH" mcp-inspector --version 2>/dev/null | tail -n1): tools/list --strict clean ($count tools, $warnings portability warnings), tools/call get_version ok"
else
  record inspector FAIL "$t" "$inspector_problem"
fi

# ---- 3. conformance suite through supergateway (Node 22) ----------------------------------------------------------
t=$(now_ms)
port="$(free_port)"
# supergateway runs the --stdio command through a shell: quote the path. With --stateful it starts one server per
# MCP session, and the suite never ends its sessions: --sessionTimeout reaps them.
if ! serve "$logs/supergateway.log" "http://127.0.0.1:$port/healthz" \
  env HOME="$home" RAWORC_API_URL="$api_url" RAWORC_USERNAME=admin RAWORC_PASSWORD=admin \
  "$node22" "$cache/node_modules/supergateway/dist/index.js" --stdio "$(printf '%q' "$binary")" \
  --outputTransport streamableHttp --stateful --sessionTimeout 5000 --port "$port" --healthEndpoint /healthz; then
  record conformance FAIL "$t" "supergateway did not answer on 127.0.0.1:$port/healthz"
else
  # The bridge's own HTTP layer accepts a foreign Host (see the baseline's head).
  { cat scripts/e2e/conformance-baseline.yml; echo "  - dns-rebinding-protection"; } >"$work/baseline-bridge.yml"
  conformance_step conformance "http://127.0.0.1:$port/mcp" "$work/baseline-bridge.yml" conformance "fixture-only scenarios, dns-rebinding in supergateway"
fi
stop_group "$served"

# ---- 4. the HTTP mode: Inspector over HTTP, the conformance suite directly on /mcp ----------------------------------
t=$(now_ms)
port="$(free_port)"
# --shared-credentials: these clients send no bearer token (the suite cannot), so the server's own login to the
# stand-in serves them. --rate-limit 0 and --requests-per-caller: the suite fires bursts of requests as one caller (the limits have their own
# tests). Destructive tools on, so that --strict checks the whole surface.
if ! serve "$logs/http-server.log" "http://127.0.0.1:$port/readyz" \
  env HOME="$home" RAWORC_API_URL="$api_url" RAWORC_USERNAME=admin RAWORC_PASSWORD=admin RAWORC_ALLOW_DESTRUCTIVE=true \
  "$binary" http --port "$port" --shared-credentials --rate-limit 0 --requests-per-caller 100000; then
  record http FAIL "$t" "raworc-mcp http did not become ready on 127.0.0.1:$port"
else
  record http ok "$t" "raworc-mcp http --shared-credentials on 127.0.0.1:$port, /readyz 200"
  t=$(now_ms)
  rc=0
  HOME="$home" MCP_CATALOG_PATH="$work/inspector-catalog.json" PATH="$cache/node_modules/.bin:$PATH" \
    timeout "$step_timeout" mcp-inspector --cli "http://127.0.0.1:$port/mcp" --transport http --method tools/list --strict \
    >"$logs/inspector-http.out" 2>"$logs/inspector-http.err" </dev/null || rc=$?
  if [ "$rc" != 0 ]; then
    show_log "$logs/inspector-http.err"
    record insp-http FAIL "$t" "Inspector --transport http tools/list --strict exited $rc (6 = schema errors)"
  elif ! count="$(tool_count "$logs/inspector-http.out")" || [ "$count" != 57 ]; then
    record insp-http FAIL "$t" "Inspector --transport http listed ${count:-no} tools, expected 57"
  else
    record insp-http ok "$t" "Inspector --transport http: tools/list --strict clean ($count tools, $(grep -c "^Warning: tool" "$logs/inspector-http.err" || true) portability warnings)"
  fi
  # Stateless: no session id, so server-sse-multiple-streams only warns (see the baseline's head).
  { cat scripts/e2e/conformance-baseline.yml; echo "  - server-sse-multiple-streams"; } >"$work/baseline-http.yml"
  conformance_step conf-http "http://127.0.0.1:$port/mcp" "$work/baseline-http.yml" conformance-http \
    "fixture-only scenarios and sessions; run directly on /mcp, dns-rebinding-protection passing"
fi
stop_group "$served"

finish
