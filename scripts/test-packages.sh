#!/usr/bin/env bash
# One entry point for the packaging tests; CI runs it after scripts/build.sh (needs artifacts/bin/raworc-mcp).
# In order: pack-npm.sh, test-npm.sh, test-mcpb.sh (the Claude Desktop bundle: mcpb validate, pack, info, unpack,
# the mcpb loader for darwin/win32/this machine, runs with the SDK client), build-deb.sh, test-deb.sh, release
# archives + render-packaging.sh (from
# a checksums file of local dummy archives, into a temp folder) with validation of the formula, the winget
# YAML and server.json, and check-workflows.sh. Every step runs even if an earlier one failed (unless it
# needs that one's output); the exit status is non-zero if any failed. Ends with a summary: launcher
# overhead, binary, npm, bundle and .deb sizes.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

YAML_VERSION=2.9.1
version="$("$root/scripts/version.sh")"
platform="$(node -p 'process.platform + "-" + process.arch')"
binary="$root/artifacts/bin/raworc-mcp"
case "$platform" in win32-*) binary="$binary.exe" ;; esac
if [ ! -f "$binary" ]; then
  echo "test-packages.sh: $binary not found: run scripts/build.sh first" >&2
  exit 1
fi

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
export RAWORC_METRICS_FILE="$tmp/metrics"
: >"$RAWORC_METRICS_FILE"

summary=()
passed=0
failed=0
declare -A status
step() { # step NAME COMMAND... : runs one step, records its result
  local name="$1"; shift
  echo
  echo "######## $name"
  local t0=$SECONDS pid
  # In a background subshell, so that `set -e` stays in force inside step functions (it is off in an `if`).
  ( "$@" ) &
  pid=$!
  if wait "$pid"; then
    status["$name"]=ok; passed=$((passed + 1)); summary+=("  ok    $name ($((SECONDS - t0)) s)")
  else
    status["$name"]=FAIL; failed=$((failed + 1)); summary+=("  FAIL  $name ($((SECONDS - t0)) s)")
  fi
}
skip() { # skip NAME REASON
  status["$1"]=skip; failed=$((failed + 1)); summary+=("  FAIL  $1 (not run: $2)")
}

# --- npm ---------------------------------------------------------------------------------------------
step "pack-npm.sh" timeout 600 bash scripts/pack-npm.sh
if [ "${status[pack-npm.sh]}" = ok ]; then
  step "test-npm.sh" timeout 900 bash scripts/test-npm.sh
else
  skip "test-npm.sh" "pack-npm.sh failed"
fi

wrong_platform_refused() {
  if [ "$(head -c 2 "$binary")" = '#!' ]; then echo "  (binary is a script stub: check not applicable)"; return 0; fi
  local other=darwin-arm64
  [ "$platform" = darwin-arm64 ] && other=linux-x64
  if bash scripts/pack-npm.sh --no-wrapper --platform "$other" --binary "$binary" --out "$tmp/wrong" >"$tmp/wrong.log" 2>&1; then
    echo "  pack-npm.sh accepted a $platform binary as $other"; return 1
  fi
  grep -q "not $other" "$tmp/wrong.log" && echo "  refused: $(tail -n1 "$tmp/wrong.log")"
}
step "pack-npm.sh refuses a binary of another platform" wrong_platform_refused

# --- Claude Desktop bundle --------------------------------------------------------------------------
step "test-mcpb.sh" timeout 900 bash scripts/test-mcpb.sh

# --- Debian ------------------------------------------------------------------------------------------
if [ "${platform%%-*}" = linux ]; then
  step "build-deb.sh" timeout 600 bash scripts/build-deb.sh
  if [ "${status[build-deb.sh]}" = ok ]; then
    step "test-deb.sh" timeout 600 bash scripts/test-deb.sh
  else
    skip "test-deb.sh" "build-deb.sh failed"
  fi
fi

# --- release archives, Homebrew, winget, server.json --------------------------------------------------
yaml_dir="$tmp/yaml"
install_yaml() {
  mkdir -p "$yaml_dir"
  echo '{ "name": "raworc-mcp-packaging-check", "private": true }' >"$yaml_dir/package.json"
  (cd "$yaml_dir" && timeout 300 npm install --prefer-offline --no-audit --no-fund --ignore-scripts "yaml@$YAML_VERSION") \
    >"$yaml_dir/install.log" 2>&1 || { cat "$yaml_dir/install.log"; return 1; }
  echo "  yaml@$YAML_VERSION installed"
}
step "install yaml@$YAML_VERSION for the YAML checks" install_yaml

