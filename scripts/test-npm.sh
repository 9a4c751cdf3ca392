#!/usr/bin/env bash
# Tests the npm tarballs in artifacts/npm (made by scripts/pack-npm.sh) as a user would get them:
# installs wrapper + this machine's platform package into a fresh temp project without the registry, then
# checks `npx raworc-mcp --version`, the missing-platform-package message, RAWORC_MCP_BINARY, exit-code and
# signal passthrough, measures the launcher's start-up overhead, and drives the server through the launcher
# with the official MCP TypeScript SDK client (scripts/mcp-smoke.mjs; the SDK is installed from the registry).
#
# Why a plain `npm install --offline <wrapper.tgz> <platform.tgz>` works: the local platform tarball is a
# direct dependency, so it satisfies the wrapper's optionalDependencies edge of the same name and version;
# the other five platform packages cannot be fetched offline, and npm (11) drops optional dependencies that
# fail to resolve. --offline keeps the install hermetic (no registry, a fresh cache). Should an npm version
# make that fatal, the test retries with --omit=optional, which still installs the direct platform tarball.
# Env: RAWORC_METRICS_FILE=<file> appends "key=value" measurements (used by scripts/test-packages.sh).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

MCP_SDK_VERSION=1.32.2
version="$("$root/scripts/version.sh")"
platform="$(node -p 'process.platform + "-" + process.arch')"
exe=raworc-mcp; [ "${platform%%-*}" = win32 ] && exe=raworc-mcp.exe
wrapper_tgz="$root/artifacts/npm/raworc-mcp-server-$version.tgz"
platform_tgz="$root/artifacts/npm/raworc-mcp-server-$platform-$version.tgz"
for f in "$wrapper_tgz" "$platform_tgz"; do
  [ -f "$f" ] || { echo "test-npm.sh: $f missing (run scripts/pack-npm.sh first)" >&2; exit 1; }
done

