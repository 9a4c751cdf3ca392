#!/usr/bin/env bash
# See raworc-mcp work in about a minute, without a Raworc account: builds the binary if it is missing, starts the
# in-memory Raworc API stand-in on 127.0.0.1, and runs a short scripted MCP session through the binary with the
# official TypeScript SDK client (scripts/e2e/scenario.mjs), printing each tool call and what it returned. Then it
# prints a Claude Desktop configuration for trying the server interactively against the stand-in.
#
#   scripts/try.sh               a free port; the stand-in stops when the demo ends
#   scripts/try.sh --port 9000   a fixed port
#   scripts/try.sh --keep        leave the stand-in running afterwards, until Ctrl+C
#
# Needs .NET 10 and Node >= 20 with npm (the SDK client is installed into artifacts/try from a pinned lock file).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

port=0
keep=0
while [ $# -gt 0 ]; do
  case "$1" in
    --port) [ $# -ge 2 ] || { echo "try.sh: --port needs a value" >&2; exit 2; }; port="$2"; shift 2 ;;
    --port=*) port="${1#--port=}"; shift ;;
    --keep) keep=1; shift ;;
    -h|--help) sed -n '2,11p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "try.sh: unknown option $1 (try --help)" >&2; exit 2 ;;
  esac
done
case "$port" in ''|*[!0-9]*) echo "try.sh: --port must be a number" >&2; exit 2 ;; esac

binary="${RAWORC_MCP_BINARY:-$root/artifacts/bin/raworc-mcp}"
cache="$root/artifacts/try"
bold=""; reset=""
if [ -t 1 ] && [ -z "${NO_COLOR:-}" ]; then bold=$'\e[1m'; reset=$'\e[0m'; fi
say() { echo "${bold}try.sh:${reset} $*"; }
for tool in node npm dotnet setsid; do
  command -v "$tool" >/dev/null 2>&1 || { echo "try.sh: '$tool' is not on PATH" >&2; exit 1; }
done

standin_pid=""
cleanup() {
  if [ -n "$standin_pid" ] && kill -0 "$standin_pid" 2>/dev/null; then
    kill -TERM -- "-$standin_pid" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$standin_pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL -- "-$standin_pid" 2>/dev/null || true
    say "stand-in stopped"
  fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
started=$SECONDS

# 1. The binary.
if [ ! -x "$binary" ]; then
  say "building the Native AOT binary (./scripts/build.sh; a few minutes the first time)"
  ./scripts/build.sh
fi
say "binary: $binary ($("$binary" --version))"

# 2. The SDK client: reuse the full end-to-end install if scripts/test-e2e.sh made one, else a small pinned install.
sdk_dir="$root/artifacts/e2e"
if [ ! -f "$sdk_dir/node_modules/@modelcontextprotocol/sdk/package.json" ]; then
  sdk_dir="$cache"
  want="$(cat scripts/e2e/client/package.json scripts/e2e/client/package-lock.json | sha256sum | cut -d' ' -f1)"
  if [ ! -f "$cache/.installed" ] || [ "$(cat "$cache/.installed")" != "$want" ]; then
    say "installing the TypeScript MCP SDK client into $cache (npm ci)"
    rm -rf "$cache/node_modules"
    mkdir -p "$cache"
    cp scripts/e2e/client/package.json scripts/e2e/client/package-lock.json "$cache/"
    (cd "$cache" && npm ci --no-audit --no-fund --loglevel=error)
    echo "$want" >"$cache/.installed"
  fi
fi

# 3. The stand-in.
say "building the Raworc API stand-in (tests/Raworc.StandIn)"
mkdir -p "$cache"
dotnet build tests/Raworc.StandIn/Raworc.StandIn.csproj -c Release --nologo -v q -o "$cache/standin" >"$cache/standin-build.log" 2>&1 \
  || { tail -n 30 "$cache/standin-build.log" >&2; echo "try.sh: the stand-in did not build" >&2; exit 1; }
setsid dotnet "$cache/standin/Raworc.StandIn.dll" --port "$port" --build-delay-ms 400 --session-delay-ms 400 --reply-delay-ms 800 \
  >"$cache/standin.log" 2>&1 </dev/null &
standin_pid=$!
for _ in $(seq 300); do
  grep -q 'listening on http' "$cache/standin.log" 2>/dev/null && break
  kill -0 "$standin_pid" 2>/dev/null || break
  sleep 0.1
done
api_url="$(sed -n 's/.*listening on \(http[^ ]*\).*/\1/p' "$cache/standin.log" | head -n1)"
if [ -z "$api_url" ]; then
  cat "$cache/standin.log" >&2
  echo "try.sh: the stand-in did not start" >&2
  exit 1
fi
say "stand-in: $api_url (login admin/admin; builds, sessions and replies take under a second)"

# 4. The scripted session.
say "running a scripted MCP session: node scripts/e2e/scenario.mjs (TypeScript SDK client -> raworc-mcp -> stand-in)"
node scripts/e2e/scenario.mjs --binary "$binary" --api-url "$api_url" --sdk-dir "$sdk_dir" --standin
say "done in $(( SECONDS - started )) s"

# 5. How to go on by hand.
json_string() { node -e 'process.stdout.write(JSON.stringify(process.argv[1]))' "$1"; }
if [ "$keep" = 1 ]; then
  config_url="$api_url"
  how="This stand-in stays up at $config_url until you press Ctrl+C here. Meanwhile,"
else
  config_url="http://127.0.0.1:9000/api/v0"
  how="Keep a stand-in running in another terminal:

    scripts/standin.sh --port 9000

then"
fi
cat <<EOF

${bold}Try it interactively.${reset} $how add this to Claude Desktop's claude_desktop_config.json (or any MCP client's configuration) and restart it:

{
  "mcpServers": {
    "raworc": {
      "command": $(json_string "$binary"),
      "env": {
        "RAWORC_API_URL": "$config_url",
        "RAWORC_USERNAME": "admin",
        "RAWORC_PASSWORD": "admin"
      }
    }
  }
}

Claude Code: claude mcp add raworc --env RAWORC_API_URL=$config_url --env RAWORC_USERNAME=admin --env RAWORC_PASSWORD=admin -- $(printf '%q' "$binary")
Then ask, for example: "Create a space 'demo' with an ANTHROPIC_API_KEY secret, build it, start a session and say hello."
EOF

if [ "$keep" = 1 ]; then
  echo
  say "the stand-in keeps running at $api_url; Ctrl+C stops it"
  wait "$standin_pid" || true
fi
