#!/usr/bin/env bash
# Benchmarks raworc-mcp over stdio and prints a Markdown table (see benchmarks/README.md):
# initialize time (binary, npm launcher, npx), peak RSS, tools/call latency and overhead against a local API
# stub, throughput at 64 in flight, tools/list size per tool surface, binary size; plus the same figures for
# two peers installed from npm (@azure/mcp, @modelcontextprotocol/server-everything; pinned, cached under
# artifacts/bench/peers). Then the HTTP modes of all three side by side: start-up to the first answered request,
# tools/call per second and p50/p99 through one replica and through nginx round robin over 3 (when nginx is
# installed; config from scripts/fleet/nginx.sh), RSS per replica under that load. The harness is
# scripts/bench/bench.mjs (Node built-ins only).
#
#   scripts/bench.sh             # full run -> benchmarks/results-<date>.md and benchmarks/latest.md
#   scripts/bench.sh --no-peers  # full run of raworc-mcp only -> benchmarks/results-<date>-no-peers.md
#   scripts/bench.sh --quick     # 5 runs, no npm, no peers, no network -> benchmarks/quick.md (git-ignored)
# Options: --out FILE (write the table there instead); --baseline-rev REV (also measure the stdio initialize of
#          raworc-mcp built at REV, in the same run, alternating with ours: the "no slower than before" ratio; the
#          build is cached under artifacts/bench/baseline/<commit>).
# Env: RAWORC_MCP_BINARY (default artifacts/bin/raworc-mcp), BENCH_TOOLSET (the --toolsets value to measure;
#      default: sessions,messages if --manifest lists both).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

AZURE_MCP_VERSION=2.0.5
EVERYTHING_VERSION=2026.8.31

quick=0
peers=1
out=""
baseline_rev=""
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) quick=1; peers=0; shift ;;
    --no-peers) peers=0; shift ;;
    --out) out="$2"; shift 2 ;;
    --baseline-rev) baseline_rev="$2"; shift 2 ;;
    -h|--help) sed -n '2,19p' "$0"; exit 0 ;;
    *) echo "bench.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done

binary="${RAWORC_MCP_BINARY:-$root/artifacts/bin/raworc-mcp}"
if [ ! -x "$binary" ]; then
  if [ -n "${RAWORC_MCP_BINARY:-}" ]; then echo "bench.sh: RAWORC_MCP_BINARY=$binary is not an executable" >&2; exit 1; fi
  echo "bench.sh: $binary missing, building it (scripts/build.sh)" >&2
  ./scripts/build.sh >&2
fi
command -v node >/dev/null || { echo "bench.sh: node is required" >&2; exit 1; }