tmp="$(mktemp -d)"
bg_pids=()
cleanup() {
  exec 3>&- 2>/dev/null || true
  local p
  for p in ${bg_pids[@]+"${bg_pids[@]}"}; do
    [ -d "/proc/$p" ] || continue
    kill -KILL $(cat /proc/"$p"/task/*/children 2>/dev/null || true) "$p" 2>/dev/null || true
  done
  rm -rf "$tmp"
}
trap cleanup EXIT

passed=0
failed=0
ok() { passed=$((passed + 1)); echo "  ok   $*"; }
bad() { failed=$((failed + 1)); echo "  FAIL $*"; }
metric() { echo "  $1=$2"; [ -z "${RAWORC_METRICS_FILE:-}" ] || echo "$1=$2" >>"$RAWORC_METRICS_FILE"; }

echo "== npm install (offline) of $(basename "$wrapper_tgz") + $(basename "$platform_tgz")"
proj="$tmp/project"
mkdir -p "$proj"
echo '{ "name": "raworc-mcp-npm-test", "private": true }' >"$proj/package.json"
npm_install_tgz() { (cd "$proj" && timeout 300 npm install --offline --cache "$tmp/npm-cache" --no-audit --no-fund "$@" \
  "$wrapper_tgz" "$platform_tgz") >>"$tmp/install.log" 2>&1; }
if npm_install_tgz; then
  ok "npm install --offline succeeded"
elif rm -rf "$proj/node_modules" "$proj/package-lock.json" && npm_install_tgz --omit=optional; then
  # An npm that treats the unreachable optional platform packages as fatal offline: skip them explicitly
  # (the local platform tarball is a direct dependency, so it is still installed).
  ok "npm install --offline --omit=optional succeeded (plain --offline did not: $(grep -m1 'npm error' "$tmp/install.log" || true))"
else
  bad "npm install failed:"; cat "$tmp/install.log"; echo "0 passed, 1 failed"; exit 1
fi
installed="$(cd "$proj/node_modules/@raworc" && ls | LC_ALL=C sort | tr '\n' ' ')"
if [ "$installed" = "mcp-server mcp-server-$platform " ]; then ok "node_modules/@raworc holds exactly: $installed"; else bad "node_modules/@raworc holds: $installed"; fi
if [ ! -e "$proj/node_modules/@raworc/mcp-server/node_modules" ]; then ok "the platform package is shared, not nested"; else bad "npm nested a second copy under the wrapper"; fi
if grep -q '"resolved": "http' "$proj/package-lock.json"; then bad "the lockfile references the registry"; else ok "nothing came from the registry"; fi
launcher="$proj/node_modules/@raworc/mcp-server/bin/raworc-mcp.js"
binary="$proj/node_modules/@raworc/mcp-server-$platform/bin/$exe"
[ -x "$binary" ] && ok "installed binary is executable" || bad "installed binary $binary is not executable"
meta="$(node - "$proj/node_modules/@raworc" "$platform" "$version" <<'EOF'
const [dir, platform, version] = process.argv.slice(2);
const w = require(`${dir}/mcp-server/package.json`);
const p = require(`${dir}/mcp-server-${platform}/package.json`);
const problems = [];
const deps = Object.entries(w.optionalDependencies || {});
if (deps.length !== 6 || deps.some(([, v]) => v !== version)) problems.push(`optionalDependencies not all pinned to ${version}: ${JSON.stringify(w.optionalDependencies)}`);
if (JSON.stringify(w.engines) !== JSON.stringify(p.engines) || !w.engines) problems.push(`engines differ: ${JSON.stringify(w.engines)} vs ${JSON.stringify(p.engines)}`);
if (!w.mcpName) problems.push('wrapper has no mcpName');
if (w.bin?.['raworc-mcp'] !== 'bin/raworc-mcp.js') problems.push('wrapper bin is not raworc-mcp -> bin/raworc-mcp.js');
if (w.scripts && Object.keys(w.scripts).some((s) => /install/.test(s))) problems.push('wrapper has install scripts');
if (w.dependencies && Object.keys(w.dependencies).length) problems.push('wrapper has dependencies');
const [os, cpu] = platform.split('-');
if (JSON.stringify(p.os) !== JSON.stringify([os]) || JSON.stringify(p.cpu) !== JSON.stringify([cpu])) problems.push('platform os/cpu wrong');
if (os === 'linux' && JSON.stringify(p.libc) !== '["glibc"]') problems.push('linux package lacks libc: ["glibc"]');
if (p.bin || p.scripts) problems.push('platform package declares bin or scripts');
console.log(problems.length ? problems.join('; ') : `ok mcpName=${w.mcpName} engines=${JSON.stringify(w.engines)}`);
EOF
)"
case "$meta" in ok*) ok "package metadata: 6 optional deps pinned to $version, identical engines, os/cpu/libc, no scripts (${meta#ok })" ;; *) bad "package metadata: $meta" ;; esac

echo "== launcher basics"
out="$(cd "$proj" && timeout 60 npx --offline raworc-mcp --version 2>"$tmp/err")" && rc=0 || rc=$?
if [ "$rc" = 0 ] && [ "$out" = "raworc-mcp $version" ]; then ok "npx raworc-mcp --version -> $out"; else bad "npx raworc-mcp --version: rc=$rc out='$out' err=$(cat "$tmp/err")"; fi
direct="$(timeout 30 "$binary" --version)"
if [ "$direct" = "raworc-mcp $version" ]; then ok "binary --version -> $direct"; else bad "binary --version printed '$direct'"; fi

# Missing platform package: one message on stderr, nothing on stdout, non-zero exit.
mv "$proj/node_modules/@raworc/mcp-server-$platform" "$tmp/platform-pkg"
out="$(timeout 30 node "$launcher" --version 2>"$tmp/err")" && rc=0 || rc=$?
err="$(cat "$tmp/err")"
if [ "$rc" != 0 ] && [ -z "$out" ] \
   && grep -q "@raworc/mcp-server-$platform@$version" <<<"$err" \
   && grep -q -- '--omit=optional' <<<"$err" && grep -q 'lockfile\|package-lock' <<<"$err" \
   && grep -q 'RAWORC_MCP_BINARY' <<<"$err"; then
  ok "missing platform package: exit $rc, message names the package, the causes and the fixes"
else
  bad "missing platform package: rc=$rc stdout='$out' stderr='$err'"
fi
# The same on a musl system (simulated: no glibc in the process report) names musl as the reason.
out="$(timeout 30 node -e 'process.report.getReport = () => ({ header: {} }); require(process.argv[1])' "$launcher" --version 2>&1)" && rc=0 || rc=$?
if [ "$rc" != 0 ] && grep -q 'musl' <<<"$out"; then ok "missing platform package on musl: says glibc is needed"; else bad "musl message: rc=$rc '$out'"; fi
out="$(RAWORC_MCP_BINARY="$tmp/platform-pkg/bin/$exe" timeout 30 node "$launcher" --version 2>&1)" && rc=0 || rc=$?
if [ "$rc" = 0 ] && [ "$out" = "raworc-mcp $version" ]; then ok "RAWORC_MCP_BINARY works while the platform package is missing"; else bad "RAWORC_MCP_BINARY with missing package: rc=$rc out='$out'"; fi
mv "$tmp/platform-pkg" "$proj/node_modules/@raworc/mcp-server-$platform"

# A platform nothing is published for (simulated) gets its own message listing the supported ones.
out="$(timeout 30 node -e 'Object.defineProperty(process, "platform", { value: "freebsd" }); require(process.argv[1])' "$launcher" 2>&1)" && rc=0 || rc=$?
if [ "$rc" != 0 ] && grep -q "No prebuilt binary is published for freebsd-" <<<"$out" && grep -q "win32-arm64" <<<"$out"; then
  ok "unsupported platform: names it and lists the supported ones"
else
  bad "unsupported platform message: rc=$rc '$out'"
fi

# Windows naming (simulated on this machine): the launcher must look for @raworc/mcp-server-win32-<arch>
# and its bin/raworc-mcp.exe.
arch="${platform#*-}"
winpkg="$proj/node_modules/@raworc/mcp-server-win32-$arch"
mkdir -p "$winpkg/bin"
echo "{ \"name\": \"@raworc/mcp-server-win32-$arch\", \"version\": \"$version\" }" >"$winpkg/package.json"
printf '#!/bin/sh\necho "win32 exe: $0"\n' >"$winpkg/bin/raworc-mcp.exe"
chmod +x "$winpkg/bin/raworc-mcp.exe"
out="$(timeout 30 node -e 'Object.defineProperty(process, "platform", { value: "win32" }); require(process.argv[1])' "$launcher" 2>&1)" && rc=0 || rc=$?
if [ "$rc" = 0 ] && [ "$out" = "win32 exe: $winpkg/bin/raworc-mcp.exe" ]; then ok "win32 (simulated): runs @raworc/mcp-server-win32-$arch/bin/raworc-mcp.exe"; else bad "win32 (simulated): rc=$rc '$out'"; fi
rm -rf "$winpkg"

# RAWORC_MCP_BINARY override, argument and exit-code passthrough, signal re-raise.
fake="$tmp/fake-bin"
mkdir -p "$fake"
printf '#!/bin/sh\nprintf override:; printf "%%s|" "$@"; echo\nexit 7\n' >"$fake/args-exit7"
printf '#!/bin/sh\nkill -TERM $$\nsleep 5\n' >"$fake/die-by-term"
chmod +x "$fake"/*
out="$(RAWORC_MCP_BINARY="$fake/args-exit7" timeout 30 node "$launcher" "a b" '--x=$HOME' 2>&1)" && rc=0 || rc=$?
if [ "$out" = 'override:a b|--x=$HOME|' ]; then ok "RAWORC_MCP_BINARY is used; arguments pass through verbatim (no shell)"; else bad "override/args: got '$out'"; fi
if [ "$rc" = 7 ]; then ok "child exit code 7 -> launcher exit code 7"; else bad "child exit 7 -> launcher exit $rc"; fi
out="$(RAWORC_MCP_BINARY="$tmp/does-not-exist" timeout 30 node "$launcher" --version 2>"$tmp/err")" && rc=0 || rc=$?
if [ "$rc" != 0 ] && [ -z "$out" ] && grep -q 'RAWORC_MCP_BINARY' "$tmp/err"; then ok "RAWORC_MCP_BINARY to a missing file: clear error, exit $rc"; else bad "RAWORC_MCP_BINARY missing file: rc=$rc out='$out'"; fi
printf '#!/bin/sh\nexit 0\n' >"$fake/not-executable"; chmod 0644 "$fake/not-executable"
out="$(RAWORC_MCP_BINARY="$fake/not-executable" timeout 30 node "$launcher" 2>&1)" && rc=0 || rc=$?
if [ "$rc" != 0 ] && grep -q 'chmod +x' <<<"$out"; then ok "a non-executable binary: exit $rc with a chmod hint"; else bad "non-executable binary: rc=$rc '$out'"; fi
# (in an inner shell, so that bash's "Terminated" notice goes to /dev/null)
rc="$(RAWORC_MCP_BINARY="$fake/die-by-term" bash -c 'timeout 30 node "$1" >/dev/null 2>&1; echo $?' _ "$launcher" 2>/dev/null)"
if [ "$rc" = 143 ]; then ok "child killed by SIGTERM -> launcher dies of SIGTERM (exit 143)"; else bad "child killed by SIGTERM -> launcher exit $rc, expected 143"; fi

# Signal forwarding: the launcher runs the real binary with an open, idle stdin; a signal to the launcher
# must stop the child, and the launcher must exit promptly.
child_of() { # prints the pid of a child process of $1 (empty if none yet); never fails
  local kids="" s
  if [ -r "/proc/$1/task/$1/children" ]; then
    kids="$(cat /proc/"$1"/task/*/children 2>/dev/null || true)"
  else # kernels without the children file: scan every process's parent pid
    for s in /proc/[0-9]*/stat; do
      kids="$kids $(awk -v p="$1" '{ sub(/^.*\) /, ""); if ($2 == p) { split(FILENAME, a, "/"); print a[3] } }' "$s" 2>/dev/null || true)"
    done
  fi
  set -- $kids
  echo "${1:-}"
}
alive() { # true while $1 exists and is not a zombie
  [ -r "/proc/$1/stat" ] && [ "$(sed 's/^.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f1)" != Z ]
}
for sig in TERM INT HUP; do
  rm -f "$tmp/in" "$tmp/sig.rc"; mkfifo "$tmp/in"
  exec 3<>"$tmp/in"
  # A subshell runs the launcher and records its exit status; its own stderr (bash's "Hangup"-style
  # notice when the launcher dies of a signal) is dropped, the launcher's stderr goes to sig.err.
  ( set +e; node "$launcher" <"$tmp/in" >"$tmp/sig.out" 2>"$tmp/sig.err" 3>&-; echo $? >"$tmp/sig.rc" ) 2>/dev/null &
  spid=$!
  bg_pids+=("$spid")
  lpid=""; cpid=""
  for _ in $(seq 1 200); do
    [ -n "$lpid" ] || lpid="$(child_of "$spid")"
    [ -z "$lpid" ] || cpid="$(child_of "$lpid")"
    [ -n "$cpid" ] && break
    sleep 0.05
  done
  if [ -z "$cpid" ]; then bad "SIG$sig: the launcher started no child"; exec 3>&-; continue; fi
  bg_pids+=("$lpid" "$cpid")
  sleep 0.3 # let the server install its signal handlers
  t0=$(date +%s%N)
  kill -"$sig" "$lpid"
  for _ in $(seq 1 100); do alive "$lpid" || break; sleep 0.05; done
  ms=$(( ($(date +%s%N) - t0) / 1000000 ))
  if alive "$lpid"; then
    bad "SIG$sig: launcher still running 5 s after the signal"
    kill -KILL "$lpid" "$cpid" 2>/dev/null || true
  else
    wait "$spid" || true
    rc="$(cat "$tmp/sig.rc" 2>/dev/null || echo '?')"
    expected_rc=$((128 + $(kill -l "$sig")))
    if alive "$cpid"; then bad "SIG$sig: the child ($cpid) survived the launcher";
    elif [ "$rc" = 0 ] || [ "$rc" = "$expected_rc" ]; then ok "SIG$sig to the launcher stopped the server; launcher exited $rc after $ms ms";
    else bad "SIG$sig: launcher exit code $rc (stderr: $(cat "$tmp/sig.err"))"; fi
  fi
  exec 3>&-
