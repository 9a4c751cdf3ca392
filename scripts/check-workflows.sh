#!/usr/bin/env bash
# Checks the GitHub Actions workflows: parses .github/workflows/{ci,release}.yml with the `yaml` npm package
# (pinned, installed into a temp folder) and asserts what the release process depends on: CI runs
# `bash .ci/run` with .NET 10 and Node 20; the release runs on v* tags, builds the six platforms
# (npm naming: linux-x64, linux-arm64, darwin-x64, darwin-arm64, win32-x64, win32-arm64 — the same list as
# npm/package.json's optionalDependencies) on native runners with the right .NET RIDs, then checksums,
# renders the manifests, creates the GitHub release and publishes to npm with provenance; then the container job
# builds packaging/container/Dockerfile from the released Linux binaries for linux/amd64 and linux/arm64 and pushes it.
# Env: YAML_DIR=<folder with node_modules/yaml> reuses an install (scripts/test-packages.sh passes one).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

YAML_VERSION=2.9.1
tmp=""
cleanup() { [ -z "$tmp" ] || rm -rf "$tmp"; }
trap cleanup EXIT
yaml_dir="${YAML_DIR:-}"
if [ -z "$yaml_dir" ] || [ ! -f "$yaml_dir/node_modules/yaml/package.json" ]; then
  tmp="$(mktemp -d)"
  yaml_dir="$tmp"
  echo '{ "name": "raworc-mcp-workflow-check", "private": true }' >"$yaml_dir/package.json"
  (cd "$yaml_dir" && timeout 300 npm install --prefer-offline --no-audit --no-fund --ignore-scripts "yaml@$YAML_VERSION") \
    >"$yaml_dir/install.log" 2>&1 || { cat "$yaml_dir/install.log" >&2; echo "check-workflows.sh: cannot install yaml@$YAML_VERSION" >&2; exit 1; }
fi

YAML_DIR="$yaml_dir" node - "$root" <<'EOF'
const fs = require('fs');
const path = require('path');
const root = process.argv[2];
const YAML = require(path.join(process.env.YAML_DIR, 'node_modules', 'yaml'));

let passed = 0;
let failed = 0;
const check = (cond, msg) => {
  if (cond) { passed++; console.log(`  ok   ${msg}`); } else { failed++; console.log(`  FAIL ${msg}`); }
};
function load(file) {
  const text = fs.readFileSync(path.join(root, file), 'utf8');
  const doc = YAML.parseDocument(text, { prettyErrors: true });
  check(doc.errors.length === 0, `${file} parses as YAML${doc.errors.length ? ': ' + doc.errors.map((e) => e.message).join('; ') : ''}`);
  return doc.toJS() || {};
}
const steps = (job) => (job && Array.isArray(job.steps) ? job.steps : []);
const runs = (job) => steps(job).map((s) => s.run || '').join('\n');
const uses = (job, action) => steps(job).find((s) => typeof s.uses === 'string' && s.uses.startsWith(`${action}@`));
function allUses(wf) {
  return Object.values(wf.jobs || {}).flatMap((j) => steps(j)).map((s) => s.uses).filter(Boolean);
}
function scriptsExist(wf, file) {
  const text = Object.values(wf.jobs || {}).map(runs).join('\n');
  const refs = [...new Set(text.match(/(?:scripts|packaging)\/[\w.-]+\.(?:sh|mjs)/g) || [])];
  for (const ref of refs) {
    const p = path.join(root, ref);
    const okFile = fs.existsSync(p) && (ref.endsWith('.mjs') || (fs.statSync(p).mode & 0o111) !== 0);
    check(okFile, `${file}: ${ref} exists${ref.endsWith('.sh') ? ' and is executable' : ''}`);
  }
}