tmp="$(mktemp -d)"
harness_pid=""
baseline_src=""
cleanup() {
  if [ -n "$harness_pid" ]; then kill -TERM "$harness_pid" 2>/dev/null || true; wait "$harness_pid" 2>/dev/null || true; fi
  if [ -n "$baseline_src" ]; then git -C "$root" worktree remove --force "$baseline_src" 2>/dev/null || true; fi
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Measure a snapshot, so that a rebuild of artifacts/bin during the run cannot mix two builds.
mkdir -p "$tmp/bin"
cp "$binary" "$tmp/bin/raworc-mcp"
binary="$tmp/bin/raworc-mcp"
args=(--binary "$binary")
notes=()

# Our npm packages, installed offline from the tarballs exactly as scripts/test-npm.sh does.
if [ "$quick" = 0 ]; then
  version="$("$root/scripts/version.sh")"
  platform="$(node -p 'process.platform + "-" + process.arch')"
  wrapper_tgz="$root/artifacts/npm/raworc-mcp-server-$version.tgz"
  platform_tgz="$root/artifacts/npm/raworc-mcp-server-$platform-$version.tgz"
  if [ ! -f "$wrapper_tgz" ] || [ ! -f "$platform_tgz" ]; then
    echo "bench.sh: packing the npm tarballs (scripts/pack-npm.sh)" >&2
    RAWORC_NPM_BINARY="$binary" ./scripts/pack-npm.sh >&2
  fi
  # The launcher must run the same build as the direct runs: if the packed binary differs, repack into $tmp.
  mkdir -p "$tmp/packed"
  tar xzf "$platform_tgz" -C "$tmp/packed" package/bin/raworc-mcp 2>/dev/null || true
  if ! cmp -s "$tmp/packed/package/bin/raworc-mcp" "$binary"; then
    echo "bench.sh: artifacts/npm holds another build of the binary; repacking into a temp dir" >&2
    RAWORC_NPM_BINARY="$binary" ./scripts/pack-npm.sh --out "$tmp/npm" >&2
    wrapper_tgz="$tmp/npm/$(basename "$wrapper_tgz")"
    platform_tgz="$tmp/npm/$(basename "$platform_tgz")"
    notes+=("npm tarballs in artifacts/npm held another build of the binary: repacked from the measured binary for this run")
  fi
  proj="$tmp/npm-project"
  mkdir -p "$proj"
  echo '{ "name": "raworc-mcp-bench", "private": true }' >"$proj/package.json"
  echo "bench.sh: npm install --offline $(basename "$wrapper_tgz") $(basename "$platform_tgz")" >&2
  if (cd "$proj" && timeout 300 npm install --offline --cache "$tmp/npm-cache" --no-audit --no-fund \
        "$wrapper_tgz" "$platform_tgz") >"$tmp/npm-install.log" 2>&1; then
    args+=(--npm-project "$proj")
  else
    cat "$tmp/npm-install.log" >&2
    echo "bench.sh: offline install of the npm tarballs failed" >&2
    exit 1
  fi
fi

# Peers: pinned versions, each in its own cached project under artifacts/bench/peers (git-ignored).
install_peer() { # <dir name> <package spec>; prints the project dir on success
  local dir="$root/artifacts/bench/peers/$1"
  if [ ! -f "$dir/.installed" ]; then
    echo "bench.sh: npm install $2 into $dir (first run only)" >&2
    rm -rf "$dir"; mkdir -p "$dir"
    echo '{ "name": "raworc-mcp-bench-peer", "private": true }' >"$dir/package.json"
    # --ignore-scripts: @azure/mcp's postinstall only checks the platform package; nothing else needs scripts.
    if ! (cd "$dir" && timeout 900 npm install --no-audit --no-fund --ignore-scripts "$2") >"$dir/install.log" 2>&1; then
      tail -n 20 "$dir/install.log" >&2
      return 1
    fi
    touch "$dir/.installed"
  fi
  echo "$dir"
}
if [ "$peers" = 1 ]; then
  if d="$(install_peer "azure-mcp@$AZURE_MCP_VERSION" "@azure/mcp@$AZURE_MCP_VERSION")"; then args+=(--azure-dir "$d");
  else notes+=("@azure/mcp@$AZURE_MCP_VERSION: npm install failed, not measured"); fi
  if d="$(install_peer "server-everything@$EVERYTHING_VERSION" "@modelcontextprotocol/server-everything@$EVERYTHING_VERSION")"; then args+=(--everything-dir "$d");
  else notes+=("@modelcontextprotocol/server-everything@$EVERYTHING_VERSION: npm install failed, not measured"); fi
fi
# nginx balances the HTTP modes over 3 replicas; without it, the HTTP figures are one replica only.
for n in nginx /usr/sbin/nginx; do
  if command -v "$n" >/dev/null 2>&1; then args+=(--nginx "$(command -v "$n")"); break; fi
done

# The stdio binary of an earlier commit, built once in a temporary git worktree.
if [ -n "$baseline_rev" ]; then
  sha="$(git rev-parse --verify "$baseline_rev^{commit}")" || { echo "bench.sh: --baseline-rev $baseline_rev is not a commit" >&2; exit 2; }
  baseline_bin="$root/artifacts/bench/baseline/$sha/raworc-mcp"
  if [ ! -x "$baseline_bin" ]; then
    echo "bench.sh: building raworc-mcp at $baseline_rev ($sha) in a temporary worktree (first run only)" >&2
    baseline_src="$tmp/baseline-src"
    git worktree add --quiet --detach "$baseline_src" "$sha"
    if ! (cd "$baseline_src" && ./scripts/build.sh) >"$tmp/baseline-build.log" 2>&1; then
      tail -n 30 "$tmp/baseline-build.log" >&2
      echo "bench.sh: the build at $baseline_rev failed" >&2
      exit 1
    fi
    mkdir -p "$(dirname "$baseline_bin")"
    cp "$baseline_src/artifacts/bin/raworc-mcp" "$baseline_bin"
    git worktree remove --force "$baseline_src"
    baseline_src=""
  fi
  label="$(git log -1 --format=%h "$sha")"
  case "$sha" in "$baseline_rev"*) ;; *) label="$baseline_rev ($label)" ;; esac
  args+=(--baseline-binary "$baseline_bin" --baseline-label "$label")
fi

for n in ${notes[@]+"${notes[@]}"}; do args+=(--note "$n"); done
[ "$quick" = 1 ] && args+=(--quick)

mkdir -p "$root/benchmarks"
update_latest=0
if [ -z "$out" ]; then
  if [ "$quick" = 1 ]; then out="$root/benchmarks/quick.md"
  elif [ "$peers" = 1 ]; then out="$root/benchmarks/results-$(date -u +%Y-%m-%d).md"; update_latest=1
  else out="$root/benchmarks/results-$(date -u +%Y-%m-%d)-no-peers.md"; fi
fi

# The harness bounds its own waits; the outer timeout is a last resort.
timeout --kill-after=10 1800 node "$root/scripts/bench/bench.mjs" "${args[@]}" --out "$tmp/report.md" &
harness_pid=$!
wait "$harness_pid"
harness_pid=""

mkdir -p "$(dirname "$out")"
cp "$tmp/report.md" "$out"
if [ "$update_latest" = 1 ]; then
  cp "$out" "$root/benchmarks/latest.md"
  echo "bench.sh: wrote $out and benchmarks/latest.md" >&2
else
  echo "bench.sh: wrote $out" >&2
fi