done

echo "== start-up overhead: \`node launcher --version\` vs \`binary --version\` (median of 20 runs each, after 3 warm-up runs)"
node - "$launcher" "$binary" >"$tmp/timing" <<'EOF'
const { spawnSync } = require('child_process');
const [launcher, binary] = process.argv.slice(2);
function median(cmd, args) {
  const runs = [];
  for (let i = 0; i < 23; i++) {
    const t = process.hrtime.bigint();
    const r = spawnSync(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], timeout: 30000 });
    const ms = Number(process.hrtime.bigint() - t) / 1e6;
    if (r.status !== 0) { console.error(`${cmd} ${args.join(' ')} failed: ${r.status} ${r.stderr}`); process.exit(1); }
    if (i >= 3) runs.push(ms);
  }
  runs.sort((a, b) => a - b);
  return (runs[9] + runs[10]) / 2;
}
const nodeAlone = median(process.execPath, ['-e', '0']);
const direct = median(binary, ['--version']);
const viaLauncher = median(process.execPath, [launcher, '--version']);
console.log(`binary_ms=${direct.toFixed(1)}`);
console.log(`launcher_ms=${viaLauncher.toFixed(1)}`);
console.log(`overhead_ms=${(viaLauncher - direct).toFixed(1)}`);
console.log(`node_ms=${nodeAlone.toFixed(1)}`);
EOF
binary_ms="$(sed -n 's/^binary_ms=//p' "$tmp/timing")"
launcher_ms="$(sed -n 's/^launcher_ms=//p' "$tmp/timing")"
overhead_ms="$(sed -n 's/^overhead_ms=//p' "$tmp/timing")"
node_ms="$(sed -n 's/^node_ms=//p' "$tmp/timing")"
metric binary_version_median_ms "$binary_ms"
metric launcher_version_median_ms "$launcher_ms"
metric launcher_overhead_ms "$overhead_ms"
metric node_empty_script_median_ms "$node_ms"
ok "measured: binary ${binary_ms} ms, node launcher ${launcher_ms} ms, overhead ${overhead_ms} ms (node -e 0 alone: ${node_ms} ms)"
# For reference: what a client that runs `npx raworc-mcp` pays (package already installed; median of 5).
npx_ms="$(cd "$proj" && node -e '
const { spawnSync } = require("child_process");
const runs = [];
for (let i = 0; i < 6; i++) {
  const t = process.hrtime.bigint();
  const r = spawnSync("npx", ["--offline", "raworc-mcp", "--version"], { stdio: "ignore", timeout: 60000, shell: process.platform === "win32" });
  if (r.status !== 0) process.exit(1);
  if (i > 0) runs.push(Number(process.hrtime.bigint() - t) / 1e6);
}
runs.sort((a, b) => a - b);
console.log(runs[2].toFixed(1));
' 2>/dev/null || echo "n/a")"
metric npx_version_median_ms "$npx_ms"