console.log('== .github/workflows/ci.yml');
const ci = load('.github/workflows/ci.yml');
const ciOn = ci.on || {};
check('push' in ciOn && 'pull_request' in ciOn, 'CI runs on push and pull_request');
const ciJobs = Object.values(ci.jobs || {});
const ciJob = ciJobs.find((j) => /(^|\n)\s*bash \.ci\/run\b/.test(runs(j)));
check(!!ciJob, 'a CI job runs `bash .ci/run`');
check(!!ciJob && /^ubuntu-/.test(String(ciJob['runs-on'])), 'that job runs on ubuntu');
const dotnet = ciJob && uses(ciJob, 'actions/setup-dotnet');
const dotnetWith = (dotnet && dotnet.with) || {};
let dotnetOk = false;
if (dotnetWith['global-json-file']) {
  const gj = JSON.parse(fs.readFileSync(path.join(root, dotnetWith['global-json-file']), 'utf8'));
  dotnetOk = /^10\./.test(gj.sdk && gj.sdk.version);
} else {
  dotnetOk = /^10\./.test(String(dotnetWith['dotnet-version'] || ''));
}
check(dotnetOk, 'setup-dotnet installs .NET 10');
const node = ciJob && uses(ciJob, 'actions/setup-node');
check(!!node && String((node.with || {})['node-version']).startsWith('20'), 'setup-node installs Node 20');
scriptsExist(ci, 'ci.yml');

console.log('== .github/workflows/release.yml');
const rel = load('.github/workflows/release.yml');
const tags = (((rel.on || {}).push || {}).tags) || [];
check(Array.isArray(tags) && tags.includes('v*'), 'release runs on tags v*');
const jobs = rel.jobs || {};
const build = Object.values(jobs).find((j) => j.strategy && j.strategy.matrix);
check(!!build, 'release has a matrix build job');
const include = (build && build.strategy.matrix.include) || [];
const expected = {
  'linux-x64': { rid: 'linux-x64', runner: 'ubuntu-latest' },
  'linux-arm64': { rid: 'linux-arm64', runner: 'ubuntu-24.04-arm' },
  'darwin-x64': { rid: 'osx-x64', runner: 'macos-13' },
  'darwin-arm64': { rid: 'osx-arm64', runner: 'macos-latest' },
  'win32-x64': { rid: 'win-x64', runner: 'windows-latest' },
  'win32-arm64': { rid: 'win-arm64', runner: 'windows-11-arm' },
};
const names = include.map((e) => e.platform).sort();
check(JSON.stringify(names) === JSON.stringify(Object.keys(expected).sort()),
  `matrix platforms are exactly ${Object.keys(expected).join(', ')} (got ${names.join(', ') || 'none'})`);
const npmPkg = JSON.parse(fs.readFileSync(path.join(root, 'npm', 'package.json'), 'utf8'));
const npmPlatforms = Object.keys(npmPkg.optionalDependencies || {}).map((n) => n.replace('@raworc/mcp-server-', '')).sort();
check(JSON.stringify(npmPlatforms) === JSON.stringify(names), 'matrix platforms = npm/package.json optionalDependencies');
for (const [platform, want] of Object.entries(expected)) {
  const e = include.find((x) => x.platform === platform) || {};
  check(e.rid === want.rid && e.runner === want.runner, `${platform}: native runner ${want.runner}, RID ${want.rid}`);
}
check(build && build['runs-on'] === '${{ matrix.runner }}', 'build job runs-on ${{ matrix.runner }}');
check(build && ((build.defaults || {}).run || {}).shell === 'bash', 'build steps use bash (also on Windows)');
const buildRuns = runs(build);
check(/scripts\/build\.sh/.test(buildRuns) && steps(build).some((s) => s.env && s.env.RID === '${{ matrix.rid }}'),
  'build runs scripts/build.sh with RID=${{ matrix.rid }}');
check(/StripSymbols=true/.test(buildRuns), 'build strips symbols');
check(/--version/.test(buildRuns) && /mcp-smoke\.mjs/.test(buildRuns), 'build smoke-tests the binary (--version and scripts/mcp-smoke.mjs)');
check(/packaging\/make-archive\.sh/.test(buildRuns), 'build archives with packaging/make-archive.sh (archive + .sha256)');
check(/scripts\/build-deb\.sh/.test(buildRuns) && /scripts\/test-deb\.sh/.test(buildRuns), 'Linux builds make and test their .deb natively');
check(!!uses(build, 'actions/upload-artifact'), 'build uploads its artifact');

