#!/usr/bin/env node
// Stages the Claude Desktop bundle's folder, ready for `mcpb pack` (used by scripts/pack-mcpb.sh):
//
//   node packaging/mcpb/stage.js --version 1.2.3 --out DIR --binary darwin-arm64=PATH [--binary P=PATH ...] [--stand-ins]
//
//   DIR/manifest.json          packaging/mcpb/manifest.json, its platforms those the bundle holds binaries for
//   DIR/icon.png, DIR/LICENSE
//   DIR/server/launch.js       run by Claude Desktop's Node: picks the binary by OS and CPU, restores its exec bit
//   DIR/server/bin/<os>-<cpu>/raworc-mcp[.exe]
//
// A release bundle holds the four Claude Desktop platforms (macOS and Windows, x64 and arm64); a binary of another
// platform (Linux) may be added. Each binary is checked to be an executable of its platform. --stand-ins fills the
// missing release platforms with marked text files instead of failing (a bundle built on one machine, for tests);
// the launcher treats a stand-in as absent.
'use strict';

const fs = require('fs');
const path = require('path');
const { sniff } = require('../../npm/stage.js');
const { STAND_IN_MARK } = require('./launch.js');

const here = __dirname;
const RELEASE_PLATFORMS = ['darwin-x64', 'darwin-arm64', 'win32-x64', 'win32-arm64'];
const KNOWN_PLATFORMS = [...RELEASE_PLATFORMS, 'linux-x64', 'linux-arm64'];
const OS_ORDER = ['darwin', 'win32', 'linux'];

function die(msg) {
  process.stderr.write(`mcpb/stage.js: ${msg}\n`);
  process.exit(1);
}

function parseArgs(argv) {
  const args = { binaries: new Map(), standIns: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => (i + 1 < argv.length ? argv[++i] : die(`${a} needs a value`));
    if (a === '--version') args.version = value();
    else if (a === '--out') args.out = value();
    else if (a === '--stand-ins') args.standIns = true;
    else if (a === '--binary') {
      const spec = value();
      const eq = spec.indexOf('=');
      if (eq < 0) die(`--binary ${spec}: expected PLATFORM=PATH`);
      const platform = spec.slice(0, eq);
      if (!KNOWN_PLATFORMS.includes(platform)) die(`--binary ${spec}: unknown platform "${platform}" (one of ${KNOWN_PLATFORMS.join(', ')})`);
      if (args.binaries.has(platform)) die(`--binary ${platform} given twice`);
      args.binaries.set(platform, spec.slice(eq + 1));
    } else die(`unknown argument ${a}`);
  }
  if (!args.version) die('--version is required');
  if (!args.out) die('--out is required');
  return args;
}

const exeOf = (platform) => (platform.startsWith('win32-') ? 'raworc-mcp.exe' : 'raworc-mcp');

function stage(args) {
  const manifest = JSON.parse(fs.readFileSync(path.join(here, 'manifest.json'), 'utf8'));
  if (manifest.version !== args.version) {
    die(`packaging/mcpb/manifest.json has version ${manifest.version}, not ${args.version} (fix: scripts/render-packaging.sh --update-repo)`);
  }
  const missing = RELEASE_PLATFORMS.filter((p) => !args.binaries.has(p));
  if (missing.length && !args.standIns) die(`no binary for ${missing.join(', ')} (give --binary PLATFORM=PATH, or --stand-ins for a local bundle)`);

  const out = path.resolve(args.out);
  fs.rmSync(out, { recursive: true, force: true });
  fs.mkdirSync(path.join(out, 'server', 'bin'), { recursive: true });

  const slots = [...RELEASE_PLATFORMS, ...KNOWN_PLATFORMS.filter((p) => !RELEASE_PLATFORMS.includes(p) && args.binaries.has(p))];
  for (const platform of slots) {
    const target = path.join(out, 'server', 'bin', platform, exeOf(platform));
    fs.mkdirSync(path.dirname(target), { recursive: true });
    const binary = args.binaries.get(platform);
    if (binary === undefined) {
      fs.writeFileSync(target, `${STAND_IN_MARK}: this bundle was built on one machine and holds no raworc-mcp binary for ` +
        `${platform}; the release workflow puts the real one here.\n`);
      fs.chmodSync(target, 0o644);
      continue;
    }
    if (!fs.existsSync(binary) || !fs.statSync(binary).isFile()) die(`binary ${binary} does not exist`);
    const kind = sniff(binary);
    if (!kind) die(`${binary} is not an ELF, Mach-O or PE executable`);
    if (`${kind.os}-${kind.cpu}` !== platform) die(`${binary} is a ${kind.os}-${kind.cpu} executable, not ${platform}`);
    fs.copyFileSync(binary, target);
    fs.chmodSync(target, 0o755);
  }

  // The platforms Claude Desktop may install it on: those it holds a binary (or a stand-in) for.
  const oses = new Set(slots.map((p) => p.split('-')[0]));
  manifest.compatibility = { ...manifest.compatibility, platforms: OS_ORDER.filter((o) => oses.has(o)) };
  fs.writeFileSync(path.join(out, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n');
  fs.copyFileSync(path.join(here, 'launch.js'), path.join(out, 'server', 'launch.js'));
  fs.copyFileSync(path.join(here, manifest.icon), path.join(out, manifest.icon));
  fs.copyFileSync(path.join(here, '..', '..', 'LICENSE'), path.join(out, 'LICENSE'));
  return { out, real: slots.filter((p) => args.binaries.has(p)), standIns: slots.filter((p) => !args.binaries.has(p)) };
}

const result = stage(parseArgs(process.argv.slice(2)));
console.log(`staged ${result.out}: binaries ${result.real.join(', ') || 'none'}` +
  (result.standIns.length ? `; stand-ins for ${result.standIns.join(', ')}` : ''));