echo "== MCP over stdio through the launcher (@modelcontextprotocol/sdk@$MCP_SDK_VERSION)"
if [ "$(head -c 2 "$binary")" = '#!' ]; then
  echo "  SKIP the installed binary is a script stub, not the real server: MCP smoke test not run"
else
  sdk="$tmp/sdk"
  mkdir -p "$sdk"
  echo '{ "name": "raworc-mcp-smoke", "private": true }' >"$sdk/package.json"
  if (cd "$sdk" && timeout 300 npm install --prefer-offline --no-audit --no-fund --ignore-scripts \
        "@modelcontextprotocol/sdk@$MCP_SDK_VERSION") >"$tmp/sdk-install.log" 2>&1; then
    if timeout 120 node "$root/scripts/mcp-smoke.mjs" --sdk-dir "$sdk" --expect-version "$version" \
         -- node "$launcher" >"$tmp/smoke.log" 2>&1; then
      sed 's/^/  /' "$tmp/smoke.log"
      ok "MCP smoke test through the launcher (initialize, tools/list, get_version via the API stub)"
    else
      sed 's/^/  /' "$tmp/smoke.log"
      bad "MCP smoke test through the launcher"
    fi
  else
    cat "$tmp/sdk-install.log"
    bad "could not install @modelcontextprotocol/sdk@$MCP_SDK_VERSION from the registry"
  fi
fi

echo "test-npm: $passed passed, $failed failed"
[ "$failed" = 0 ]