const relJob = Object.values(jobs).find((j) => j !== build && j.needs);
const needs = relJob ? [].concat(relJob.needs) : [];
check(!!relJob && needs.some((n) => jobs[n] === build), 'a release job needs the build job');
const perms = (relJob && relJob.permissions) || {};
check(perms.contents === 'write' && perms['id-token'] === 'write', 'release job has contents: write and id-token: write');
const relRuns = runs(relJob);
const dl = relJob && uses(relJob, 'actions/download-artifact');
check(!!dl, 'release job downloads the build artifacts');
check(/checksums\.txt/.test(relRuns) && /sha256sum/.test(relRuns), 'release job writes checksums.txt');
check(/scripts\/render-packaging\.sh[^\n]*--checksums/.test(relRuns), 'release job renders Homebrew/winget/server.json with scripts/render-packaging.sh');
check(/gh release create/.test(relRuns) && /raworc-mcp\.rb/.test(relRuns) && /Raworc\.RaworcMcp/.test(relRuns) && /server\.json/.test(relRuns),
  'release job creates the GitHub release with archives and rendered manifests');
check(/scripts\/pack-npm\.sh/.test(relRuns), 'release job packs the npm packages with scripts/pack-npm.sh');
const publishStep = steps(relJob).find((s) => /npm publish/.test(s.run || ''));
check(!!publishStep && /--provenance/.test(publishStep.run) && /--access public/.test(publishStep.run), 'npm publish uses --provenance --access public');
check(!!publishStep && publishStep.env && /secrets\./.test(String(publishStep.env.NODE_AUTH_TOKEN || '')), 'npm publish gets NODE_AUTH_TOKEN from a secret');
const setupNode = relJob && uses(relJob, 'actions/setup-node');
check(!!setupNode && ((setupNode.with || {})['registry-url'] || '').includes('registry.npmjs.org'), 'release setup-node sets registry-url (writes the .npmrc for NODE_AUTH_TOKEN)');
if (publishStep) {
  const text = publishStep.run;
  const wrapperAt = text.lastIndexOf('"@raworc/mcp-server"');
  const platformAt = text.indexOf('@raworc/mcp-server-$p');
  check(platformAt >= 0 && wrapperAt > platformAt, 'platform packages are published before the wrapper');
}
scriptsExist(rel, 'release.yml');

const container = Object.values(jobs).find((j) => /docker buildx build/.test(runs(j)));
check(!!container, 'release has a container job that runs docker buildx build');
const containerRuns = runs(container);
const buildx = (containerRuns.match(/docker buildx build(?:[^\n\\]|\\\n)*/) || [""])[0]; // with its continuation lines
check(/-f packaging\/container\/Dockerfile/.test(buildx) && fs.existsSync(path.join(root, 'packaging/container/Dockerfile')),
  'container job builds packaging/container/Dockerfile (which exists)');
check(/--platform linux\/amd64,linux\/arm64/.test(buildx), 'container image for linux/amd64 and linux/arm64');
check(/--push/.test(buildx) && /BINARY_FROM=prebuilt/.test(buildx), 'container job pushes the image made from the prebuilt binaries');
check(!!container && [].concat(container.needs || []).some((n) => jobs[n] === build), 'container job needs the build job (its binaries)');
check(/artifacts\/container\/\$arch/.test(containerRuns) && /linux-x64:amd64/.test(containerRuns) && /linux-arm64:arm64/.test(containerRuns),
  'released linux-x64/linux-arm64 binaries go to artifacts/container/amd64 and arm64');
check(!!container && (container.permissions || {}).packages === 'write', 'container job has packages: write');
check(!!container && !!uses(container, 'docker/login-action') && !!uses(container, 'docker/setup-buildx-action'), 'container job logs in and sets up buildx');

for (const [file, wf] of [['ci.yml', ci], ['release.yml', rel]]) {
  const unpinned = allUses(wf).filter((u) => !/@[\w.-]+$/.test(u));
  check(unpinned.length === 0, `${file}: every action is pinned to a version${unpinned.length ? ' (' + unpinned.join(', ') + ')' : ''}`);
}

console.log(`check-workflows: ${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
EOF