archives_and_manifests() {
  local dist="$tmp/dist" out="$tmp/packaging" p ext exe
  mkdir -p "$dist" "$tmp/dummy"
  # Dummy archives: a distinct fake binary per platform, so each checksum is different.
  for p in linux-x64 linux-arm64 darwin-x64 darwin-arm64 win32-x64 win32-arm64; do
    printf '#!/bin/sh\necho "raworc-mcp %s (dummy %s)"\n' "$version" "$p" >"$tmp/dummy/$p"
    # (win32-arm64 goes through the built-in zip writer, packaging/zip.js, used where zip and 7z are missing)
    zip_with=""; [ "$p" = win32-arm64 ] && zip_with=node
    RAWORC_ZIP_WITH="$zip_with" bash packaging/make-archive.sh --platform "$p" --binary "$tmp/dummy/$p" --out "$dist" >/dev/null
  done
  for p in linux-x64 linux-arm64 darwin-x64 darwin-arm64; do
    [ "$(tar -tzf "$dist/raworc-mcp-$version-$p.tar.gz" | grep -c '^raworc-mcp$')" = 1 ] || { echo "  FAIL $p archive lacks raworc-mcp"; return 1; }
  done
  if command -v unzip >/dev/null 2>&1; then
    for p in win32-x64 win32-arm64; do
      unzip -tq "$dist/raworc-mcp-$version-$p.zip" >/dev/null || { echo "  FAIL $p zip does not test clean"; return 1; }
      [ "$(unzip -Z1 "$dist/raworc-mcp-$version-$p.zip" | grep -c '^raworc-mcp\.exe$')" = 1 ] || { echo "  FAIL $p zip lacks raworc-mcp.exe"; return 1; }
    done
    echo "  zip archives (zip/7z and packaging/zip.js) test clean and hold raworc-mcp.exe"
  fi
  # A dummy bundle: render-packaging.sh needs its checksum for server.json.
  echo "dummy raworc-mcp $version bundle" >"$dist/raworc-mcp-$version.mcpb"
  (cd "$dist" && sha256sum "raworc-mcp-$version.mcpb" >"raworc-mcp-$version.mcpb.sha256")
  (cd "$dist" && for f in *.sha256; do sha256sum -c --quiet "$f"; done && cat ./*.sha256 >checksums.txt && rm ./*.sha256)
  echo "  dummy archives and checksums.txt:"; sed 's/^/    /' "$dist/checksums.txt"

  # The real binary of this machine, archived and unpacked again.
  mkdir -p "$tmp/real" "$tmp/real-x"
  bash packaging/make-archive.sh --platform "$platform" --binary "$binary" --out "$tmp/real" >/dev/null
  exe=raworc-mcp; ext=tar.gz
  case "$platform" in win32-*) exe=raworc-mcp.exe; ext=zip ;; esac
  local real="$tmp/real/raworc-mcp-$version-$platform.$ext"
  if [ "$ext" = zip ]; then unzip -q "$real" -d "$tmp/real-x"; else tar -xzf "$real" -C "$tmp/real-x"; fi
  local listing
  if [ "$ext" = zip ]; then listing="$(unzip -Z1 "$real" | LC_ALL=C sort | tr '\n' ' ')"; else listing="$(tar -tzf "$real" | LC_ALL=C sort | tr '\n' ' ')"; fi
  echo "  $(basename "$real"): $listing($(du -h "$real" | cut -f1))"
  if ! grep -Eq "^((LICENSE|README\.md) )*$exe ((LICENSE|README\.md) )*$" <<<"$listing"; then
    echo "  FAIL archive holds more than the binary, README.md and LICENSE"; return 1
  fi
  [ "$("$tmp/real-x/$exe" --version)" = "raworc-mcp $version" ] || { echo "  FAIL binary from the archive does not run"; return 1; }
  echo "  the binary unpacked from the archive runs: raworc-mcp $version"
  echo "real_archive_bytes=$(stat -c %s "$real")" >>"$RAWORC_METRICS_FILE"

  # A checksums file that lacks a platform must be refused.
  grep -v win32-arm64 "$dist/checksums.txt" >"$tmp/partial.txt"
  if bash scripts/render-packaging.sh --checksums "$tmp/partial.txt" --out "$tmp/partial" >/dev/null 2>"$tmp/partial.err"; then
    echo "  FAIL render-packaging.sh accepted checksums without win32-arm64"; return 1
  fi
  echo "  refused incomplete checksums: $(cat "$tmp/partial.err")"
  grep -v '\.mcpb$' "$dist/checksums.txt" >"$tmp/no-bundle.txt"
  if bash scripts/render-packaging.sh --checksums "$tmp/no-bundle.txt" --out "$tmp/no-bundle" >/dev/null 2>"$tmp/no-bundle.err"; then
    echo "  FAIL render-packaging.sh accepted checksums without the bundle"; return 1
  fi
  echo "  refused checksums without the bundle: $(cat "$tmp/no-bundle.err")"

  bash scripts/render-packaging.sh --checksums "$dist/checksums.txt" --out "$out" --release-date 2026-01-02 | sed 's/^/  /'
  YAML_DIR="$yaml_dir" node - "$root" "$out" "$dist/checksums.txt" "$version" <<'EOF'
const fs = require('fs');
const path = require('path');
const [root, out, checksumsFile, version] = process.argv.slice(2);
const YAML = require(path.join(process.env.YAML_DIR, 'node_modules', 'yaml'));
let failed = 0;
const check = (cond, msg) => { console.log(`  ${cond ? 'ok  ' : 'FAIL'} ${msg}`); if (!cond) failed++; };
const sums = Object.fromEntries(fs.readFileSync(checksumsFile, 'utf8').trim().split('\n').map((l) => {
  const [hash, name] = l.split(/\s+\*?/);
  return [name, hash];
}));
const archive = (p) => `raworc-mcp-${version}-${p}.${p.startsWith('win32') ? 'zip' : 'tar.gz'}`;

// Homebrew formula: four url/sha256 pairs (macOS and Linux, arm and intel), each pair for the same archive.
const rb = fs.readFileSync(path.join(out, 'homebrew', 'raworc-mcp.rb'), 'utf8');
const shaLines = rb.match(/^\s*sha256 "[0-9a-f]{64}"$/gm) || [];
check(shaLines.length === 4, `formula has 4 sha256 lines (got ${shaLines.length})`);
check((rb.match(/^\s*url "https:\/\/[^"]+"$/gm) || []).length === 4, 'formula has 4 https url lines');
const pairs = [...rb.matchAll(/url "([^"]+)"\s*\n\s*sha256 "([0-9a-f]{64})"/g)].map((m) => [path.basename(m[1]), m[2]]);
for (const p of ['darwin-arm64', 'darwin-x64', 'linux-arm64', 'linux-x64']) {
  const pair = pairs.find(([name]) => name === archive(p));
  check(!!pair && pair[1] === sums[archive(p)], `formula: ${archive(p)} with its own sha256`);
}
const block = (os, cpu) => {
  const osBlock = rb.slice(rb.indexOf(`on_${os} do`));
  const cpuBlock = osBlock.slice(osBlock.indexOf(`on_${cpu} do`));
  return cpuBlock.slice(0, cpuBlock.indexOf('end'));
};
check(block('macos', 'arm').includes('darwin-arm64') && block('macos', 'intel').includes('darwin-x64') &&
  block('linux', 'arm').includes('linux-arm64') && block('linux', 'intel').includes('linux-x64'),
  'formula: on_macos/on_linux x on_arm/on_intel pick the right archives');
check(/^\s*version "([^"]+)"$/m.exec(rb)?.[1] === version, `formula version ${version}`);
check(/test do[\s\S]*--version[\s\S]*end/.test(rb) && /bin\.install "raworc-mcp"/.test(rb), 'formula installs raworc-mcp and tests --version');
check(!/\{\{|\}\}/.test(rb), 'formula has no unrendered placeholders');

// winget: three manifests that parse, agree on id/version, and carry the right uppercase hashes.
const wdir = path.join(out, 'winget', 'manifests', 'r', 'Raworc', 'RaworcMcp', version);
const files = fs.existsSync(wdir) ? fs.readdirSync(wdir).sort() : [];
check(JSON.stringify(files) === JSON.stringify(['Raworc.RaworcMcp.installer.yaml', 'Raworc.RaworcMcp.locale.en-US.yaml', 'Raworc.RaworcMcp.yaml']),
  `winget manifests: ${files.join(', ')}`);
const docs = {};
for (const f of files) {
  const doc = YAML.parseDocument(fs.readFileSync(path.join(wdir, f), 'utf8'));
  check(doc.errors.length === 0, `${f} parses${doc.errors.length ? ': ' + doc.errors[0].message : ''}`);
  const js = doc.toJS();
  docs[js.ManifestType] = js;
  check(js.PackageIdentifier === 'Raworc.RaworcMcp' && js.PackageVersion === version && js.ManifestVersion === '1.12.0',
    `${f}: Raworc.RaworcMcp ${version}, manifest 1.12.0`);
}
const v = docs.version || {};
const inst = docs.installer || {};
const loc = docs.defaultLocale || {};
check(v.DefaultLocale === 'en-US' && loc.PackageLocale === 'en-US', 'defaultLocale en-US');
check(inst.InstallerType === 'zip' && inst.NestedInstallerType === 'portable', 'installer: zip with a portable nested installer');
const nested = (inst.NestedInstallerFiles || [])[0] || {};
check(nested.RelativeFilePath === 'raworc-mcp.exe' && nested.PortableCommandAlias === 'raworc-mcp', 'NestedInstallerFiles: raworc-mcp.exe as command raworc-mcp');
check(inst.ReleaseDate === '2026-01-02', 'ReleaseDate as given');
for (const [arch, p] of [['x64', 'win32-x64'], ['arm64', 'win32-arm64']]) {
  const i = (inst.Installers || []).find((x) => x.Architecture === arch) || {};
  check(i.InstallerSha256 === (sums[archive(p)] || '').toUpperCase() && /^[0-9A-F]{64}$/.test(i.InstallerSha256 || ''),
    `installer ${arch}: uppercase sha256 of ${archive(p)}`);
  check((i.InstallerUrl || '').endsWith(`/v${version}/${archive(p)}`), `installer ${arch}: url of ${archive(p)}`);
}
check((inst.Installers || []).length === 2, 'installer: exactly x64 and arm64');
check(loc.Publisher && loc.PackageName && loc.License === 'MIT' && loc.ShortDescription, 'locale: Publisher, PackageName, License, ShortDescription');

// server.json: the rendered one and the committed one, both at the product version.
const npmPkg = JSON.parse(fs.readFileSync(path.join(root, 'npm', 'package.json'), 'utf8'));
for (const [label, file] of [['rendered', path.join(out, 'server.json')], ['committed', path.join(root, 'packaging', 'server.json')]]) {
  let s = {};
  try { s = JSON.parse(fs.readFileSync(file, 'utf8')); check(true, `${label} server.json parses`); } catch (e) { check(false, `${label} server.json parses: ${e.message}`); }
  const npm = (s.packages || []).find((p) => p.registryType === 'npm') || {};
  const fix = label === 'committed' ? ' (fix: scripts/render-packaging.sh --update-repo)' : '';
  check(s.version === version && npm.version === version, `${label} server.json version ${s.version}/${npm.version} = ${version}${fix}`);
  // The Claude Desktop bundle: its download URL on the release (the registry's rules for mcpb), its sha256.
  const bundles = (s.packages || []).filter((p) => p.registryType === 'mcpb');
  const mcpb = bundles[0] || {};
  const bundleUrl = `https://github.com/raworc/raworc-mcp/releases/download/v${version}/raworc-mcp-${version}.mcpb`;
  check(bundles.length === 1 && mcpb.identifier === bundleUrl && mcpb.version === version && (mcpb.transport || {}).type === 'stdio' &&
    !('registryBaseUrl' in mcpb), `${label} server.json: one mcpb package, ${mcpb.identifier}, transport stdio, no registryBaseUrl${fix}`);
  const wantSha = label === 'committed' ? '0'.repeat(64) : sums[`raworc-mcp-${version}.mcpb`];
  check(/^[a-f0-9]{64}$/.test(mcpb.fileSha256 || '') && mcpb.fileSha256 === wantSha,
    `${label} server.json: fileSha256 ${label === 'committed' ? 'zeros (the release fills it in)' : 'is the bundle\'s sha256'}`);
  if (label === 'committed') continue;
  check(s.$schema === 'https://static.modelcontextprotocol.io/schemas/2025-12-11/server.schema.json', 'server.json $schema 2025-12-11');
  const bundleManifest = JSON.parse(fs.readFileSync(path.join(root, 'packaging', 'mcpb', 'manifest.json'), 'utf8'));
  check(bundleManifest.version === version, `packaging/mcpb/manifest.json version ${bundleManifest.version} = ${version} (fix: scripts/render-packaging.sh --update-repo)`);
  check(s.name === npmPkg.mcpName && /^[a-zA-Z0-9.-]+\/[a-zA-Z0-9._-]+$/.test(s.name), `server.json name ${s.name} = npm mcpName`);
  check(typeof s.description === 'string' && s.description.length >= 1 && s.description.length <= 100, 'server.json description is 1-100 characters');
  check(npm.identifier === npmPkg.name && (npm.transport || {}).type === 'stdio', `npm package ${npm.identifier}, transport stdio`);
  const env = npm.environmentVariables || [];
  const names = env.map((e) => e.name).sort();
  const want = ['LOG_FORMAT', 'LOG_LEVEL', 'RAWORC_ALLOW_DESTRUCTIVE', 'RAWORC_ALLOW_SECRET_VALUES', 'RAWORC_API_URL', 'RAWORC_AUTH_TOKEN',
    'RAWORC_DEFAULT_SPACE', 'RAWORC_PASSWORD', 'RAWORC_READ_ONLY', 'RAWORC_TIMEOUT', 'RAWORC_TOOLS', 'RAWORC_TOOLSETS', 'RAWORC_USERNAME'];
  check(JSON.stringify(names) === JSON.stringify(want), `environmentVariables: ${names.join(', ')}`);
  check(env.every((e) => typeof e.description === 'string' && e.description.length > 0), 'every environment variable has a description');
  const known = ['$schema', '_meta', 'name', 'title', 'description', 'version', 'repository', 'websiteUrl', 'icons', 'packages', 'remotes'];
  check(Object.keys(s).every((k) => known.includes(k)), `server.json has only schema fields (${Object.keys(s).join(', ')})`);
  check(!s.title || (s.title.length >= 1 && s.title.length <= 100), 'server.json title is 1-100 characters');
  check(s.repository && /^https:\/\/github\.com\//.test(s.repository.url) && s.repository.source === 'github', 'server.json repository is a GitHub url with source github');
  check(env.every((e) => !e.format || ['string', 'number', 'boolean', 'filepath'].includes(e.format)) &&
    env.every((e) => e.default === undefined || typeof e.default === 'string'), 'environment variable formats and defaults have schema types');
  const secrets = env.filter((e) => e.isSecret).map((e) => e.name).sort();
  check(JSON.stringify(secrets) === JSON.stringify(['RAWORC_AUTH_TOKEN', 'RAWORC_PASSWORD']), `isSecret only for ${secrets.join(', ')}`);
}
process.exit(failed ? 1 : 0);
EOF
}
if [ "${status[install yaml@$YAML_VERSION for the YAML checks]}" = ok ]; then
  step "archives + render-packaging.sh (Homebrew, winget, server.json)" archives_and_manifests
  step "check-workflows.sh" env YAML_DIR="$yaml_dir" timeout 600 bash scripts/check-workflows.sh
else
  step "check-workflows.sh" timeout 600 bash scripts/check-workflows.sh
  skip "archives + render-packaging.sh (Homebrew, winget, server.json)" "yaml could not be installed"
fi

# --- summary -----------------------------------------------------------------------------------------
metric() { sed -n "s/^$1=//p" "$RAWORC_METRICS_FILE" | tail -n1; }
human() { [ -n "$1" ] && awk -v b="$1" 'BEGIN { printf "%.1f MiB (%d bytes)", b / 1048576, b }' || echo "n/a"; }
npm_tgz="$root/artifacts/npm/raworc-mcp-server-$platform-$version.tgz"
deb_file="$(ls "$root"/artifacts/deb/raworc-mcp_*.deb 2>/dev/null | head -n1 || true)"
echo
echo "######## summary (raworc-mcp $version, $platform)"
printf '%s\n' "${summary[@]}"
echo "  launcher start-up: binary --version $(metric binary_version_median_ms) ms, node launcher --version $(metric launcher_version_median_ms) ms," \
  "overhead $(metric launcher_overhead_ms) ms (node -e 0 alone: $(metric node_empty_script_median_ms) ms; medians of 20);" \
  "npx --offline raworc-mcp --version $(metric npx_version_median_ms) ms (median of 5)"
echo "  binary:            $(human "$(stat -c %s "$binary")")"
echo "  npm platform tgz:  $(human "$( [ -f "$npm_tgz" ] && stat -c %s "$npm_tgz")")"
echo "  release archive:   $(human "$(metric real_archive_bytes)")"
echo "  Claude Desktop bundle (this machine's binary only): $(human "$(metric mcpb_bytes)")"
echo "  .deb:              $(human "$(metric deb_size_bytes)")"
echo "test-packages: $passed passed, $failed failed"
[ "$failed" = 0 ]
