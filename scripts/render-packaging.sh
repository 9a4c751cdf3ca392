#!/usr/bin/env bash
# Renders the package-manager manifests of a release from the templates in packaging/ and the release's
# checksums file (sha256sum format; archives named raworc-mcp-<version>-<platform>.tar.gz / .zip, and the Claude
# Desktop bundle raworc-mcp-<version>.mcpb):
#   <out>/homebrew/raworc-mcp.rb                                    Homebrew tap formula (macOS + Linux)
#   <out>/winget/manifests/r/Raworc/RaworcMcp/<version>/*.yaml      winget manifests (version, installer, locale)
#   <out>/server.json                                               MCP Registry entry (npm package and bundle)
#
#   scripts/render-packaging.sh --checksums dist/checksums.txt [--version V] [--out DIR]
#                               [--base-url URL] [--release-date YYYY-MM-DD] [--update-repo]
# --version defaults to Directory.Build.props; --out to artifacts/packaging; --base-url to the GitHub
# release download folder of tag v<version>. --update-repo also writes the version into packaging/server.json and
# packaging/mcpb/manifest.json; after a version bump, `scripts/render-packaging.sh --update-repo` (no checksums) does
# only that.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

checksums=""
version=""
out="$root/artifacts/packaging"
base_url=""
release_date=""
update_repo=0
while [ $# -gt 0 ]; do
  case "$1" in
    --checksums) checksums="$2"; shift 2 ;;
    --version) version="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    --base-url) base_url="$2"; shift 2 ;;
    --release-date) release_date="$2"; shift 2 ;;
    --update-repo) update_repo=1; shift ;;
    -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
    *) echo "render-packaging.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
if [ -z "$checksums" ] && [ "$update_repo" = 0 ]; then
  echo "render-packaging.sh: --checksums FILE is required" >&2; exit 2
fi
[ -z "$checksums" ] || [ -f "$checksums" ] || { echo "render-packaging.sh: $checksums not found" >&2; exit 1; }
[ -n "$version" ] || version="$("$root/scripts/version.sh")"
[ -n "$version" ] || { echo "render-packaging.sh: no version" >&2; exit 1; }
[ -n "$base_url" ] || base_url="https://github.com/raworc/raworc-mcp/releases/download/v$version"
[ -n "$release_date" ] || release_date="$(date -u -d "@${SOURCE_DATE_EPOCH:-$(date +%s)}" +%Y-%m-%d)"

mkdir -p "$out"
out="$(cd "$out" && pwd)"
node - "$root" "$checksums" "$version" "$out" "$base_url" "$release_date" "$update_repo" <<'EOF'
const fs = require('fs');
const path = require('path');
const [root, checksumsFile, version, out, baseUrl, releaseDate, updateRepo] = process.argv.slice(2);
const die = (msg) => { process.stderr.write(`render-packaging.sh: ${msg}\n`); process.exit(1); };

if (!/^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/.test(version)) die(`"${version}" is not a release version`);
if (!/^\d{4}-\d{2}-\d{2}$/.test(releaseDate)) die(`release date "${releaseDate}" is not YYYY-MM-DD`);

const bundleFile = `raworc-mcp-${version}.mcpb`;
let bundleSha256 = null;
if (checksumsFile) {
  // sha256sum output: "<64 hex>  <name>" or "<64 hex> *<name>" (binary mode); names may carry a directory.
  const sums = new Map();
  for (const line of fs.readFileSync(checksumsFile, 'utf8').split(/\r?\n/)) {
    if (!line.trim()) continue;
    const m = /^([0-9a-fA-F]{64}) [ *](.+)$/.exec(line.trim());
    if (!m) die(`${checksumsFile}: not a sha256sum line: ${line}`);
    sums.set(path.basename(m[2]), m[1].toLowerCase());
  }

  const platforms = ['linux-x64', 'linux-arm64', 'darwin-x64', 'darwin-arm64', 'win32-x64', 'win32-arm64'];
  const vars = { version, release_date: releaseDate };
  const missing = [];
  for (const p of platforms) {
    const file = `raworc-mcp-${version}-${p}.${p.startsWith('win32') ? 'zip' : 'tar.gz'}`;
    const key = p.replace('-', '_');
    if (!sums.has(file)) { missing.push(file); continue; }
    vars[`url_${key}`] = `${baseUrl.replace(/\/+$/, '')}/${file}`;
    vars[`sha256_${key}`] = sums.get(file);
    vars[`sha256_${key}_upper`] = sums.get(file).toUpperCase();
  }
  if (sums.has(bundleFile)) bundleSha256 = sums.get(bundleFile);
  else missing.push(bundleFile);
  if (missing.length) die(`${checksumsFile} has no checksum for: ${missing.join(', ')}`);

  function render(template, target) {
    const text = fs.readFileSync(path.join(root, 'packaging', template), 'utf8').replace(/\{\{(\w+)\}\}/g, (m, k) => {
      if (!(k in vars)) die(`${template}: no value for ${m}`);
      return vars[k];
    });
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.writeFileSync(target, text);
    console.log(`rendered ${target}`);
  }

  render('homebrew/raworc-mcp.rb.template', path.join(out, 'homebrew', 'raworc-mcp.rb'));
  const wingetDir = path.join(out, 'winget', 'manifests', 'r', 'Raworc', 'RaworcMcp', version);
  fs.rmSync(wingetDir, { recursive: true, force: true });
  for (const f of ['Raworc.RaworcMcp.yaml', 'Raworc.RaworcMcp.installer.yaml', 'Raworc.RaworcMcp.locale.en-US.yaml']) {
    render(`winget/${f}.template`, path.join(wingetDir, f));
  }
}

// server.json: the committed file with this version for the server, its npm package and its bundle (whose
// identifier is the bundle's download URL, and fileSha256 its checksum: the committed file holds zeros there).
const serverFile = path.join(root, 'packaging', 'server.json');
function serverJson(base, sha256) {
  const server = JSON.parse(fs.readFileSync(serverFile, 'utf8'));
  server.version = version;
  for (const pkg of server.packages || []) {
    if (pkg.registryType === 'npm' && pkg.identifier === '@raworc/mcp-server') pkg.version = version;
    if (pkg.registryType === 'mcpb') {
      pkg.version = version;
      pkg.identifier = `${base.replace(/\/+$/, '')}/${bundleFile}`;
      if (sha256) pkg.fileSha256 = sha256;
    }
  }
  return JSON.stringify(server, null, 2) + '\n';
}
fs.writeFileSync(path.join(out, 'server.json'), serverJson(baseUrl, bundleSha256));
console.log(`rendered ${path.join(out, 'server.json')}`);
// The bundle's manifest carries the version too (packaging/mcpb/stage.js refuses one that differs).
const manifestFile = path.join(root, 'packaging', 'mcpb', 'manifest.json');
const manifest = JSON.parse(fs.readFileSync(manifestFile, 'utf8'));
manifest.version = version;
const updates = [
  [serverFile, serverJson(`https://github.com/raworc/raworc-mcp/releases/download/v${version}`, null)],
  [manifestFile, JSON.stringify(manifest, null, 2) + '\n'],
];
for (const [file, text] of updates) {
  if (updateRepo === '1' && fs.readFileSync(file, 'utf8') !== text) {
    fs.writeFileSync(file, text);
    console.log(`updated ${file} to version ${version}`);
  }
}
EOF
